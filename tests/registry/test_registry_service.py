"""The registry's read and edit use-cases on imported real exports: one patent with its
holders in order and its status history, a holder's portfolio, a region, exports in CSV
and XLSX read back against the search, and an officer's edit of a holder within its region
scope, with the audit entry it writes."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import shared_file
from openpyxl import load_workbook
from registry_testkit import OFFICER, audit_length, dump_database, raw_rows
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.audit import AuditEntry, verify
from ipcity.auth.roles import PUBLIC, Actor
from ipcity.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from ipcity.places.models import Zone
from ipcity.registry.importing import run_import
from ipcity.registry.models import Holder
from ipcity.registry.normalize import normalize_name
from ipcity.registry.numbers import parse_application_number
from ipcity.registry.service import (
    PatentQuery,
    export_patents,
    get_holder,
    get_patent,
    get_region,
    search_patents,
    update_holder,
)

OBSERVED = date(2024, 6, 30)
HENAN = "henan_sample_10_62cols.csv"
IFLYTEK = "incopat_iflytek_cn_3816.csv.gz"
INSTITUTE = "中科大数据研究院"


def _date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@pytest.fixture
def registry(session: Session, tmp_path: Path) -> Session:
    """The 62-column export (one Zhengzhou institute, with addresses) and the first 400
    rows of the iFlytek export (co-applicants, designs, abstracts)."""
    run_import(session, OFFICER, shared_file("patents_cn", HENAN), observed_on=OBSERVED)
    path = shared_file("patents_cn", IFLYTEK)
    rows = list(csv.reader(io.StringIO(_text(path), newline="")))[:401]
    subset = tmp_path / "iflytek_400.csv"
    with subset.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    run_import(session, OFFICER, subset, observed_on=OBSERVED)
    return session


def _text(path: Path) -> str:
    from registry_testkit import raw_text

    return raw_text(path)


def holder_named(session: Session, name: str) -> Holder:
    found = session.scalar(select(Holder).where(Holder.normalized_name == normalize_name(name)))
    assert found is not None
    return found


def last_audit(session: Session) -> AuditEntry:
    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None
    return entry


# --------------------------------------------------------------------------- one patent


def test_get_patent_with_holders_in_order(registry: Session) -> None:
    detail = get_patent(registry, PUBLIC, "CN201710667329.7")
    assert [(h.position, h.name) for h in detail.holders] == [
        (0, "北京京东尚科信息技术有限公司"),
        (1, "科大讯飞股份有限公司"),
    ]
    assert detail.first_holder == "北京京东尚科信息技术有限公司"
    assert detail.title == "音箱腔体及具有所述音箱腔体的音箱"
    assert detail.abstract and detail.abstract.startswith("本发明涉及一种音箱腔体")
    assert detail.patent_type == "invention" and detail.patent_type_label == "发明"
    # Three applicants, in the order filed.
    three = get_patent(registry, PUBLIC, "CN202211551967.X")
    assert [h.name for h in three.holders] == [
        "河北省讯飞人工智能研究院",
        "科大讯飞股份有限公司",
        "科大讯飞（北京）有限公司",
    ]


def test_get_patent_status_history_and_publications(registry: Session) -> None:
    row = next(c for _, c in raw_rows(shared_file("patents_cn", HENAN)) if c["申请号"] == "CN202211359874.7")
    detail = get_patent(registry, OFFICER, "CN202211359874.7")
    assert sorted(p.number for p in detail.publications) == sorted([row["公开号"], row["授权公告号"]])
    assert detail.grant_date == _date(row["授权公告日"])
    assert [(e.status, e.date) for e in detail.status_history if e.status == "granted"] == [
        ("granted", date(2024, 4, 5))
    ]
    assert detail.status == "granted" and detail.status_label == "授权"
    assert detail.in_force_today is (clock.today() < date(2042, 11, 2))
    assert detail.term_end == date(2042, 11, 2)
    assert detail.inventors == ["李玺", "康锐文", "冯凯", "王元卓"]
    # A pending application: examination, not in force.
    pending = get_patent(registry, OFFICER, "CN202310605823.6")
    assert pending.status == "examination" and not pending.in_force_today
    assert pending.grant_date is None and pending.term_end == date(2043, 5, 23)


@pytest.mark.parametrize(
    "spelling",
    ["CN202211359874.7", "cn202211359874.7", "ZL202211359874.7", "202211359874.7", "2022113598747"],
)
def test_get_patent_by_any_spelling_of_the_number(registry: Session, spelling: str) -> None:
    assert get_patent(registry, PUBLIC, spelling).application_number == "CN202211359874.7"


def test_get_patent_by_id_and_unknown_numbers(registry: Session) -> None:
    detail = get_patent(registry, PUBLIC, "CN202223220665.2")
    assert get_patent(registry, PUBLIC, detail.id).application_number == "CN202223220665.2"
    assert get_patent(registry, PUBLIC, str(detail.id)).id == detail.id
    for unknown in ("CN202223220665.3", "CN209999999999.9", "no such number", 10**9):
        with pytest.raises(NotFound):
            get_patent(registry, PUBLIC, unknown)


# --------------------------------------------------------------------------- a holder


def test_get_holder_portfolio(registry: Session) -> None:
    rows = [c for _, c in raw_rows(shared_file("patents_cn", HENAN))]
    by_type = Counter(parse_application_number(c["申请号"]).patent_type for c in rows)
    by_year: dict[int, Counter[str]] = {}
    for c in rows:
        by_year.setdefault(int(c["申请日"][:4]), Counter())[
            parse_application_number(c["申请号"]).patent_type
        ] += 1
    holder = holder_named(registry, INSTITUTE)
    detail = get_holder(registry, PUBLIC, holder.id)
    assert detail.name == INSTITUTE and detail.patents == 10
    assert detail.counts_by_type == dict(by_type) == {"utility_model": 7, "invention": 3}
    assert detail.counts_by_year == {y: dict(c) for y, c in sorted(by_year.items())}
    # The one invention granted (2024-04-05) and in force; the other two are pending.
    assert detail.invention_patents_in_force == 1
    assert detail.address == "450000河南省郑州市郑东新区中道东路6号创意岛大厦8层"
    assert (
        detail.trademarks,
        detail.copyrights,
        detail.plant_varieties,
        detail.geographical_indications,
    ) == (
        0,
        0,
        0,
        0,
    )
    # Co-owned patents count for every holder.
    iflytek = get_holder(registry, PUBLIC, holder_named(registry, "科大讯飞股份有限公司").id)
    subset = list(csv.DictReader(io.StringIO(_text(shared_file("patents_cn", IFLYTEK)), newline="")))[:400]
    owned = [c for c in subset if "科大讯飞股份有限公司" in c["申请人"].split("; ")]
    assert iflytek.patents == len(owned)
    # Inventions in force, from the status the export gives (有效), most without a grant date
    # in this export (an A publication marked 有效), within their 20 years.
    in_force = [
        c
        for c in owned
        if c["申请号"].startswith("CN")
        and parse_application_number(c["申请号"]).patent_type == "invention"
        and c["专利有效性"] == "有效"
        and clock.today() < date.fromisoformat(c["申请日"]).replace(year=int(c["申请日"][:4]) + 20)
    ]
    assert sum(1 for c in in_force if c["公开类型"] != "发明授权") > 0
    assert iflytek.invention_patents_in_force == len(in_force)
    with pytest.raises(NotFound):
        get_holder(registry, PUBLIC, 10**9)


def test_private_fields_are_for_officers_and_the_holder(registry: Session) -> None:
    holder = holder_named(registry, INSTITUTE)
    update_holder(
        registry, OFFICER, holder.id, {"region_code": "410105", "tags": ["high_tech", " high_tech", ""]}
    )
    assert get_holder(registry, OFFICER, holder.id).tags == ["high_tech"]  # each tag once
    assert get_holder(registry, PUBLIC, holder.id).tags == []
    bound = Actor(username="institute", role="enterprise", holder_id=holder.id)
    assert get_holder(registry, bound, holder.id).private_visible
    other = Actor(username="other", role="enterprise", holder_id=holder.id + 1)
    assert not get_holder(registry, other, holder.id).private_visible
    county = Actor(username="jinshui", role="county_officer", region_code="410105")
    assert get_holder(registry, county, holder.id).private_visible
    far = Actor(username="qibin", role="county_officer", region_code="410611")
    assert not get_holder(registry, far, holder.id).private_visible


# --------------------------------------------------------------------------- a region


def test_get_region(registry: Session) -> None:
    holder = holder_named(registry, INSTITUTE)
    empty = get_region(registry, PUBLIC, "410105")
    assert (empty.holders, empty.patents) == (0, 0)
    update_holder(registry, OFFICER, holder.id, {"region_code": "410105"})
    for code in ("410105", "410100", "410000"):
        region = get_region(registry, PUBLIC, code)
        assert region.holders == 1 and region.patents == 10, code
        assert region.counts["utility_model"] == 7 and region.counts["invention"] == 3
        assert [h.name for h in region.top_holders] == [INSTITUTE]
    county = get_region(registry, PUBLIC, "410105")
    assert county.name == "金水区" and county.level == "county" and county.parent_code == "410100"
    assert county.name_en == "Jinshui District"
    city = get_region(registry, PUBLIC, "410100")
    assert {"code": "410105", "name": "金水区", "name_en": "Jinshui District"} in city.children
    hebi = get_region(registry, PUBLIC, "410600")
    assert hebi.population[2020] == 1565973 and hebi.patents == 0
    for unknown in ("999999", "410699"):
        with pytest.raises(NotFound):
            get_region(registry, PUBLIC, unknown)


# --------------------------------------------------------------------------- exports


def _search_rows(session: Session, query: PatentQuery) -> list[list[str]]:
    out: list[list[str]] = []
    page = 1
    while True:
        query.page, query.per_page = page, 200
        result = search_patents(session, PUBLIC, query)
        for item in result.items:
            out.append(
                [
                    item.application_number,
                    item.jurisdiction,
                    item.patent_type_label or "",
                    item.title,
                    item.filing_date.isoformat() if item.filing_date else "",
                    item.grant_date.isoformat() if item.grant_date else "",
                    item.ipc_main or "",
                    item.first_holder or "",
                    item.status_label or "",
                ]
            )
        if page * 200 >= result.total:
            return out
        page += 1


HEADER_ZH = [
    "申请号",
    "国家/地区",
    "专利类型",
    "名称",
    "申请日",
    "授权日",
    "IPC主分类",
    "第一权利人",
    "当前法律状态",
]


@pytest.mark.parametrize(
    "query",
    [
        PatentQuery(sort="application_number"),
        PatentQuery(q="语音", sort="-filing_date"),
        PatentQuery(patent_type="design", status="in_force", sort="grant_date"),
        PatentQuery(q="识别", sort="relevance"),
    ],
    ids=["all", "fulltext", "designs-in-force", "relevance"],
)
def test_export_csv_and_xlsx_match_the_search(registry: Session, query: PatentQuery) -> None:
    expected = _search_rows(registry, PatentQuery(**{**query.__dict__}))
    assert expected

    data = export_patents(registry, PUBLIC, PatentQuery(**{**query.__dict__}), "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER_ZH
    assert rows[1:] == expected

    book = load_workbook(
        io.BytesIO(export_patents(registry, PUBLIC, PatentQuery(**{**query.__dict__}), "xlsx"))
    )
    sheet = book.worksheets[0]
    assert sheet.title == "专利"
    cells = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == HEADER_ZH
    assert cells[1:] == expected


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()  # type: ignore[no-any-return]
    return str(value)


def test_export_in_english(registry: Session) -> None:
    data = export_patents(registry, PUBLIC, PatentQuery(sort="application_number"), "csv", locale="en")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["Application number", "Office", "Type"]
    # Labels follow the language, as in the Chinese export (codes are for the API).
    assert {r[2] for r in rows[1:]} == {"Invention", "Utility model", "Design"}
    statuses = {r[8] for r in rows[1:]}
    assert "Granted" in statuses and not any(re.search(r"[\u4e00-\u9fff]", s) for s in statuses)


# --------------------------------------------------------------------------- editing a holder


@pytest.fixture
def qibin_holder(registry: Session) -> Holder:
    """A holder an officer placed in 淇滨区 (Hebi)."""
    holder = holder_named(registry, "科大讯飞股份有限公司")
    update_holder(registry, OFFICER, holder.id, {"region_code": "410611"})
    return holder


def test_update_holder_writes_an_audit_entry(registry: Session, engine: Engine) -> None:
    holder = holder_named(registry, INSTITUTE)
    zone_id = registry.scalar(select(Zone.id).where(Zone.code == "hebi_etdz"))
    before = audit_length(engine)
    detail = update_holder(
        registry,
        OFFICER,
        holder.id,
        {
            "kind": "institute",
            "region_code": "410105",
            "zone_code": "hebi_etdz",
            "tags": ["high_tech", " sme ", ""],
            "tiers": [("national_ip_advantage", 2021)],
        },
    )
    assert (
        detail.kind == "institute" and detail.region_code == "410105" and detail.tags == ["high_tech", "sme"]
    )
    assert detail.tiers == [("national_ip_advantage", 2021)]
    assert audit_length(engine) == before + 1
    entry = last_audit(registry)
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        OFFICER.username,
        "holder.update",
        "holder",
        str(holder.id),
    )
    assert entry.detail["before"]["region_code"] is None and entry.detail["before"]["kind"] == "institute"
    assert entry.detail["after"]["region_code"] == "410105" and entry.detail["after"]["zone_id"] == zone_id
    assert entry.detail["after"]["tags"] == ["high_tech", "sme"]
    assert entry.detail["before"]["tiers"] == [] and entry.detail["after"]["tiers"] == [
        ["national_ip_advantage", 2021]
    ]
    assert verify(registry).ok


def test_county_officer_edits_only_its_county(
    registry: Session, engine: Engine, qibin_holder: Holder
) -> None:
    qibin = Actor(username="qibin-officer", role="county_officer", region_code="410611")
    xun = Actor(username="xun-officer", role="county_officer", region_code="410621")
    # Its own county's holder: allowed, and audited under its name.
    detail = update_holder(
        registry, qibin, qibin_holder.id, {"tags": ["sme"], "address": "河南省鹤壁市淇滨区淇河路1号"}
    )
    assert detail.tags == ["sme"]
    assert last_audit(registry).actor == "qibin-officer"

    before, audits = dump_database(engine), audit_length(engine)
    # Another county's officer cannot touch it …
    with pytest.raises(PermissionDenied):
        update_holder(registry, xun, qibin_holder.id, {"tags": []})
    # … nor a holder outside any county it knows (the Zhengzhou institute has no region) …
    with pytest.raises(PermissionDenied):
        update_holder(registry, qibin, holder_named(registry, INSTITUTE).id, {"kind": "institute"})
    # … and its own officer cannot move it out of the county, even with other changes.
    with pytest.raises(PermissionDenied):
        update_holder(registry, qibin, qibin_holder.id, {"kind": "university", "region_code": "410621"})
    registry.commit()  # whatever the session still held must not reach the database
    assert dump_database(engine) == before
    assert audit_length(engine) == audits
    assert registry.get(Holder, qibin_holder.id).kind == "enterprise"  # type: ignore[union-attr]


def test_update_holder_refuses_bad_values_and_other_roles(registry: Session, engine: Engine) -> None:
    holder = holder_named(registry, INSTITUTE)
    before = dump_database(engine)
    for changes in (
        {"kind": "company"},
        {"region_code": "999999"},
        {"zone_code": "no_such_zone"},
        {"tags": ["sme"], "region_code": "410699"},
    ):
        with pytest.raises(ValidationFailed):
            update_holder(registry, OFFICER, holder.id, changes)
    with pytest.raises(NotAuthenticated):
        update_holder(registry, PUBLIC, holder.id, {"kind": "institute"})
    with pytest.raises(PermissionDenied):
        update_holder(
            registry,
            Actor(username="e", role="enterprise", holder_id=holder.id),
            holder.id,
            {"kind": "other"},
        )
    with pytest.raises(NotFound):
        update_holder(registry, OFFICER, 10**9, {"kind": "other"})
    registry.commit()
    assert dump_database(engine) == before
