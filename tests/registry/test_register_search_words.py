"""The other registers' search and holder filter.

* The search words are read as the patent search reads them: half-width (what a Chinese
  input method types), Latin letters in any case, words separated by spaces all required,
  each anywhere in the name or the number; a number typed with spaces or in full width is
  found as that number. "%" and "_" stay text (test_registers.py); punctuation alone finds
  nothing.
* A register or the patent search opened from a holder's page (``holder_id=``) names the
  holder it is limited to, with a link that drops that filter and keeps the others; an
  unknown holder is refused (a register: as an unknown region is; the patent search: 404).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import PUBLIC
from ipcity.errors import ValidationFailed
from ipcity.registry import assets
from ipcity.registry.models import Copyright, GeographicalIndication, Holder, PlantVariety, Trademark

HOLDER = "河南柘钧实业有限公司"
OTHER = "鹤壁垚策科技有限公司"


@pytest.fixture
def records(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Two holders, each with a few entries in every register (names and numbers of the
    demo's kind), and decoys that hold some of the words but not all."""
    now = datetime.now(UTC)
    with session_factory() as session:
        holders = [
            Holder(name=name, normalized_name=name, kind="enterprise", created_at=now, updated_at=now)
            for name in (HOLDER, OTHER)
        ]
        session.add_all(holders)
        session.flush()
        mine, other = holders[0].id, holders[1].id
        marks = [
            ("986641702", "柘钧ZHEJUN", mine),
            ("919023697", "柘钧及图", mine),
            ("984969487", "垚策及图", other),
            ("970317798", "垚策YAOCE", other),
            ("912561440", "垚策", other),
        ]
        for number, mark, holder in marks:
            session.add(
                Trademark(
                    registration_number=number,
                    mark=mark,
                    holder_id=holder,
                    registration_date=date(2021, 3, 1),
                    content_hash=number,
                )
            )
        works = [
            ("2025SR9978912", "澄策生产执行管理系统V1.0", "software", mine),
            ("豫作登字-2022-F-90033732", "澄策吉祥物形象设计", "work", mine),
            ("2024SR9912345", "鹤壁仓储管理系统V2.0", "software", other),
        ]
        for number, title, category, holder in works:
            session.add(
                Copyright(
                    registration_number=number,
                    title=title,
                    category=category,
                    holder_id=holder,
                    registration_date=date(2022, 5, 1),
                    content_hash=number,
                )
            )
        for number, variety, holder in (
            ("CNA20209263.1", "澄穗玉36", mine),
            ("CNA20209264.X", "淇丰1号", other),
        ):
            session.add(
                PlantVariety(
                    right_number=number,
                    crop="玉米",
                    variety=variety,
                    holder_id=holder,
                    grant_date=date(2021, 6, 1),
                    content_hash=number,
                )
            )
        for number, name, holder in (("AGI90001", "浚县花生", mine), ("AGI90002", "淇河鲫鱼", other)):
            session.add(
                GeographicalIndication(
                    registration_number=number,
                    name=name,
                    kind="agricultural_product",
                    holder_id=holder,
                    registration_date=date(2020, 1, 1),
                    content_hash=number,
                )
            )
        session.commit()
        return {"mine": mine, "other": other}


def _found(session: Session, kind: str, q: str) -> list[str]:
    page = assets.list_assets(session, PUBLIC, kind, q=q, per_page=200)
    assert page.total == len(page.items)
    return sorted(item.number for item in page.items)


