"""Rows of a patent export → :class:`~ipcity.registry.records.PatentRecord` or row errors.

One parser serves every tabular patent layout (Patentics, incoPat, the 62-column DB
export, an officer's own mapping): the layout only says which column holds which field.
Column positions are resolved once per file; the per-row work is index lookups, memoised
normalisers (:mod:`.values`) and building the record (P2.8: the registry is only as good as
what the import lets in, so nothing is guessed: a bad cell rejects its row, with the row,
the column as the file names it, the value and the reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ipcity import clock
from ipcity.errors import InvalidFile, InvalidNumber
from ipcity.registry.importers.status import STATUS_MEMO, UNKNOWN, accepted_status_texts
from ipcity.registry.importers.values import (
    BAD,
    DATES,
    FAMILIES,
    IPC_LISTS_LENIENT,
    NAMES,
    PATENT_TYPE_TEXTS,
    PEOPLE,
    Memo,
    date_out_of_range,
    jurisdiction_of_country,
    main_ipc,
    parse_count,
)
from ipcity.registry.numbers import (
    application_number_and_type,
    canonical_application_number,
    canonical_cn_publication,
    normalize_application_number,
    parse_publication_number,
    publication_number_parts,
)
from ipcity.registry.records import PatentRecord, PublicationRecord, RowError, StatusEvent

__all__ = [
    "PatentRowParser",
    "date_order_error",
    "future_date_error",
    "grant_kind",
    "kind_patent_type",
    "number_error",
]

MSG_SHORT_ROW = (
    "该行只有 {found} 列，到「{column}」列之前就结束了；应与表头一样有 {expected} 列（文件可能被截断）。"
)
MSG_REQUIRED = "「{column}」为空；该列必须填写。"
MSG_BAD_DATE = "日期「{value}」无法识别；应为 20220311、2022-03-11、2022/3/11 或 2022.03.11 这样的日期。"
MSG_DATE_OUT_OF_RANGE = "日期「{value}」的年份超出 1900–2100，请检查是否输错。"
MSG_AFTER_TODAY = "日期「{value}」晚于今天（{today}）：登记、申请和授权日期只能是已经过去的日子。"


def bad_date_message(text: str) -> str:
    """The refusal of a date cell: out of range (a year typed wrong) or not a date at all."""
    return MSG_DATE_OUT_OF_RANGE if date_out_of_range(text) else MSG_BAD_DATE


MSG_BAD_IPC = "IPC 分类号「{value}」格式不正确；应为形如 G06F3/01 的分类号，多个用 | 或 ; 分隔。"
MSG_IPC_DROPPED = (
    "已忽略：IPC 分类号「{value}」格式不正确（应为形如 G06F3/01 的分类号），该行的其他分类号照常导入。"
)
MSG_DATE_ORDER = "「{column}」{value} 早于「{earlier}」{earlier_value}；{column}应不早于{earlier}。"
MSG_BAD_STATUS = "法律状态「{value}」无法识别；可接受的值为：{accepted}。"
MSG_BAD_TYPE = "专利类型「{value}」无法识别；应为发明申请、发明授权、实用新型或外观设计。"
MSG_BAD_COUNTRY = (
    "公开国别「{value}」无法识别；应为中国、美国、世界知识产权组织等国家或组织名称，或两位字母代码。"
)
MSG_BAD_COUNT = "「{value}」不是整数；应为不小于 0 的整数。"
MSG_TOO_MANY_CLAIMS = "权利要求数「{value}」过大：应不超过 {max}。"
MSG_TITLE_TOO_LONG = "「{column}」有 {length} 个字符，过长；应不超过 {max} 个字符（可能误填了摘要或全文）。"
# The longest real titles (translated foreign filings) run to a few hundred characters; a
# longer one is an abstract or a whole text in the wrong column, and would fill every list.
MAX_TITLE = 1000
# No patent has this many claims (the largest have a few thousand): a slip, and a number past
# what the database column holds would fail the whole file at its write.
MAX_CLAIMS = 100_000
MSG_CELL_TOO_LONG = "「{column}」中的「{value}」有 {length} 个字符，过长；应不超过 {max} 个字符。"
# The lengths of the columns a holder is stored in (Holder.name, PatentHolder.name_as_filed,
# Holder.address): PostgreSQL refuses a longer value and would fail the whole file at its
# write, with no row named, so such a row is refused here, by its row and column.
MAX_NAME = 300
MAX_ADDRESS = 500
MSG_MISSING_COLUMN = "文件缺少「{column}」列（{field}）；应包含该列，或在列映射中指定对应的列。"

# Kind codes of a grant publication: CN B/C (invention), U/Y (utility model), S/D (design);
# elsewhere B and C are grants (US, EP, JP, KR, RU, CA …), U/Y registered utility models,
# S designs. A, T, E, W and the rest are applications, translations, reissues.
_GRANT_KINDS = frozenset("BCUYS")
_CN_GRANT_KINDS = frozenset("BCUYSD")
_KIND_TYPES = {
    "A": "invention",
    "B": "invention",
    "C": "invention",
    "U": "utility_model",
    "Y": "utility_model",
}
_CN_KIND_TYPES = {**_KIND_TYPES, "S": "design", "D": "design"}

_NUMBER_CACHE_MAX = 200_000


def grant_kind(jurisdiction: str, kind: str) -> bool:
    """Whether a publication of this kind is the grant (so its date is the grant date).
    A correction (B8, B9: republished title page or full text) is dated later than the
    grant and does not date it."""
    if not kind or kind[1:] in ("8", "9"):
        return False
    return kind[0] in (_CN_GRANT_KINDS if jurisdiction == "CN" else _GRANT_KINDS)


def kind_patent_type(jurisdiction: str, kind: str) -> str | None:
    """Patent type implied by a kind code, where it implies one (CN: all; elsewhere A/B/C
    invention, U/Y utility model; a US ``S`` is a design)."""
    if not kind:
        return None
    if jurisdiction == "CN":
        return _CN_KIND_TYPES.get(kind[0])
    if jurisdiction == "US" and kind[0] == "S":
        return "design"
    return _KIND_TYPES.get(kind[0])


def number_error(row: int, column: str, value: str, exc: InvalidNumber) -> RowError:
    """A :class:`RowError` carrying the numbers module's own message and parameters."""
    params = tuple((key, str(val)) for key, val in exc.params.items())
    return RowError(row, column, value, exc.message, params)


