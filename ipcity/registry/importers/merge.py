"""One application, one record: fold the publication rows of an export together.

Exports list publications, not applications: incoPat gives the A publication and the B
grant of one application as two rows, Lens one line per publication. The registry stores
one patent per application (DESIGN, data model), so records with the same application
number are merged before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ipcity.registry.records import PatentRecord, PublicationRecord, StatusEvent

__all__ = ["merge_patent_records"]


def merge_patent_records(records: Iterable[PatentRecord]) -> list[PatentRecord]:
    """Merge records that describe the same application (same ``application_number``).

    The result keeps the order in which each application first appears. For an application
    seen more than once: publications are united by number; the filing date is the earliest
    given; the grant date is taken from whichever row has it (the earliest if they differ);
    status events are united without duplicates, and an event dated only by the import day
    is dropped when another row dates the same status; applicants, inventors and the
    applicant address come from the row of the latest publication (the current holders);
    title, abstract, IPC and the other fields come from the most complete row.

    Records are modified in place where that saves a copy; pass copies if the inputs are
    still needed.

    >>> from ipcity.registry.records import PatentRecord
    >>> a = PatentRecord(2, "CN", "CN201910593937.7", "invention", "T")
    >>> b = PatentRecord(3, "CN", "CN201910593937.7", "invention", "T")
    >>> len(merge_patent_records([a, b]))
    1
    """
    first: dict[str, PatentRecord] = {}
    groups: dict[str, list[PatentRecord]] = {}
    for record in records:
        key = record.application_number
        if key in first:
            group = groups.get(key)
            if group is None:
                groups[key] = [first[key], record]
            else:
                group.append(record)
        else:
            first[key] = record
    if not groups:
        return list(first.values())
    for key, group in groups.items():
        first[key] = _merge_group(group)
    return list(first.values())


def _completeness(record: PatentRecord) -> int:
    return (
        bool(record.title)
        + bool(record.title_en)
        + bool(record.abstract)
        + bool(record.ipc_all)
        + bool(record.ipc_main)
        + bool(record.filing_date)
        + bool(record.applicants)
        + bool(record.inventors)
        + (record.patent_type is not None)
        + (record.claims_count is not None)
    )


def _latest_publication(record: PatentRecord) -> tuple[int, object]:
    dates = [p.date for p in record.publications if p.date is not None]
    latest = max(dates) if dates else record.publication_date
    return (latest is not None, latest.toordinal() if latest else 0)


def _merge_group(group: list[PatentRecord]) -> PatentRecord:
    best = max(group, key=_completeness)  # max() keeps the first of equals: order-stable
    latest = max(group, key=_latest_publication)
    merged = PatentRecord(
        source_row=group[0].source_row,
        jurisdiction=best.jurisdiction,
        application_number=best.application_number,
        patent_type=best.patent_type,
        title=best.title,
        title_en=best.title_en or next((r.title_en for r in group if r.title_en), None),
        abstract=best.abstract or next((r.abstract for r in group if r.abstract), None),
        filing_date=min((r.filing_date for r in group if r.filing_date), default=None),
        publication_date=min((r.publication_date for r in group if r.publication_date), default=None),
        grant_date=min((r.grant_date for r in group if r.grant_date), default=None),
        ipc_main=best.ipc_main or next((r.ipc_main for r in group if r.ipc_main), None),
        ipc_all=list(best.ipc_all) or next((list(r.ipc_all) for r in group if r.ipc_all), []),
        applicants=list(latest.applicants or best.applicants),
        applicant_address=latest.applicant_address
        or next((r.applicant_address for r in group if r.applicant_address), None),
        inventors=list(latest.inventors or best.inventors),
        publications=_union_publications(group),
        statuses=_union_statuses(group),
        pct_application_number=next(
            (r.pct_application_number for r in group if r.pct_application_number), None
        ),
        pct_publication_number=next(
            (r.pct_publication_number for r in group if r.pct_publication_number), None
        ),
        family=_union_lists(r.family for r in group),
        claims_count=best.claims_count
        if best.claims_count is not None
        else next((r.claims_count for r in group if r.claims_count is not None), None),
        status_shown=any(r.status_shown for r in group),
    )
    if merged.patent_type is None:
        merged.patent_type = next((r.patent_type for r in group if r.patent_type), None)
    if merged.grant_date is not None and not any(
        e.status == "granted" and not e.date_observed for e in merged.statuses
    ):
        # One row dated the grant (its B publication) while another only said "授权".
        merged.statuses = [e for e in merged.statuses if e.status != "granted"]
        merged.statuses.insert(0, StatusEvent("granted", merged.grant_date))
    return merged


def _union_publications(group: list[PatentRecord]) -> list[PublicationRecord]:
    seen: dict[str, PublicationRecord] = {}
    for record in group:
        for publication in record.publications:
            known = seen.get(publication.number)
            if known is None:
                seen[publication.number] = publication
            elif known.date is None and publication.date is not None:
                known.date = publication.date
    return sorted(seen.values(), key=lambda p: (p.date is None, p.date or dt.date.min, p.number))


def _union_statuses(group: list[PatentRecord]) -> list[StatusEvent]:
    events: list[StatusEvent] = []
    seen: set[tuple[str, object, bool]] = set()
    for record in group:
        for event in record.statuses:
            key = (event.status, event.date, event.date_observed)
            if key not in seen:
                seen.add(key)
                events.append(event)
    dated = {e.status for e in events if not e.date_observed}
    # "Observed on the import day" only bounds the date from above; a row that gives the
    # real date of the same status says more, so the observed one goes.
    events = [e for e in events if not (e.date_observed and e.status in dated)]
    grants = [e for e in events if e.status == "granted"]
    if len(grants) > 1:
        # A right is granted once; later "grant-kind" publications are corrections and
        # amendments (EP B9, AU B8/C1), so the earliest grant is the grant.
        first = min(grants, key=lambda e: (e.date_observed, e.date or dt.date.max))
        events = [e for e in events if e.status != "granted" or e is first]
    return events


def _union_lists(lists: Iterable[list[str]]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for items in lists:
        for item in items:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out
