"""The append-only, hash-chained audit log: the chain verifies after many writes, concurrent
writers never fork it, the database refuses UPDATE and DELETE, and every kind of tampering
(an edited, a deleted, a forged entry) is found at the entry where it happened."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ipcity.audit import GENESIS_HASH, AuditEntry, AuditHead, VerifyResult, entry_hash, record, verify
from ipcity.db import make_engine, make_session_factory


def write_entries(factory: sessionmaker[Session], count: int, actor: str = "officer") -> None:
    for i in range(count):
        with factory() as session:
            record(
                session,
                actor,
                "holder.update",
                "holder",
                i,
                {"before": {"tags": []}, "after": {"tags": ["sme", i]}},
            )
            session.commit()


@dataclass(frozen=True)
class Entry:
    id: int
    actor: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def entries(session: Session) -> list[Entry]:
    """The log as stored now; the session's transaction is ended, so that nothing it read
    holds a lock the tampering below needs (PostgreSQL: DROP TRIGGER)."""
    rows = session.execute(
        select(
            AuditEntry.id, AuditEntry.actor, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash
        ).order_by(AuditEntry.id)
    ).all()
    session.rollback()
    return [Entry(*row) for row in rows]


def check(session: Session) -> VerifyResult:
    """``verify`` in a transaction of its own."""
    try:
        return verify(session)
    finally:
        session.rollback()


@pytest.fixture
def unguarded(engine: Engine, is_postgres: bool) -> Iterator[list[str]]:
    """SQL that lifts the append-only triggers inside one transaction, and SQL that puts
    them back before it commits: what someone with direct database access could do."""
    if is_postgres:
        drop = ["DROP TRIGGER audit_log_append_only ON audit_log"]
        restore = [
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        ]
    else:
        drop = ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
        restore = [
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    yield [*drop, "--", *restore]


def tamper(engine: Engine, unguarded: list[str], statement: str, **params: object) -> None:
    split = unguarded.index("--")
    with engine.begin() as conn:
        for sql in unguarded[:split]:
            conn.execute(text(sql))
        conn.execute(text(statement), params)
        for sql in unguarded[split + 1 :]:
            conn.execute(text(sql))


def test_chain_verifies_after_many_writes(session_factory: sessionmaker[Session], session: Session) -> None:
    assert check(session).ok and check(session).entries == 0
    write_entries(session_factory, 150)
    # A change rolled back takes its entry with it, and the chain goes on from the head.
    with session_factory() as s:
        record(s, "officer", "holder.update", "holder", 999, {"rolled": "back"})
        s.rollback()
    write_entries(session_factory, 50, actor="县区账号")
    result = check(session)
    assert result.ok and result.entries == 200
    chain = entries(session)
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    head = session.get(AuditHead, 1)
    assert head is not None and (head.last_id, head.last_hash) == (chain[-1].id, chain[-1].hash)
    session.rollback()
    assert not any(e.detail.get("rolled") for e in chain)


def test_concurrent_writers_never_fork_the_chain(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    threads, per_thread = 4, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with session_factory() as s:
                    # Work before the entry, as a service does: the entry still chains last.
                    s.execute(select(func.count()).select_from(AuditEntry))
                    record(s, name, "import.confirm", "import_batch", i, {"writer": name, "n": i})
                    s.commit()
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(f"writer-{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors, errors
    chain = entries(session)
    assert len(chain) == threads * per_thread
    # No two entries chain onto the same predecessor, and the chain verifies.
    assert len({e.prev_hash for e in chain}) == len(chain)
    assert check(session).ok
    assert {e.actor for e in chain} == {f"writer-{n}" for n in range(threads)}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone-else' WHERE id = (SELECT min(id) FROM audit_log)",
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_update_and_delete(
    session_factory: sessionmaker[Session], engine: Engine, session: Session, statement: str
) -> None:
    write_entries(session_factory, 3)
    before = entries(session)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert entries(session) == before
    assert check(session).ok


def test_an_edited_entry_is_found(
    session_factory: sessionmaker[Session], engine: Engine, session: Session, unguarded: list[str]
) -> None:
    write_entries(session_factory, 10)
    victim = entries(session)[4]
    tamper(
        engine,
        unguarded,
        "UPDATE audit_log SET detail = :d WHERE id = :id",
        d='{"after": {"tags": []}}',
        id=victim.id,
    )
    result = check(session)
    assert not result.ok and result.first_bad_id == victim.id
    assert result.reason and "修改" in result.reason
    # The triggers are back: the edit cannot be undone quietly either.
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = :id"), {"id": victim.id})


def test_an_edited_actor_or_time_is_found(
    session_factory: sessionmaker[Session], engine: Engine, session: Session, unguarded: list[str]
) -> None:
    write_entries(session_factory, 6)
    chain = entries(session)
    tamper(engine, unguarded, "UPDATE audit_log SET actor = 'admin' WHERE id = :id", id=chain[2].id)
    assert check(session).first_bad_id == chain[2].id


def test_a_deleted_entry_is_found(
    session_factory: sessionmaker[Session], engine: Engine, session: Session, unguarded: list[str]
) -> None:
    write_entries(session_factory, 10)
    chain = entries(session)
    tamper(engine, unguarded, "DELETE FROM audit_log WHERE id = :id", id=chain[3].id)
    result = check(session)
    assert not result.ok and result.first_bad_id == chain[4].id  # the entry whose predecessor is gone
    assert result.reason and "删除" in result.reason


def test_a_deleted_last_entry_is_found(
    session_factory: sessionmaker[Session], engine: Engine, session: Session, unguarded: list[str]
) -> None:
    write_entries(session_factory, 5)
    chain = entries(session)
    tamper(engine, unguarded, "DELETE FROM audit_log WHERE id = :id", id=chain[-1].id)
    result = check(session)
    assert not result.ok and result.first_bad_id == chain[-1].id
    assert result.reason and "末尾" in result.reason


def test_a_forged_entry_is_found(
    session_factory: sessionmaker[Session], engine: Engine, session: Session
) -> None:
    write_entries(session_factory, 4)
    last = entries(session)[-1]
    at = datetime.now(UTC)
    # Appended behind the application's back, with a hash that chains but skips the head.
    forged = entry_hash(last.hash, at, "intruder", "user.create", "user", "99", {"role": "admin"})
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail, prev_hash, hash) "
                "VALUES (:at, 'intruder', 'user.create', 'user', '99', '{\"role\": \"admin\"}', :prev, :hash)"
            ),
            {"at": at, "prev": last.hash, "hash": forged},
        )
    result = check(session)
    assert not result.ok


def test_entries_keep_their_instant_whatever_the_session_time_zone(
    database_url: str, is_postgres: bool, session: Session
) -> None:
    if not is_postgres:
        pytest.skip("SQLite has no session time zone")
    shanghai = make_engine(database_url)

    @event.listens_for(shanghai, "connect")
    def _zone(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("SET TIME ZONE 'Asia/Shanghai'")
        cursor.close()

    factory = make_session_factory(shanghai)
    try:
        before = datetime.now(UTC)
        write_entries(factory, 3)
        with factory() as s:
            assert verify(s).ok
        assert check(session).ok
        stored = session.scalar(select(AuditEntry.at).order_by(AuditEntry.id).limit(1))
        session.rollback()
        assert stored is not None and stored.tzinfo is not None
        assert abs(stored - before) < timedelta(minutes=1)
    finally:
        shanghai.dispose()


def test_the_audit_page_names_actions_and_filters_by_user_and_action(
    client: Any, make_user: Any, session_factory: sessionmaker[Session]
) -> None:
    """Each action under its name (the code beside it); one user's or one action's entries."""
    from ipcity_testing import login

    login(client, make_user("admin", "audit-admin"))
    with session_factory() as s:
        record(s, "city-x", "policy.budget.set", "policy_budget", 1, {"amount": 8000})
        s.commit()

    def actions(params: dict[str, str]) -> list[tuple[str, str]]:
        from lxml import html

        table = html.fromstring(client.get("/audit", params=params).text).get_element_by_id("audit")
        return [(tr[2].text_content(), " ".join(tr[3].text_content().split())) for tr in table.find("tbody")]

    everything = actions({})
    assert ("city-x", "设定预算 policy.budget.set") in everything
    assert ("audit-admin", "登录 user.login") in everything
    assert {user for user, _ in actions({"user": "audit-admin"})} == {"audit-admin"}
    # Typed as a login reads a name (case, spaces, full width), and the public by its shown name.
    for typed in ("AUDIT-ADMIN", " audit-admin ", "ａｕｄｉｔ-ａｄｍｉｎ"):
        assert {user for user, _ in actions({"user": typed})} == {"audit-admin"}, typed
    with session_factory() as s:
        record(s, "public", "policy.case.object", "policy_case", 2, {"reason": "异议"})
        s.commit()
    for shown in ("公众", "Public"):
        assert {user for user, _ in actions({"user": shown})} == {"公众"}, shown
    budgets = actions({"action": "policy.budget.set", "lang": "en"})
    assert budgets == [("city-x", "Set the budget policy.budget.set")]


def test_the_audit_page_names_objects_and_details_in_the_readers_language(
    client: Any, make_user: Any, session_factory: sessionmaker[Session]
) -> None:
    """An entry's object by its kind, linked to its page where it has one; its detail as
    named fields, a case's statuses and a role in words; the stored keys in the API."""
    from ipcity_testing import login
    from lxml import html

    login(client, make_user("admin", "audit-reader"))
    with session_factory() as s:
        record(
            s,
            "city-y",
            "policy.case.notice",
            "policy_case",
            7,
            {
                "payment_key": "P2.1-a:CN201710123456.7",
                "from": "city_reviewed",
                "to": "in_notice",
                "reason": None,
            },
        )
        record(s, "audit-reader", "user.create", "user", 42, {"username": "li", "role": "county_officer"})
        account = {"name": "鹤壁甲科技有限公司", "bank": "中国工商银行鹤壁淇滨支行", "number": "****7890"}
        record(
            s,
            "city-y",
            "holder.payee_account",
            "holder",
            3,
            {"before": {"name": None, "bank": None, "number": None}, "after": account, "name_differs": False},
        )
        s.commit()

    def rows(lang: str) -> dict[tuple[str, str], tuple[str, str, str]]:
        page = client.get("/audit", params={"lang": lang})
        table = html.fromstring(page.text).get_element_by_id("audit")
        return {
            (tr[2].text_content(), tr[3].text_content().split()[-1]): (
                " ".join(tr[4].text_content().split()),
                tr[4].xpath("string(.//a/@href)"),
                " ".join(tr[5].text_content().split()),
            )
            for tr in table.find("tbody")
        }

    chinese = rows("zh")
    assert chinese["city-y", "policy.case.notice"] == (
        "案件 7",
        "/policy/cases/7",
        "支付项目：P2.1-a:CN201710123456.7 · 原值：待公示 · 新值：公示中",
    )
    assert chinese["audit-reader", "user.create"] == (
        "用户账号 42",
        "/users/42",
        "用户名：li · 角色：县区知识产权管理人员",
    )
    # A nested record by its named fields; an account that was not there before is left out.
    assert chinese["city-y", "holder.payee_account"] == (
        "权利人 3",
        "/holders/3",
        "修改后：户名：鹤壁甲科技有限公司，开户银行：中国工商银行鹤壁淇滨支行，银行账号：****7890"
        " · 户名与权利人名称不一致：否",
    )
    english = rows("en")
    assert english["city-y", "policy.case.notice"][2] == (
        "Payment item: P2.1-a:CN201710123456.7 · From: Awaiting public notice · To: In public notice"
    )
    assert english["audit-reader", "user.create"][0] == "User account 42"
    assert english["audit-reader", "user.create"][2] == "Username: li · Role: County IP officer"
    items = client.get("/api/v1/audit", params={"action": "policy.case.notice"}).json()["items"]
    assert [i["detail"] for i in items] == [
        {"payment_key": "P2.1-a:CN201710123456.7", "from": "city_reviewed", "to": "in_notice", "reason": None}
    ]


def test_the_audit_page_says_why_the_chain_is_broken_in_the_readers_language(
    client: Any, make_user: Any, monkeypatch: Any
) -> None:
    """Both kinds of finding: an entry that breaks the chain (its id), and entries cut off
    with the head row, named by the import batch left without one (no entry id)."""
    from ipcity_testing import login

    from ipcity import audit

    login(client, make_user("admin", "audit-broken"))
    findings = {
        "edited": audit.VerifyResult(False, 5, 3, "审计记录内容与其哈希不符：该记录被修改"),
        "cut": audit.VerifyResult(False, 0, None, audit.MSG_BATCH_UNRECORDED, {"batch": 7}),
    }
    for name, finding in findings.items():
        monkeypatch.setattr(audit, "verify", lambda _session, finding=finding: finding)
        chinese, english = client.get("/audit").text, client.get("/audit", params={"lang": "en"}).text
        if name == "edited":
            assert "哈希链断裂：第 3 条记录。" in chinese and "该记录被修改" in chinese
        else:
            assert "导入批次 7 在审计日志中没有记录" in chinese and "第 None 条" not in chinese
            assert "Import batch 7 has no entry in the audit log" in english
