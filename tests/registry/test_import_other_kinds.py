"""The downloadable templates filled as an officer fills them in Excel, imported through
``importing.run_import``: trademarks, copyrights, plant-variety rights, geographical
indications, holders (credit code, region, zone, tags, tiers) and resident population
(CSV with English or Chinese headers). Every kind: rejected rows with row, column, value
and reason; a second import of the same file changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from registry_testkit import OFFICER, audit_length, dump_database, population_kept
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.auth.roles import Actor
from ipcity.errors import PermissionDenied
from ipcity.places.models import Population, Zone
from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.importing import ImportResult, render_row_error, run_import
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    PlantVariety,
    Trademark,
)
from ipcity.registry.numbers import uscc_check_character


def uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


HUAYU = uscc("91410611MA44R8XK0")  # an enterprise registered in 淇滨区
COLLEGE = uscc("12410600417720893")  # a public institution registered by the city
XUNXIAN = uscc("91410621MA45A1B2X")


def fill_template(kind: str, rows: list[dict[str, Any]], path: Path) -> Path:
    """The template of ``kind`` as downloaded, its example row left in place, with ``rows``
    (header label → cell) appended below it."""
    book = load_workbook(io.BytesIO(write_template_xlsx(kind)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(header)
        assert not unknown, unknown
        sheet.append([number if h == "序号" else row.get(h) for h in header])
    book.save(path)
    return path


def run(session: Session, path: Path, actor: Actor = OFFICER, **kwargs: Any) -> ImportResult:
    return run_import(session, actor, path, observed_on=date(2024, 6, 30), **kwargs)


def rejected(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.value) for e in result.errors]


def assert_reimport_is_a_noop(session: Session, engine: Engine, path: Path, expected: int, kind: str) -> None:
    before, audits = dump_database(engine), audit_length(engine)
    again = run(session, path)
    assert again.kind == kind
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, expected)
    assert dump_database(engine) == before
    assert audit_length(engine) == audits


def holder_name(session: Session, holder_id: int | None) -> str | None:
    return session.scalar(select(Holder.name).where(Holder.id == holder_id)) if holder_id else None


# --------------------------------------------------------------------------- trademarks


def test_trademarks(session: Session, engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "注册号": "8868023",
            "商标名称": "淇河缠丝鸭蛋",
            "尼斯分类": "29",
            "商标类型": "地理标志证明商标",
            "权利人": "鹤壁市淇滨区禽业协会",
            "申请日": "2010-11-18",
            "注册日": "2012-04-14",
            "专用权期限至": "2032-04-13",
            "状态": "注册",
        },
        {
            "注册号": "25613958",
            "商标名称": "鹤壁华宇",
            "尼斯分类": "9; 35; 42",
            "商标类型": "普通商标",
            "权利人": "鹤壁市华宇电子科技有限公司",
            "申请日": "2017-08-02",
            "注册日": "2018-07-28",
            "专用权期限至": "2028-07-27",
            "驰名商标认定日": "2021-12-30",
            "状态": "已注册",
        },
        {
            "注册号": "31004177",
            "商标名称": "淇河印象",
            "尼斯分类": "46",
            "权利人": "鹤壁市淇河文化传媒有限公司",
        },
    ]
    path = fill_template("trademarks", rows, tmp_path / "商标.xlsx")
    result = run(session, path)
    assert result.kind == "trademarks" and result.rows_read == 3  # the example row is skipped
    assert (result.inserted, result.updated, result.rejected) == (2, 0, 1)
    assert rejected(result) == [(5, "尼斯分类", "46")]
    assert "1 至 45" in render_row_error(result.errors[0], "zh_CN")

    marks = {t.registration_number: t for t in session.scalars(select(Trademark))}
    assert set(marks) == {"8868023", "25613958"}
    gi_mark = marks["8868023"]
    assert (gi_mark.mark, gi_mark.nice_classes, gi_mark.mark_type, gi_mark.status) == (
        "淇河缠丝鸭蛋",
        [29],
        "gi_certification",
        "registered",
    )
    assert gi_mark.expiry_date == date(2032, 4, 13)
    assert holder_name(session, gi_mark.holder_id) == "鹤壁市淇滨区禽业协会"
    ordinary = marks["25613958"]
    assert ordinary.nice_classes == [9, 35, 42] and ordinary.well_known_date == date(2021, 12, 30)
    assert_reimport_is_a_noop(session, engine, path, 2, "trademarks")

    # A later file with the mark renewed: one update, the other unchanged.
    rows[0]["专用权期限至"] = "2042-04-13"
    later = run(session, fill_template("trademarks", rows[:2], tmp_path / "商标2.xlsx"))
    assert (later.inserted, later.updated, later.unchanged) == (0, 1, 1)
    session.expire_all()
    assert session.scalar(
        select(Trademark.expiry_date).where(Trademark.registration_number == "8868023")
    ) == date(2042, 4, 13)


# --------------------------------------------------------------------------- copyrights


def test_copyrights(session: Session, engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "登记号": "2019SR0456123",
            "名称": "鹤壁市智慧城管综合平台V2.0",
            "类别": "软件",
            "著作权人": "鹤壁市华宇电子科技有限公司",
            "登记日": "2019-05-20",
        },
        {
            "登记号": "豫作登字-2020-F-00012345",
            "名称": "淇河风光系列摄影",
            "类别": "摄影作品",
            "著作权人": "鹤壁市淇河文化传媒有限公司",
            "登记日": "20200314",
        },
        {"登记号": "2021SR0100001", "名称": "无类别的软件", "类别": "游戏", "登记日": "2021-01-05"},
        {"登记号": "2021SR0100002", "名称": "日期写错的软件", "类别": "软件", "登记日": "2021-13-40"},
    ]
    path = fill_template("copyrights", rows, tmp_path / "著作权.xlsx")
    result = run(session, path)
    assert (result.inserted, result.rejected) == (2, 2)
    assert rejected(result) == [(5, "类别", "游戏"), (6, "登记日", "2021-13-40")]
    found = {
        c.registration_number: (c.title, c.category, c.registration_date)
        for c in session.scalars(select(Copyright))
    }
    assert found == {
        "2019SR0456123": ("鹤壁市智慧城管综合平台V2.0", "software", date(2019, 5, 20)),
        "豫作登字-2020-F-00012345": ("淇河风光系列摄影", "work", date(2020, 3, 14)),
    }
    assert_reimport_is_a_noop(session, engine, path, 2, "copyrights")


# --------------------------------------------------------------------------- plant varieties


def test_plant_varieties(session: Session, engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "品种权号": "CNA20141095.1",
            "作物种类": "玉米",
            "品种名称": "浚单29",
            "品种权人": "鹤壁市农业科学院",
            "授权日": "2017-05-01",
        },
        {
            "品种权号": "CNA20170317.9",
            "作物种类": "小麦",
            "品种名称": "鹤麦601",
            "品种权人": "鹤壁市农业科学院",
            "授权日": "2020-12-31",
        },
        {"品种权号": "CNA20190001.2", "作物种类": "", "品种名称": "无作物"},
    ]
    path = fill_template("plant-varieties", rows, tmp_path / "品种权.xlsx")
    result = run(session, path)
    assert (result.inserted, result.rejected) == (2, 1)
    assert rejected(result) == [(5, "作物种类", "")]
    varieties = list(session.scalars(select(PlantVariety).order_by(PlantVariety.right_number)))
    assert [(v.right_number, v.crop, v.variety) for v in varieties] == [
        ("CNA20141095.1", "玉米", "浚单29"),
        ("CNA20170317.9", "小麦", "鹤麦601"),
    ]
    # Both rights name the same institute: one holder.
    assert varieties[0].holder_id == varieties[1].holder_id
    assert holder_name(session, varieties[0].holder_id) == "鹤壁市农业科学院"
    assert session.scalar(select(Holder.kind).where(Holder.id == varieties[0].holder_id)) == "institute"
    assert_reimport_is_a_noop(session, engine, path, 2, "plant-varieties")


# --------------------------------------------------------------------------- GIs


def test_geographical_indications(session: Session, engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "名称": "浚县花生",
            "类型": "地理标志证明商标",
            "行政区划代码": "410621",
            "权利人": "浚县花生协会",
            "登记号": "9736453",
            "登记日": "2012-10-28",
        },
        {
            "名称": "淇河鲫鱼",
            "类型": "地理标志产品",
            "行政区划代码": "410600",
            "权利人": "鹤壁市淇河鲫鱼协会",
            "登记号": "2011年第146号",
            "登记日": "2011-09-30",
        },
        {"名称": "某地大米", "类型": "农产品地理标志", "行政区划代码": "419999", "登记号": "AGI2015-01-1600"},
        {"名称": "某地小米", "类型": "名优特产", "行政区划代码": "410622", "登记号": "AGI2015-01-1601"},
    ]
    path = fill_template("gis", rows, tmp_path / "地理标志.xlsx")
    result = run(session, path)
    assert (result.inserted, result.rejected) == (2, 2)
    assert rejected(result) == [(5, "行政区划代码", "419999"), (6, "类型", "名优特产")]
    assert "GB/T 2260" in render_row_error(result.errors[0], "zh_CN")
    found = {
        g.registration_number: (g.name, g.kind, g.region_code)
        for g in session.scalars(select(GeographicalIndication))
    }
    assert found == {
        "9736453": ("浚县花生", "gi_certification_mark", "410621"),
        "2011年第146号": ("淇河鲫鱼", "protected_product", "410600"),
    }
    assert_reimport_is_a_noop(session, engine, path, 2, "gis")


# --------------------------------------------------------------------------- holders


HOLDER_ROWS: list[dict[str, Any]] = [
    {
        "名称": "鹤壁市华宇电子科技有限公司",
        "统一社会信用代码": HUAYU,
        "类型": "企业",
        "行政区划代码": "410611",
        "地址": "河南省鹤壁市淇滨区九州路18号",
        "标签": "中小企业; 高新技术企业",
        "资质": "国家知识产权优势企业:2019; 贯标:2020",
    },
    {
        "名称": "鹤壁职业技术学院",
        "统一社会信用代码": COLLEGE,
        "类型": "高校",
        "行政区划代码": "410611",
        "地址": "河南省鹤壁市淇滨区淇河路",
    },
    # No region code: the address places it in the development zone (and its county).
    {"名称": "鹤壁市经开区新材料有限公司", "类型": "企业", "地址": "河南省鹤壁经济技术开发区金山路36号"},
    # The zone named as the template's own example names it.
    {
        "名称": "浚县农机装备有限公司",
        "统一社会信用代码": XUNXIAN,
        "行政区划代码": "410621",
        "园区": "鹤壁国家农业科技园区",
        "资质": "市级知识产权示范企业:2021",
    },
    # A credit code with a wrong check character.
    {"名称": "鹤壁市错码商贸有限公司", "统一社会信用代码": HUAYU[:-1] + ("1" if HUAYU[-1] != "1" else "2")},
    # A region code that is not in GB/T 2260.
    {"名称": "鹤壁市无此区县有限公司", "行政区划代码": "419999"},
    # A tier without its year.
    {"名称": "鹤壁市缺年份有限公司", "行政区划代码": "410602", "资质": "省知识产权强企"},
]


def test_holders(session: Session, engine: Engine, tmp_path: Path) -> None:
    path = fill_template("holders", HOLDER_ROWS, tmp_path / "权利人.xlsx")
    result = run(session, path)
    assert (result.inserted, result.updated, result.rejected) == (4, 0, 3)
    assert rejected(result) == [
        (7, "统一社会信用代码", HOLDER_ROWS[4]["统一社会信用代码"]),
        (8, "行政区划代码", "419999"),
        (9, "资质", "省知识产权强企"),
    ]
    reasons = [render_row_error(e, "zh_CN") for e in result.errors]
    assert "校验" in reasons[0] and "419999" in reasons[1] and "GB/T 2260" in reasons[1]
    assert "年份" in reasons[2]

    zones = {z.id: z.code for z in session.scalars(select(Zone))}
    holders = {h.name: h for h in session.scalars(select(Holder))}
    assert set(holders) == {r["名称"] for r in HOLDER_ROWS[:4]}
    huayu = holders["鹤壁市华宇电子科技有限公司"]
    assert (huayu.uscc, huayu.kind, huayu.region_code) == (HUAYU, "enterprise", "410611")
    assert sorted(huayu.tags) == ["high_tech", "sme"]
    assert sorted((t.tier, t.year) for t in huayu.tiers) == [
        ("gbt29490", 2020),
        ("national_ip_advantage", 2019),
    ]
    assert holders["鹤壁职业技术学院"].kind == "university"
    located = holders["鹤壁市经开区新材料有限公司"]
    assert located.region_code == "410671" and zones[located.zone_id] == "hebi_etdz"
    assert not located.zone_explicit
    xunxian = holders["浚县农机装备有限公司"]
    assert zones[xunxian.zone_id] == "hebi_agri_park" and xunxian.zone_explicit
    assert [(t.tier, t.year) for t in xunxian.tiers] == [("municipal_ip_demonstration", 2021)]

    assert_reimport_is_a_noop(session, engine, path, 4, "holders")


def test_holders_update_keeps_what_blank_cells_leave(session: Session, tmp_path: Path) -> None:
    run(session, fill_template("holders", HOLDER_ROWS[:1], tmp_path / "a.xlsx"))
    # The next year's list: a new tier, the tags column left blank, the holder found by its code.
    row = {
        "名称": "鹤壁市华宇电子科技有限公司",
        "统一社会信用代码": HUAYU,
        "资质": "国家知识产权优势企业:2019; 国家知识产权示范企业:2023",
    }
    result = run(session, fill_template("holders", [row], tmp_path / "b.xlsx"))
    assert (result.inserted, result.updated) == (0, 1)
    session.expire_all()
    holder = session.scalars(select(Holder)).one()
    assert holder.region_code == "410611" and holder.address == "河南省鹤壁市淇滨区九州路18号"
    assert sorted(holder.tags) == ["high_tech", "sme"]
    assert sorted((t.tier, t.year) for t in holder.tiers) == [
        ("national_ip_advantage", 2019),
        ("national_ip_demonstration", 2023),
    ]


def test_county_officer_imports_holders_of_its_own_county_only(session: Session, tmp_path: Path) -> None:
    county = Actor(username="qibin-officer", role="county_officer", region_code="410611")
    path = fill_template("holders", HOLDER_ROWS[:4], tmp_path / "权利人.xlsx")
    result = run(session, path, actor=county)
    assert result.inserted == 2  # the two 淇滨区 holders
    assert rejected(result) == [(5, "行政区划代码", ""), (6, "行政区划代码", "410621")]
    assert "410611" in render_row_error(result.errors[1], "zh_CN")
    assert {h.region_code for h in session.scalars(select(Holder))} == {"410611"}


def test_a_county_officer_is_told_which_kinds_it_may_import(session: Session, tmp_path: Path) -> None:
    """A trademark list is the city's to import: the county officer hears so, by kind, in
    either language (not only that its role may not), and nothing is written."""
    county = Actor(username="qibin-officer", role="county_officer", region_code="410611")
    path = fill_template("trademarks", [], tmp_path / "商标.xlsx")
    with pytest.raises(PermissionDenied) as refused:
        run(session, path, actor=county, kind="trademarks")
    assert "该文件是商标数据" in refused.value.render("zh_CN")
    assert "this file holds trademarks" in refused.value.render("en")
    assert session.scalars(select(Holder)).first() is None


# --------------------------------------------------------------------------- population


@pytest.fixture
def population_restored(engine: Engine) -> Iterator[None]:
    with population_kept(engine):
        yield


def population_rows(session: Session) -> dict[tuple[str, int], int]:
    return {(p.area_code, p.year): p.residents for p in session.scalars(select(Population))}


@pytest.mark.parametrize(
    "header",
    [("region_code", "year", "residents"), ("行政区划代码", "年份", "常住人口")],
    ids=["english", "chinese"],
)
@pytest.mark.usefixtures("population_restored")
def test_population_csv(header: tuple[str, ...], session: Session, engine: Engine, tmp_path: Path) -> None:
    shipped = population_rows(session)
    lines = [
        ",".join(header),
        "410611,2020,328650",
        "410621,2020,564940",
        "410622,2020,239750",
        "419999,2020,100000",
        "410602,1890,150000",
        "410603,2020,-5",
    ]
    path = tmp_path / "population.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(session, path)
    assert result.kind == "population"
    assert (result.inserted, result.updated, result.rejected) == (3, 0, 3)
    assert rejected(result) == [(5, header[0], "419999"), (6, header[1], "1890"), (7, header[2], "-5")]
    reasons = [render_row_error(e, "zh_CN") for e in result.errors]
    assert "419999" in reasons[0] and "GB/T 2260" in reasons[0]
    assert "1949" in reasons[1] and "正整数" in reasons[2]
    assert population_rows(session) == {
        **shipped,
        ("410611", 2020): 328650,
        ("410621", 2020): 564940,
        ("410622", 2020): 239750,
    }
    assert_reimport_is_a_noop(session, engine, path, 3, "population")

    # A corrected figure: one update.
    path.write_text("\n".join([lines[0], "410611,2020,328651", lines[2]]) + "\n", encoding="utf-8")
    again = run(session, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    assert population_rows(session)[("410611", 2020)] == 328651


@pytest.mark.usefixtures("population_restored")
def test_population_from_the_xlsx_template(session: Session, engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "行政区划代码": "410602",
            "年份": 2020,
            "常住人口": 151024,
            "数据来源": "鹤山区第七次全国人口普查公报",
        },
        {
            "行政区划代码": "410603",
            "年份": 2020,
            "常住人口": 196580,
            "数据来源": "山城区第七次全国人口普查公报",
        },
    ]
    path = fill_template("population", rows, tmp_path / "人口.xlsx")
    result = run(session, path)
    assert (result.inserted, result.rejected) == (2, 0)
    sources = {(p.area_code, p.source) for p in session.scalars(select(Population)) if p.year == 2020}
    assert ("410602", "鹤山区第七次全国人口普查公报") in sources
    assert_reimport_is_a_noop(session, engine, path, 2, "population")

    # Only the source corrected: that is a change too, and it is counted as one.
    rows[0]["数据来源"] = "鹤壁市第七次全国人口普查公报（鹤山区）"
    again = run(session, fill_template("population", rows, tmp_path / "人口2.xlsx"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    session.expire_all()
    assert (
        session.scalar(
            select(Population.source).where(Population.area_code == "410602", Population.year == 2020)
        )
        == "鹤壁市第七次全国人口普查公报（鹤山区）"
    )
