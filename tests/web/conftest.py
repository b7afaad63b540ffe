"""Fixtures of the web tests: a registry with real imported patents, two holders in two
counties, one user of every role and a staged upload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from web_support import COUNTY_A, COUNTY_B, World, import_real_patents

from ipcity import clock
from ipcity.config import Settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with test-sized costs: the same algorithm and hash format, a fraction of
    the time (production costs make every user and login of a test ~0.4 s)."""
    from argon2 import PasswordHasher

    from ipcity.auth import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def world(
    settings: Settings, session_factory: sessionmaker[Session], make_user: Callable[..., str], tmp_path: Path
) -> World:
    """Real patents imported; the first holders of two of them placed in two counties (A
    with tags and a patent with paid annuities); users of every role; a staged upload."""
    from ipcity.auth.models import User
    from ipcity.registry.models import Holder, Patent

    source = import_real_patents(session_factory, tmp_path)
    with session_factory() as session:
        patents = list(session.scalars(select(Patent).order_by(Patent.id)))
        firsts: dict[int, Patent] = {}
        for patent in patents:
            if patent.first_holder_id is not None:
                firsts.setdefault(patent.first_holder_id, patent)
        (hid_a, pat_a), (hid_b, pat_b) = list(firsts.items())[:2]
        holder_a, holder_b = session.get(Holder, hid_a), session.get(Holder, hid_b)
        assert holder_a is not None and holder_b is not None
        holder_a.region_code, holder_a.tags = COUNTY_A, ["sme", "high_tech"]
        holder_b.region_code, holder_b.tags = COUNTY_B, ["incubated"]
        pat_a.annuities_paid_yuan, pat_b.annuities_paid_yuan = 1200, 900
        world_ids = (hid_a, hid_b, pat_a.application_number, pat_b.application_number, pat_a.id)
        session.commit()
    users = {
        "admin": make_user("admin", "admin-1"),
        "city_officer": make_user("city_officer", "city-1"),
        "county_officer": make_user("county_officer", "county-1", region_code=COUNTY_A),
        "enterprise": make_user("enterprise", "ent-1", holder_id=world_ids[0]),
        "public": "",
    }
    with session_factory() as session:
        user_ids = {
            role: session.scalar(select(User.id).where(User.username == name))
            for role, name in users.items()
            if name
        }
    entitlement_a = _an_entitlement_of(session_factory, world_ids[0])
    entitlement_b = _an_entitlement_of(session_factory, world_ids[1])
    token = "stagedtoken123"
    folder = settings.upload_dir / "staging" / token
    folder.mkdir(parents=True)
    (folder / source.name).write_bytes(source.read_bytes())
    (folder / f"0123456789ab-{source.name}-rejected.csv").write_bytes("\ufeff行号,列,值,原因\n".encode())
    return World(
        *world_ids,
        token=token,
        users=users,
        user_ids=user_ids,
        upload_dir=settings.upload_dir,
        entitlement_a=entitlement_a,
        entitlement_b=entitlement_b,
        case_a=_a_case_of(session_factory, world_ids[0], entitlement_a, "proposed"),
        case_in_notice=_a_case_of(session_factory, world_ids[0], entitlement_a, "in_notice"),
        listing_id=_an_old_listing_of(session_factory, world_ids[1]),
    )


def _an_old_listing_of(session_factory: sessionmaker[Session], holder_id: int) -> int:
    """A dishonesty listing of the holder in 2010, expired in 2011: there to be taken off
    (removal routes), holding nothing of the policy's years back."""
    from datetime import UTC, date, datetime

    from ipcity.protection.models import CreditListing
    from ipcity.registry.models import Holder

    with session_factory() as session:
        holder = session.get(Holder, holder_id)
        assert holder is not None
        row = CreditListing(
            holder_id=holder_id,
            name=holder.name,
            reason="侵犯专利权（2010年行政处罚）",
            listed_on=date(2010, 1, 1),
            expires_on=date(2011, 1, 1),
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.commit()
        return row.id


def _a_case_of(
    session_factory: sessionmaker[Session], holder_id: int, entitlement_id: str, status: str
) -> int:
    """A policy case of holder A in ``status``. The real patents give holder A only an unset
    (P2.1-e) entitlement, which is never proposed, so the case is written directly."""
    from datetime import UTC, datetime, timedelta

    from ipcity.policy.models import PolicyCase
    from ipcity.registry.models import Holder

    now = datetime.now(UTC)
    with session_factory() as session:
        holder = session.get(Holder, holder_id)
        assert holder is not None
        case = PolicyCase(
            payment_key=f"P2.1-a:TEST-{holder_id}-{status}",
            entitlement_id=entitlement_id,
            year=int(entitlement_id.split(":")[0]),
            rule="P2.1-a",
            clause="P2.1-a",
            object_label="测试对象",
            holder_id=holder_id,
            holder_name=holder.name,
            region_code=holder.region_code,
            amount_yuan=4000,
            status=status,
            notice_until=clock.today() + timedelta(days=7) if status == "in_notice" else None,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        session.commit()
        return case.id


def _an_entitlement_of(session_factory: sessionmaker[Session], holder_id: int) -> str:
    """The id of something the policy owes a holder in some year (its patents are real)."""
    from ipcity.auth.roles import SYSTEM
    from ipcity.policy import service as policy

    with session_factory() as session:
        for year in range(2018, 2026):
            for entitlement in policy.entitlements(session, SYSTEM, year):
                if entitlement.holder_id == holder_id:
                    return entitlement.id
    raise AssertionError(f"the policy owes holder {holder_id} nothing in 2018-2025")
