"""Use-cases of the registry that read: search, patent, holder and region pages, statistics,
exports; and the officer's edits of a holder. Imports are in :mod:`ipcity.registry.importing`.

Services own the transaction and check role and region scope (never only the page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Float,
    Integer,
    Select,
    and_,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session, aliased

from ipcity import audit, clock
from ipcity.auth.roles import Actor, in_region_scope, may_see_private, require, require_region
from ipcity.errors import InvalidNumber, NotFound, PermissionDenied, ValidationFailed
from ipcity.i18n import DEFAULT_LOCALE, gettext, localized_params, normalize_locale
from ipcity.office import stream_table_bytes
from ipcity.places.models import Population, Region, Zone
from ipcity.places.names import english_name
from ipcity.registry import ipc as ipc_titles
from ipcity.registry import payee
from ipcity.registry.legal_status import (
    IN_FORCE_STATUSES,
    PATENT_TYPE_LABELS,
    SAME_DAY_LAST,
    SAME_DAY_ORDER,
    STATUS_LABELS,
    current_status,
    in_force_on,
    term_end,
)
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    HolderName,
    HolderTier,
    ImportBatch,
    Patent,
    PatentHolder,
    PatentPublication,
    PatentStatusEvent,
    PlantVariety,
    Trademark,
)
from ipcity.registry.numbers import normalize_application_number
from ipcity.registry.records import TERMINAL_STATUSES
from ipcity.registry.schemas import (
    HolderDetail,
    HolderPage,
    HolderRef,
    HolderSummary,
    PatentDetail,
    PatentPage,
    PatentSummary,
    PublicationOut,
    RegionDetail,
    StatusEventOut,
)
from ipcity.registry.search import NumberForms, fts5_match_expression, number_forms, query_phrases
from ipcity.web.paging import Pager

# In the order of their numbers across the 2003 change of form: a CN number of the old form
# (CN + 2-digit year + type + 5-digit serial, 1985-2003: "CN85106385.3") sorts as its
# 12-digit counterpart would ("CN198510006385.3"), so that 1985-1999 come before 2003, not
# after 2025 as plain text puts them. Other offices' numbers sort as written.
_NUMBER_ORDER = case(
    (
        and_(Patent.jurisdiction == "CN", func.length(Patent.application_number) == 12),
        "CN"
        + case((func.substr(Patent.application_number, 3, 2) >= "85", "19"), else_="20")
        + func.substr(Patent.application_number, 3, 3)
        + "00"
        + func.substr(Patent.application_number, 6),
    ),
    else_=Patent.application_number,
)

# Patents without the date sort last either way, on both databases (SQLite puts NULL first
# when ascending, PostgreSQL when descending): "newest grants" must not open on applications.
SORTS = {
    "relevance": None,
    "-filing_date": Patent.filing_date.desc().nulls_last(),
    "filing_date": Patent.filing_date.asc().nulls_last(),
    "-grant_date": Patent.grant_date.desc().nulls_last(),
    "grant_date": Patent.grant_date.asc().nulls_last(),
    "application_number": _NUMBER_ORDER.asc(),
}
STATUS_FILTERS = ("in_force", "pending", "ended", *STATUS_LABELS)
STATUS_FILTER_LABELS = {"in_force": "有效", "pending": "在审", "ended": "已失效", **STATUS_LABELS}
SORT_LABELS = {
    "relevance": "相关度",
    "-filing_date": "申请日（新→旧）",
    "filing_date": "申请日（旧→新）",
    "-grant_date": "授权日（新→旧）",
    "grant_date": "授权日（旧→新）",
    "application_number": "申请号",
}
HOLDER_KIND_LABELS = {
    "enterprise": "企业",
    "university": "高等院校",
    "institute": "科研机构",
    "individual": "个人",
    "other": "其他",
}
MAX_PER_PAGE = 200
EXPORT_LIMIT = 100_000


def choice_list(choices: dict[str, str], locale: str = DEFAULT_LOCALE) -> str:
    """The accepted values of a filter as a reader of ``locale`` reads them: each label in
    that language with the code in brackets (the code is what goes into an address or an
    API call), joined as a sentence of that language.

    >>> choice_list({"invention": "发明", "design": "外观设计", "x": ""})
    '发明（invention）、外观设计（design）或 x'
    >>> choice_list({"invention": "发明", "design": "外观设计"}, "en")
    'Invention (invention) or Design (design)'
    """
    english = normalize_locale(locale) != DEFAULT_LOCALE
    shown = []
    for code, label in choices.items():
        if not label:
            shown.append(code)
        elif english:
            shown.append(f"{gettext(label, locale)} ({code})")
        else:
            shown.append(f"{label}（{code}）")
    if len(shown) < 2:
        return "".join(shown) or "-"
    if english:
        return ", ".join(shown[:-1]) + " or " + shown[-1]
    # A space between 或 and a Latin word, as Chinese typesetting has it.
    return "、".join(shown[:-1]) + ("或 " if shown[-1][0].isascii() else "或") + shown[-1]


class ChoiceFailed(ValidationFailed):
    """A value outside a fixed set of choices. The message's ``{expected}`` lists the
    choices in the reader's language (:func:`choice_list`), so a Chinese page does not
    show bare codes and an English one no Chinese labels."""

    def __init__(self, message: str, /, choices: dict[str, str], **params: Any) -> None:
        self.choices = dict(choices)
        super().__init__(message, expected=choice_list(self.choices), **params)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        """The message in ``locale``, its choices listed in that language."""
        template = gettext(self.message, locale)
        try:
            params = localized_params(self.params, locale)
            return template.format(**{**params, "expected": choice_list(self.choices, locale)})
        except (KeyError, IndexError, ValueError):
            return template


def label_in(label: str | None, locale: str) -> str | None:
    """A stored label (Chinese, the message id) in the reader's language."""
    return gettext(label, locale) if label else label


