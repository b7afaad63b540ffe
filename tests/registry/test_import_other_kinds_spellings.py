"""The other kinds' templates as officers really fill them: numbers, codes and dates typed
with a Chinese input method (full width), numbers in another case or with spaces, a later
list with fewer columns, the same holder named twice in one file, a population list
without its residents column; and what the registers then show (a trademark's status, a
year typed in full width)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from registry_testkit import OFFICER, dump_database, population_kept
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.errors import InvalidFile
from ipcity.places.models import Population
from ipcity.registry.assets import export_assets
from ipcity.registry.importing import ImportResult, run_import
from ipcity.registry.models import Copyright, GeographicalIndication, Holder, PlantVariety, Trademark
from ipcity.registry.numbers import uscc_check_character


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    """An xlsx of ``rows`` (the first the header), as an officer saves one from Excel."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(session: Session, path: Path, **kwargs: Any) -> ImportResult:
    return run_import(session, OFFICER, path, observed_on=date(2024, 6, 30), **kwargs)


def counts(result: ImportResult) -> tuple[int, int, int, int]:
    return result.inserted, result.updated, result.unchanged, result.rejected


TRADEMARK_HEADER = [
    "注册号",
    "商标名称",
    "尼斯分类",
    "商标类型",
    "权利人",
    "申请日",
    "注册日",
    "专用权期限至",
    "状态",
]


def test_full_width_and_spaced_numbers_are_the_same_rights(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    first = workbook(
        tmp_path / "商标.xlsx",
        [
            TRADEMARK_HEADER,
            [
                "80123456",
                "淇河鲫鱼",
                "29;31",
                "普通商标",
                "鹤壁市淇河水产有限公司",
                "2020/1/5",
                "2021年3月7日",
                "2031-03-06",
                "注册",
            ],
        ],
    )
    assert counts(run(session, first)) == (1, 0, 0, 0)
    # The same mark typed with a Chinese input method: full-width digits and date separators.
    typed = workbook(
        tmp_path / "商标-全角.xlsx",
        [
            TRADEMARK_HEADER,
            [
                "８０１２３４５６",
                "淇河鲫鱼",
                "２９；３１",
                "普通商标",
                "鹤壁市淇河水产有限公司",
                "２０２０－０１－０５",
                "２０２１／３／７",
                "２０３１．０３．０６",
                "注册",
            ],
        ],
    )
    before = dump_database(engine)
    again = run(session, typed)
    assert counts(again) == (0, 0, 1, 0), again.errors
    assert dump_database(engine) == before
    assert session.scalars(
        select(Trademark.registration_number).where(Trademark.mark == "淇河鲫鱼")
    ).all() == ["80123456"]

    software = workbook(
        tmp_path / "著作权.xlsx",
        [
            ["登记号", "名称", "类别", "著作权人", "登记日"],
            ["2021SR0123456", "鹤壁智慧农业管理系统V1.0", "软件", "鹤壁市农信科技有限公司", "2021-03-05"],
        ],
    )
    assert counts(run(session, software)) == (1, 0, 0, 0)
    lower = workbook(
        tmp_path / "著作权-小写.xlsx",
        [
            ["登记号", "名称", "类别", "著作权人", "登记日"],
            [" 2021sr0123456 ", "鹤壁智慧农业管理系统V1.0", "软件", "鹤壁市农信科技有限公司", "2021年3月5日"],
        ],
    )
    assert counts(run(session, lower)) == (0, 0, 1, 0)
    assert session.scalars(
        select(Copyright.registration_number).where(Copyright.is_sample.is_(False))
    ).all() == ["2021SR0123456"]

    variety = [["品种权号", "作物种类", "品种名称", "品种权人", "授权日"]]
    assert counts(
        run(
            session,
            workbook(
                tmp_path / "品种.xlsx",
                [*variety, ["CNA20191235.6", "玉米", "浚单99", "浚县农科所", "2019-12-01"]],
            ),
        )
    ) == (1, 0, 0, 0)
    spaced = workbook(
        tmp_path / "品种-空格.xlsx",
        [*variety, ["cna 2019 1235.6", "玉米", "浚单99", "浚县农科所", "2019-12-01"]],
    )
    assert counts(run(session, spaced)) == (0, 0, 1, 0)
    assert (
        session.scalar(select(PlantVariety.right_number).where(PlantVariety.variety == "浚单99"))
        == "CNA20191235.6"
    )


def test_full_width_region_codes_are_read(session: Session, tmp_path: Path) -> None:
    gis = workbook(
        tmp_path / "地理标志.xlsx",
        [
            ["名称", "类型", "行政区划代码", "权利人", "登记号", "登记日"],
            ["浚县花生", "地理标志证明商标", "４１０６２１", "浚县花生协会", "12345679", "2016-08-14"],
            ["淇县缠丝蛋", "农产品地理标志", "４１０６２", "淇县畜牧协会", "AGI01234", "2015-01-01"],
        ],
    )
    result = run(session, gis)
    assert counts(result) == (1, 0, 0, 1)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "行政区划代码", "４１０６２")]
    assert (
        session.scalar(
            select(GeographicalIndication.region_code).where(GeographicalIndication.name == "浚县花生")
        )
        == "410621"
    )

    holders = workbook(
        tmp_path / "权利人.xlsx",
        [["名称", "类型", "行政区划代码"], ["鹤壁天淇食品有限公司", "企业", "４１０６２２"]],
    )
    assert counts(run(session, holders)) == (1, 0, 0, 0)
    assert session.scalar(select(Holder.region_code).where(Holder.name == "鹤壁天淇食品有限公司")) == "410622"


