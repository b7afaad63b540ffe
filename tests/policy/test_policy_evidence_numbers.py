"""Evidence numbers are one object however they are spelled: a pledge loan typed ``ZY-1``
and ``zy-1``, ``ＺＹ－１`` or ``ZY 1`` is one loan whose year P2.7-a pays once; a GB/T 29490
certificate (P2.3-a) or an insurance policy (P2.7-b) likewise. The spelling first typed is
kept for display. Migration 0015 folds stored rows and refuses when folding makes two one.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import DONE, at_once
from policy_exports_world import CITY, make_holder
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import Actor
from ipcity.db import make_engine
from ipcity.errors import Conflict
from ipcity.migrations import upgrade
from ipcity.policy import applications, service, workflow
from ipcity.policy.applications import Upload
from ipcity.policy.evidence_numbers import evidence_key
from ipcity.policy.models import IpCertificate, PatentInsurancePolicy, PledgeLoan, PledgeLoanCost, PolicyCase
from ipcity.registry.importing import run_import

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOAN = {
    "contract_number": "ZY-1",
    "principal_yuan": "5,000,000",
    "start_date": "2019-01-10",
    "end_date": "2020-01-09",
    "year": "2019",
    "interest_yuan": "280000",
}
VARIANTS = ("zy-1", "ＺＹ－１", "ZY 1", "Zy—1", "ZY1")


def _ent(holder_id: int) -> Actor:
    return Actor(username=f"ent-{holder_id}", role="enterprise", holder_id=holder_id)


@pytest.fixture
def firm(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as s:
        holder_id = make_holder(s, "鹤壁甲科技有限公司", "410611").id
        s.commit()
    return holder_id


def _count(session: Session, model: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def test_one_spelling_folds_width_case_spaces_and_dashes() -> None:
    assert {evidence_key(v) for v in ("ZY-1", *VARIANTS)} == {"ZY1"}
    # What may tell two numbers apart stays: digits, letters, a slash, a dot.
    assert evidence_key("ZY-1/2") != evidence_key("ZY-12")
    assert evidence_key("PICC.2019.1") == "PICC.2019.1"


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_second_loan_spelled_otherwise_is_refused_and_not_paid_twice(
    session_factory: sessionmaker[Session], firm: int, variant: str
) -> None:
    with session_factory() as s:
        first = applications.apply(s, _ent(firm), "loan_year", LOAN, [Upload("合同.pdf", PDF)])
        # One object, named by the number as first typed.
        assert first.payment_key == "P2.7-a:ZY-1@2019"
        assert "ZY-1" in first.object_label
    with session_factory() as s:
        with pytest.raises(Conflict) as again:
            applications.apply(
                s, _ent(firm), "loan_year", {**LOAN, "contract_number": variant}, [Upload("合同.pdf", PDF)]
            )
        assert variant in again.value.render("zh_CN")
        assert (_count(s, PledgeLoan), _count(s, PledgeLoanCost), _count(s, PolicyCase)) == (1, 1, 1)
        owed = [e for e in service.entitlements(s, CITY, 2019) if e.rule == "P2.7-a" and e.amount > 0]
        assert [e.payment_key for e in owed] == ["P2.7-a:ZY-1@2019"]
        # The year's proposal finds the applied case and opens no second one.
        assert workflow.propose_year(s, CITY, 2019) == []
    # The next year's costs of the same loan, spelled otherwise, go to the loan first written.
    with session_factory() as s:
        later = applications.apply(
            s,
            _ent(firm),
            "loan_year",
            {**LOAN, "contract_number": variant, "year": "2020", "interest_yuan": "1000"},
            [Upload("票据.pdf", PDF)],
        )
        assert later.payment_key == "P2.7-a:ZY-1@2020"
        assert [loan.contract_number for loan in s.scalars(select(PledgeLoan))] == ["ZY-1"]
        assert _count(s, PledgeLoanCost) == 2


def test_a_certificate_spelled_otherwise_is_refused(
    session_factory: sessionmaker[Session], firm: int
) -> None:
    other = None
    with session_factory() as s:
        other = make_holder(s, "鹤壁乙科技有限公司", "410611").id
        s.commit()
        applications.apply(
            s,
            _ent(firm),
            "certificate",
            {"certificate_number": "18119IP-0126", "issued_on": "2019-05-07"},
            [Upload("证书.pdf", PDF)],
        )
    with session_factory() as s:
        # Another enterprise with the same certificate, typed on a Chinese keyboard.
        with pytest.raises(Conflict):
            applications.apply(
                s,
                _ent(other),
                "certificate",
                {"certificate_number": "１８１１９ｉｐ０１２６", "issued_on": "2019-05-07"},
                [Upload("证书.pdf", PDF)],
            )
        assert [c.certificate_number for c in s.scalars(select(IpCertificate))] == ["18119IP-0126"]


def test_an_imported_list_matches_the_loan_an_enterprise_spelled_otherwise(
    session_factory: sessionmaker[Session], firm: int, tmp_path: Path
) -> None:
    with session_factory() as s:
        applications.apply(s, _ent(firm), "loan_year", LOAN, [Upload("合同.pdf", PDF)])
    header = [
        "合同编号",
        "权利人",
        "贷款机构",
        "贷款金额（元）",
        "放款日期",
        "到期日期",
        "费用年度",
        "利息（元）",
    ]
    row = ["zy 1", "鹤壁甲科技有限公司", "", "5000000", "2019-01-10", "2020-01-09", "2019", "280000"]
    path = tmp_path / "loans.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8-sig")
    with session_factory() as s:
        result = run_import(s, CITY, path, errors_dir=tmp_path)
    assert result.inserted == 0 and result.rejected == 0
    with session_factory() as s:
        assert [loan.contract_number for loan in s.scalars(select(PledgeLoan))] == ["ZY-1"]
        assert _count(s, PledgeLoanCost) == 1
        assert workflow.propose_year(s, CITY, 2019) == []
        assert _count(s, PolicyCase) == 1
    # Two spellings of one policy in one list are one policy (the later row wins).
    policies = tmp_path / "policies.csv"
    policies.write_text(
        "保单号,权利人,专利号,保费（元）,起保日期\n"
        "PICC-2019-1,鹤壁甲科技有限公司,CN201710123456.0,12000,2019-05-01\n"
        "picc 2019 1,鹤壁甲科技有限公司,CN201710123456.0,13000,2019-05-01\n",
        encoding="utf-8-sig",
    )
    with session_factory() as s:
        imported = run_import(s, CITY, policies, errors_dir=tmp_path)
    assert (imported.inserted, imported.rejected) == (1, 0), imported
    with session_factory() as s:
        assert [(p.policy_key, p.premium_yuan) for p in s.scalars(select(PatentInsurancePolicy))] == [
            ("PICC20191", 13000)  # the later row's values, the first row's spelling
        ]


# --- migration 0015 ------------------------------------------------------------------------


_HOLDER = (
    "INSERT INTO holders (id, name, normalized_name, kind, zone_explicit, tags, is_sample, created_at, "
    "updated_at) VALUES (1, '鹤壁甲公司', '鹤壁甲公司', 'enterprise', false, '[]', false, '2024-01-01', "
    "'2024-01-01')"
)
_LOAN = (
    "INSERT INTO pledge_loans (id, holder_id, contract_number, principal_yuan, start_date) "
    "VALUES (:id, 1, :number, 0, '2019-01-10')"
)


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_the_migration_folds_stored_numbers(fresh_url: str) -> None:
    upgrade(fresh_url, "0014")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_HOLDER))
            conn.execute(text(_LOAN), {"id": 1, "number": "zy-1"})
            conn.execute(
                text(
                    "INSERT INTO ip_certificates (id, holder_id, standard, certificate_number, issued_on) "
                    "VALUES (1, 1, 'GB/T 29490', '18119ip-0126', '2019-05-07')"
                )
            )
        upgrade(fresh_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT contract_number, contract_key FROM pledge_loans")).one() == (
                "zy-1",
                "ZY1",
            )
            assert conn.execute(text("SELECT certificate_key FROM ip_certificates")).scalar() == "18119IP0126"
        # The database keeps the key unique: a second spelling is refused there too.
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO pledge_loans (holder_id, contract_number, contract_key, principal_yuan, "
                    "start_date) VALUES (1, 'ZY 1', 'ZY1', 0, '2019-01-10')"
                )
            )
    finally:
        engine.dispose()


def test_the_migration_stops_naming_numbers_that_fold_to_one(fresh_url: str) -> None:
    upgrade(fresh_url, "0014")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_HOLDER))
            conn.execute(text(_LOAN), {"id": 1, "number": "ZY-1"})
            conn.execute(text(_LOAN), {"id": 2, "number": "zy 1"})
        with pytest.raises(RuntimeError) as stopped:
            upgrade(fresh_url)
        assert "pledge_loans.contract_number: ZY1 ← ZY-1, zy 1" in str(stopped.value)
        assert _revision(fresh_url) == "0014"
        with engine.connect() as conn:  # nothing changed
            assert conn.execute(
                text("SELECT contract_number FROM pledge_loans ORDER BY id")
            ).scalars().all() == [
                "ZY-1",
                "zy 1",
            ]
        # The officer removes the extra loan: the upgrade goes through.
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pledge_loans WHERE id = 2"))
        upgrade(fresh_url)
        assert _revision(fresh_url) == "0015"
    finally:
        engine.dispose()


def test_evidence_written_in_python_carries_its_key(session: Session, firm: int) -> None:
    loan = PledgeLoan(
        holder_id=firm, contract_number="ＺＹ－９", principal_yuan=0, start_date=date(2019, 1, 1)
    )
    session.add(loan)
    session.flush()
    assert (loan.contract_number, loan.contract_key) == ("ＺＹ－９", "ZY9")


def test_two_spellings_applied_for_at_the_same_moment_make_one_loan(
    session_factory: sessionmaker[Session], firm: int, concurrent_writers: None
) -> None:
    """Both applications pass the service's check before either commits; the unique key
    column lets one through and the other is told in one sentence."""
    send = [
        lambda s, number=number: applications.apply(
            s, _ent(firm), "loan_year", {**LOAN, "contract_number": number}, [Upload("合同.pdf", PDF)]
        )
        for number in ("ZY-1", "zy 1")
    ]
    results = at_once(session_factory, send, timeout=30)
    assert results.count(DONE) == 1, results
    with session_factory() as s:
        assert (_count(s, PledgeLoan), _count(s, PledgeLoanCost), _count(s, PolicyCase)) == (1, 1, 1)
