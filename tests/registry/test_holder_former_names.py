"""A holder renamed (曾用名): the holders template names it by its credit code under a new
name; its old name is kept, so that a patent list naming it under either name finds the
same holder, and P2.1-b's "first invention patent" stays judged over one history."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from registry_testkit import OFFICER, dump_database, fill_template
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.registry.importing import ImportResult, render_row_error, run_import
from ipcity.registry.models import Holder, HolderName, Patent, PatentHolder
from ipcity.registry.numbers import check_digit, uscc_check_character

OLD, NEW = "鹤壁华晟电子有限公司", "鹤壁华晟电子股份有限公司"
CODE = "91410611MA44R8XK0" + uscc_check_character("91410611MA44R8XK0")


def run(session: Session, kind: str, rows: list[dict[str, Any]], path: Path) -> ImportResult:
    return run_import(session, OFFICER, fill_template(kind, rows, path), observed_on=date(2024, 6, 30))


def invention(serial: int, applicant: str) -> dict[str, Any]:
    digits = f"20191{serial:07d}"
    return {
        "申请号": f"CN{digits}.{check_digit(digits)}",
        "标题": f"一种电子元件的封装方法{serial}",
        "申请日": "2019-03-01",
        "授权公告日": "2021-06-01",
        "申请人": applicant,
        "专利类型": "发明",
    }


def holders_of(session: Session, number: str) -> list[int]:
    return list(
        session.scalars(
            select(PatentHolder.holder_id)
            .join(Patent, Patent.id == PatentHolder.patent_id)
            .where(Patent.application_number == number)
        )
    )


def test_a_renamed_holder_keeps_its_patents_under_both_names(
    session: Session, engine: Engine, tmp_path: Path, client: Any
) -> None:
    first = run(
        session, "holders", [{"名称": OLD, "统一社会信用代码": CODE, "类型": "企业"}], tmp_path / "a.xlsx"
    )
    assert first.inserted == 1
    old_patent = invention(1, OLD)
    run(session, "patents", [old_patent], tmp_path / "p1.xlsx")
    holder = session.scalars(select(Holder).where(Holder.uscc == CODE)).one()
    assert holders_of(session, old_patent["申请号"]) == [holder.id]

    # The list of a later year names it by its credit code under its new name: renamed.
    renamed = run(session, "holders", [{"名称": NEW, "统一社会信用代码": CODE}], tmp_path / "b.xlsx")
    assert (renamed.inserted, renamed.updated, renamed.rejected) == (0, 1, 0)
    session.expire_all()
    holder = session.scalars(select(Holder).where(Holder.uscc == CODE)).one()
    assert holder.name == NEW
    assert [(n.name, n.normalized_name) for n in holder.former_names] == [(OLD, OLD)]

    # A patent list naming either name links the same holder: none is created again.
    count = len(session.scalars(select(Holder.id)).all())
    later, late_filed_old = invention(2, NEW), invention(3, OLD)
    result = run(session, "patents", [later, late_filed_old], tmp_path / "p2.xlsx")
    assert result.inserted == 2 and result.rejected == 0
    assert holders_of(session, later["申请号"]) == [holder.id]
    assert holders_of(session, late_filed_old["申请号"]) == [holder.id]
    assert len(session.scalars(select(Holder.id)).all()) == count

    # The page, the API and the searches know it by both names.
    page = client.get(f"/holders/{holder.id}").text
    assert "曾用名" in page and OLD in page.split('id="former-names"')[1].split("</dd>")[0]
    assert "Former names" in client.get(f"/holders/{holder.id}?lang=en").text
    assert client.get(f"/api/v1/holders/{holder.id}").json()["former_names"] == [OLD]
    found = client.get("/api/v1/patents", params={"holder": "华晟电子有限"}).json()
    assert {p["application_number"] for p in found["items"]} == {
        old_patent["申请号"],
        later["申请号"],
        late_filed_old["申请号"],
    }
    listed = client.get("/api/v1/holders", params={"q": "华晟电子有限公司"}).json()
    assert [h["id"] for h in listed["items"]] == [holder.id]

    # A row naming the holder by its former name alone renames nothing, and changes nothing.
    before = dump_database(engine)
    again = run(session, "holders", [{"名称": OLD, "类型": "企业"}], tmp_path / "c.xlsx")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert dump_database(engine) == before

    # Renamed back: the old name is the present one again, the other kept as former.
    back = run(session, "holders", [{"名称": OLD, "统一社会信用代码": CODE}], tmp_path / "d.xlsx")
    assert back.updated == 1
    session.expire_all()
    holder = session.get(Holder, holder.id)
    assert holder is not None and holder.name == OLD
    assert [n.name for n in session.scalars(select(HolderName).where(HolderName.holder_id == holder.id))] == [
        NEW
    ]


def test_a_rename_to_another_holders_name_is_a_rejected_row(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    run(
        session,
        "holders",
        [
            {"名称": OLD, "统一社会信用代码": CODE, "类型": "企业"},
            {"名称": "鹤壁另一家电子有限公司", "类型": "企业"},
        ],
        tmp_path / "a.xlsx",
    )
    before = dump_database(engine)
    result = run(
        session,
        "holders",
        [{"名称": "鹤壁另一家电子有限公司", "统一社会信用代码": CODE}],
        tmp_path / "b.xlsx",
    )
    assert (result.inserted, result.updated, result.rejected) == (0, 0, 1)
    error = result.errors[0]
    assert (error.row, error.column) == (3, "名称")
    other = session.scalars(select(Holder).where(Holder.name == "鹤壁另一家电子有限公司")).one()
    assert render_row_error(error, "zh_CN") == (
        f"名称“鹤壁另一家电子有限公司”已是另一权利人“鹤壁另一家电子有限公司”（编号 {other.id}）的现用名或曾用名，"
        "不能用作本权利人的名称"
    )
    assert "present or former name of another holder" in render_row_error(error, "en")
    assert dump_database(engine) == before


def test_one_name_under_two_credit_codes_in_a_file_is_rejected_not_merged(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    """Two rows giving one name two credit codes are two holders that cannot share it: each
    is a rejected row naming the other, where merging them by name kept the later code and
    dropped the earlier row (and its holder's rename) without a word."""
    other_code = "91410611MA44R8XK1" + uscc_check_character("91410611MA44R8XK1")
    new = run(
        session,
        "holders",
        [
            {"名称": OLD, "统一社会信用代码": CODE, "类型": "企业"},
            {"名称": OLD, "统一社会信用代码": other_code, "类型": "企业"},
            {"名称": "鹤壁另一家电子有限公司", "类型": "企业"},
        ],
        tmp_path / "a.xlsx",
    )
    assert (new.inserted, new.rejected) == (1, 2)
    assert [(e.row, e.column) for e in new.errors] == [(3, "名称"), (4, "名称")]
    assert render_row_error(new.errors[0], "zh_CN") == (
        f"与第 4 行名称相同而统一社会信用代码不同（{CODE}）：一个名称只能属于一个权利人，这些行均未导入"
    )
    assert "under another credit code" in render_row_error(new.errors[1], "en")
    assert session.scalars(select(Holder.uscc).where(Holder.uscc.is_not(None))).all() == []

    # Two registered holders renamed to one new name in one file: neither is renamed.
    run(
        session,
        "holders",
        [
            {"名称": OLD, "统一社会信用代码": CODE, "类型": "企业"},
            {"名称": "鹤壁乙电子有限公司", "统一社会信用代码": other_code, "类型": "企业"},
        ],
        tmp_path / "b.xlsx",
    )
    before = dump_database(engine)
    renamed = run(
        session,
        "holders",
        [{"名称": NEW, "统一社会信用代码": CODE}, {"名称": NEW, "统一社会信用代码": other_code}],
        tmp_path / "c.xlsx",
    )
    assert (renamed.updated, renamed.rejected) == (0, 2)
    assert dump_database(engine) == before


def test_a_row_cannot_overwrite_a_code_or_reach_another_county(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    """A row found by its name but giving another credit code is refused (it would replace
    the holder's code); a county officer's row naming, by its code, a holder of another
    county is refused (the row's own region code says nothing of the holder's)."""
    from ipcity.auth.roles import Actor

    other_code = "91410621MA44R8XK1" + uscc_check_character("91410621MA44R8XK1")
    run(
        session,
        "holders",
        [
            {"名称": OLD, "统一社会信用代码": CODE, "类型": "企业", "行政区划代码": "410611"},
            {"名称": "浚县农丰种业有限公司", "统一社会信用代码": other_code, "行政区划代码": "410621"},
        ],
        tmp_path / "a.xlsx",
    )
    before = dump_database(engine)
    typo = "91410611MA44R8XK9" + uscc_check_character("91410611MA44R8XK9")
    result = run(session, "holders", [{"名称": OLD, "统一社会信用代码": typo}], tmp_path / "b.xlsx")
    assert (result.updated, result.rejected) == (0, 1)
    assert render_row_error(result.errors[0], "zh_CN") == (
        f"名称与已登记的权利人“{OLD}”相同，但统一社会信用代码不同（已登记为 {CODE}）：请核对后再导入"
    )
    assert dump_database(engine) == before
    county = Actor(username="county-qibin", role="county_officer", region_code="410611", user_id=2)
    path = fill_template(
        "holders",
        [{"名称": "浚县农丰种业股份有限公司", "统一社会信用代码": other_code, "行政区划代码": "410611"}],
        tmp_path / "c.xlsx",
    )
    reached = run_import(session, county, path, observed_on=date(2024, 6, 30))
    assert (reached.updated, reached.rejected) == (0, 1)
    assert "登记在其他县区（410621）" in render_row_error(reached.errors[0], "zh_CN")
    assert dump_database(engine) == before
