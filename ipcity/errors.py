"""One exception tree for the whole platform.

Every error a user can meet is an :class:`IPCityError`. It carries

* ``status`` – the HTTP status the web layer answers with,
* ``code`` – a stable machine-readable identifier (``invalid_number``, ``not_found`` …),
* ``message`` – one sentence, written in Chinese (the message id of the gettext catalogue),
  with ``{placeholders}`` filled from ``params``; :meth:`IPCityError.render` gives it in
  the user's language.

The hierarchy::

    IPCityError
    ├── BadInput (400)
    │   ├── InvalidNumber (also a ValueError)   application/publication numbers, USCC
    │   ├── InvalidFile                          unreadable, truncated or unknown file layout
    │   └── ValidationFailed                     a field that breaks a domain rule
    ├── NotAuthenticated (401)
    ├── PermissionDenied (403)
    ├── NotFound (404)
    ├── Conflict (409)
    └── RateLimited (429)

Routes never build their own error pages: ``ipcity.web.app`` maps this tree to an HTML
page or a JSON body ``{"ok": false, "error": ..., "code": ..., "status": ...}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipcity.i18n import Bilingual


class IPCityError(Exception):
    """Base of every error the platform reports to a person."""

    status: int = 500
    code: str = "error"

    def __init__(self, message: str, /, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render("zh_CN"))

    def render(self, locale: str = "zh_CN") -> str:
        """Return the message in ``locale`` with its parameters filled in."""
        from ipcity.i18n import gettext, localized_params

        template = gettext(self.message, locale)
        try:
            return template.format(**localized_params(self.params, locale))
        except (KeyError, IndexError, ValueError):
            return template


class BadInput(IPCityError):
    """The request or file holds something that breaks a rule; nothing was changed."""

    status = 400
    code = "bad_input"


class InvalidNumber(BadInput, ValueError):
    """A patent, publication or credit-code number that does not pass its format or check digit."""

    code = "invalid_number"


class InvalidFile(BadInput):
    """A file that cannot be read as any known layout (truncated, corrupted, wrong kind)."""

    code = "invalid_file"


class ValidationFailed(BadInput):
    """A value that breaks a domain rule (unknown region code, negative population …)."""

    code = "validation_failed"


class NotAuthenticated(IPCityError):
    """The action needs a logged-in user."""

    status = 401
    code = "not_authenticated"


class PermissionDenied(IPCityError):
    """The user's role or region scope does not allow the action."""

    status = 403
    code = "permission_denied"


class NotFound(IPCityError):
    """The record asked for does not exist (or is not visible to this user)."""

    status = 404
    code = "not_found"


class Conflict(IPCityError):
    """The action conflicts with the current state (already confirmed, duplicate …)."""

    status = 409
    code = "conflict"


class RateLimited(IPCityError):
    """Too many attempts in a short time (login)."""

    status = 429
    code = "rate_limited"


def first_line(value: object) -> str:
    """The first line of ``value``'s text, stripped: what a one-line message may show of an
    error whose text has several (a database driver's error carries its SQL, a YAML error
    its excerpt). '' for None or a blank text.

    >>> first_line(ValueError("duplicate key\\nDETAIL: Key (number)=(CN1) exists.")), first_line(None)
    ('duplicate key', '')
    """
    text = str(value if value is not None else "").strip()
    return text.splitlines()[0] if text else ""


# The conditions of a database error that a person can understand and act on, by the
# driver's words (SQLite's and PostgreSQL's, lower case), with what to tell them in both
# languages. Any other error keeps the driver's first line alone.
_DATABASE_CONDITIONS = (
    (
        "database is locked",
        "数据库正被另一个进程写入（已锁定），请稍后重试",
        "the database is locked by another process; try again later",
    ),
    ("database or disk is full", "磁盘空间已满", "the disk is full"),
    ("no space left on device", "磁盘空间已满", "the disk is full"),
    ("disk i/o error", "磁盘读写出错", "a disk read or write failed"),
    ("readonly database", "数据库文件只读，不能写入", "the database file is read-only"),
    ("read-only transaction", "数据库只读，不能写入", "the database is read-only"),
    ("unable to open database file", "无法打开数据库文件", "the database file cannot be opened"),
    ("file is not a database", "该文件不是数据库", "the file is not a database"),
    ("database disk image is malformed", "数据库文件已损坏", "the database file is damaged"),
    ("connection refused", "数据库服务器拒绝连接", "the database server refused the connection"),
    ("could not connect to server", "无法连接数据库服务器", "the database server cannot be reached"),
    (
        "server closed the connection",
        "数据库服务器意外断开了连接",
        "the database server closed the connection",
    ),
    ("terminating connection", "数据库服务器中止了连接", "the database server ended the connection"),
    (
        "deadlock detected",
        "数据库检测到死锁，本次操作已撤销，请重试",
        "the database found a deadlock and undid the operation; try again",
    ),
    (
        "could not serialize access",
        "与同时进行的另一操作冲突，本次操作已撤销，请重试",
        "it clashed with another operation at the same time and was undone; try again",
    ),
    ("statement timeout", "数据库操作超时", "the database operation timed out"),
)


def driver_words(exc: BaseException) -> str:
    """The first line of what the database driver said of ``exc`` (never the SQL, which
    follows on later lines), at most 200 characters: for the audit log and engineers."""
    orig = getattr(exc, "orig", None)
    return (first_line(orig if orig is not None else exc) or type(exc).__name__)[:200]


def database_condition(exc: BaseException) -> Bilingual | None:
    """The known condition of a database error (locked, disk full, read-only, not a
    database, connection refused …, see ``_DATABASE_CONDITIONS``) in both languages, as an
    :class:`ipcity.i18n.Bilingual`; ``None`` for any other error (a fault to look into).

    >>> import sqlite3
    >>> reason = database_condition(sqlite3.OperationalError("database is locked"))
    >>> str(reason), reason.en
    ('数据库正被另一个进程写入（已锁定），请稍后重试', 'the database is locked by another process; try again later')
    >>> database_condition(sqlite3.OperationalError("no such column: patents.x")) is None
    True
    """
    from ipcity.i18n import Bilingual

    lowered = driver_words(exc).lower()
    for words, zh, en in _DATABASE_CONDITIONS:
        if words in lowered:
            return Bilingual(zh, en)
    return None


def database_reason(exc: BaseException) -> Bilingual:
    """What went wrong with the database, in one phrase a person can read: its known
    condition in both languages (:func:`database_condition`), otherwise the driver's own
    first line (never the SQL).

    >>> import sqlite3
    >>> database_reason(sqlite3.IntegrityError("UNIQUE constraint failed: patents.id"))
    'UNIQUE constraint failed: patents.id'
    """
    from ipcity.i18n import Bilingual

    condition = database_condition(exc)
    if condition is not None:
        return condition
    line = driver_words(exc)
    return Bilingual(line, line)
