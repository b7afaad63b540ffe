"""Lens.org JSON Lines export → one :class:`PatentRecord` per publication line.

Lens writes DOCDB numbers: ``filingNumber`` is "office serial kind" ("US 15950587 A",
"CN 200910047892 A", "US 2007/0088754 W" for a PCT application received in the US).
DOCDB drops the CNIPA check digit, so for CN it is computed from the digits: the source
format never carried one, so there is nothing to repair, and the result still passes
every other check of :func:`ipcity.registry.numbers.parse_application_number`. A CN number
that *carries* a check digit keeps it, and a wrong one is an error as everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ipcity import clock
from ipcity.errors import InvalidNumber
from ipcity.registry.importers.patents import (
    MAX_NAME,
    MSG_BAD_IPC,
    MSG_REQUIRED,
    bad_date_message,
    date_order_error,
    future_date_error,
    grant_kind,
    kind_patent_type,
    number_error,
    too_long_error,
)
from ipcity.registry.importers.values import BAD, normalize_ipc, parse_date_or_bad
from ipcity.registry.numbers import (
    check_digit,
    normalize_application_number,
    parse_application_number,
    parse_publication_number,
)
from ipcity.registry.records import PatentRecord, PublicationRecord, RowError, StatusEvent

__all__ = ["LensRecordParser", "lens_application_number"]

MSG_NOT_LIST = "「{column}」应为名称列表；收到的是「{value}」。"
MSG_NOT_TEXT = "「{column}」应为文本；收到的是「{value}」。"
MSG_NOT_CODE_LIST = "「{column}」应为分类号列表；收到的是「{value}」。"


def _shown(value: Any) -> str:
    """A JSON value as the file writes it (``5``, ``NaN``, ``["a"]``), never Python's
    spelling (``nan``, ``['a']``), cut short for a message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def _wrong_type(row: int, column: str, value: Any, reason: str) -> RowError:
    shown = _shown(value)
    return RowError(row, column, shown, reason, (("column", column), ("value", shown)))