@dataclass
class PatentQuery:
    """A patent search: full text plus filters, sorting and paging (all optional)."""

    q: str | None = None
    patent_type: str | None = None
    status: str | None = None
    ipc: str | None = None
    region: str | None = None
    zone: str | None = None
    year: int | None = None
    holder_id: int | None = None
    holder: str | None = None  # words of a holder's name (any holder of the patent)
    jurisdiction: str | None = None
    sort: str = "-filing_date"
    page: int = 1
    per_page: int = 20

    def validate(self, session: Session | None = None) -> None:
        """Refuse values that no filter understands, with what was expected; with a
        session, also a region or zone that does not exist (which would find nothing), and
        write the region code as stored."""
        if self.patent_type and self.patent_type not in PATENT_TYPE_LABELS:
            raise ChoiceFailed(
                "专利类型应为 {expected} 之一，收到：{value}",
                choices=PATENT_TYPE_LABELS,
                value=self.patent_type,
            )
        if self.status and self.status not in STATUS_FILTERS:
            raise ChoiceFailed(
                "法律状态应为 {expected} 之一，收到：{value}", choices=STATUS_FILTER_LABELS, value=self.status
            )
        if self.sort not in SORTS:
            raise ChoiceFailed(
                "排序方式应为 {expected} 之一，收到：{value}", choices=SORT_LABELS, value=self.sort
            )
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValidationFailed("页码应不小于1，每页条数应在1到{max}之间", max=MAX_PER_PAGE)
        if self.year is not None and not 1985 <= self.year <= 2100:
            raise ValidationFailed("年份应在1985到2100之间，收到：{value}", value=self.year)
        if self.jurisdiction and not (
            len(self.jurisdiction) == 2 and self.jurisdiction.isascii() and self.jurisdiction.isalpha()
        ):
            raise ValidationFailed(
                "国家/地区代码应为两个字母（WIPO ST.3，如 CN、US、EP、WO），收到：{value}",
                value=self.jurisdiction,
            )
        if self.ipc:
            # Full-width (as a Chinese keyboard types it), spaces and case do not matter; what
            # is left must be the start of an IPC symbol (a section letter, class digits,
            # subclass letter, group/subgroup), else it could only find nothing.
            code = unicodedata.normalize("NFKC", self.ipc).replace(" ", "").upper()
            if not _IPC_PREFIX.fullmatch(code):
                raise ValidationFailed(
                    "IPC分类号应为分类号或其开头部分（如 G06F、G06F3/01），收到：{value}", value=self.ipc
                )
            self.ipc = code
        if session is not None:
            if self.region:
                self.region = check_region(session, self.region)
            if self.zone and session.scalar(select(Zone.id).where(Zone.code == self.zone)) is None:
                raise ValidationFailed("园区代码 {value} 不存在", value=self.zone)


# The start of an IPC symbol: section, class, subclass, main group, "/", subgroup.
_IPC_PREFIX = re.compile(r"[A-H]([0-9]{1,2}([A-Z]([0-9]{1,4}(/[0-9]{0,6})?)?)?)?")


def _latest_status(on: date | None = None) -> Any:
    """SQL: the latest status of each patent (on a date, today by default), the one
    :func:`ipcity.registry.legal_status.status_at` gives: by date, then same-day rank (a
    lapse recorded on its grant's day comes after the grant), then the order recorded."""
    event = aliased(PatentStatusEvent)
    query = select(event.status).where(event.patent_id == Patent.id)
    if on is not None:
        query = query.where(event.date <= on)
    same_day = case(SAME_DAY_ORDER, value=event.status, else_=SAME_DAY_LAST)
    return query.order_by(event.date.desc(), same_day.desc(), event.id.desc()).limit(1).scalar_subquery()


def _within_term(on: date) -> Any:
    """SQL: the patent's legal term has not ended on ``on`` (see legal_status.term_end)."""

    def years_before(years: int) -> date:
        try:
            return on.replace(year=on.year - years)
        except ValueError:
            return on.replace(year=on.year - years, day=28)

    return or_(
        Patent.filing_date.is_(None),
        and_(Patent.patent_type == "invention", Patent.filing_date > years_before(20)),
        and_(Patent.patent_type == "utility_model", Patent.filing_date > years_before(10)),
        and_(
            Patent.patent_type == "design",
            or_(
                Patent.filing_date > years_before(10),
                and_(Patent.filing_date >= date(2021, 6, 1), Patent.filing_date > years_before(15)),
            ),
        ),
        Patent.patent_type.is_(None),
    )