@pytest.mark.parametrize(
    ("kind", "q", "expected"),
    [
        # Words separated by spaces: all required, each anywhere in the name.
        ("copyrights", "澄策 管理系统", ["2025SR9978912"]),
        ("copyrights", "管理系统", ["2024SR9912345", "2025SR9978912"]),
        ("copyrights", "澄策", ["2025SR9978912", "豫作登字-2022-F-90033732"]),
        ("copyrights", "澄策　管理系统", ["2025SR9978912"]),  # the ideographic space
        ("trademarks", "柘钧 ZHEJUN", ["986641702"]),
        ("trademarks", "垚策 及图", ["984969487"]),
        ("trademarks", "及图 垚策", ["984969487"]),
        # Latin letters in any case, typed half- or full-width.
        ("trademarks", "柘钧 zhejun", ["986641702"]),
        ("trademarks", "yaoce", ["970317798"]),
        ("trademarks", "ＹＡＯＣＥ", ["970317798"]),
        # A word of the name and one of the number.
        ("trademarks", "垚策 984969487", ["984969487"]),
        # A number in full-width digits (a Chinese input method), or typed in groups.
        ("trademarks", "９８４９６９４８７", ["984969487"]),
        ("trademarks", "984969487", ["984969487"]),
        ("trademarks", "984 969 487", ["984969487"]),
        ("trademarks", "９８４　９６９　４８７", ["984969487"]),
        ("plant-varieties", "CNA 20209263.1", ["CNA20209263.1"]),
        ("plant-varieties", "cna 2020 9263.1", ["CNA20209263.1"]),
        ("plant-varieties", "ＣＮＡ２０２０９２６３．１", ["CNA20209263.1"]),
        ("copyrights", "2025sr 9978912", ["2025SR9978912"]),
        ("gis", "agi 90001", ["AGI90001"]),
        # Words that are not all there find nothing.
        ("trademarks", "柘钧 YAOCE", []),
        ("copyrights", "澄策 仓储", []),
        # Punctuation alone is no word: nothing, not every number with a "-" or a ".".
        ("copyrights", "-", []),
        ("plant-varieties", ".", []),
        ("trademarks", "，", []),
        ("trademarks", "% _", []),
    ],
)
def test_register_search_reads_words_as_the_patent_search_does(
    session: Session, records: dict[str, int], kind: str, q: str, expected: list[str]
) -> None:
    assert _found(session, kind, q) == expected


def test_the_api_and_the_export_search_the_same_way(client: Any, records: dict[str, int]) -> None:
    for q in ("９８４９６９４８７", "984 969 487", "垚策 及图"):
        api = client.get("/api/v1/registers/trademarks", params={"q": q})
        assert api.status_code == 200
        assert [item["number"] for item in api.json()["items"]] == ["984969487"], q
    export = client.get("/registers/copyrights/export.csv", params={"q": "澄策 管理系统"})
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("2025SR9978912,")


def _filter_line(html: str) -> str | None:
    found = re.search(r'<p class="flash" id="holder-filter">(.*?)</p>', html, re.S)
    return found.group(1) if found else None


def _clear_link(line: str) -> str:
    found = re.search(r'<a href="([^"]*)" id="holder-filter-clear"', line)
    assert found, line
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("kind", list(assets.REGISTERS))
def test_a_holder_filter_is_named_and_can_be_cleared(client: Any, records: dict[str, int], kind: str) -> None:
    holder = records["mine"]
    page = client.get(f"/registers/{kind}", params={"holder_id": holder, "year": "", "page": 1})
    assert page.status_code == 200
    line = _filter_line(page.text)
    assert line is not None, page.text
    assert "权利人：" in line and f'<a href="/holders/{holder}"><strong>{HOLDER}</strong></a>' in line
    assert "清除" in line
    assert OTHER not in page.text  # the list is the holder's
    # The link drops the holder and keeps nothing empty; the whole register is listed again.
    cleared = _clear_link(line)
    assert cleared == f"/registers/{kind}"
    unfiltered = client.get(cleared)
    assert _filter_line(unfiltered.text) is None
    assert OTHER in unfiltered.text and 'name="holder_id"' not in unfiltered.text

    # Without a holder filter the page has no such line.
    assert _filter_line(client.get(f"/registers/{kind}").text) is None