def test_a_shorter_list_keeps_what_it_does_not_say(session: Session, engine: Engine, tmp_path: Path) -> None:
    full = workbook(
        tmp_path / "商标.xlsx",
        [
            TRADEMARK_HEADER,
            [
                "8868023",
                "淇河缠丝鸭蛋",
                "29",
                "地理标志证明商标",
                "鹤壁市淇滨区禽业协会",
                "2010-11-18",
                "2012-04-14",
                "2032-04-13",
                "注册",
            ],
        ],
    )
    assert counts(run(session, full)) == (1, 0, 0, 0)
    stored = dump_database(engine)
    # The template lets an officer delete optional columns: a list of numbers, marks and
    # classes says nothing of the type, holder, dates or status, and changes nothing.
    short = workbook(
        tmp_path / "商标-简表.xlsx", [["注册号", "商标名称", "尼斯分类"], ["8868023", "淇河缠丝鸭蛋", "29"]]
    )
    assert counts(run(session, short)) == (0, 0, 1, 0)
    # Blank cells say nothing either; a cell that is given changes its field only.
    blanks = workbook(
        tmp_path / "商标-空白.xlsx",
        [TRADEMARK_HEADER, ["8868023", "淇河缠丝鸭蛋", "29", "", "", "", "", "2042-04-13", ""]],
    )
    assert dump_database(engine) == stored
    assert counts(run(session, blanks)) == (0, 1, 0, 0)
    session.expire_all()
    mark = session.scalars(select(Trademark).where(Trademark.registration_number == "8868023")).one()
    assert (mark.mark_type, mark.status, mark.filing_date, mark.registration_date, mark.expiry_date) == (
        "gi_certification",
        "registered",
        date(2010, 11, 18),
        date(2012, 4, 14),
        date(2042, 4, 13),
    )
    assert session.scalar(select(Holder.name).where(Holder.id == mark.holder_id)) == "鹤壁市淇滨区禽业协会"
    # A new mark whose type is left blank is an ordinary one.
    new = workbook(
        tmp_path / "商标-新.xlsx", [["注册号", "商标名称", "尼斯分类"], ["80123457", "鹤壁天淇", "30"]]
    )
    assert counts(run(session, new)) == (1, 0, 0, 0)
    assert (
        session.scalar(select(Trademark.mark_type).where(Trademark.registration_number == "80123457"))
        == "ordinary"
    )