def check_region(session: Session, code: str) -> str:
    """The region code as stored (full-width digits, as a Chinese keyboard types them, made
    ASCII); refused when malformed or naming no region, since a filter by it would find
    nothing, which reads as "no records there" instead of "no such region"."""
    region_condition(Region.code, code)
    canonical = unicodedata.normalize("NFKC", code)
    if session.get(Region, canonical) is None:
        raise ValidationFailed("行政区划代码 {value} 不存在", value=code)
    return canonical


def asset_region(model: Any) -> Any:
    """SQL: the region an asset of ``model`` belongs to, with :class:`Holder` joined (outer)
    on its ``holder_id``: its holder's; a geographical indication, which may have no holder,
    also names its own place (where the product comes from), counted where it has none. One
    definition for the register's filter, the region page and the indicators."""
    own = getattr(model, "region_code", None)
    return Holder.region_code if own is None else func.coalesce(Holder.region_code, own)


def region_condition(column: Any, code: str) -> Any:
    """SQL: ``column`` lies in region ``code`` (a province or city takes all its counties)."""
    if len(code) != 6 or not code.isdecimal():
        raise ValidationFailed("行政区划代码应为6位数字，收到：{value}", value=code)
    if code.endswith("0000"):
        return column.like(code[:2] + "%")
    if code.endswith("00"):
        return column.like(code[:4] + "%")
    return column == code


def _text_ids(session: Session, phrases: list[str]) -> Select[Any]:
    """SQL: the ids of the patents whose title or abstract holds every phrase."""
    if session.get_bind().dialect.name == "sqlite":
        match = text("patent_fts MATCH :match").bindparams(match=fts5_match_expression(phrases))
    else:
        tsquery, document, params = _pg_text(phrases)
        match = text(f"{document} @@ ({tsquery})").bindparams(**params)
    return select(literal_column("rowid")).select_from(text("patent_fts")).where(match)


def _pg_text(phrases: list[str]) -> tuple[str, str, dict[str, str]]:
    # Real bind parameters in a textual clause (a bind name inside a literal column is not
    # a parameter). ``document`` is the stored text-search vector of the title and abstract
    # that the GIN index ix_patent_fts_document is built on (migration 0011).
    tsquery = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
    return tsquery, "document", {f"p{i}": p for i, p in enumerate(phrases)}


def _text_scores(session: Session, phrases: list[str]) -> Any:
    """SQL: a materialized CTE ``(pid, score)`` of the matching patents, for ordering by
    relevance (a lower score is better on both databases).

    Materialized because the planner may otherwise run the full-text match once per patent
    that passes the other filters (SQLite probed FTS5 by rowid for each of 25,000
    inventions: 7 s), instead of once."""
    if session.get_bind().dialect.name == "sqlite":
        scores: Any = (
            select(
                literal_column("rowid").label("pid"),
                literal_column("bm25(patent_fts)").label("score"),
            )
            .select_from(text("patent_fts"))
            .where(text("patent_fts MATCH :match").bindparams(match=fts5_match_expression(phrases)))
        )
        return scores.cte("patent_hits").prefix_with("MATERIALIZED")
    tsquery, document, params = _pg_text(phrases)
    return (
        text(
            f"SELECT rowid AS pid, -ts_rank({document}, ({tsquery})) AS score "
            f"FROM patent_fts WHERE {document} @@ ({tsquery})"
        )
        .bindparams(**params)
        .columns(pid=Integer, score=Float)
        .cte("patent_hits")
        .prefix_with("MATERIALIZED")
    )


def _number_ids(numbers: NumberForms) -> list[Select[Any]]:
    """SQL: the ids of the patents a number names (application or publication number),
    one selection for each (to go into one flat ``UNION``: SQLite refuses a nested one)."""
    parts: list[Select[Any]] = []
    if numbers.application:
        parts.append(select(Patent.id).where(Patent.application_number == numbers.application))
    if numbers.publication:
        parts.append(
            select(PatentPublication.patent_id).where(PatentPublication.number == numbers.publication)
        )
    if numbers.publication_stem:
        # The stem and a kind code after it (a letter, maybe a digit): a range of the unique
        # index on the number (LIKE would not use it), cut to the stem's length plus two.
        stem = numbers.publication_stem
        parts.append(
            select(PatentPublication.patent_id).where(
                PatentPublication.number >= stem + "A",
                PatentPublication.number < stem + "[",
                func.length(PatentPublication.number) <= len(stem) + 2,
            )
        )
    return parts


def _one_of(parts: list[Select[Any]]) -> Any:
    """SQL: the ids any of ``parts`` selects."""
    return union(*parts) if len(parts) > 1 else parts[0]