def _error(row: int, column: str, value: str, reason: str, /, **params: str) -> RowError:
    return RowError(row, column, value, reason, tuple(params.items()))


def too_long_error(row: int, column: str, text: str, most: int) -> RowError:
    """The refusal of a cell longer than ``most`` characters (its start shown)."""
    # The error file and the preview need the value's start, not all of it.
    shown = text[:100] + "…"
    return _error(
        row,
        column,
        shown,
        MSG_CELL_TOO_LONG,
        column=column,
        value=shown,
        length=f"{len(text):,}",
        max=f"{most:,}",
    )


def date_order_error(row: int, column: str, value: str, earlier: str, earlier_value: str) -> RowError:
    """A date that lies before the date it must follow (a grant before the filing …), on
    the later date's cell: e.g. ``注册日`` 2020-01-01 before ``申请日`` 2021-01-01."""
    return _error(
        row,
        column,
        value,
        MSG_DATE_ORDER,
        column=column,
        value=value,
        earlier=earlier,
        earlier_value=earlier_value,
    )


def future_date_error(row: int, column: str, value: str, today: dt.date) -> RowError:
    """A filing, publication or grant date after ``today``: a typo (2052 for 2025) or a
    date not yet come, which would count a patent in a year that has not happened."""
    return _error(row, column, value, MSG_AFTER_TODAY, value=value, today=today.isoformat())


def _type_of_text(text: str) -> str | None:
    s = text.strip()
    found = PATENT_TYPE_TEXTS.get(s) or PATENT_TYPE_TEXTS.get(
        s.lower()
    )  # "Utility model" (an English export)
    if found is None and (";" in s or "；" in s):
        # "发明公开;发明授权": one application, two publications; the first names the type.
        found = PATENT_TYPE_TEXTS.get(s.replace("；", ";").split(";")[0].strip())
    return found


# A parsed publication: canonical number, office, kind, is it the grant, patent type by kind.
Publication = tuple[str, str, str, bool, str | None]


def _parse_publication(text: str) -> Publication | InvalidNumber:
    try:
        canonical, office, kind = publication_number_parts(text)
    except InvalidNumber as exc:
        return exc
    return canonical, office, kind, grant_kind(office, kind), kind_patent_type(office, kind)


class _CnKinds(dict[str, tuple[bool, str | None]]):
    """CN kind code -> (is it the grant, patent type it implies)."""

    def __missing__(self, kind: str) -> tuple[bool, str | None]:
        found = self[kind] = (grant_kind("CN", kind), kind_patent_type("CN", kind))
        return found