def test_one_holder_named_twice_in_a_file_is_one_holder(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    code = "91410611MA44R8XK0" + uscc_check_character("91410611MA44R8XK0")
    path = workbook(
        tmp_path / "权利人.xlsx",
        [
            ["名称", "统一社会信用代码", "类型", "行政区划代码", "标签"],
            ["鹤壁甲科技有限公司", code, "企业", "", "中小企业"],
            ["鹤壁乙科技有限公司", "", "企业", "410611", ""],
            # The first holder again, by its name alone: one holder, the row's blanks filled
            # from the earlier row; the second again, spaced otherwise (the same name key).
            ["鹤壁甲科技有限公司", "", "", "410611", ""],
            ["鹤壁乙科技 有限公司", "", "企业", "410622", ""],
        ],
    )
    result = run(session, path)  # both would be new twice: the name's unique index refused the file
    assert counts(result) == (2, 0, 0, 0)
    first = session.scalars(select(Holder).where(Holder.name == "鹤壁甲科技有限公司")).one()
    assert (first.uscc, first.kind, first.region_code, first.tags) == (code, "enterprise", "410611", ["sme"])
    second = session.scalars(select(Holder).where(Holder.normalized_name.like("鹤壁乙科技%"))).one()
    assert second.region_code == "410622"
    before = dump_database(engine)
    assert counts(run(session, path)) == (0, 0, 2, 0)
    assert dump_database(engine) == before


@pytest.fixture
def population_restored(engine: Engine) -> Iterator[None]:
    with population_kept(engine):
        yield


@pytest.mark.usefixtures("population_restored")
def test_population_without_its_residents_column_names_the_column(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "人口.csv"
    path.write_text("行政区划代码,年份\n410600,2023\n", encoding="utf-8")
    before = session.scalars(select(Population.id)).all()
    with pytest.raises(InvalidFile) as refused:
        run(session, path, kind="population")
    assert (
        refused.value.render("zh_CN")
        == "文件缺少「常住人口」列（residents）；应包含该列，或在列映射中指定对应的列。"
    )
    assert "“常住人口” column (Residents)" in refused.value.render("en")
    assert session.scalars(select(Population.id)).all() == before
    # Full-width digits in a population list are its numbers too.
    path.write_text("行政区划代码,年份,常住人口\n４１０６１１,２０２３,３４００００\n", encoding="utf-8")
    assert counts(run(session, path)) == (1, 0, 0, 0)
    assert (
        session.scalar(
            select(Population.residents).where(Population.area_code == "410611", Population.year == 2023)
        )
        == 340000
    )


def test_the_trademark_register_shows_the_status(session: Session, client: Any, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "商标.xlsx",
        [
            TRADEMARK_HEADER,
            [
                "80123458",
                "浚县泥咕咕",
                "16",
                "普通商标",
                "浚县民间艺术协会",
                "2018-06-01",
                "2019-07-07",
                "2029-07-06",
                "已注销",
            ],
        ],
    )
    assert counts(run(session, path)) == (1, 0, 0, 0)
    exported = export_assets(session, OFFICER, "trademarks", "csv", q="泥咕咕").decode("utf-8-sig")
    assert exported.splitlines()[0].split(",")[-2:] == ["状态", "权利人"]
    assert "已注销" in exported.splitlines()[1]
    english = export_assets(session, OFFICER, "trademarks", "csv", "en", q="泥咕咕").decode("utf-8-sig")
    assert "Cancelled" in english.splitlines()[1]
    page = client.get("/registers/trademarks", params={"q": "泥咕咕", "year": "２０１９"})
    assert page.status_code == 200 and "已注销" in page.text and "80123458" in page.text


@pytest.mark.usefixtures("population_restored")
def test_a_zone_population_is_imported_by_its_code_or_name(session: Session, tmp_path: Path) -> None:
    """P2.1 sets a per-10,000 target for five zones: their population comes in the same
    list as the counties', a zone named by its code or its Chinese name; an area that is
    neither a division nor a zone is a rejected row naming the zones."""
    from ipcity.registry.importing import render_row_error

    path = tmp_path / "人口.csv"
    path.write_text(
        "行政区划代码,年份,常住人口\n"
        "hebi_etdz,2023,120000\n"
        "鹤壁经济技术开发区,2022,118000\n"
        "HEBI_AGRI_PARK,2023,45000\n"
        "鹤壁火星园区,2023,1000\n",
        encoding="utf-8",
    )
    result = run(session, path, kind="population")
    assert counts(result) == (3, 0, 0, 1)
    stored = dict(
        session.execute(
            select(Population.year, Population.residents).where(Population.area_code == "hebi_etdz")
        ).all()
    )
    assert stored == {2023: 120000, 2022: 118000}
    assert (
        session.scalar(select(Population.residents).where(Population.area_code == "hebi_agri_park")) == 45000
    )
    error = result.errors[0]
    assert (error.row, error.column) == (5, "行政区划代码")
    message = render_row_error(error, "zh_CN")
    assert message.startswith("“鹤壁火星园区”既不是 GB/T 2260 行政区划代码，也不是园区")
    assert "鹤壁经济技术开发区（hebi_etdz）" in message
    assert counts(run(session, path, kind="population")) == (0, 0, 3, 1)


@pytest.mark.usefixtures("population_restored")
def test_a_record_repeated_with_other_content_warns_which_row_lost(session: Session, tmp_path: Path) -> None:
    """Two figures for one county and year: the later row is taken (as before) and the
    officer is told, on that row, which earlier row was not imported; the same row twice
    says nothing."""
    from ipcity.registry.importing import render_row_error

    path = tmp_path / "人口.csv"
    path.write_text(
        "行政区划代码,年份,常住人口\n410611,2023,340000\n410621,2023,600000\n410611,2023,341000\n410621,2023,600000\n",
        encoding="utf-8",
    )
    result = run(session, path, kind="population")
    assert counts(result) == (2, 0, 0, 0) and result.warned == 1
    warning = result.warnings[0]
    assert (warning.row, warning.column, warning.value) == (4, "行政区划代码", "410611、2023")
    assert render_row_error(warning, "zh_CN") == (
        "与第 2 行是同一条记录（410611、2023）但内容不同：以后出现的本行为准，第 2 行未导入"
    )
    assert render_row_error(warning, "en").startswith(
        "Same record as row 2 (410611、2023) with other content"
    )
    stored = session.scalar(
        select(Population.residents).where(Population.area_code == "410611", Population.year == 2023)
    )
    assert stored == 341000


@pytest.mark.usefixtures("population_restored")
def test_strict_refuses_a_file_that_says_two_things_of_one_record(session: Session, tmp_path: Path) -> None:
    """--strict (and the form's checkbox): two different figures for one county and year
    make the file bad, nothing goes in, and the later row says why; the same row twice is
    still no news."""
    from ipcity.registry.importing import render_row_error

    before = session.scalar(
        select(Population.residents).where(Population.area_code == "410611", Population.year == 2023)
    )
    path = tmp_path / "人口.csv"
    path.write_text(
        "行政区划代码,年份,常住人口\n410611,2023,340000\n410621,2023,600000\n410611,2023,341000\n410621,2023,600000\n",
        encoding="utf-8",
    )
    result = run(session, path, kind="population", strict=True)
    assert result.aborted_strict and counts(result) == (0, 0, 0, 1) and result.warned == 0
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (4, "行政区划代码", "410611、2023")
    assert render_row_error(error, "zh_CN") == (
        "与第 2 行是同一条记录（410611、2023）但内容不同：严格模式下不能确定以哪一行为准，整个文件未导入"
    )
    assert "strict" in render_row_error(error, "en")
    after = session.scalar(
        select(Population.residents).where(Population.area_code == "410611", Population.year == 2023)
    )
    assert after == before
    # The same rows without the conflict: strict takes them.
    path.write_text("行政区划代码,年份,常住人口\n410611,2023,341000\n410611,2023,341000\n", encoding="utf-8")
    assert not run(session, path, kind="population", strict=True).aborted_strict


def _mark(number: str, mark: str, filed: str, registered: str = "", expires: str = "") -> list[str]:
    """A row of the trademarks template (TRADEMARK_HEADER) of an ordinary registered mark."""
    return [number, mark, "29", "普通商标", "鹤壁市淇河水产有限公司", filed, registered, expires, "注册"]


def test_a_date_of_an_impossible_year_is_told_as_such(session: Session, tmp_path: Path) -> None:
    """2999 for 2019: the row is refused saying the year is out of range (a typo to look
    for), not that the date was not recognised; a month that cannot be stays "not a date"."""
    from ipcity.registry.importing import render_row_error

    path = workbook(
        tmp_path / "商标.xlsx",
        [
            TRADEMARK_HEADER,
            _mark("80123456", "淇河鲫鱼", "2999-03-05"),
            _mark("80123457", "淇河缠丝鸭蛋", "2019-13-05"),
        ],
    )
    result = run(session, path)
    assert result.rejected == 2
    first, second = sorted(result.errors, key=lambda e: e.row)
    assert render_row_error(first, "zh_CN") == "日期「2999-03-05」的年份超出 1900–2100，请检查是否输错。"
    assert "outside 1900–2100" in render_row_error(first, "en")
    assert render_row_error(second, "zh_CN").startswith("日期「2019-13-05」无法识别")


def test_a_registration_dated_after_today_is_refused_an_expiry_is_not(
    session: Session, tmp_path: Path
) -> None:
    """A filing, registration or grant after today has not happened (a typo for another
    year): the row is refused; an expiry date lies ahead by nature and is taken."""
    from datetime import timedelta

    from ipcity import clock
    from ipcity.registry.importing import render_row_error

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    path = workbook(
        tmp_path / "商标.xlsx",
        [
            TRADEMARK_HEADER,
            _mark("80123456", "淇河鲫鱼", "2020-01-05", tomorrow),
            _mark("80123457", "淇河缠丝鸭蛋", "2020-01-05", "2021-03-07", "2041-03-06"),
        ],
    )
    result = run(session, path)
    assert (result.inserted, result.rejected) == (1, 1)
    error = result.errors[0]
    assert (error.row, error.column) == (2, "注册日")
    assert render_row_error(error, "zh_CN") == (
        f"日期「{tomorrow}」晚于今天（{clock.today().isoformat()}）：登记、申请和授权日期只能是已经过去的日子。"
    )
    assert "is after today" in render_row_error(error, "en")
    assert session.scalar(
        select(Trademark.expiry_date).where(Trademark.registration_number == "80123457")
    ) == date(2041, 3, 6)