def _patent_filters(
    session: Session, query: PatentQuery, *, ranked: bool = False
) -> tuple[Select[Any], list[Any]]:
    """The filtered selection of patent ids, and the ordering that comes before the chosen
    sort: patents the search text names by number first, then (``ranked``) the most
    relevant. Not ranked, the full-text match is one list of ids (``IN``), no score.

    The search text matches by words (full text) and, when it reads as an application or
    publication number, by that number too."""
    stmt: Select[Any] = select(Patent.id)
    leading: list[Any] = []
    words = (query.q or "").strip()
    if words:
        phrases = query_phrases(words)
        numbers = number_forms(words)
        by_number = _number_ids(numbers) if numbers else []
        if by_number:
            leading.append(case((Patent.id.in_(_one_of(by_number)), 0), else_=1))
        if ranked and phrases:
            scores = _text_scores(session, phrases)
            if not by_number:
                stmt = stmt.join(scores, scores.c.pid == Patent.id)
            else:
                stmt = stmt.outerjoin(scores, scores.c.pid == Patent.id).where(
                    or_(scores.c.pid.is_not(None), Patent.id.in_(_one_of(_number_ids(numbers))))
                )
            # Patents found by number alone have no score: they sort first already.
            leading.append(scores.c.score.asc().nulls_last())
        elif phrases or by_number:
            matching = [_text_ids(session, phrases)] if phrases else []
            stmt = stmt.where(Patent.id.in_(_one_of(matching + _number_ids(numbers))))
        if not phrases and not by_number:
            # Words with nothing to search by (punctuation, an emoji): nothing matches them.
            # Read as no filter, "，" would list the whole registry as if it were the answer.
            stmt = stmt.where(false())
    if query.patent_type:
        stmt = stmt.where(Patent.patent_type == query.patent_type)
    if query.jurisdiction:
        stmt = stmt.where(Patent.jurisdiction == query.jurisdiction.upper())
    if query.ipc:
        # A prefix of a code: the main code, or any code of the "|"-joined list, starts with it.
        code = query.ipc.replace(" ", "").upper()
        stmt = stmt.where(
            or_(
                Patent.ipc_main.startswith(code, autoescape=True),
                Patent.ipc_all.startswith(code, autoescape=True),
                Patent.ipc_all.contains("|" + code, autoescape=True),
            )
        )
    if query.year:
        stmt = stmt.where(
            Patent.filing_date >= date(query.year, 1, 1), Patent.filing_date <= date(query.year, 12, 31)
        )
    if query.holder_id:
        stmt = stmt.where(
            Patent.id.in_(select(PatentHolder.patent_id).where(PatentHolder.holder_id == query.holder_id))
        )
    if query.holder and query.holder.strip():
        from ipcity.registry.normalize import normalize_name

        # Its present name or one it bore before (曾用名): a renamed holder's patents are its own.
        stmt = stmt.where(
            Patent.id.in_(
                select(PatentHolder.patent_id)
                .join(Holder, Holder.id == PatentHolder.holder_id)
                .where(_named(normalize_name(query.holder)))
            )
        )
    if query.region or query.zone:
        first = aliased(Holder)
        stmt = stmt.join(first, first.id == Patent.first_holder_id)
        if query.region:
            stmt = stmt.where(region_condition(first.region_code, query.region))
        if query.zone:
            stmt = stmt.join(Zone, Zone.id == first.zone_id).where(Zone.code == query.zone)
    if query.status:
        today = clock.today()
        latest = _latest_status(today)
        if query.status == "in_force":
            stmt = stmt.where(latest.in_(IN_FORCE_STATUSES), _within_term(today))
        elif query.status == "pending":
            stmt = stmt.where(or_(latest.in_(["filed", "examination"]), latest.is_(None)))
        elif query.status == "ended":
            stmt = stmt.where(
                or_(latest.in_(TERMINAL_STATUSES), and_(latest.in_(IN_FORCE_STATUSES), ~_within_term(today)))
            )
        elif query.status == "expired":
            # Expired by an event, or by the legal term a granted right has run through: the
            # status the list shows for it (see _shown_status).
            stmt = stmt.where(
                or_(latest == "expired", and_(latest.in_(IN_FORCE_STATUSES), ~_within_term(today)))
            )
        elif query.status in IN_FORCE_STATUSES:
            stmt = stmt.where(latest == query.status, _within_term(today))
        else:
            stmt = stmt.where(latest == query.status)
    return stmt, leading