_CN_KINDS = _CnKinds()


def _parse_application(key: tuple[str, str]) -> tuple[str, str | None] | InvalidNumber:
    text, jurisdiction = key
    try:
        if jurisdiction == "CN":
            return application_number_and_type(text)
        return normalize_application_number(text, jurisdiction), None
    except InvalidNumber as exc:
        return exc


class PatentRowParser:
    """Turn the rows of one file into records. Build it once per file with the column index
    of each field (fields the file lacks are absent); call it with ``(row, cells)``.

    ``observed_on`` is the day the export is imported: a status the file reports without a
    date (current status columns) is dated that day with ``date_observed=True``, unless the
    row itself dates it (授权公告日, 申请日, 实质审查日, 失效日期).

    ``warnings`` collects what a kept row lost: a malformed code in a list of secondary
    IPC classifications is dropped (reason ``MSG_IPC_DROPPED``) and the record kept.
    """

    def __init__(self, header: Sequence[str], columns: dict[str, int], observed_on: dt.date) -> None:
        self.header = list(header)
        self.columns = dict(columns)
        self.observed_on = observed_on
        # A filing, publication or grant cannot lie after the day of the import (in the city).
        self._today = clock.today()
        if "application_number" not in columns:
            raise InvalidFile(MSG_MISSING_COLUMN, column="申请号", field="application_number")
        get = columns.get
        self._app = columns["application_number"]
        self._title = get("title", -1)
        self._title_en = get("title_en", -1)
        self._abstract = get("abstract", -1)
        self._pub = get("publication_number", -1)
        self._grant_no = get("grant_number", -1)
        self._ipc_main = get("ipc_main", -1)
        self._ipc_all = get("ipc_all", -1)
        self._applicants = get("applicants", -1)
        self._address = get("applicant_address", -1)
        self._inventors = get("inventors", -1)
        self._status = get("legal_status", -1)
        self._validity = get("validity", -1)
        self._type = get("patent_type", -1)
        self._country = get("country", -1)
        self._family = get("family", -1)
        self._pct_app = get("pct_application_number", -1)
        self._pct_pub = get("pct_publication_number", -1)
        self._claims = get("claims_count", -1)
        self._filing = get("filing_date", -1)
        self._published = get("publication_date", -1)
        self._granted = get("grant_date", -1)
        self._lapsed = get("lapse_date", -1)
        self._invalidated = get("invalidation_date", -1)
        self._examined = get("examination_date", -1)
        self._has_event_dates = max(self._lapsed, self._invalidated, self._examined) >= 0
        self._status_columns = tuple(i for i in (self._status, self._validity) if i >= 0)
        self._errors: list[RowError] = []
        # A row must reach the last column we read; extra trailing cells (Patentics ends
        # every row with a comma) are fine.
        self._width = max(columns.values()) + 1
        # Memo tables: exports repeat an application on every publication row, and the
        # same IPC and status strings on thousands of rows.
        self._applications: Memo[tuple[str, str], tuple[str, str | None] | InvalidNumber] = Memo(
            _parse_application, _NUMBER_CACHE_MAX
        )
        self._publications: Memo[str, Publication | InvalidNumber] = Memo(
            _parse_publication, _NUMBER_CACHE_MAX
        )
        self._ipcs: Memo[tuple[str, str], tuple[str | None, tuple[str, ...], int, tuple[str, ...]]] = Memo(
            self._parse_ipc
        )
        self.warnings: list[RowError] = []

    def _parse_ipc(self, key: tuple[str, str]) -> tuple[str | None, tuple[str, ...], int, tuple[str, ...]]:
        """(main, all, index of the bad column or -1, dropped list parts) for a (main cell,
        list cell) pair.

        Only the main classification can reject a row: it says what the patent is about
        (indicators and industry mapping read it). A malformed code in the list of all
        classifications is dropped with a warning and the others are kept; without a
        main-classification column the first valid code of the list is the main one."""
        main_text, all_text = key
        codes: tuple[str, ...] = ()
        dropped: tuple[str, ...] = ()
        if self._ipc_all >= 0:
            codes, dropped = IPC_LISTS_LENIENT[all_text]
        main: str | None = None
        if self._ipc_main >= 0:
            found = main_ipc(main_text, codes)
            if found is BAD:
                return None, (), self._ipc_main, ()
            main = found  # type: ignore[assignment]
        elif codes:
            main = codes[0]
        if main is not None and len(main) > 4 and main not in codes:
            codes = (main, *codes)
        return main, codes, -1, dropped

    def _jurisdiction(self, raw: str, cells: list[str], pub: Publication | None) -> str | None:
        """The office: the number's own prefix, else the 公开国别 column, else the
        publication number's prefix, else CN (a bare number in a Chinese export)."""
        head = raw[:2]
        if head.isascii() and head.isalpha():
            head = head.upper()
            if head == "PC":  # "PCT/CN2019/094567"
                return "WO"
            if head != "ZL":  # ZL prefixes CN patent numbers
                return head
        if self._country >= 0:
            text = cells[self._country].strip()
            if text:
                return jurisdiction_of_country(text)
        if pub is not None:
            return pub[1]
        return "CN"

    # -- the row ----------------------------------------------------------------------------

    def _date(self, row: int, cells: list[str], i: int, errors: list[RowError]) -> dt.date | None:
        value = DATES[cells[i]]
        if value is BAD:
            errors.append(
                _error(row, self.header[i], cells[i], bad_date_message(cells[i]), value=cells[i].strip())
            )
            return None
        return value  # type: ignore[return-value]

    def __call__(self, row: int, cells: list[str]) -> PatentRecord | list[RowError]:
        """Parse one row: a record, or every error found in the row."""
        if len(cells) < self._width:
            return [self._short_row(row, cells)]
        header = self.header
        # Rows are many and errors rare: one shared list, copied out only when it fills.
        errors = self._errors
        if errors:
            errors = self._errors = []

        pub: Publication | None = None
        i = self._pub
        pub_text = cells[i].strip() if i >= 0 else ""
        if pub_text:
            # Numbers are all different: the fast path for a canonical CN number comes
            # before the memo, which serves the numbers that need the full reader.
            canonical = canonical_cn_publication(pub_text)
            if canonical is not None:
                kind = canonical[1]
                pub = (pub_text, "CN", kind, *_CN_KINDS[kind])
            else:
                parsed = self._publications[pub_text]
                if isinstance(parsed, InvalidNumber):
                    errors.append(number_error(row, header[i], pub_text, parsed))
                else:
                    pub = parsed

        i = self._app
        raw = cells[i].strip()
        application_number = ""
        jurisdiction: str | None = "CN"
        patent_type: str | None = None
        if not raw:
            errors.append(_error(row, header[i], raw, MSG_REQUIRED, column=header[i]))
        else:
            jurisdiction = "CN" if raw.startswith("CN") else self._jurisdiction(raw, cells, pub)
            if jurisdiction is None:
                c = self._country
                errors.append(_error(row, header[c], cells[c], MSG_BAD_COUNTRY, value=cells[c].strip()))
            else:
                number = (canonical_application_number(raw) if jurisdiction == "CN" else None) or (
                    self._applications[raw, jurisdiction]
                )
                if isinstance(number, InvalidNumber):
                    errors.append(number_error(row, header[i], raw, number))
                else:
                    application_number, patent_type = number

        # Dates: memoised parse, so a repeated date costs one dict lookup.
        filing_date = publication_date = grant_date = None
        i = self._filing
        if i >= 0:
            filing_date = DATES[cells[i]]
            if filing_date is BAD:
                filing_date = self._date(row, cells, i, errors)
        i = self._published
        if i >= 0:
            publication_date = DATES[cells[i]]
            if publication_date is BAD:
                publication_date = self._date(row, cells, i, errors)
        i = self._granted
        if i >= 0:
            grant_date = DATES[cells[i]]
            if grant_date is BAD:
                grant_date = self._date(row, cells, i, errors)
        lapse_date = invalidation_date = examination_date = None
        if self._has_event_dates:
            if self._lapsed >= 0:
                lapse_date = self._date(row, cells, self._lapsed, errors)
            if self._invalidated >= 0:
                invalidation_date = self._date(row, cells, self._invalidated, errors)
            if self._examined >= 0:
                examination_date = self._date(row, cells, self._examined, errors)

        # Patent type: CN type digit, else the 专利类型 column, else the kind code.
        if patent_type is None and self._type >= 0:
            text = cells[self._type].strip()
            if text:
                patent_type = _type_of_text(text)
                if patent_type is None:
                    i = self._type
                    errors.append(_error(row, header[i], text, MSG_BAD_TYPE, value=text))
        if patent_type is None and pub is not None:
            patent_type = pub[4]

        # IPC: one memo lookup for the (main, list) pair.
        ipc_main, ipc_all, bad, dropped = self._ipcs[
            cells[self._ipc_main] if self._ipc_main >= 0 else "",
            cells[self._ipc_all] if self._ipc_all >= 0 else "",
        ]
        if bad >= 0:
            errors.append(_error(row, header[bad], cells[bad], MSG_BAD_IPC, value=cells[bad].strip()))

        # Nor lie after today (one comparison per row while none does).
        today = self._today
        if (filing_date is not None and filing_date > today) or (  # type: ignore[operator]
            (publication_date is not None and publication_date > today)  # type: ignore[operator]
            or (grant_date is not None and grant_date > today)  # type: ignore[operator]
        ):
            for i, when in (
                (self._filing, filing_date),
                (self._published, publication_date),
                (self._granted, grant_date),
            ):
                if when is not None and when > today:  # type: ignore[operator]
                    errors.append(future_date_error(row, header[i], cells[i].strip(), today))
        # A date cannot precede the filing (a typo in a template, a shifted column).
        if filing_date is not None:
            for i, when in ((self._published, publication_date), (self._granted, grant_date)):
                if when is not None and when < filing_date:  # type: ignore[operator]
                    errors.append(
                        date_order_error(
                            row,
                            header[i],
                            cells[i].strip(),
                            header[self._filing],
                            cells[self._filing].strip(),
                        )
                    )

        # Publications; a grant publication dates the grant.
        publications: list[PublicationRecord] = []
        if pub is not None:
            publications.append(PublicationRecord(pub[0], pub[2], publication_date))  # type: ignore[arg-type]
            if grant_date is None and pub[3]:
                grant_date = publication_date
        granted_undated = False
        i = self._grant_no
        if i >= 0:
            text = cells[i].strip()
            if text:
                grant = self._publications[text]
                if isinstance(grant, InvalidNumber):
                    errors.append(number_error(row, header[i], text, grant))
                else:
                    if pub is None or grant[0] != pub[0]:
                        publications.append(PublicationRecord(grant[0], grant[2], grant_date))  # type: ignore[arg-type]
                    # A grant number without its date: granted, on a day the file omits.
                    granted_undated = grant_date is None

        statuses, statuses_shown = self._statuses(
            row,
            cells,
            errors,
            filing_date,  # type: ignore[arg-type]
            grant_date,  # type: ignore[arg-type]
            granted_undated,
            lapse_date,
            invalidation_date,
            examination_date,
        )

        title = cells[self._title].strip() if self._title >= 0 else ""
        title_en = cells[self._title_en].strip() or None if self._title_en >= 0 else None
        if not title:
            if title_en:
                title = title_en
            elif self._title >= 0:
                i = self._title
                errors.append(_error(row, header[i], "", MSG_REQUIRED, column=header[i]))
        for i in (self._title, self._title_en):
            if i >= 0 and len(cells[i]) > MAX_TITLE and len(text := cells[i].strip()) > MAX_TITLE:
                shown = text[:200] + "…"  # the error file and the preview need its start, not all of it
                length, most = f"{len(text):,}", f"{MAX_TITLE:,}"
                errors.append(
                    _error(
                        row, header[i], shown, MSG_TITLE_TOO_LONG, column=header[i], length=length, max=most
                    )
                )

        # A cell no longer than the limit cannot hold a name longer than it: one len() per row.
        i = self._applicants
        if i >= 0 and len(cells[i]) > MAX_NAME:
            for name in NAMES[cells[i]]:
                if len(name) > MAX_NAME:
                    errors.append(too_long_error(row, header[i], name, MAX_NAME))
        i = self._address
        if i >= 0 and len(cells[i]) > MAX_ADDRESS and len(text := cells[i].strip()) > MAX_ADDRESS:
            errors.append(too_long_error(row, header[i], text, MAX_ADDRESS))

        pct_application = pct_publication = None
        if self._pct_app >= 0:
            pct_application = self._pct(row, cells, self._pct_app, errors, application=True)
        if self._pct_pub >= 0:
            pct_publication = self._pct(row, cells, self._pct_pub, errors, application=False)

        claims: int | None = None
        i = self._claims
        if i >= 0:
            text = cells[i]
            if text.isdecimal():
                claims = int(text)
            else:
                try:
                    claims = parse_count(text)
                except ValueError:
                    errors.append(_error(row, header[i], text, MSG_BAD_COUNT, value=text.strip()))
            if claims is not None and claims > MAX_CLAIMS:
                errors.append(
                    _error(
                        row, header[i], text, MSG_TOO_MANY_CLAIMS, value=text.strip(), max=f"{MAX_CLAIMS:,}"
                    )
                )
                claims = None

        if errors:
            return errors
        if dropped:
            i = self._ipc_all
            self.warnings.extend(
                _error(row, header[i], part, MSG_IPC_DROPPED, value=part) for part in dropped
            )
        return PatentRecord(
            row,
            jurisdiction or "CN",
            application_number,
            patent_type,  # type: ignore[arg-type]
            title,
            title_en,
            (cells[self._abstract].strip() or None) if self._abstract >= 0 else None,
            filing_date,  # type: ignore[arg-type]
            publication_date,  # type: ignore[arg-type]
            grant_date,  # type: ignore[arg-type]
            ipc_main,
            list(ipc_all),
            list(NAMES[cells[self._applicants]]) if self._applicants >= 0 else [],
            (cells[self._address].strip() or None) if self._address >= 0 else None,
            list(PEOPLE[cells[self._inventors]]) if self._inventors >= 0 else [],
            publications,
            statuses,
            pct_application,
            pct_publication,
            list(FAMILIES[cells[self._family]]) if self._family >= 0 else [],
            claims,
            statuses_shown,
        )

    def _statuses(
        self,
        row: int,
        cells: list[str],
        errors: list[RowError],
        filing_date: dt.date | None,
        grant_date: dt.date | None,
        granted_undated: bool,
        lapse_date: dt.date | None,
        invalidation_date: dt.date | None,
        examination_date: dt.date | None,
    ) -> tuple[list[StatusEvent], bool]:
        """Status history of the row: the grant (dated by the grant publication when the
        file has it) and the current status, dated by the file where it can (失效日期,
        实质审查日) and by ``observed_on`` where it cannot; and whether a status column
        stated a definite current status (``PatentRecord.status_shown``)."""
        status: str | None = None
        unspecified = False
        for i in self._status_columns:
            found = STATUS_MEMO[cells[i]]
            if found is None:
                # "其他": a status column that says nothing definite (empty says nothing at all).
                unspecified = unspecified or bool(cells[i].strip())
            elif found is UNKNOWN:
                text = cells[i].strip()
                errors.append(
                    _error(
                        row,
                        self.header[i],
                        text,
                        MSG_BAD_STATUS,
                        value=text,
                        accepted=accepted_status_texts(),
                    )
                )
            elif status is None:
                # 当前法律状态 is the more specific column; 专利有效性 only fills a gap.
                status = found  # type: ignore[assignment]
        observed = self.observed_on
        if grant_date is not None:
            events = [StatusEvent("granted", grant_date)]
        elif status == "granted" or granted_undated:
            events = [StatusEvent("granted", observed, True)]
        else:
            events = []
        if status is None and unspecified and not events and filing_date is not None:
            # Patentics' 其他 (in the real exports: inventions published, not granted, still
            # in examination or ended for a reason the export does not give): only the row's
            # dated facts are recorded, which here is the filing. The patent then reads as
            # 公开/在审 since its filing day, until an export gives a definite status.
            return [StatusEvent("filed", filing_date)], False
        if status is None or status == "granted":
            return events, status is not None
        if status == "filed":
            # Pending: the application exists since its filing date.
            events.append(StatusEvent("filed", filing_date or observed, filing_date is None))
        elif status == "examination":
            events.append(StatusEvent("examination", examination_date or observed, examination_date is None))
        else:
            when = invalidation_date if status == "invalidated" else None
            when = when or lapse_date
            events.append(StatusEvent(status, when or observed, when is None))
        return events, True

    def _pct(
        self, row: int, cells: list[str], i: int, errors: list[RowError], *, application: bool
    ) -> str | None:
        if i < 0:
            return None
        text = cells[i].strip()
        if not text or text == "0":
            return None
        try:
            if application:
                return normalize_application_number(text, "WO")
            return parse_publication_number(text).canonical
        except InvalidNumber as exc:
            errors.append(number_error(row, self.header[i], text, exc))
            return None

    def _short_row(self, row: int, cells: list[str]) -> RowError:
        missing = self.header[len(cells)] if len(cells) < len(self.header) else ""
        return _error(
            row,
            missing,
            "",
            MSG_SHORT_ROW,
            found=str(len(cells)),
            column=missing,
            expected=str(len(self.header)),
        )
