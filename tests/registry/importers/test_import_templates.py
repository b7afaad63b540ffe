"""Templates of the other kinds (P2.5, P2.8): download, fill, import; each rule checked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ipcity.errors import InvalidFile, ValidationFailed
from ipcity.registry.importers import (
    CANONICAL_FIELDS,
    KINDS,
    detect_layout,
    layout_from_mapping,
    parse_file,
    read_table,
    write_template_xlsx,
)
from ipcity.registry.importing import render_row_error
from ipcity.registry.records import (
    AwardRecord,
    CertificateRecord,
    CopyrightRecord,
    GIRecord,
    HolderRecord,
    InsurancePolicyRecord,
    PatentRecord,
    PctApplicationRecord,
    PlantVarietyRecord,
    PledgeLoanRecord,
    PopulationRecord,
    RowError,
    TrademarkRecord,
)

# One filled-in row per kind (by canonical field) and the record it must give.
FILLED: dict[str, tuple[dict[str, str], object]] = {
    # The policy's evidence (P2.2, P2.3, P2.7).
    "awards": (
        {
            "patent_number": "ZL 201710123456.0",
            "level": "河南省专利奖一等奖",
            "award_date": "2019.11.20",
            "holder": "鹤壁甲科技有限公司",
            "uscc": "91110000802100433B",
            "evidence": "豫政〔2019〕1号",
        },
        AwardRecord(
            3,
            "CN201710123456.0",
            "provincial_first",
            dt.date(2019, 11, 20),
            "鹤壁甲科技有限公司",
            "91110000802100433B",
            "豫政〔2019〕1号",
        ),
    ),
    "pct-applications": (
        {
            "pct_number": "pct/cn2019/123456",
            "holder": "鹤壁甲科技有限公司",
            "filing_date": "2019-04-02",
            "search_report_date": "",
        },
        PctApplicationRecord(3, "PCT/CN2019/123456", "鹤壁甲科技有限公司", dt.date(2019, 4, 2)),
    ),
    "certificates": (
        {"certificate_number": "165IP190001R0M", "holder": "鹤壁甲科技有限公司", "issued_on": "20190618"},
        CertificateRecord(3, "165IP190001R0M", "鹤壁甲科技有限公司", dt.date(2019, 6, 18)),
    ),
    "pledge-loans": (
        {
            "contract_number": "ZY2019-001",
            "holder": "鹤壁甲科技有限公司",
            "principal_yuan": "5,000,000",
            "start_date": "2019-03-01",
            "end_date": "2020-02-28",
            "year": "2019",
            "interest_yuan": "240000",
            "valuation_yuan": "20000",
        },
        PledgeLoanRecord(
            3,
            "ZY2019-001",
            "鹤壁甲科技有限公司",
            dt.date(2019, 3, 1),
            principal_yuan=5_000_000,
            end_date=dt.date(2020, 2, 28),
            year=2019,
            interest_yuan=240000,
            valuation_yuan=20000,
        ),
    ),
    "insurance-policies": (
        {
            "policy_number": "PICC-2019-0001",
            "holder": "鹤壁甲科技有限公司",
            "patent_number": "CN201710123456.0",
            "premium_yuan": "12000",
            "start_date": "2019-05-01",
            "insurer": "人保财险",
        },
        InsurancePolicyRecord(
            3,
            "PICC-2019-0001",
            "鹤壁甲科技有限公司",
            "CN201710123456.0",
            12000,
            dt.date(2019, 5, 1),
            insurer="人保财险",
        ),
    ),
    "population": (
        {"region_code": "410611", "year": "2020", "residents": "340,000", "source": "统计公报"},
        PopulationRecord(3, "410611", 2020, 340000, "统计公报"),
    ),
    "holders": (
        {
            "name": "鹤壁市示例科技有限公司",
            "uscc": "91110000802100433B",
            "kind": "企业",
            "region_code": "410611",
            "address": "淇滨区示例路1号",
            "zone_code": "鹤壁经济技术开发区",
            "tags": "中小企业；高新技术企业",
            "tiers": "国家知识产权优势企业:2019; 贯标：2020",
        },
        HolderRecord(
            3,
            "鹤壁市示例科技有限公司",
            "enterprise",
            "91110000802100433B",
            "410611",
            "淇滨区示例路1号",
            "鹤壁经济技术开发区",
            ["sme", "high_tech"],
            [("national_ip_advantage", 2019), ("gbt29490", 2020)],
        ),
    ),
    "trademarks": (
        {
            "registration_number": "12345678",
            "mark": "淇河",
            "nice_classes": "第29类; 30 、31",
            "mark_type": "地理标志证明商标",
            "holder": "淇县淇河鲫鱼协会",
            "filing_date": "2015/3/1",
            "registration_date": "20160507",
            "expiry_date": "2026.05.06",
            "well_known_date": "",
            "status": "注册",
        },
        TrademarkRecord(
            3,
            "12345678",
            "淇河",
            [29, 30, 31],
            "gi_certification",
            "淇县淇河鲫鱼协会",
            dt.date(2015, 3, 1),
            dt.date(2016, 5, 7),
            dt.date(2026, 5, 6),
            None,
            "registered",
        ),
    ),
    "copyrights": (
        {
            "registration_number": "2019SR0123456",
            "title": "示例管理系统V1.0",
            "category": "软件",
            "holder": "某公司",
            "registration_date": "2019-02-15",
        },
        CopyrightRecord(3, "2019SR0123456", "示例管理系统V1.0", "software", "某公司", dt.date(2019, 2, 15)),
    ),
    "plant-varieties": (
        {
            "right_number": "CNA20151234.5",
            "crop": "小麦",
            "variety": "鹤麦1号",
            "holder": "鹤壁市农业科学院",
            "grant_date": "2018-12-28",
        },
        PlantVarietyRecord(3, "CNA20151234.5", "小麦", "鹤麦1号", "鹤壁市农业科学院", dt.date(2018, 12, 28)),
    ),
    "gis": (
        {
            "name": "浚县花生",
            "kind": "农产品地理标志",
            "region_code": "410621",
            "holder": "浚县农业局",
            "registration_number": "AGI01234",
            "registration_date": "2013-12-01",
        },
        GIRecord(
            3, "浚县花生", "agricultural_product", "AGI01234", "410621", "浚县农业局", dt.date(2013, 12, 1)
        ),
    ),
}


def filled_template(kind: str, values: dict[str, str]) -> bytes:
    """The downloaded template with one more row typed in under the example."""
    workbook = load_workbook(io.BytesIO(write_template_xlsx(kind)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    labels = {spec.label_zh: spec.name for spec in CANONICAL_FIELDS[kind]}
    sheet.append(["1", *(values.get(labels[h], "") for h in header[1:])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", KINDS)
def test_template_sheets(kind: str) -> None:
    workbook = load_workbook(io.BytesIO(write_template_xlsx(kind)))
    data, notes = workbook.worksheets
    assert notes.title == "说明"
    header = [cell.value for cell in data[1]]
    assert header == ["序号", *(spec.label_zh for spec in CANONICAL_FIELDS[kind])]
    assert data.cell(row=2, column=1).value == "示例"
    documented = {row[0] for row in notes.iter_rows(values_only=True) if row and row[0]}
    assert {spec.label_zh for spec in CANONICAL_FIELDS[kind]} <= documented


@pytest.mark.parametrize("kind", KINDS)
def test_template_round_trip(kind: str, observed_on: dt.date) -> None:
    if kind == "patents":
        values = {
            "application_number": "CN201910593937.7",
            "title": "计算机进行通用学习的方法",
            "filing_date": "2019-07-03",
            "applicants": "成都天钥科技有限公司",
            "legal_status": "实质审查",
        }
    else:
        values, expected = FILLED[kind]
    parsed = parse_file(filled_template(kind, values), f"{kind}.xlsx", observed_on=observed_on)
    assert parsed.layout.id == kind
    results = list(parsed.results)
    assert results[0] == (2, None)  # the example row is skipped
    row, record = results[1]
    assert row == 3
    if kind == "patents":
        assert isinstance(record, PatentRecord)
        assert record.application_number == "CN201910593937.7"
        assert record.applicants == ["成都天钥科技有限公司"]
    else:
        assert record == expected


@pytest.mark.parametrize(("claims", "reason"), [("²", "不是整数"), ("9" * 20, "过大")])
def test_a_patents_number_of_claims_is_a_whole_number_the_register_can_hold(claims: str, reason: str) -> None:
    values = {
        "application_number": "CN201910593937.7",
        "title": "计算机进行通用学习的方法",
        "filing_date": "2019-07-03",
        "applicants": "成都天钥科技有限公司",
        "claims_count": claims,
    }
    [_example, (row, errors)] = list(parse_file(filled_template("patents", values), "p.xlsx").results)
    assert isinstance(errors, list) and [(e.row, e.column) for e in errors] == [(row, "权利要求数")]
    assert reason in render_row_error(errors[0], "zh_CN")


def test_a_title_as_long_as_a_whole_text_is_refused_at_its_row() -> None:
    values = {
        "application_number": "CN201910593937.7",
        "title": "一种方法" * 300,  # 1,200 characters: an abstract or full text in the title column
        "filing_date": "2019-07-03",
        "applicants": "成都天钥科技有限公司",
    }
    [_example, (row, errors)] = list(parse_file(filled_template("patents", values), "p.xlsx").results)
    assert isinstance(errors, list) and [(e.row, e.column) for e in errors] == [(row, "标题")]
    assert "1,200 个字符" in render_row_error(errors[0], "zh_CN") and len(errors[0].value) < 210
    # A long real title (a few hundred characters) is kept.
    values["title"] = "一种方法" * 100
    [_example, (_row, record)] = list(parse_file(filled_template("patents", values), "p.xlsx").results)
    assert isinstance(record, PatentRecord) and len(record.title) == 400


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "patents"])
def test_example_rows_are_valid(kind: str) -> None:
    """The example row is skipped on import, yet it must itself be a valid row."""
    table = read_table(write_template_xlsx(kind), "t.xlsx")
    layout = detect_layout(table.header)
    assert layout is not None
    parse = layout.parser(table.header)
    [(row, cells)] = list(table.rows)
    cells[0] = "1"
    result = parse(row, cells)
    assert not isinstance(result, list), result


def test_english_headers_are_accepted() -> None:
    csv_text = "region_code,year,residents\n410602,2019,190000\n"
    parsed = parse_file(csv_text.encode(), "population.csv")
    assert parsed.layout.id == "population"
    assert [r for _, r in parsed.results] == [PopulationRecord(2, "410602", 2019, 190000)]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("41061,2019,1000", "行政区划代码"),
        ("410611,1800,1000", "年份"),
        ("410611,2019,-5", "常住人口"),
        ("410611,2019,0", "常住人口"),
        ("410611,,1000", "年份"),
        # ² and ① are digits to Python's isdigit, not numbers int() reads.
        ("410611,²,1000", "年份"),
        ("410611,2019,①②", "常住人口"),
        # More than the database column holds: refused at its row, not at the write.
        ("410611,2019,99999999999999999999999", "常住人口"),
    ],
)
def test_population_rules(line: str, column: str) -> None:
    parsed = parse_file(f"行政区划代码,年份,常住人口\n{line}\n".encode(), "p.csv")
    [(_row, errors)] = list(parsed.results)
    assert isinstance(errors, list)
    assert [e.column for e in errors] == [column]
    assert all(isinstance(e, RowError) and e.row == 2 and e.reason for e in errors)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("uscc", "91110000802100433C"),  # wrong check character
        ("kind", "合作社联盟"),
        ("tags", "中小企业;独角兽"),
        ("tiers", "国家知识产权优势企业"),  # no year
        ("tiers", "宇宙强企:2019"),
        ("region_code", "4106"),
    ],
)
def test_holder_rules(field: str, value: str) -> None:
    values = dict(FILLED["holders"][0], **{field: value})
    [_example, (_row, errors)] = list(parse_file(filled_template("holders", values), "h.xlsx").results)
    assert isinstance(errors, list) and len(errors) == 1
    labels = {spec.name: spec.label_zh for spec in CANONICAL_FIELDS["holders"]}
    assert errors[0].column == labels[field]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("trademarks", "nice_classes", "9;46"),
        ("trademarks", "mark_type", "奇怪商标"),
        ("trademarks", "status", "失踪"),
        ("trademarks", "registration_date", "2016-02-30"),
        ("trademarks", "mark", ""),
        ("copyrights", "category", "雕塑"),
        ("gis", "kind", "名优特产"),
        ("plant-varieties", "variety", ""),
    ],
)
def test_other_kind_rules(kind: str, field: str, value: str) -> None:
    values = dict(FILLED[kind][0], **{field: value})
    [_example, (_row, errors)] = list(parse_file(filled_template(kind, values), "x.xlsx").results)
    assert isinstance(errors, list) and len(errors) == 1
    labels = {spec.name: spec.label_zh for spec in CANONICAL_FIELDS[kind]}
    assert errors[0].column == labels[field]


def test_work_categories() -> None:
    values = dict(FILLED["copyrights"][0], category="美术作品")
    [_example, (_row, record)] = list(parse_file(filled_template("copyrights", values), "c.xlsx").results)
    assert isinstance(record, CopyrightRecord) and record.category == "work"


def test_mapping_validation() -> None:
    with pytest.raises(ValidationFailed):
        layout_from_mapping("ships", {"name": "名称"}, "x")
    with pytest.raises(ValidationFailed, match="不是"):
        layout_from_mapping(
            "population", {"region_code": "代码", "year": "年", "residents": "人", "gdp": "GDP"}, "x"
        )
    with pytest.raises(ValidationFailed, match="常住人口"):
        layout_from_mapping("population", {"region_code": "代码", "year": "年"}, "x")
    with pytest.raises(ValidationFailed):
        layout_from_mapping("population", {"region_code": "代码", "year": "年", "residents": "人"}, " ")
    with pytest.raises(InvalidFile, match="人口数"):
        layout_from_mapping(
            "population",
            {"region_code": "代码", "year": "年", "residents": "人口数"},
            "x",
            header=["代码", "年", "人"],
        )
    layout = layout_from_mapping(
        "population", {"region_code": "代码", "year": "年", "residents": "人口数"}, "统计局 2020"
    )
    assert layout.id == "mapping:统计局-2020"
    with pytest.raises(InvalidFile):  # the mapped column is checked again when a file comes
        layout.parser(["代码", "年", "人"])
    parse = layout.parser(["年", "代码", "人口数", "备注"])
    assert parse(2, ["2020", "410622", "200000", ""]) == PopulationRecord(2, "410622", 2020, 200000)


def test_unknown_template_kind() -> None:
    with pytest.raises(ValidationFailed):
        write_template_xlsx("ships")


@pytest.mark.parametrize("code", ["410611.0", "410611.00", "４１０６１１.０"])
def test_a_region_code_written_as_a_whole_decimal_is_the_six_digit_code(code: str) -> None:
    # A code typed in a number cell, saved as text by the spreadsheet or the tool that made
    # the file (the year 2019.0 beside it was read so already).
    workbook = load_workbook(io.BytesIO(write_template_xlsx("population")))
    sheet = workbook.worksheets[0]
    sheet.append(["1", code, "2019.0", "340000"])
    sheet.append(["2", 410621.0, 2019.0, 700000.0])  # the number cells themselves
    out = io.BytesIO()
    workbook.save(out)
    results = [r for _, r in parse_file(out.getvalue(), "population.xlsx").results if r is not None]
    assert results == [
        PopulationRecord(3, "410611", 2019, 340000),
        PopulationRecord(4, "410621", 2019, 700000),
    ]
    csv_file = f"行政区划代码,年份,常住人口\n{code},2019,340000\n".encode()
    assert [r for _, r in parse_file(csv_file, "p.csv").results] == [
        PopulationRecord(2, "410611", 2019, 340000)
    ]


@pytest.mark.parametrize("code", ["410611.5", "41061.0", ".0", "410611.0.0"])
def test_a_region_code_with_a_fraction_or_too_few_digits_is_still_refused(code: str) -> None:
    [(_row, errors)] = list(
        parse_file(f"行政区划代码,年份,常住人口\n{code},2019,1000\n".encode(), "p.csv").results
    )
    assert isinstance(errors, list) and [e.column for e in errors] == ["行政区划代码"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", ["label_zh", "name", "label_en"])
@pytest.mark.parametrize("row_label", [False, True])
def test_a_template_reduced_to_its_required_columns_is_recognised_as_itself(
    kind: str, form: str, row_label: bool
) -> None:
    # 名称、类型、登记号 are the required columns of the geographical-indication template, and
    # also spellings the copyright template accepts (类型 for its 类别): the template whose
    # own labels they are is the one meant.
    header = [getattr(spec, form) for spec in CANONICAL_FIELDS[kind] if spec.required]
    if row_label:
        header = ["序号", *header]
    for order in (header, header[::-1]):
        layout = detect_layout(order)
        assert layout is not None and layout.id == kind, (order, layout and layout.id)


def test_a_gi_file_of_its_required_columns_imports_as_geographical_indications() -> None:
    parsed = parse_file("名称,类型,登记号\n浚县花生,地理标志证明商标,12345679\n".encode(), "gi.csv")
    assert parsed.layout.id == "gis"
    assert [r for _, r in parsed.results] == [
        GIRecord(2, "浚县花生", "gi_certification_mark", "12345679", None, None, None)
    ]