def _text(row: int, record: dict[str, Any], key: str, errors: list[RowError]) -> str | None:
    """The stripped text of ``key`` ("" when absent or null); None, with the row's error,
    when the field holds something else (a number, a list, an object): a record whose
    title is ``NaN`` is rejected, not stored under the title "nan"."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    errors.append(_wrong_type(row, key, value, MSG_NOT_TEXT))
    return None


def lens_application_number(filing_number: str, jurisdiction: str) -> str:
    """Canonical application number from a Lens/DOCDB ``filingNumber``.

    >>> lens_application_number("CN 200910047892 A", "CN")
    'CN200910047892.X'
    >>> lens_application_number("US 2007/0088754 W", "WO")
    'WOUS2007088754'

    Raises :class:`~ipcity.errors.InvalidNumber` for a number its office rules reject.
    """
    parts = filing_number.split()
    if len(parts) >= 3 and len(parts[-1]) <= 2 and parts[-1].isalnum():
        parts = parts[:-1]  # the DOCDB application kind ("A", "U", "W", "T")
    if len(parts) >= 2 and len(parts[0]) == 2 and parts[0].isalpha():
        office, serial = parts[0].upper(), "".join(parts[1:])
    else:
        office, serial = jurisdiction, "".join(parts)
    if jurisdiction == "WO":
        digits = serial.replace("/", "")
        # DOCDB pads the PCT serial to 7 digits ("2007/0088754"); PCT/US2007/088754 has 6.
        if len(digits) == 11 and digits.isdecimal() and digits[4] == "0":
            digits = digits[:4] + digits[5:]
        return normalize_application_number(f"PCT/{office}{digits}", "WO")
    if jurisdiction == "CN":
        if "." not in serial and serial.isdecimal() and len(serial) in (8, 12):
            serial = f"{serial}.{check_digit(serial)}"
        return parse_application_number(serial).canonical
    return normalize_application_number(serial, jurisdiction)


class LensRecordParser:
    """Parse Lens JSON records (one publication each); call with ``(line_no, record)``."""

    def __init__(self, observed_on: dt.date) -> None:
        self.observed_on = observed_on
        self._today = clock.today()
        self._ipc_cache: dict[str, str | None] = {}

    def _ipc(self, code: str) -> str | None:
        found = self._ipc_cache.get(code, BAD)
        if found is BAD:
            try:
                found = normalize_ipc(code)
            except ValueError:
                found = None
            self._ipc_cache[code] = found
        return found  # type: ignore[return-value]

    def __call__(self, row: int, record: dict[str, Any]) -> PatentRecord | list[RowError]:
        """One Lens record → a record, or its errors (column = the JSON key)."""
        errors: list[RowError] = []
        jurisdiction_text = _text(row, record, "jurisdiction", errors)
        jurisdiction = (jurisdiction_text or "").upper()
        kind = (_text(row, record, "kindCode", errors) or "").upper()
        filing_number = _text(row, record, "filingNumber", errors)
        application_number = ""
        patent_type: str | None = None
        if filing_number is None or jurisdiction_text is None:
            pass  # a field of the wrong type: its error says so
        elif not filing_number or len(jurisdiction) != 2:
            column = "filingNumber" if not filing_number else "jurisdiction"
            errors.append(RowError(row, column, "", MSG_REQUIRED, (("column", column),)))
        else:
            try:
                application_number = lens_application_number(filing_number, jurisdiction)
            except InvalidNumber as exc:
                errors.append(number_error(row, "filingNumber", filing_number, exc))
            if jurisdiction == "CN" and application_number:
                patent_type = parse_application_number(application_number).patent_type
        if patent_type is None:
            patent_type = kind_patent_type(jurisdiction, kind)

        publications: list[PublicationRecord] = []
        publication_date = self._date(row, record, "publicationDate", errors)
        filing_date = self._date(row, record, "filingDate", errors)
        key = _text(row, record, "publicationKey", errors)
        if key:
            # "WO_2008_060331_A9_20081120": office, number parts, kind, [correction date].
            parts = key.split("_")
            if len(parts) >= 4 and parts[-1].isdecimal() and len(parts[-1]) == 8:
                parts = parts[:-1]
            try:
                number = parse_publication_number("".join(parts[:-1]) + (kind or parts[-1]))
                publications.append(PublicationRecord(number.canonical, number.kind, publication_date))
            except InvalidNumber as exc:
                errors.append(number_error(row, "publicationKey", key, exc))

        grant_date = publication_date if grant_kind(jurisdiction, kind) else None
        if _text(row, record, "docType", errors) == "Granted Patent" and grant_date is None:
            grant_date = publication_date
        statuses = [StatusEvent("granted", grant_date)] if grant_date is not None else []

        # Neither date may lie after today (a typo, or a date not yet come).
        for name, when in (("filingDate", filing_date), ("publicationDate", publication_date)):
            if when is not None and when > self._today:
                errors.append(future_date_error(row, name, str(record.get(name) or "").strip(), self._today))
        # A publication cannot precede its filing, nor can a grant (dated by its publication):
        # the rule of the tabular layouts, on the later date's field.
        if filing_date is not None and publication_date is not None and publication_date < filing_date:
            errors.append(
                date_order_error(
                    row,
                    "publicationDate",
                    str(record.get("publicationDate") or "").strip(),
                    "filingDate",
                    str(record.get("filingDate") or "").strip(),
                )
            )

        ipc_all: list[str] = []
        for column, code in self._items(row, record, "ipcrClassifications", MSG_NOT_CODE_LIST, errors):
            normal = self._ipc(code)
            if normal is None:
                errors.append(RowError(row, column, code, MSG_BAD_IPC, (("value", code),)))
            elif normal not in ipc_all:
                ipc_all.append(normal)

        applicants = self._names(row, record, "applicants", errors)
        inventors = self._names(row, record, "inventors", errors)
        title = _text(row, record, "title", errors)
        if title == "":
            errors.append(RowError(row, "title", "", MSG_REQUIRED, (("column", "title"),)))
        if errors:
            return errors
        return PatentRecord(
            source_row=row,
            jurisdiction=jurisdiction,
            application_number=application_number,
            patent_type=patent_type,  # type: ignore[arg-type]
            title=title or "",
            # Lens titles are mostly English; keep them in title_en too so that a
            # Chinese title imported later does not lose the English one.
            title_en=title if title and title.isascii() else None,
            filing_date=filing_date,
            publication_date=publication_date,
            grant_date=grant_date,
            ipc_main=ipc_all[0] if ipc_all else None,
            ipc_all=ipc_all,
            applicants=applicants,
            inventors=inventors,
            publications=publications,
            statuses=statuses,
        )

    @staticmethod
    def _date(row: int, record: dict[str, Any], key: str, errors: list[RowError]) -> dt.date | None:
        text = _text(row, record, key, errors)
        if text is None:
            return None
        value = parse_date_or_bad(text)
        if value is BAD:
            errors.append(RowError(row, key, text, bad_date_message(text), (("value", text),)))
            return None
        return value  # type: ignore[return-value]

    @staticmethod
    def _items(
        row: int, record: dict[str, Any], key: str, not_list: str, errors: list[RowError]
    ) -> list[tuple[str, str]]:
        """The stripped texts of a list field with each one's path (``applicants[2]``); a
        lone text is a list of one. A field or an item of another type is the row's error,
        on that path: ``5`` is not a list and ``{"name": …}`` is not a name."""
        value = record.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(key, value.strip())] if value.strip() else []
        if not isinstance(value, list):
            errors.append(_wrong_type(row, key, value, not_list))
            return []
        items: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            path = f"{key}[{index}]"
            if isinstance(item, str):
                if item.strip():
                    items.append((path, item.strip()))
            elif item is not None:
                errors.append(_wrong_type(row, path, item, MSG_NOT_TEXT))
        return items

    @classmethod
    def _names(cls, row: int, record: dict[str, Any], key: str, errors: list[RowError]) -> list[str]:
        names: list[str] = []
        for path, text in cls._items(row, record, key, MSG_NOT_LIST, errors):
            if key == "applicants" and len(text) > MAX_NAME:
                # Longer than a holder's name column: PostgreSQL would fail the whole file.
                errors.append(too_long_error(row, path, text, MAX_NAME))
            elif text not in names:
                names.append(text)
        return names