def test_clearing_the_holder_keeps_the_other_filters(client: Any, records: dict[str, int]) -> None:
    params = {"q": "管理系统", "category": "software", "holder_id": records["mine"], "year": "2022"}
    page = client.get("/registers/copyrights", params=params)
    line = _filter_line(page.text)
    assert line is not None
    # The form keeps the filter, visibly now: a later search stays with the holder.
    assert f'<input type="hidden" name="holder_id" value="{records["mine"]}">' in page.text
    assert "2025SR9978912" in page.text and "2024SR9912345" not in page.text
    cleared = urlsplit(_clear_link(line))
    assert cleared.path == "/registers/copyrights"
    assert parse_qs(cleared.query) == {"q": ["管理系统"], "category": ["software"], "year": ["2022"]}
    both = client.get(_clear_link(line)).text
    assert "2025SR9978912" in both and "2024SR9912345" in both


def test_the_holder_filter_in_english(client: Any, records: dict[str, int]) -> None:
    page = client.get("/registers/trademarks", params={"holder_id": records["mine"], "lang": "en"})
    line = _filter_line(page.text)
    assert line is not None
    assert line.startswith(f'Holder: <a href="/holders/{records["mine"]}">'), line
    assert "Clear" in line and 'title="Clear the holder filter"' in line
    assert not re.search(r"[：（），]", line.replace(HOLDER, ""))
    # The language is not a filter: the clear link does not carry it either.
    assert _clear_link(line) == "/registers/trademarks"


def test_an_unknown_holder_is_refused_as_an_unknown_region(
    client: Any, session: Session, records: dict[str, int]
) -> None:
    missing = max(records.values()) + 1000
    with pytest.raises(ValidationFailed) as refused:
        assets.list_assets(session, PUBLIC, "trademarks", holder_id=missing)
    assert str(missing) in refused.value.render("zh_CN")
    for path in ("/registers/trademarks", "/api/v1/registers/trademarks", "/registers/gis/export.csv"):
        response = client.get(path, params={"holder_id": missing})
        assert response.status_code == 400, (path, response.text[:200])
        assert str(missing) in response.text
        region = client.get(path, params={"region": "419999"})
        assert region.status_code == 400
    english = client.get("/api/v1/registers/trademarks", params={"holder_id": missing, "lang": "en"})
    assert f"Holder ID {missing} does not exist" in english.text


def test_the_patent_search_names_its_holder_filter_too(client: Any, session: Session) -> None:
    """The patent search opened from a holder's page (``holder_id=``) names that holder above
    its results, with the same clearing link, the other filters kept; an unknown holder is
    not found (404), not an empty list that looks like "no patents"."""
    from sqlalchemy import select

    from ipcity.registry.records import PatentRecord, PublicationRecord
    from ipcity.registry.store import HolderSeed, ensure_holders, plan_patents, write_patents

    now = datetime.now(UTC)
    rows = [
        PatentRecord(
            1,
            "CN",
            number,
            "invention",
            title,
            publications=[PublicationRecord(publication, "A", date(2019, 8, 2))],
            applicants=[applicant],
        )
        for number, publication, title, applicant in (
            ("CN201910593937.7", "CN110298449A", "一种镁合金压铸装置", HOLDER),
            ("CN201710123456.0", "CN106896920A", "一种镁合金压铸模具", OTHER),
        )
    ]
    holders, _ = ensure_holders(session, [HolderSeed(r.applicants[0]) for r in rows], now)
    write_patents(session, plan_patents(session, rows), holders, None, now)
    session.commit()
    mine = session.scalar(select(Holder.id).where(Holder.name == HOLDER))
    page = client.get("/patents", params={"holder_id": mine, "q": "镁合金"})
    line = _filter_line(page.text)
    assert line is not None and f'<a href="/holders/{mine}"><strong>{HOLDER}</strong></a>' in line
    assert "一种镁合金压铸装置" in page.text and "一种镁合金压铸模具" not in page.text
    cleared = _clear_link(line)
    assert cleared == "/patents?q=%E9%95%81%E5%90%88%E9%87%91"
    both = client.get(cleared).text
    assert _filter_line(both) is None and "一种镁合金压铸模具" in both
    assert _filter_line(client.get("/patents", params={"q": "镁合金"}).text) is None
    assert client.get("/patents", params={"holder_id": mine + 1000}).status_code == 404
