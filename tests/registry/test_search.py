"""The patent search (``registry.service.search_patents``) on imported real exports: Chinese
full text, every filter, sorting and paging. Each expectation is computed from the raw
file with the csv module, not from the code under test."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import shared_file
from openpyxl import load_workbook
from registry_testkit import OFFICER, raw_rows, raw_text
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import PUBLIC
from ipcity.errors import ValidationFailed
from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.importing import run_import
from ipcity.registry.models import Holder
from ipcity.registry.normalize import normalize_name
from ipcity.registry.numbers import normalize_application_number, parse_application_number
from ipcity.registry.service import PatentQuery, search_patents

OBSERVED = date(2024, 6, 30)
TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 10}
NOT_A_WORD = re.compile(r"[^\w]+")


@dataclass
class Row:
    """What the raw export says about one application."""

    number: str
    title: str
    patent_type: str
    filing: date
    status: str  # the export's own text: 有效 / 公开 / 驳回 / 无效 / 撤回
    applicants: list[str]
    ipc: list[str] = field(default_factory=list)
    abstract: str = ""

    @property
    def text(self) -> str:
        """Title and abstract as the search sees them: punctuation and spaces dropped."""
        return NOT_A_WORD.sub("", self.title + "。" + self.abstract)


def _date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _sample(name: str, step: int, out: Path, skip: set[str]) -> list[Row]:
    """Every ``step``-th row of a real Patentics export, written to ``out`` as a CSV."""
    text = raw_text(shared_file("patents_cn", name))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    chosen = [r for r in list(reader)[::step] if r[header.index("申请号")] not in skip]
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *chosen])
    rows = []
    for _, cells in raw_rows(out):
        number = normalize_application_number(cells["申请号"])
        rows.append(
            Row(
                number=number,
                title=cells["标题"],
                patent_type=parse_application_number(number).patent_type,
                filing=_date(cells["申请日"]),
                status=cells["法律状态"],
                applicants=[a.strip() for a in cells["申请人"].split("|") if a.strip()],
                ipc=[c.replace(" ", "") for c in cells["国际分类"].split("|") if c.strip()]
                + [cells["国际主分类"].replace(" ", "")],
            )
        )
    return rows


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Row]]:
    folder = tmp_path_factory.mktemp("search")
    vr = _sample("patentics_cn_virtual_reality_7805.csv.gz", 5, folder / "vr.csv", set())
    ar = _sample(
        "patentics_cn_augmented_reality_4483.csv.gz",
        5,
        folder / "ar.csv",
        {r.number for r in vr},
    )
    return [folder / "vr.csv", folder / "ar.csv"], vr + ar


HOLDER_LIST = [
    # An officer's list: the Zhengzhou institute of the 62-column export in 金水区.
    {"名称": "中科大数据研究院", "行政区划代码": "410105"},
    # An address alone: it locates to 南山区 (440305).
    {"名称": "深圳市虚拟现实科技有限公司", "地址": "广东省深圳市南山区粤海街道高新南九道10号"},
    # A holder in a Hebi zone, given by the zone's code.
    {"名称": "深圳多哚新技术有限责任公司", "行政区划代码": "410671", "园区": "hebi_etdz"},
]


@dataclass
class Corpus:
    rows: list[Row]
    by_number: dict[str, Row]


@pytest.fixture
def corpus(session: Session, sample_files: tuple[list[Path], list[Row]], tmp_path: Path) -> Corpus:
    files, rows = sample_files
    for path in [*files, shared_file("patents_cn", "henan_sample_10_62cols.csv")]:
        run_import(session, OFFICER, path, observed_on=OBSERVED)
    book = load_workbook(io.BytesIO(write_template_xlsx("holders")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for item in HOLDER_LIST:
        sheet.append([item.get(h) for h in header])
    book.save(tmp_path / "holders.xlsx")
    result = run_import(session, OFFICER, tmp_path / "holders.xlsx")
    assert (result.updated, result.rejected) == (3, 0)
    henan = [
        Row(
            number=normalize_application_number(c["申请号"]),
            title=c["专利名称"],
            patent_type=parse_application_number(c["申请号"]).patent_type,
            filing=_date(c["申请日"]),
            status=c["法律状态"],
            applicants=[c["申请人"]],
            abstract=c["申请摘要"],
        )
        for _, c in raw_rows(shared_file("patents_cn", "henan_sample_10_62cols.csv"))
    ]
    everything = rows + henan
    return Corpus(everything, {r.number: r for r in everything})


def numbers(session: Session, **filters: object) -> list[str]:
    """Every application number a search returns, page by page, in order."""
    out: list[str] = []
    page = 1
    while True:
        result = search_patents(session, PUBLIC, PatentQuery(per_page=200, page=page, **filters))  # type: ignore[arg-type]
        out.extend(item.application_number for item in result.items)
        if page * 200 >= result.total:
            assert len(out) == result.total
            return out
        page += 1


def holder_id(session: Session, name: str) -> int:
    found = session.scalar(select(Holder.id).where(Holder.normalized_name == normalize_name(name)))
    assert found is not None
    return found


# --------------------------------------------------------------------------- full text


def test_full_text_in_chinese(session: Session, corpus: Corpus) -> None:
    for query in ("虚拟现实", "全景", "头盔", "虚拟现实 头盔", "手势识别", "无人机", "眼镜"):
        words = query.split()
        expected = {r.number for r in corpus.rows if all(w in r.text for w in words)}
        assert expected, query  # every query finds something in the real titles and abstracts
        found = numbers(session, q=query)
        assert len(found) == len(set(found)), query
        assert set(found) == expected, query


def test_full_text_matches_words_not_scattered_characters(session: Session, corpus: Corpus) -> None:
    # Titles with 虚拟 and 现实 apart ("虚拟与现实", "现实…虚拟") are not 虚拟现实.
    apart = {
        r.number for r in corpus.rows if "虚拟" in r.text and "现实" in r.text and "虚拟现实" not in r.text
    }
    assert apart
    assert apart.isdisjoint(numbers(session, q="虚拟现实"))
    # Two words: both required, anywhere.
    assert apart <= set(numbers(session, q="现实 虚拟"))


# --------------------------------------------------------------------------- filters


def _in_force_today(row: Row) -> bool:
    if row.status not in ("有效", "有权-审定授权"):
        return False
    years = TERM_YEARS[row.patent_type]
    today = clock.today()
    try:
        end = row.filing.replace(year=row.filing.year + years)
    except ValueError:
        end = date(row.filing.year + years, 3, 1)
    return today < end


def test_filter_by_type(session: Session, corpus: Corpus) -> None:
    for patent_type in ("invention", "utility_model", "design"):
        expected = {r.number for r in corpus.rows if r.patent_type == patent_type}
        assert set(numbers(session, patent_type=patent_type)) == expected


def test_filter_by_status(session: Session, corpus: Corpus) -> None:
    in_force = {r.number for r in corpus.rows if _in_force_today(r)}
    # Patentics' 其他 says nothing: no status event, so the application counts as pending.
    pending = {r.number for r in corpus.rows if r.status in ("公开", "其他", "审中-实质审查")}
    ended = {r.number for r in corpus.rows} - in_force - pending
    assert in_force and pending and ended
    assert set(numbers(session, status="in_force")) == in_force
    assert set(numbers(session, status="pending")) == pending
    assert set(numbers(session, status="ended")) == ended
    # Ended by the export's word, or by the end of the legal term since.
    assert {r.number for r in corpus.rows if r.status in ("驳回", "撤回", "无效")} <= ended
    assert set(numbers(session, status="rejected")) == {r.number for r in corpus.rows if r.status == "驳回"}


def test_filter_by_ipc_prefix(session: Session, corpus: Corpus) -> None:
    for prefix in ("G06T19", "G02B27/01", "A63F13", "H04N"):
        expected = {r.number for r in corpus.rows if any(code.startswith(prefix) for code in r.ipc)}
        henan = {r.number for r in corpus.rows if not r.ipc}
        assert expected
        assert set(numbers(session, ipc=prefix)) - henan == expected
    assert set(numbers(session, ipc="g06t 19")) == set(numbers(session, ipc="G06T19"))
    assert set(numbers(session, ipc="Ｇ０６Ｔ１９")) == set(numbers(session, ipc="G06T19"))  # full-width
    # A prefix of a symbol, not any part of one: anything else is refused in one sentence
    # naming the field (it could only find nothing), LIKE wildcards included.
    for bad in ("06T19", "T19/00", "G06_", "%", "bad!!"):
        with pytest.raises(ValidationFailed, match="IPC分类号应为分类号或其开头部分"):
            numbers(session, ipc=bad)


def test_filter_by_year_and_holder(session: Session, corpus: Corpus) -> None:
    for year in (2016, 2020, 2021):
        assert set(numbers(session, year=year)) == {r.number for r in corpus.rows if r.filing.year == year}
    for name in ("北京小鸟看看科技有限公司", "歌尔科技有限公司", "中科大数据研究院"):
        expected = {r.number for r in corpus.rows if name in r.applicants}
        assert expected
        assert set(numbers(session, holder_id=holder_id(session, name))) == expected


def test_filter_by_region_and_zone(session: Session, corpus: Corpus) -> None:
    def first_named(name: str) -> set[str]:
        return {r.number for r in corpus.rows if r.applicants and r.applicants[0] == name}

    zhengzhou = first_named("中科大数据研究院")
    hebi = first_named("深圳多哚新技术有限责任公司")  # placed in Hebi's development zone
    assert len(zhengzhou) == 10 and hebi
    for code in ("410105", "410100"):  # the county, its city
        assert set(numbers(session, region=code)) == zhengzhou
    assert set(numbers(session, region="410000")) == zhengzhou | hebi  # the province
    assert numbers(session, region="410102") == []

    shenzhen = first_named("深圳市虚拟现实科技有限公司")
    assert shenzhen
    for code in ("440305", "440300", "440000"):
        assert set(numbers(session, region=code)) == shenzhen

    assert set(numbers(session, zone="hebi_etdz")) == hebi
    assert set(numbers(session, region="410600")) == hebi
    assert numbers(session, zone="hebi_agri_park") == []
    # Filters combine.
    combined = {n for n in hebi if corpus.by_number[n].patent_type == "invention"}
    assert set(numbers(session, zone="hebi_etdz", patent_type="invention")) == combined


def test_filter_values_are_checked(session: Session) -> None:
    for bad in (
        PatentQuery(patent_type="patent"),
        PatentQuery(status="alive"),
        PatentQuery(sort="title"),
        PatentQuery(per_page=0),
        PatentQuery(page=0),
        PatentQuery(year=1850),
        PatentQuery(region="4106"),
    ):
        with pytest.raises(ValidationFailed):
            search_patents(session, PUBLIC, bad)


# --------------------------------------------------------------------------- order and pages


def test_sorting(session: Session, corpus: Corpus) -> None:
    def in_number_order(n: str) -> str:
        # The old CN form (CN98104065.9) as its 12-digit counterpart (CN199810004065.9).
        if len(n) != 12 or not n.startswith("CN"):
            return n
        return f"CN{'19' if n[2:4] >= '85' else '20'}{n[2:5]}00{n[5:]}"

    assert numbers(session, sort="application_number") == sorted(
        (r.number for r in corpus.rows), key=in_number_order
    )
    newest = search_patents(session, PUBLIC, PatentQuery(sort="-filing_date", per_page=200))
    dates = [i.filing_date for i in newest.items]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == max(r.filing for r in corpus.rows)
    oldest = search_patents(session, PUBLIC, PatentQuery(sort="filing_date", per_page=50))
    assert oldest.items[0].filing_date == min(r.filing for r in corpus.rows)
    # Ties keep one stable order: newest record first.
    for a, b in zip(newest.items, newest.items[1:], strict=False):
        if a.filing_date == b.filing_date:
            assert a.id > b.id
    # Sorting by grant date puts the patents without a grant last, on both databases.
    granted = search_patents(session, PUBLIC, PatentQuery(sort="-grant_date", per_page=100))
    grant_dates = [i.grant_date for i in granted.items]
    assert None not in grant_dates and grant_dates == sorted(grant_dates, reverse=True)
    earliest = search_patents(session, PUBLIC, PatentQuery(sort="grant_date", per_page=100))
    assert None not in [i.grant_date for i in earliest.items]
    # Relevance orders the same set as any other order.
    assert set(numbers(session, q="头盔", sort="relevance")) == set(numbers(session, q="头盔"))


def test_pagination(session: Session, corpus: Corpus) -> None:
    total = len(corpus.rows)
    seen: list[str] = []
    page = 1
    while True:
        result = search_patents(session, PUBLIC, PatentQuery(per_page=37, page=page))
        assert result.total == total and result.page == page and result.per_page == 37
        if not result.items:
            break
        assert len(result.items) == (37 if page * 37 <= total else total - (page - 1) * 37)
        seen.extend(i.application_number for i in result.items)
        page += 1
    assert page - 1 == -(-total // 37)
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == set(corpus.by_number)
    # A filtered search pages the same way.
    q = search_patents(session, PUBLIC, PatentQuery(q="虚拟现实", per_page=10, page=3))
    assert q.total == len(numbers(session, q="虚拟现实")) and len(q.items) == 10
