"""Engine and session factory: SQLite (WAL, foreign keys on) or PostgreSQL, chosen by URL."""

from __future__ import annotations

import operator
import re
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs.

    >>> normalize_database_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the web pages) go on while an import writes; foreign keys are off
    # by default in SQLite; busy_timeout makes a second writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    # Reads through a memory map instead of a read() per page: the policy's and the
    # indicators' index probes over a large registry are about twice as fast.
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` with the platform's connection settings."""
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _log_registry_change)
    # A savepoint rolled back may take this transaction's log row with it: log again.
    event.listen(engine, "rollback_savepoint", _forget_logged)
    return engine


# The registry's change log (table ``registry_changes``): every transaction that writes to
# one of these tables adds one row, with a random token, in that same transaction. The
# indicators' column copy (indicators/columnar.py) is labelled with the log's state when it
# was read and is read again only when the log has changed, so a page of indicators over a
# million patents does not re-read them while nothing changed. One row per transaction, not
# a counter row: concurrent writers on PostgreSQL never wait on each other for it, and a
# count of rows sees a transaction that commits after a later one did.
# The largest id the database's integer columns hold (PostgreSQL's integer): ids of paths and
# queries are checked against it, so that a larger number is a clear 422, not a database error.
MAX_ID = 2_147_483_647

CHANGE_LOGGED_TABLES = frozenset({"patents", "patent_holders", "patent_status_events", "holders", "zones"})
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"
    r'"?(\w+)"?(.*)',
    re.IGNORECASE | re.DOTALL,
)
_LOGGED = "registry_change_logged"  # connection.info key: the transaction that has its row


def _writes_registry(statement: str) -> bool:
    """Whether a statement writes to a change-logged table.

    >>> _writes_registry("INSERT INTO patents (id) VALUES (?)"), _writes_registry("UPDATE holders SET x=1")
    (True, True)
    >>> _writes_registry("SELECT * FROM patents"), _writes_registry("INSERT INTO patent_fts VALUES (1)")
    (False, False)
    >>> _writes_registry("TRUNCATE audit_log, patents RESTART IDENTITY")
    True
    """
    match = _WRITE.match(statement)
    if match is None:
        return False
    if match.group(1).lower() in CHANGE_LOGGED_TABLES:
        return True
    if statement.lstrip()[:8].upper() == "TRUNCATE":  # TRUNCATE names several tables
        return any(name in CHANGE_LOGGED_TABLES for name in re.findall(r"\w+", match.group(2).lower()))
    return False


def _log_registry_change(
    conn: Connection, cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
) -> None:
    if not _writes_registry(statement):
        return
    note_registry_change(conn, cursor)


def _forget_logged(conn: Connection, *_args: Any) -> None:
    conn.info.pop(_LOGGED, None)


def note_registry_change(conn: Connection, cursor: Any = None) -> None:
    """Add this transaction's row to the registry's change log (once per transaction).

    Called for every statement that writes to a change-logged table, and by writers that
    bypass statements (PostgreSQL ``COPY``). Before the log's table exists (the first
    migrations), nothing is logged: there is no copy to keep current yet.
    """
    if registry_changed_in_transaction(conn) or not _change_log_exists(conn, cursor):
        return
    # The token is 32 hex digits made here: safe to write into the statement.
    sql = f"INSERT INTO registry_changes (token) VALUES ('{uuid.uuid4().hex}')"
    if cursor is not None:
        cursor.execute(sql)
    else:
        conn.exec_driver_sql(sql)
    conn.info[_LOGGED] = conn.get_transaction()


def registry_changed_in_transaction(conn: Connection) -> bool:
    """Whether ``conn``'s current transaction has written to a change-logged table."""
    transaction = conn.get_transaction()
    return transaction is not None and conn.info.get(_LOGGED) is transaction


_ENGINES_WITH_CHANGE_LOG: weakref.WeakSet[Engine] = weakref.WeakSet()


def _change_log_exists(conn: Connection, cursor: Any) -> bool:
    engine = conn.engine
    if engine in _ENGINES_WITH_CHANGE_LOG:
        return True
    if conn.dialect.name == "sqlite":
        probe = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'registry_changes'"
    else:
        probe = "SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = 'registry_changes' AND schemaname = current_schema()"
    if cursor is not None:
        cursor.execute(probe)
        found = cursor.fetchone() is not None
    else:
        found = conn.exec_driver_sql(probe).first() is not None
    if found:
        _ENGINES_WITH_CHANGE_LOG.add(engine)
    return found


def registry_log_state(conn: Connection) -> tuple[int, str | None]:
    """The change log as ``conn`` sees it: its number of rows and the token of the last
    (``(0, None)`` while it is empty). Two equal states are the same registry."""
    count, last = conn.execute(text("SELECT count(*), max(id) FROM registry_changes")).one()
    if last is None:
        return 0, None
    token = conn.execute(text("SELECT token FROM registry_changes WHERE id = :id"), {"id": last}).scalar()
    return int(count), str(token)


T = TypeVar("T")


def rows_as_one_value(connection: Connection, query: Any) -> list[list[Any]]:
    """The rows of ``query`` (a SELECT), each a list of its values as JSON gives them
    (dates as ISO text), aggregated by the database into one JSON array.

    For a read in a second thread (:func:`read_beside`): the driver then hands one value to
    Python, so the thread needs the interpreter once, not once per row while the first
    thread holds it for its own work.
    """
    from sqlalchemy import func, select

    rows = query.subquery("rows_read")
    if connection.dialect.name == "sqlite":
        aggregate = func.json_group_array(func.json_array(*rows.c))
    else:
        aggregate = func.json_agg(func.json_build_array(*rows.c))
    value = connection.execute(select(aggregate)).scalar()
    if value is None:  # PostgreSQL's json_agg of no rows
        return []
    import json

    return json.loads(value) if isinstance(value, str) else list(value)


def _reads_beside(connection: Connection) -> bool:
    """Whether a second connection of ``connection``'s engine sees what it sees: the
    database is a file or a server (not one connection's memory), and ``connection``'s
    transaction holds no registry change of its own (uncommitted, seen by it alone)."""
    url = connection.engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or url.query.get("mode") == "memory":
            return False
    return not registry_changed_in_transaction(connection)


_BESIDE: list[Any] = []  # the threads of read_beside, started on first use
_BESIDE_LOCK = threading.Lock()


T_co = TypeVar("T_co", covariant=True)


class Pending(Protocol[T_co]):
    """A read started by :func:`read_beside` (a thread's future, or a read already done)."""

    def result(self) -> T_co:
        """The value read (waits for it; raises the read's error)."""
        ...


class _Read(Generic[T]):
    """A read already done, with the interface of a future."""

    def __init__(self, value: T) -> None:
        self.value = value

    def result(self) -> T:
        """The value read."""
        return self.value


def read_beside(connection: Connection, read: Callable[[Connection], T]) -> Pending[T]:
    """Start ``read`` on a second connection of ``connection``'s engine, in a thread, and
    return its future (``.result()`` waits for the value and raises its error).

    For the independent SELECTs of one large read (the policy's snapshot of a year):
    SQLite and PostgreSQL work on them at the same time while this thread goes on, and
    SQLite's driver lets the other thread run while a statement steps. Where a second
    connection would not see what ``connection`` sees (an in-memory database, or registry
    changes of this transaction not yet committed), ``read`` runs here, on ``connection``,
    before this returns. A second connection sees the last commit when its statement
    starts, as a second statement on ``connection`` itself would (read committed).
    """
    if not _reads_beside(connection):
        return _Read(read(connection))
    with _BESIDE_LOCK:
        if not _BESIDE:
            from concurrent.futures import ThreadPoolExecutor

            _BESIDE.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="ipcity-read"))
    engine = connection.engine

    def on_own_connection() -> T:
        with engine.connect() as own:
            return read(own)

    return _BESIDE[0].submit(on_own_connection)


class RegistryReadCache(Generic[T]):
    """Values read from the change-logged tables, kept in the process while the registry's
    change log is unchanged (the last ``kept`` of them, by database, log state and key).

    A value is read again, and not kept, where the log cannot vouch for it: the log is
    empty, or the caller's own transaction holds registry changes (a later write of that
    transaction would not be logged again). Each SELECT of a read may see a later commit
    than the one before it (PostgreSQL's read committed; SQLite outside a write): a value
    is kept only if no change was logged while it was read, so a read torn by a
    concurrent write is never reused. Two requests needing the same value read it once.
    """

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.entries: OrderedDict[tuple[Any, ...], T] = OrderedDict()
        self._lock = threading.Lock()  # the entries and the per-key locks, briefly
        self._reading: dict[tuple[Any, ...], threading.Lock] = {}

    def get(self, session: Session, key: Hashable, read: Callable[[Connection], T]) -> T:
        """The value of ``key`` as ``session`` sees the registry: kept, or ``read`` through
        the session's connection (its transaction)."""
        session.flush()  # the session's pending changes are part of what it sees
        connection = session.connection()
        if registry_changed_in_transaction(connection):
            return read(connection)
        count, token = registry_log_state(connection)
        if token is None:
            return read(connection)
        full = (connection.engine.url.render_as_string(hide_password=True), count, token, key)
        found = self._kept(full)
        if found is not None:
            return found
        # One read per key at a time (a second request waits for the first and takes its
        # value); reads of other keys, and hits, go on meanwhile.
        with self._lock:
            reading = self._reading.setdefault(full, threading.Lock())
        try:
            with reading:
                found = self._kept(full)
                if found is not None:
                    return found
                value = read(connection)
                if registry_log_state(connection) == (count, token):
                    with self._lock:
                        self.entries[full] = value
                        while len(self.entries) > self.kept:
                            self.entries.popitem(last=False)
                return value
        finally:
            with self._lock:
                self._reading.pop(full, None)

    def _kept(self, full: tuple[Any, ...]) -> T | None:
        with self._lock:
            found = self.entries.get(full)
            if found is not None:
                self.entries.move_to_end(full)
            return found

    def clear(self) -> None:
        """Drop every kept value (the next :meth:`get` reads again)."""
        with self._lock:
            self.entries.clear()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages render after the service returns)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _Converted(dict[Any, Any]):
    """Value -> storage form, computed once per distinct value: an import repeats the same
    few thousand dates over a million rows, and ``map`` over a hit is a dict lookup in C.
    Only values of the ``kept`` types are remembered: values that are equal must have the
    same storage form (two aware datetimes of one instant in two time zones are equal, but
    are stored with their own wall-clock times)."""

    def __init__(self, convert: Any, kept: tuple[type, ...]) -> None:
        super().__init__()
        self.convert = convert
        self.kept = kept

    def __missing__(self, value: Any) -> Any:
        stored = self.convert(value)
        if type(value) in self.kept:
            self[value] = stored
        return stored


def _repeat_cached(convert: Any) -> Any:
    # An import stamps every row with the same datetime object: convert it once.
    last: list[Any] = [object(), None]

    def cached(v: Any) -> Any:
        if v is last[0]:
            return last[1]
        last[0], last[1] = v, convert(v)
        return last[1]

    return cached


def _timestamp(v: Any) -> Any:
    return None if v is None else v.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _sqlite_value(type_: Any) -> Any:
    """A converter to the storage form SQLAlchemy's SQLite types use, or None."""
    import datetime as dt

    from sqlalchemy import JSON, Boolean, Date, DateTime

    if isinstance(type_, DateTime):
        return _repeat_cached(_timestamp)
    if isinstance(type_, Date):
        return _Converted(lambda v: None if v is None else v.isoformat(), (dt.date, type(None))).__getitem__
    if isinstance(type_, Boolean):
        return _Converted(lambda v: None if v is None else int(v), (bool, type(None))).__getitem__
    if isinstance(type_, JSON):
        import json

        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    return None


def bulk_insert(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]] | list[tuple[Any, ...]],
    columns: list[str] | tuple[str, ...] | None = None,
) -> None:
    """Insert many rows with the driver's fastest path, in the session's transaction.

    SQLite: one ``executemany`` of a prepared INSERT; PostgreSQL: ``COPY … FROM STDIN``.
    The ORM's bulk insert costs more than the database itself at a million rows (it
    groups rows by the keys they set and compiles each group), so imports come here.
    ``rows`` are dicts that all have the keys of the first one, or, with ``columns``
    given, tuples of values in that order (cheaper to build: no dict per row).
    """
    if not rows:
        return
    data: list[Any]
    if columns is None:
        dict_rows: list[dict[str, Any]] = rows  # type: ignore[assignment]
        columns = list(dict_rows[0])
        if len(columns) == 1:
            data = [(row[columns[0]],) for row in dict_rows]
        else:
            getter = operator.itemgetter(*columns)
            data = [getter(row) for row in dict_rows]
    else:
        data = rows
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        converters = [
            (i, conv) for i, name in enumerate(columns) if (conv := _sqlite_value(table.c[name].type))
        ]
        if converters:
            # Column by column, lazily: C loops only (itemgetter, the conversion of each value
            # through map, zip), no Python call and no intermediate column per row.
            convert = dict(converters)
            data = list(
                zip(
                    *(
                        map(convert[i], map(operator.itemgetter(i), data))
                        if i in convert
                        else map(operator.itemgetter(i), data)
                        for i in range(len(columns))
                    ),
                    strict=True,
                )
            )
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", data)
        return
    import json

    from sqlalchemy import JSON

    json_columns = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
    if table.name in CHANGE_LOGGED_TABLES:
        note_registry_change(connection)  # COPY is not a statement the engine sees
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    import psycopg

    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            if not json_columns:
                for values in data:
                    write_row(values)
                return
            for values in data:
                listed = list(values)
                for i in json_columns:
                    if listed[i] is not None:
                        listed[i] = json.dumps(listed[i], ensure_ascii=False)
                write_row(listed)
    except psycopg.Error as exc:
        # COPY runs on the driver's cursor, outside the engine: raise its error as the
        # engine would (IntegrityError for a unique violation…), so callers catch one family.
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