def search_patents(
    session: Session, actor: Actor, query: PatentQuery, *, clamp: bool = False, locale: str = DEFAULT_LOCALE
) -> PatentPage:
    """Search the open registry (P2.8): full text over titles and abstracts, the patent a
    number names, and filters. A page past the last answers no rows with the total, or
    with ``clamp`` (the pages' rule, ``web.paging.Pager``) the last page. Labels are in
    ``locale``."""
    require(actor, "registry.read")
    query.validate(session)
    ids, _ = _patent_filters(session, query)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = min(query.page, max(1, -(-total // query.per_page))) if clamp else query.page
    page_ids = list(
        session.scalars(_ordered(session, query).limit(query.per_page).offset((page - 1) * query.per_page))
    )
    return PatentPage(
        total=total, page=page, per_page=query.per_page, items=_summaries(session, page_ids, locale)
    )


def _ordered(session: Session, query: PatentQuery) -> Select[Any]:
    """The patent ids of a search in the order asked, ties broken newest record first."""
    ranked = query.sort == "relevance"
    ids, ordering = _patent_filters(session, query, ranked=ranked)
    if SORTS.get(query.sort) is not None:
        ordering.append(SORTS[query.sort])
    return ids.order_by(*ordering, Patent.id.desc())


def _shown_status(latest: str | None, patent_type: str | None, filed: date | None, today: date) -> str | None:
    """The current status a list shows: the latest recorded one, except that a granted (or
    restored) right whose legal term has run out is expired, whether or not an export has
    said so yet (Patent Law art. 42; the term is known from the filing date)."""
    if latest in IN_FORCE_STATUSES:
        end = term_end(patent_type, filed)
        if end is not None and today >= end:
            return "expired"
    return latest


def _summaries(session: Session, ids: list[int], locale: str = DEFAULT_LOCALE) -> list[PatentSummary]:
    if not ids:
        return []
    today = clock.today()
    rows = session.execute(
        select(Patent, Holder.name, _latest_status(today).label("status"))
        .outerjoin(Holder, Holder.id == Patent.first_holder_id)
        .where(Patent.id.in_(ids))
    ).all()
    by_id = {row[0].id: row for row in rows}
    out = []
    for pid in ids:
        patent, holder_name, status = by_id[pid]
        status = _shown_status(status, patent.patent_type, patent.filing_date, today)
        out.append(
            PatentSummary(
                id=patent.id,
                application_number=patent.application_number,
                jurisdiction=patent.jurisdiction,
                patent_type=patent.patent_type,
                patent_type_label=label_in(PATENT_TYPE_LABELS.get(patent.patent_type or ""), locale),
                title=patent.title,
                filing_date=patent.filing_date,
                grant_date=patent.grant_date,
                ipc_main=patent.ipc_main,
                first_holder=holder_name,
                first_holder_id=patent.first_holder_id,
                status=status,
                status_label=label_in(STATUS_LABELS.get(status or ""), locale),
                is_sample=patent.is_sample,
            )
        )
    return out


def get_patent(
    session: Session, actor: Actor, number_or_id: str | int, locale: str = DEFAULT_LOCALE
) -> PatentDetail:
    """One patent with its holders in order, publications and status history (labels in
    ``locale``)."""
    require(actor, "registry.read")
    patent = None
    if isinstance(number_or_id, int) or (str(number_or_id).isdecimal() and len(str(number_or_id)) < 12):
        patent = session.get(Patent, int(number_or_id))
    if patent is None:
        patent = session.scalar(select(Patent).where(Patent.application_number == str(number_or_id).upper()))
    if patent is None and isinstance(number_or_id, str):
        # The number as people write it: "ZL2022113598747", "202211359874.7", lower case …
        try:
            canonical = normalize_application_number(number_or_id)
        except InvalidNumber:
            canonical = None
        if canonical:
            patent = session.scalar(select(Patent).where(Patent.application_number == canonical))
    if patent is None:
        raise NotFound("未找到专利：{value}", value=number_or_id)
    summary = _summaries(session, [patent.id], locale)[0]
    events = [(e.status, e.date) for e in patent.status_events]
    holders = [
        HolderRef(
            id=link.holder.id,
            name=link.holder.name,
            position=link.position,
            region_code=link.holder.region_code,
            is_sample=link.holder.is_sample,
        )
        for link in patent.holder_links
    ]
    first = patent.holder_links[0].holder if patent.holder_links else None
    private = may_see_private(actor, first.id if first else None, first.region_code if first else None)
    ipc_all = [c for c in (patent.ipc_all or "").split("|") if c]
    return PatentDetail(
        **summary.model_dump(),
        title_en=patent.title_en,
        abstract=patent.abstract,
        publication_date=patent.publication_date,
        ipc_all=ipc_all,
        ipc_titles=ipc_titles.titles_for(
            session, ipc_all or ([patent.ipc_main] if patent.ipc_main else []), locale
        ),
        inventors=[n for n in (patent.inventors or "").split("|") if n],
        holders=holders,
        publications=[PublicationOut(number=p.number, kind=p.kind, date=p.date) for p in patent.publications],
        status_history=[
            StatusEventOut(
                status=e.status,
                label=label_in(STATUS_LABELS.get(e.status), locale) or e.status,
                date=e.date,
                date_observed=e.date_observed,
            )
            for e in patent.status_events
        ],
        pct_application_number=patent.pct_application_number,
        pct_publication_number=patent.pct_publication_number,
        family=[n for n in (patent.family or "").split("|") if n],
        in_force_today=in_force_on(patent.patent_type, patent.filing_date, events, clock.today()),
        term_end=(end := term_end(patent.patent_type, patent.filing_date)),
        term_ended=end is not None and clock.today() >= end,
        current_status=_shown_status(
            current_status(events), patent.patent_type, patent.filing_date, clock.today()
        ),
        annuities_paid_yuan=patent.annuities_paid_yuan if private else None,
    )


def _holder_summary_rows(session: Session, stmt: Select[Any]) -> list[HolderSummary]:
    patents = (
        select(PatentHolder.holder_id, func.count().label("n")).group_by(PatentHolder.holder_id).subquery()
    )
    rows = session.execute(
        stmt.add_columns(Region.name, Zone.name, Zone.name_en, func.coalesce(patents.c.n, 0))
        .outerjoin(Region, Region.code == Holder.region_code)
        .outerjoin(Zone, Zone.id == Holder.zone_id)
        .outerjoin(patents, patents.c.holder_id == Holder.id)
    ).all()
    return [
        HolderSummary(
            id=h.id,
            name=h.name,
            kind=h.kind,
            region_code=h.region_code,
            region_name=region_name,
            region_name_en=english_name(h.region_code),
            zone=zone_name,
            zone_en=zone_en or None,
            patents=n,
            is_sample=h.is_sample,
        )
        for h, region_name, zone_name, zone_en, n in rows
    ]


def _named(named: str) -> Any:
    """Holders whose present or former (曾用名) normalized name holds ``named``. Nothing holds
    an empty one: words of punctuation alone ("%", "（") normalize to nothing and must find no
    holder, not every holder."""
    if not named:
        return false()
    return or_(
        Holder.normalized_name.contains(named, autoescape=True),
        Holder.id.in_(
            select(HolderName.holder_id).where(HolderName.normalized_name.contains(named, autoescape=True))
        ),
    )


def search_holders(
    session: Session,
    actor: Actor,
    q: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 20,
    *,
    clamp: bool = False,
) -> HolderPage:
    """Holders by name (substring of the normalized name), region and kind, most patents
    first. A page past the last answers no rows with the total, or with ``clamp`` the last
    page (as :func:`search_patents`)."""
    require(actor, "registry.read")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("页码应不小于1，每页条数应在1到{max}之间", max=MAX_PER_PAGE)
    if kind and kind not in HOLDER_KIND_LABELS:
        raise ChoiceFailed(
            "权利人类型应为 {expected} 之一，收到：{value}", choices=HOLDER_KIND_LABELS, value=kind
        )
    from ipcity.registry.normalize import normalize_name

    conditions: list[Any] = []
    if q and q.strip():
        # Words of its present name or of one it bore before (曾用名).
        conditions.append(_named(normalize_name(q)))
    if region:
        region = check_region(session, region)
        conditions.append(region_condition(Holder.region_code, region))
    if kind:
        conditions.append(Holder.kind == kind)
    total = session.scalar(select(func.count()).select_from(Holder).where(*conditions)) or 0
    if clamp:
        page = Pager.of(page, total=total, per_page=per_page).page
    counts = (
        select(PatentHolder.holder_id, func.count().label("n")).group_by(PatentHolder.holder_id).subquery()
    )
    ids = list(
        session.scalars(
            select(Holder.id)
            .outerjoin(counts, counts.c.holder_id == Holder.id)
            .where(*conditions)
            .order_by(func.coalesce(counts.c.n, 0).desc(), Holder.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    items = _holder_summary_rows(session, select(Holder).where(Holder.id.in_(ids))) if ids else []
    order = {hid: i for i, hid in enumerate(ids)}
    items.sort(key=lambda h: order[h.id])
    return HolderPage(total=total, page=page, per_page=per_page, items=items)


def get_holder(session: Session, actor: Actor, holder_id: int) -> HolderDetail:
    """A holder's portfolio: counts by type and by filing year, other assets, tiers."""
    require(actor, "registry.read")
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("未找到权利人：{value}", value=holder_id)
    summary = _holder_summary_rows(session, select(Holder).where(Holder.id == holder_id))[0]
    owned = select(PatentHolder.patent_id).where(PatentHolder.holder_id == holder_id)
    by_type = dict(
        session.execute(
            select(Patent.patent_type, func.count()).where(Patent.id.in_(owned)).group_by(Patent.patent_type)
        ).all()
    )
    year = func.extract("year", Patent.filing_date)
    by_year: dict[int, dict[str, int]] = {}
    for y, ptype, n in session.execute(
        select(year, Patent.patent_type, func.count())
        .where(Patent.id.in_(owned), Patent.filing_date.is_not(None))
        .group_by(year, Patent.patent_type)
    ):
        by_year.setdefault(int(y), {})[ptype or "unknown"] = n
    # From the status history, as the search's "in force" filter counts (one query): many
    # exports say a right is granted (有效/授权) without giving its grant date.
    in_force_ids, _ordering = _patent_filters(
        session, PatentQuery(holder_id=holder_id, patent_type="invention", status="in_force")
    )
    in_force = session.scalar(select(func.count()).select_from(in_force_ids.subquery())) or 0
    private = may_see_private(actor, holder.id, holder.region_code)

    def count(model: Any) -> int:
        return (
            session.scalar(select(func.count()).select_from(model).where(model.holder_id == holder_id)) or 0
        )

    return HolderDetail(
        **summary.model_dump(),
        uscc=holder.uscc,
        address=holder.address,
        former_names=[n.name for n in holder.former_names],
        tags=list(holder.tags or []) if private else [],
        tiers=sorted((t.tier, t.year) for t in holder.tiers),
        counts_by_type={k or "unknown": v for k, v in by_type.items()},
        counts_by_year=dict(sorted(by_year.items())),
        trademarks=count(Trademark),
        copyrights=count(Copyright),
        plant_varieties=count(PlantVariety),
        geographical_indications=count(GeographicalIndication),
        invention_patents_in_force=in_force,
        private_visible=private,
        # The receiving account: never public; the enterprise sees its own only.
        payee_name=holder.payee_name if private else None,
        payee_bank=holder.payee_bank if private else None,
        payee_account=holder.payee_account if private else None,
        payee_name_differs=private and payee.name_differs(holder.payee_name, holder.name),
    )


def _holder_audit_state(holder: Holder) -> dict[str, Any]:
    return {
        "kind": holder.kind,
        "region_code": holder.region_code,
        "zone_id": holder.zone_id,
        "zone_explicit": holder.zone_explicit,
        "address": holder.address,
        "tags": list(holder.tags or []),
        "tiers": sorted([t.tier, t.year] for t in holder.tiers),
    }


def update_holder(session: Session, actor: Actor, holder_id: int, changes: dict[str, Any]) -> HolderDetail:
    """An officer corrects a holder: kind, region, zone (explicit list), address, tags, tiers.

    A county officer may change only holders of its county, and cannot move one out of it.
    A refused change leaves nothing behind in the session (it is rolled back)."""
    require(actor, "registry.edit_holder")
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("未找到权利人：{value}", value=holder_id)
    require_region(actor, holder.region_code)
    before = _holder_audit_state(holder)
    try:
        _apply_holder_changes(session, actor, holder, changes)
    except BaseException:
        session.rollback()
        raise
    after = _holder_audit_state(holder)
    if after == before:
        # Nothing changed (the values sent are those on record): no write, no audit entry
        # saying that something was.
        session.rollback()
        return get_holder(session, actor, holder_id)
    holder.updated_at = datetime.now(UTC)
    session.flush()
    audit.record(
        session, actor.username, "holder.update", "holder", holder.id, {"before": before, "after": after}
    )
    session.commit()
    return get_holder(session, actor, holder_id)


def holder_accounts(session: Session, holder_ids: set[int]) -> dict[int, payee.AccountOnRecord]:
    """The receiving account on record for each holder of ``holder_ids`` (the policy's
    payment step and payment list; the caller has checked who may see them)."""
    out: dict[int, payee.AccountOnRecord] = {}
    ids = sorted(holder_ids)
    for start in range(0, len(ids), 500):  # databases limit the bound parameters
        for hid, name, account_name, bank, number in session.execute(
            select(Holder.id, Holder.name, Holder.payee_name, Holder.payee_bank, Holder.payee_account).where(
                Holder.id.in_(ids[start : start + 500])
            )
        ):
            out[hid] = payee.AccountOnRecord(name, account_name, bank, number)
    return out


def holder_name(session: Session, holder_id: int) -> str:
    """A holder's name, for an answer that needs only that (not the holder's whole page)."""
    name = session.scalar(select(Holder.name).where(Holder.id == holder_id))
    if name is None:
        raise NotFound("未找到权利人：{value}", value=holder_id)
    return name


def set_payee_account(
    session: Session,
    actor: Actor,
    holder_id: int,
    name: str | None,
    bank: str | None,
    number: str | None,
) -> payee.PayeeAccount | None:
    """Record (or, all three blank, clear) the holder's receiving account (收款账户), the
    account the policy's money is paid into (P2.1–P2.7).

    The enterprise user bound to the holder, or an officer in scope (a county officer: its
    county's holders). Checked by :func:`payee.check_account`; a name other than the
    holder's is accepted (pages warn). Audited as ``holder.payee_account`` with the old and
    new account, numbers masked but for their last four digits. Commits; returns the
    account now on record."""
    require(actor, "registry.edit_payee_account")
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("未找到权利人：{value}", value=holder_id)
    if actor.role == "enterprise" and actor.holder_id != holder_id:
        raise PermissionDenied("企业账号只能登记本企业的收款账户")
    require_region(actor, holder.region_code)
    account = payee.check_account(name, bank, number)
    old = (holder.payee_name, holder.payee_bank, holder.payee_account)
    new = (account.name, account.bank, account.number) if account else (None, None, None)
    if old != new:
        before, after = payee.audit_state(*old), payee.audit_state(*new)
        holder.payee_name, holder.payee_bank, holder.payee_account = new
        holder.updated_at = datetime.now(UTC)
        audit.record(
            session,
            actor.username,
            "holder.payee_account",
            "holder",
            holder.id,
            {
                "before": before,
                "after": after,
                "name_differs": payee.name_differs(holder.payee_name, holder.name),
            },
        )
    session.commit()
    return account


def _apply_holder_changes(session: Session, actor: Actor, holder: Holder, changes: dict[str, Any]) -> None:
    if changes.get("kind"):
        if changes["kind"] not in HOLDER_KIND_LABELS:
            raise ChoiceFailed(
                "权利人类型应为 {expected} 之一，收到：{value}",
                choices=HOLDER_KIND_LABELS,
                value=changes["kind"],
            )
        holder.kind = changes["kind"]
    if changes.get("region_code"):
        code = str(changes["region_code"])
        if session.get(Region, code) is None:
            raise ValidationFailed("行政区划代码 {value} 不存在", value=code)
        if not in_region_scope(actor, code):
            # The holder is the officer's own (checked before): what is refused is the move.
            raise PermissionDenied(
                "县区账号不能把记录移出本县区（{own}），不能改为 {target}",
                own=actor.region_code or "-",
                target=code,
            )
        holder.region_code = code
    if "zone_code" in changes:
        code = changes["zone_code"]
        if code:
            zone = session.scalar(select(Zone).where(Zone.code == code))
            if zone is None:
                raise ValidationFailed("园区代码 {value} 不存在", value=code)
            holder.zone_id = zone.id
        else:
            holder.zone_id = None
        holder.zone_explicit = True
    if "address" in changes:
        address = changes["address"].strip() if changes["address"] else None
        if address != holder.address:
            holder.address = address or None
            _follow_address(session, actor, holder, changes)
    if "tags" in changes:
        # Each tag once, in the order first given (``a;a; a`` is one tag a).
        holder.tags = list(dict.fromkeys(t.strip() for t in changes["tags"] if t and t.strip()))
    if "tiers" in changes:
        holder.tiers.clear()
        session.flush()
        for tier, year in changes["tiers"]:
            holder.tiers.append(HolderTier(tier=tier, year=int(year)))


def _follow_address(session: Session, actor: Actor, holder: Holder, changes: dict[str, Any]) -> None:
    """After an officer corrects a holder's address, what the address decides follows it
    (as an import decides it for a new holder): the zone by its keywords, unless an officer
    assigned the zone (the explicit list) or assigns one in the same change, and the region
    of a holder that had none, unless one is given. A region already set stays: officers
    correct it themselves."""
    from ipcity.places.service import address_locator

    region, zone_id = address_locator(session)(holder.address) if holder.address else (None, None)
    if not holder.zone_explicit and "zone_code" not in changes:
        holder.zone_id = zone_id
    if (
        holder.region_code is None
        and not changes.get("region_code")
        and region is not None
        and in_region_scope(actor, region)
        and session.get(Region, region) is not None
    ):
        holder.region_code = region


def get_region(session: Session, actor: Actor, code: str) -> RegionDetail:
    """A region: its sub-regions, holders and asset counts, population by year."""
    require(actor, "registry.read")
    region = session.get(Region, code)
    if region is None:
        raise NotFound("未找到行政区划：{value}", value=code)
    in_region = region_condition(Holder.region_code, code)
    holder_ids = select(Holder.id).where(in_region)
    patents = (
        session.scalar(select(func.count()).select_from(Patent).where(Patent.first_holder_id.in_(holder_ids)))
        or 0
    )
    counts = {
        kind: session.scalar(
            select(func.count())
            .select_from(model)
            .outerjoin(Holder, Holder.id == model.holder_id)
            .where(region_condition(asset_region(model), code))
        )
        or 0
        for kind, model in (
            ("trademarks", Trademark),
            ("copyrights", Copyright),
            ("plant_varieties", PlantVariety),
            ("geographical_indications", GeographicalIndication),
        )
    }
    for ptype in PATENT_TYPE_LABELS:
        counts[ptype] = (
            session.scalar(
                select(func.count())
                .select_from(Patent)
                .where(Patent.first_holder_id.in_(holder_ids), Patent.patent_type == ptype)
            )
            or 0
        )
    children = [
        {"code": c.code, "name": c.name, "name_en": english_name(c.code)}
        for c in session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code))
    ]
    population = dict(
        session.execute(
            select(Population.year, Population.residents).where(Population.area_code == code)
        ).all()
    )
    top = search_holders(session, actor, region=code, per_page=20).items
    return RegionDetail(
        code=region.code,
        name=region.name,
        name_en=english_name(region.code),
        level=region.level,
        parent_code=region.parent_code,
        children=children,
        holders=session.scalar(select(func.count()).select_from(Holder).where(in_region)) or 0,
        patents=patents,
        counts=counts,
        population=dict(sorted(population.items())),
        top_holders=top,
    )


def registry_stats(session: Session) -> dict[str, int]:
    """Counts of each kind of record (``ipcity stats --json``)."""
    models: dict[str, Any] = {
        "regions": Region,
        "zones": Zone,
        "population": Population,
        "holders": Holder,
        "patents": Patent,
        "patent_publications": PatentPublication,
        "patent_status_events": PatentStatusEvent,
        "trademarks": Trademark,
        "copyrights": Copyright,
        "plant_varieties": PlantVariety,
        "geographical_indications": GeographicalIndication,
        "import_batches": ImportBatch,
    }
    out = {
        name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()
    }
    for ptype in PATENT_TYPE_LABELS:
        out[f"patents_{ptype}"] = (
            session.scalar(select(func.count()).select_from(Patent).where(Patent.patent_type == ptype)) or 0
        )
    return out


EXPORT_COLUMNS = [
    ("application_number", "申请号", "Application number"),
    ("jurisdiction", "国家/地区", "Office"),
    ("patent_type_label", "专利类型", "Type"),
    ("title", "名称", "Title"),
    ("filing_date", "申请日", "Filing date"),
    ("grant_date", "授权日", "Grant date"),
    ("ipc_main", "IPC主分类", "Main IPC"),
    ("first_holder", "第一权利人", "First holder"),
    ("status_label", "当前法律状态", "Current legal status"),
]


def export_patents(
    session: Session, actor: Actor, query: PatentQuery, fmt: Literal["csv", "xlsx"], locale: str = "zh_CN"
) -> bytes:
    """The whole result of a search (up to 100,000 rows) as CSV (UTF-8 with BOM, opens in
    Excel) or XLSX, headers and labels in the user's language."""
    require(actor, "registry.read")
    query.validate(session)
    all_ids = list(session.scalars(_ordered(session, query).limit(EXPORT_LIMIT)))
    header = [zh if locale != "en" else en for _, zh, en in EXPORT_COLUMNS]
    rows: list[list[Any]] = []
    for start in range(0, len(all_ids), 1000):
        for item in _summaries(session, all_ids[start : start + 1000], locale):
            data = item.model_dump()
            rows.append([data[key] for key, _, _ in EXPORT_COLUMNS])
    return stream_table_bytes(header, rows, fmt, "专利" if locale != "en" else "Patents")
