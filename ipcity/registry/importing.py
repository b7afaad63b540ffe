"""Imports: a file in, a preview of what would change, then one transaction that writes it.

The steps are the same for the CLI (``ipcity import``), the web page and the API:

1. read and recognise the file (:mod:`ipcity.registry.importers`), parse every row into a
   record or row errors (row, column, value, reason);
2. compare the records with the registry: new, changed, unchanged (nothing written);
3. on confirmation, in **one** transaction: lock against other imports, write, record the
   batch and an audit entry, commit. A crash or ``kill -9`` before the commit leaves the
   database exactly as before the file; importing the same file again changes nothing.

Rejected rows go to a CSV (UTF-8 with BOM, opens in Excel) with row, column, value and
reason in the user's language; values dropped from a kept row (warnings: a malformed
secondary IPC code) are listed in the same file, their reason starting with 已忽略.
``strict`` refuses the whole file when any row is bad.

A publication number belongs to one application: a row whose publication the registry (or
an earlier row of the file) already gives to another application is rejected in the
preview, never left to the database's unique index. Any database error while writing is
one sentence (the transaction rolled back, nothing written), and the failed attempt is
kept in the audit log (``import.failed``), which the import history lists beside the
confirmed batches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sized
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipcity import audit, clock
from ipcity.auth.roles import Actor, can, require
from ipcity.errors import (
    InvalidFile,
    IPCityError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    database_reason,
    driver_words,
)
from ipcity.i18n import Bilingual, gettext, localized_params
from ipcity.office import csv_bytes
from ipcity.places.divisions import get_division
from ipcity.places.models import Population, Zone
from ipcity.places.service import address_locator, upsert_population
from ipcity.registry.importers import (
    CANONICAL_FIELDS,
    Layout,
    detect_layout,
    get_layout,
    layout_from_mapping,
    merge_patent_records,
    parse_file,
    paused_gc,
    read_jsonl,
    read_table,
)
from ipcity.registry.importers.fields import EVIDENCE_KINDS, KIND_NAMES
from ipcity.registry.importers.fields import KINDS as IMPORT_KINDS
from ipcity.registry.importers.reader import is_jsonl
from ipcity.registry.models import ColumnMapping, Holder, ImportBatch
from ipcity.registry.normalize import normalize_name
from ipcity.registry.records import (
    HolderRecord,
    PatentRecord,
    PopulationRecord,
    RowError,
)
from ipcity.registry.store import (
    MSG_NAME_OF_ANOTHER_HOLDER,
    HolderSeed,
    ensure_holders,
    holders_named,
    lock_for_import,
    plan_patents,
    publication_owners,
    write_patents,
)
from ipcity.registry.store_assets import ASSET_SPECS, plan_assets, plan_holders, write_assets, write_holders

Progress = Callable[[str, int, int], None]
KINDS = IMPORT_KINDS  # every kind the import front door takes
# Holders and population can be imported by county officers for their own county; the
# registry's assets come from city-level exports (P2.8) and are imported by the city.
SCOPED_KINDS = frozenset({"holders", "population"})
ERROR_PREVIEW = 200
# The writers' English stage names, shown as this module names its own stages (one progress
# bar per stage: "compare" must not open a second bar beside "比对/compare").
STAGE_LABELS = {"compare": "比对/compare", "write": "写入/write"}

MSG_PUBLICATION_TAKEN = "公开号 {value} 已属于另一件申请 {other}，不能再归入申请 {application}；该行未导入。"
MSG_PUBLICATION_TAKEN_IN_FILE = (
    "公开号 {value} 在本文件第 {first_row} 行已归入申请 {other}，不能再归入申请 {application}；该行未导入。"
)
MSG_DATABASE_FAILED = "写入时数据库报错（{reason}），整个文件未导入；请把文件和这条信息交给系统管理员。"
MSG_MAPPING_LABEL = "列映射「{name}」"
# A mapping given on the mapping form without a name (used for this file only, not saved).
MSG_TEMPORARY_MAPPING = "临时列映射（仅用于本文件）"
TEMPORARY_MAPPING_ID = "mapping"
MSG_HISTORY_FAILED = "导入失败，未写入任何数据（{reason}）"
MSG_NOTHING_ALL_REJECTED = "全部 {rejected} 行均有误，没有可导入的行"
MSG_NOTHING_STRICT = "严格模式：{rejected} 行有误，整个文件未导入，数据库未做任何修改"
MSG_ONLY_EXAMPLE_ROW = "收到的文件「{filename}」除模板的示例行（序号为“示例”）外没有数据行；应在示例行下填写要导入的数据后再导入。"


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class ImportResult:
    """What a preview found or a confirmed import did."""

    filename: str
    kind: str
    layout_id: str
    layout_name: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warned: int = 0  # kept rows that lost a value (see ``warnings``)
    warnings: list[RowError] = field(default_factory=list)
    errors_file: str | None = None
    confirmed: bool = False
    aborted_strict: bool = False
    batch_id: int | None = None
    # Valid rows that add to another row's record rather than make one of their own: a
    # patent's further publications (one application, several rows), a register's number
    # listed again. read = inserted + updated + unchanged + rejected + merged.
    merged: int = 0

    @property
    def imported_nothing(self) -> bool:
        """No row could be imported (all rejected, or a strict abort). A file without
        data rows never gets this far: :func:`run_import` refuses it."""
        return self.aborted_strict or (self.inserted + self.updated + self.unchanged == 0)

    @property
    def all_rejected(self) -> bool:
        """Every data row of the file was rejected (not a re-import that changes nothing)."""
        return self.rows_read > 0 and self.rejected > 0 and self.inserted + self.updated + self.unchanged == 0

    @property
    def nothing_reason(self) -> str | None:
        """One sentence on why nothing was imported (Chinese, as the CLI prints it)."""
        return self.nothing_reason_in("zh_CN")

    def nothing_reason_in(self, locale: str) -> str | None:
        """One sentence on why nothing was imported, in ``locale``."""
        if not self.imported_nothing:
            return None
        if self.aborted_strict:
            return gettext(MSG_NOTHING_STRICT, locale).format(rejected=self.rejected)
        return gettext(MSG_NOTHING_ALL_REJECTED, locale).format(rejected=self.rejected)

    def summary(self) -> dict[str, Any]:
        """The counts as the CLI's ``--json`` prints them (``errors_file`` an absolute path)."""
        return {
            "read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "merged": self.merged,
            "warnings": self.warned,
            "errors_file": self.errors_file,
        }


def render_row_error(error: RowError, locale: str) -> str:
    """A row error's reason in ``locale``."""
    text = gettext(error.reason, locale)
    try:
        return text.format(**localized_params(dict(error.params), locale))
    except (KeyError, IndexError, ValueError):
        return text


def write_errors_file(
    errors: list[RowError], path: Path, locale: str = "zh_CN", warnings: list[RowError] | None = None
) -> Path:
    """The rejected rows as CSV: row, column, value, reason (UTF-8 with BOM for Excel), with
    the warnings of kept rows among them (their reason says the value was ignored)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["行号", "列", "值", "原因"] if locale != "en" else ["Row", "Column", "Value", "Reason"]
    rows = [
        [error.row, error.column, error.value, render_row_error(error, locale)]
        for error in sorted([*errors, *(warnings or [])], key=lambda e: e.row)
    ]
    # A rejected value is the file's own text: a cell "=HYPERLINK(…)" must not become a
    # live formula in the officer's Excel (office.csv_bytes writes it as text).
    path.write_bytes(csv_bytes(header, rows))
    return path


def file_header(source: Path, filename: str) -> list[str]:
    """The header of a file (a JSON Lines file: the first record's keys)."""
    if is_jsonl(filename):
        for _, record in read_jsonl(source, filename):
            return list(record)
        return []
    return read_table(source, filename).header


def saved_mapping(session: Session, kind: str | None, name: str) -> ColumnMapping:
    """A column mapping saved earlier, by kind and name; without a kind, by its name when
    one kind alone has a mapping of that name (the mapping knows its kind)."""
    kind, name = split_mapping_key(name, kind)
    query = select(ColumnMapping).where(ColumnMapping.name == name)
    if kind:
        query = query.where(ColumnMapping.kind == kind)
    rows = list(session.scalars(query.limit(2)))
    if not rows:
        label = Bilingual(kind_label(kind), kind_label(kind, "en")) if kind else ""
        raise NotFound("未找到名为 {name} 的{kind}列映射", name=name, kind=label)
    if len(rows) > 1:
        kinds = sorted(r.kind for r in rows)
        raise ValidationFailed(
            "有多种数据类型的列映射都叫 {name}；请同时指定数据类型（{kinds}）",
            name=name,
            kinds=Bilingual(
                "、".join(kind_label(k) for k in kinds), ", ".join(kind_label(k, "en") for k in kinds)
            ),
        )
    return rows[0]


def temporary_mapping_layout(kind: str, mapping: dict[str, str], header: list[str] | None = None) -> Layout:
    """The layout of a column mapping given for one file without a name: checked like a
    saved one (:func:`layout_from_mapping`), named in each language as a mapping given for
    this file, never looked up among the saved mappings."""
    layout = layout_from_mapping(kind, mapping, MSG_TEMPORARY_MAPPING, header)
    return replace(
        layout,
        id=TEMPORARY_MAPPING_ID,
        name_zh=MSG_TEMPORARY_MAPPING,
        name_en=gettext(MSG_TEMPORARY_MAPPING, "en"),
    )


def saved_mapping_layout(session: Session, kind: str | None, name: str) -> Layout:
    """A layout from a column mapping saved earlier (see :func:`saved_mapping`)."""
    row = saved_mapping(session, kind, name)
    return layout_from_mapping(row.kind, row.mapping, row.name)


def save_mapping(session: Session, actor: Actor, kind: str, name: str, mapping: dict[str, str]) -> Layout:
    """Check and save an officer's column mapping for reuse (audited)."""
    require(actor, "registry.import_scoped")
    layout = layout_from_mapping(kind, mapping, name)
    clean = {k: v for k, v in mapping.items() if v}
    row = session.scalar(select(ColumnMapping).where(ColumnMapping.kind == kind, ColumnMapping.name == name))
    if row is None:
        session.add(ColumnMapping(kind=kind, name=name, mapping=clean, created_by=actor.username))
    else:
        row.mapping = clean
    audit.record(
        session, actor.username, "import.mapping", "column_mapping", name, {"kind": kind, "mapping": clean}
    )
    session.commit()
    return layout


def list_mappings(session: Session, kind: str | None = None) -> list[ColumnMapping]:
    """Saved column mappings."""
    query = select(ColumnMapping).order_by(ColumnMapping.kind, ColumnMapping.name)
    if kind:
        query = query.where(ColumnMapping.kind == kind)
    return list(session.scalars(query))


def _row_error(row: int, column: str, cell: str, reason: str, **params: str) -> RowError:
    # ``cell`` (not ``value``): reasons name the cell as {value}, which must stay a keyword.
    return RowError(row, column, cell, reason, tuple(params.items()))


def _column_labels(layout: Layout, header: list[str]) -> dict[str, str]:
    """Field -> the header text as the file spells it (a row error names the officer's column)."""
    labels = {spec.name: spec.label_zh for spec in CANONICAL_FIELDS.get(layout.kind, ())}
    found = {name: header[index] for name, index in layout.resolve(header).items() if index < len(header)}
    return {**labels, **found}


def _check_scope(
    actor: Actor, kind: str, records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """County officers import holders and population of their own county only."""
    if actor.role != "county_officer":
        return records
    kept = []
    for record in records:
        code = getattr(record, "region_code", None)
        if code != actor.region_code:
            errors.append(
                _row_error(
                    record.source_row,
                    columns.get("region_code", "行政区划代码"),
                    code or "",
                    "县区账号只能导入本县区（{own}）的记录",
                    own=actor.region_code or "",
                )
            )
        else:
            kept.append(record)
    return kept


def _check_holder_names(
    session: Session, records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """A holders row naming a registered holder by its credit code under another name
    renames it (the old name is kept as a former one, 曾用名); that name must not be
    another holder's, present or former, or two holders would answer to one name: such a
    row is rejected on its name. So are rows of the file that give one name two credit codes
    (two holders renamed to one name, or one name typed under two codes): the holders are
    told apart by code, a name by one holder alone, and merged as one holder the earlier
    row's code would be lost without a word (:func:`_dedupe_holders` merges by name)."""
    records = _check_names_within_file(records, errors, columns)
    codes = sorted({r.uscc for r in records if isinstance(r, HolderRecord) and r.uscc})
    registered: dict[str | None, tuple[int, str]] = {}
    for start in range(0, len(codes), 500):
        for code, hid, key in session.execute(
            select(Holder.uscc, Holder.id, Holder.normalized_name).where(
                Holder.uscc.in_(codes[start : start + 500])
            )
        ):
            registered[code] = (hid, key)
    renamed = {
        r.source_row: (registered[r.uscc][0], normalize_name(r.name))
        for r in records
        if r.uscc in registered and normalize_name(r.name) != registered[r.uscc][1]
    }
    owners = holders_named(session, [key for _, key in renamed.values()])
    clashes = {row: owners[key] for row, (hid, key) in renamed.items() if owners.get(key, hid) != hid}
    if not clashes:
        return records
    names = {
        hid: name
        for hid, name in session.execute(
            select(Holder.id, Holder.name).where(Holder.id.in_(set(clashes.values())))
        )
    }
    kept = []
    for record in records:
        other = clashes.get(record.source_row)
        if other is None:
            kept.append(record)
            continue
        errors.append(
            _row_error(
                record.source_row,
                columns.get("name", "名称"),
                record.name,
                MSG_NAME_OF_ANOTHER_HOLDER,
                name=record.name,
                other=names.get(other, ""),
                id=str(other),
            )
        )
    return kept


MSG_OTHER_CODE = (
    "名称与已登记的权利人“{other}”相同，但统一社会信用代码不同（已登记为 {registered}）：请核对后再导入"
)
MSG_HOLDER_OF_OTHER_COUNTY = (
    "该行所指的权利人“{other}”登记在其他县区（{region}），县区账号只能修改本县区的权利人"
)


def _check_registered_holders(
    session: Session, actor: Actor, records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """What a holders row would change of the holder it finds (by credit code, else by
    name): a row found by its name alone but giving another credit code than the holder's
    is rejected (it would overwrite the code: two enterprises of one name, or a typo, for
    the officer to resolve); and a county officer's row may change only a holder of its own
    county or one not yet placed (the row's own region code is checked apart)."""
    from ipcity.registry.store_assets import find_holder

    kept = []
    for record in records:
        if not isinstance(record, HolderRecord):
            kept.append(record)
            continue
        found = find_holder(session, record)
        if found is not None and record.uscc and found.uscc and found.uscc != record.uscc:
            errors.append(
                _row_error(
                    record.source_row,
                    columns.get("uscc", "统一社会信用代码"),
                    record.uscc,
                    MSG_OTHER_CODE,
                    other=found.name,
                    registered=found.uscc,
                )
            )
            continue
        if (
            found is not None
            and actor.role == "county_officer"
            and found.region_code is not None
            and found.region_code != actor.region_code
        ):
            errors.append(
                _row_error(
                    record.source_row,
                    columns.get("name", "名称"),
                    record.name,
                    MSG_HOLDER_OF_OTHER_COUNTY,
                    other=found.name,
                    region=found.region_code,
                )
            )
            continue
        kept.append(record)
    return kept


MSG_NAME_OF_TWO_CODES = (
    "与第 {rows} 行名称相同而统一社会信用代码不同（{value}）：一个名称只能属于一个权利人，这些行均未导入"
)


def _check_names_within_file(
    records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """Reject the holders rows whose normalized name other rows of the file give with
    another credit code: which of the two holders bears the name is for the officer to say,
    and none of those rows is imported (a row with the name alone stays: it names the
    registered holder, or is a new one)."""
    codes_of: dict[str, set[str]] = {}
    for r in records:
        if isinstance(r, HolderRecord) and r.uscc:
            codes_of.setdefault(normalize_name(r.name), set()).add(r.uscc)
    clashing = {key for key, codes in codes_of.items() if len(codes) > 1}
    if not clashing:
        return records
    rows_of: dict[str, list[int]] = {}
    for r in records:
        if isinstance(r, HolderRecord) and r.uscc and normalize_name(r.name) in clashing:
            rows_of.setdefault(normalize_name(r.name), []).append(r.source_row)
    kept = []
    for record in records:
        key = normalize_name(record.name) if isinstance(record, HolderRecord) and record.uscc else None
        if key not in clashing:
            kept.append(record)
            continue
        others = [str(row) for row in rows_of[key] if row != record.source_row]
        errors.append(
            _row_error(
                record.source_row,
                columns.get("name", "名称"),
                record.name,
                MSG_NAME_OF_TWO_CODES,
                rows="、".join(others),
                value=record.uscc,
            )
        )
    return kept


def _check_places(
    session: Session, kind: str, records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """Region codes must exist (GB/T 2260 table, or a zone for population); a holder's zone
    must exist, given by its code or by its name (the template's example gives the name)."""
    zones = list(session.scalars(select(Zone)))
    zone_codes = {z.code for z in zones}
    zone_by_name = {z.name: z.code for z in zones}
    zones_named = "、".join(f"{z.name}（{z.code}）" for z in zones)  # what a refusal lists
    kept = []
    for record in records:
        code = getattr(record, "region_code", None)
        if kind == "population" and code in zone_by_name:
            record.region_code = code = zone_by_name[code]  # a zone by its name
        if kind == "population" and code and get_division(code) is None and code not in zone_codes:
            errors.append(
                _row_error(
                    record.source_row,
                    columns.get("region_code", "行政区划代码"),
                    code,
                    "“{value}”既不是 GB/T 2260 行政区划代码，也不是园区；园区应为以下名称或代码之一：{codes}",
                    value=code,
                    codes=zones_named,
                )
            )
            continue
        if code and get_division(code) is None and code not in zone_codes:
            errors.append(
                _row_error(
                    record.source_row,
                    columns.get("region_code", "行政区划代码"),
                    code,
                    "行政区划代码 {value} 不在 GB/T 2260 行政区划表中",
                    value=code,
                )
            )
            continue
        zone = getattr(record, "zone_code", None)
        if kind == "holders" and zone and zone not in zone_codes:
            if zone in zone_by_name:
                record.zone_code = zone_by_name[zone]
            else:
                errors.append(
                    _row_error(
                        record.source_row,
                        columns.get("zone_code", "园区"),
                        zone,
                        "园区 {value} 不存在；应为以下园区的名称或代码之一：{codes}",
                        value=zone,
                        codes=zones_named,
                    )
                )
                continue
        kept.append(record)
    return kept


def _check_publications(
    session: Session, records: list[Any], errors: list[RowError], columns: dict[str, str]
) -> list[Any]:
    """A publication number names one document of one application: a row whose publication
    the registry already gives to another application, or an earlier row of this file
    does, is rejected (the other rows import). The rows of one application may repeat
    its publications (incoPat lists the A and B rows of one application)."""
    patents = [r for r in records if isinstance(r, PatentRecord)]
    owners = publication_owners(session, list({p.number for r in patents for p in r.publications}))
    claimed: dict[str, tuple[str, int]] = {}  # publication -> (application, first row) in this file
    kept: list[Any] = []
    for record in records:
        if not isinstance(record, PatentRecord):
            kept.append(record)
            continue
        clash: RowError | None = None
        for index, publication in enumerate(record.publications):
            # The first publication comes from the publication column, a second from the
            # grant-number column (62-column export).
            column = columns.get("publication_number" if index == 0 else "grant_number", "公开号")
            owner = owners.get(publication.number)
            if owner is not None and owner != record.application_number:
                clash = _row_error(
                    record.source_row,
                    column,
                    publication.number,
                    MSG_PUBLICATION_TAKEN,
                    value=publication.number,
                    other=owner,
                    application=record.application_number,
                )
                break
            first = claimed.get(publication.number)
            if first is not None and first[0] != record.application_number:
                clash = _row_error(
                    record.source_row,
                    column,
                    publication.number,
                    MSG_PUBLICATION_TAKEN_IN_FILE,
                    value=publication.number,
                    first_row=str(first[1]),
                    other=first[0],
                    application=record.application_number,
                )
                break
        if clash is not None:
            errors.append(clash)
            continue
        for publication in record.publications:
            claimed.setdefault(publication.number, (record.application_number, record.source_row))
        kept.append(record)
    return kept


def _record_failure(session: Session, actor: Actor, result: ImportResult, digest: str, reason: str) -> None:
    """Keep a failed confirmation in the audit log (its own transaction: the import's was
    rolled back), so the import history shows it; a database that cannot take even that
    is left alone."""
    try:
        audit.record(
            session,
            actor.username,
            "import.failed",
            "import_file",
            None,
            {
                "file": result.filename,
                "sha256": digest,
                "kind": result.kind,
                "layout": result.layout_id,
                "read": result.rows_read,
                "rejected": result.rejected,
                "reason": reason,
            },
        )
        session.commit()
    except SQLAlchemyError:
        session.rollback()


MSG_REPEATED_ROW = "与第 {first} 行是同一条记录（{value}）但内容不同：以后出现的本行为准，第 {first} 行未导入"
MSG_REPEATED_ROW_STRICT = (
    "与第 {first} 行是同一条记录（{value}）但内容不同：严格模式下不能确定以哪一行为准，整个文件未导入"
)


def _record_key(kind: str) -> tuple[Callable[[Any], Any], str] | None:
    """How rows of ``kind`` name the same record (the key :func:`_dedupe` keeps one row
    of), and the field that shows it; None for patents (their rows are an application's
    publications, merged) and holders (matched by code or name, :func:`_dedupe_holders`)."""
    if kind in ASSET_SPECS:
        attribute = ASSET_SPECS[kind].key
        return (lambda r: getattr(r, attribute)), attribute
    if kind in EVIDENCE_KINDS:
        from ipcity.policy.evidence_store import record_key

        return (lambda r: record_key(kind, r)), CANONICAL_FIELDS[kind][0].name
    if kind == "population":
        return (lambda r: (r.region_code, r.year)), "region_code"
    return None


def _repeated_rows(
    kind: str, records: list[Any], columns: dict[str, str], reason: str = MSG_REPEATED_ROW
) -> list[RowError]:
    """A warning on each row that repeats an earlier row's record with other content (two
    population figures for one county and year, two registration dates for one mark): the
    later row wins, as :func:`_dedupe` keeps it, and the officer is told which row lost
    (strict mode gives ``MSG_REPEATED_ROW_STRICT`` and makes it an error instead).
    The same row twice is no news and says nothing."""
    keyed = _record_key(kind)
    if keyed is None:
        return []
    key_of, field_name = keyed
    column = columns.get(field_name, field_name)
    first: dict[Any, Any] = {}
    found: list[RowError] = []
    for record in records:
        key = key_of(record)
        earlier = first.get(key)
        first[key] = record
        if earlier is None or replace(earlier, source_row=0) == replace(record, source_row=0):
            continue
        shown = "、".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
        found.append(
            _row_error(record.source_row, column, shown, reason, value=shown, first=str(earlier.source_row))
        )
    return found


def _dedupe(records: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    # A file that lists the same number twice: the later row wins (it is the later state).
    seen: dict[Any, Any] = {}
    for record in records:
        seen[key(record)] = record
    return list(seen.values())


def _dedupe_holders(records: list[HolderRecord]) -> list[HolderRecord]:
    """The holders of a file, each once: rows naming the same holder, by credit code or by
    normalized name (one row with the code, another with the name alone; 鹤壁甲公司 and
    鹤壁甲 公司), are one holder. The later row wins as in :func:`_dedupe`, its blank cells
    taking the earlier row's values as they would take the registry's. Planned apart, two
    such rows would both be new holders and the name's unique index would refuse the whole
    file."""
    kept: dict[int, HolderRecord] = {}
    owner: dict[tuple[str, str], int] = {}  # ("uscc" | "name", value) -> the row kept for it
    keys_of: dict[int, list[tuple[str, str]]] = {}
    for index, record in enumerate(records):
        keys = [("name", normalize_name(record.name))]
        if record.uscc:
            keys.append(("uscc", record.uscc))
        merged = keys[:]
        for earlier in sorted({owner[k] for k in keys if k in owner}, reverse=True):
            before = kept.pop(earlier)
            merged.extend(keys_of.pop(earlier))
            for name in (f.name for f in fields(HolderRecord)):
                if getattr(record, name) in (None, "", []):
                    setattr(record, name, getattr(before, name))
        kept[index] = record
        keys_of[index] = merged
        for key in merged:
            owner[key] = index
    return list(kept.values())


def run_import(
    session: Session,
    actor: Actor,
    source: Path,
    filename: str | None = None,
    *,
    kind: str | None = None,
    layout: Layout | None = None,
    strict: bool = False,
    confirm: bool = True,
    errors_dir: Path | None = None,
    progress: Progress = _noop,
    observed_on: date | None = None,
    locale: str = "zh_CN",
) -> ImportResult:
    """Preview (``confirm=False``) or import a file; see the module docstring."""
    filename = filename or source.name
    require(actor, "registry.read")
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with paused_gc():
        parsed = parse_file(
            data, filename, kind=kind, layout=layout, observed_on=observed_on or clock.today()
        )
        chosen = parsed.layout
        kind = chosen.kind
        require_import_of(actor, kind)
        result = ImportResult(filename=filename, kind=kind, layout_id=chosen.id, layout_name=chosen.name_zh)
        if locale == "en":
            result.layout_name = chosen.name_en
        records: list[Any] = []
        errors: list[RowError] = []
        rows = 0
        for _row, outcome in parsed.results:
            rows += 1
            if outcome is None:
                rows -= 1  # a template's example row
            elif isinstance(outcome, list):
                errors.extend(outcome)
            else:
                records.append(outcome)
            if rows % 20000 == 0:
                progress("读取/read", rows, 0)
        progress("读取/read", rows, rows)
        if rows == 0:
            # A template holding its example row alone (a header alone is refused by the
            # reader): refused as a file, as an empty one is, so that the CLI (exit 2), the
            # API (400) and the upload form (the reason above it) say the same sentence.
            raise InvalidFile(MSG_ONLY_EXAMPLE_ROW, filename=filename)
        result.rows_read = rows
        columns = _column_labels(chosen, parsed.header)
        try:
            if kind in SCOPED_KINDS:
                records = _check_scope(actor, kind, records, errors, columns)
            if kind in ("holders", "population", "gis"):
                records = _check_places(session, kind, records, errors, columns)
            if kind == "holders":
                records = _check_holder_names(session, records, errors, columns)
                records = _check_registered_holders(session, actor, records, errors, columns)
            if kind == "patents":
                records = _check_publications(session, records, errors, columns)
        except SQLAlchemyError as exc:
            session.rollback()
            raise IPCityError(MSG_DATABASE_FAILED, reason=database_reason(exc)) from exc
        repeated = _repeated_rows(
            kind, records, columns, MSG_REPEATED_ROW_STRICT if strict else MSG_REPEATED_ROW
        )
        if strict:
            # Strict asks for a file with nothing to doubt: one that says two different
            # things of one record (which row is right is the officer's call) is bad, and
            # its later rows count as rejected, as a bad cell would.
            errors.extend(repeated)
            repeated = []
        rejected_rows = {e.row for e in errors}
        result.rejected = len(rejected_rows)
        result.errors = sorted(errors, key=lambda e: (e.row, e.column))[:ERROR_PREVIEW]
        # A warning of a row rejected anyway says nothing more.
        warnings = [w for w in parsed.warnings if w.row not in rejected_rows]
        warnings += repeated
        result.warned = len({w.row for w in warnings})
        result.warnings = sorted(warnings, key=lambda e: (e.row, e.column))[:ERROR_PREVIEW]
        if (errors or warnings) and errors_dir is not None:
            stem = re.sub(r"[^\w.-]+", "_", Path(filename).name)[:60]
            path = write_errors_file(
                errors, errors_dir / f"{digest[:12]}-{stem}-rejected.csv", locale, warnings
            )
            # Absolute: the CLI prints it and the history keeps it, whatever the working
            # directory of whoever reads it.
            result.errors_file = str(path.resolve())
        if strict and errors:
            result.aborted_strict = True
            return result
        try:
            if confirm:
                lock_for_import(session)
            _plan_and_write(
                session, actor, kind, records, result, confirm, digest, progress, observed_on or clock.today()
            )
        except IPCityError:
            session.rollback()
            raise
        except SQLAlchemyError as exc:
            # A constraint or the database itself refused the write: the transaction is
            # rolled back whole; the person gets one sentence, never the statement.
            session.rollback()
            if confirm:
                # The log keeps the driver's words; the person reads them in their language.
                _record_failure(session, actor, result, digest, driver_words(exc))
            raise IPCityError(MSG_DATABASE_FAILED, reason=database_reason(exc)) from exc
        except Exception as exc:
            session.rollback()
            if confirm:
                _record_failure(session, actor, result, digest, f"{type(exc).__name__}: {exc}"[:200])
            raise
        except BaseException:
            session.rollback()
            raise
    return result


def _plan_and_write(
    session: Session,
    actor: Actor,
    kind: str,
    records: list[Any],
    result: ImportResult,
    confirm: bool,
    digest: str,
    progress: Progress,
    observed_on: date,
) -> None:
    now = datetime.now(UTC)
    locate = address_locator(session)
    zone_ids = {z.code: z.id for z in session.scalars(select(Zone))}
    batch: ImportBatch | None = None
    if confirm:
        batch = ImportBatch(
            kind=kind,
            layout=result.layout_id,
            filename=result.filename,
            sha256=digest,
            created_by=actor.username,
            created_at=now,
        )

    def writes(new: Sized, changed: Sized, unchanged: int) -> bool:
        # The plan's counts into the result; whether the import writes (a confirmed import
        # with something new or changed), its batch then added first.
        result.inserted, result.updated, result.unchanged = len(new), len(changed), unchanged
        if not (confirm and (new or changed)):
            return False
        assert batch is not None
        session.add(batch)
        session.flush()
        return True

    if kind == "patents":

        def staged(stage: str, done: int, total: int) -> None:
            # The writers name their stages in English; show them as the other stages are.
            progress(STAGE_LABELS.get(stage, stage), done, total)

        rows = [r for r in records if isinstance(r, PatentRecord)]
        merged = merge_patent_records(rows)
        result.merged = len(rows) - len(merged)
        staged("compare", 0, len(merged))
        plan = plan_patents(session, merged, staged, observed_on)
        result.inserted, result.updated, result.unchanged = len(plan.new), len(plan.changed), plan.unchanged
        if confirm and (plan.new or plan.changed):
            assert batch is not None
            session.add(batch)
            session.flush()
            touched = list(plan.new) + [r for _, r, _ in plan.changed]
            seeds = [
                HolderSeed(name, record.applicant_address if position == 0 else None)
                for record in touched
                for position, name in enumerate(record.applicants)
            ]
            holder_ids, _ = ensure_holders(session, seeds, now, locate)
            write_patents(session, plan, holder_ids, batch.id, now, progress=staged)
    elif kind in ASSET_SPECS:
        spec = ASSET_SPECS[kind]
        unique = _dedupe(records, lambda r: getattr(r, spec.key))
        result.merged = len(records) - len(unique)
        asset_plan = plan_assets(session, kind, unique)
        if writes(asset_plan.new, asset_plan.changed, asset_plan.unchanged):
            write_assets(session, asset_plan, locate)
    elif kind in EVIDENCE_KINDS:
        # The policy's evidence (awards, certificates, loans, insurance): the policy area
        # owns those tables and their writer; the import front door is the same.
        from ipcity.policy.evidence_store import plan_evidence, record_key, write_evidence

        unique = _dedupe(records, lambda r: record_key(kind, r))
        result.merged = len(records) - len(unique)
        evidence_plan = plan_evidence(session, kind, unique)
        if writes(evidence_plan.new, evidence_plan.changed, evidence_plan.unchanged):
            write_evidence(session, evidence_plan, locate)
    elif kind == "holders":
        holder_rows = [r for r in records if isinstance(r, HolderRecord)]
        unique = _dedupe_holders(holder_rows)
        result.merged = len(holder_rows) - len(unique)
        holder_plan = plan_holders(session, unique, zone_ids)
        if writes(holder_plan.new, holder_plan.changed, holder_plan.unchanged):
            write_holders(session, holder_plan, zone_ids, locate, actor_name=actor.username)
    elif kind == "population":
        figures = [r for r in records if isinstance(r, PopulationRecord)]
        unique = _dedupe(figures, lambda r: (r.region_code, r.year))
        result.merged = len(figures) - len(unique)
        existing = {
            (p.area_code, p.year): (p.residents, p.source) for p in session.scalars(select(Population))
        }
        for record in unique:
            known = existing.get((record.region_code, record.year))
            if known is None:
                result.inserted += 1
            elif known[0] != record.residents or (record.source and known[1] != record.source):
                # upsert_population writes a corrected source too: count it as the change it is.
                result.updated += 1
            else:
                result.unchanged += 1
        if confirm and (result.inserted or result.updated):
            assert batch is not None
            session.add(batch)
            session.flush()
            upsert_population(session, unique)
    if confirm and batch is not None and batch.id is not None:
        batch.rows_read = result.rows_read
        batch.inserted = result.inserted
        batch.updated = result.updated
        batch.unchanged = result.unchanged
        batch.rejected = result.rejected
        batch.errors_file = result.errors_file
        result.batch_id = batch.id
        audit.record(
            session,
            actor.username,
            "import.confirm",
            "import_batch",
            batch.id,
            {
                "file": result.filename,
                "sha256": digest,
                "kind": kind,
                "layout": result.layout_id,
                **result.summary(),
            },
        )
        session.commit()
        result.confirmed = True
    elif confirm:
        # Nothing new: the second import of the same file writes nothing at all.
        session.rollback()
        result.confirmed = True
    else:
        session.rollback()


def import_path(
    session: Session,
    actor: Actor,
    path: Path,
    *,
    kind: str | None = None,
    strict: bool = False,
    mapping_name: str | None = None,
    errors_dir: Path | None = None,
    progress: Progress = _noop,
    locale: str = "zh_CN",
) -> ImportResult:
    """The CLI's import: recognise (or use a saved mapping), then write in one transaction."""
    layout = None
    if mapping_name:
        # The mapping knows its kind: --kind is needed only when two kinds share the name.
        layout = saved_mapping_layout(session, kind, mapping_name)
        kind = layout.kind
    return run_import(
        session,
        actor,
        path,
        kind=kind,
        layout=layout,
        strict=strict,
        confirm=True,
        errors_dir=errors_dir,
        progress=progress,
        locale=locale,
    )


def guess_layout(header: list[str], kind: str | None) -> Layout | None:
    """The recognised layout of a header, or None (the officer then maps the columns)."""
    return detect_layout(header, kind)


def canonical_fields(kind: str) -> list[Any]:
    """The fields a column mapping can name for ``kind`` (with Chinese and English labels)."""
    return list(CANONICAL_FIELDS.get(kind, ()))


def recent_batches(session: Session, actor: Actor, limit: int = 20) -> list[ImportBatch]:
    """The latest confirmed imports (officers)."""
    require(actor, "registry.import_history")
    return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the import history: a confirmed batch, or a confirmation that failed
    (kept in the audit log; ``batch_id`` None, ``reason`` the one sentence shown then)."""

    batch_id: int | None
    created_at: datetime
    filename: str
    kind: str
    layout: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    created_by: str | None
    status: str  # imported | failed
    reason: str | None = None  # a failure: the database's (or the error's) own words


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive UTC times, PostgreSQL aware ones: compare them as aware UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def import_history(session: Session, actor: Actor, limit: int = 20) -> list[HistoryEntry]:
    """The latest imports, newest first: confirmed batches and failed confirmations."""
    from ipcity.audit import AuditEntry

    entries = [
        HistoryEntry(
            b.id,
            b.created_at,
            b.filename,
            b.kind,
            b.layout,
            b.rows_read,
            b.inserted,
            b.updated,
            b.unchanged,
            b.rejected,
            b.created_by,
            "imported",
        )
        for b in recent_batches(session, actor, limit)
    ]
    failures = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "import.failed")
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    for entry in failures:
        detail = entry.detail or {}
        entries.append(
            HistoryEntry(
                None,
                entry.at,
                str(detail.get("file", "")),
                str(detail.get("kind", "")),
                str(detail.get("layout", "")),
                int(detail.get("read") or 0),
                0,
                0,
                0,
                int(detail.get("rejected") or 0),
                entry.actor,
                "failed",
                str(detail.get("reason") or ""),
            )
        )
    entries.sort(key=lambda e: _utc(e.created_at), reverse=True)
    return entries[:limit]


def failure_reason(entry: HistoryEntry, locale: str) -> str:
    """Why an import failed, one sentence in ``locale`` (the database's own words inside)."""
    return gettext(MSG_HISTORY_FAILED, locale).format(reason=entry.reason or "")


def layout_label(layout_id: str, locale: str = "zh_CN") -> str:
    """The name of a layout as the pages show it (not its code): ``incopat-24`` → "incoPat
    导出（24 列）", ``mapping:测试导出`` → 列映射「测试导出」, a template by its kind."""
    if layout_id == TEMPORARY_MAPPING_ID:
        return gettext(MSG_TEMPORARY_MAPPING, locale)
    if layout_id.startswith("mapping:"):
        return gettext(MSG_MAPPING_LABEL, locale).format(name=layout_id.removeprefix("mapping:"))
    layout = get_layout(layout_id)
    if layout is None:
        return layout_id
    return layout.name_en if locale == "en" else layout.name_zh


MSG_KIND_NOT_IN_SCOPE = (
    "县区账号只能导入本县区的权利人和人口数据；该文件是{kind}数据，请由市级知识产权管理部门导入。"
)


def may_import(actor: Actor, kind: str) -> bool:
    """Whether ``actor`` may import records of ``kind`` (a county officer: holders and
    population of its own county, which the rows are checked against; officers of the city:
    every kind)."""
    return can(actor, "registry.import_scoped" if kind in SCOPED_KINDS else "registry.import_patents")


def require_import_of(actor: Actor, kind: str) -> None:
    """Raise unless ``actor`` may import records of ``kind``; one who may import some kinds
    is told which, not only that the role may not."""
    if may_import(actor, kind):
        return
    if can(actor, "registry.import_scoped"):
        label = Bilingual(kind_label(kind), kind_label(kind, "en").lower())
        raise PermissionDenied(MSG_KIND_NOT_IN_SCOPE, kind=label)
    require(actor, "registry.import_patents")


def kind_label(kind: str, locale: str = "zh_CN") -> str:
    """The name of a kind of record (专利, 商标 …) in ``locale``."""
    names = KIND_NAMES.get(kind)
    if names is None:
        return kind
    return names[1] if locale == "en" else names[0]


MSG_BROWSE_PATENTS = "检索专利"
MSG_BROWSE_REGISTER = "查看{kind}"
MSG_BROWSE_HOLDERS = "查看权利人"
MSG_BROWSE_POPULATION = "查看全市各地区（常住人口）"
MSG_BROWSE_EVIDENCE = "查看资助奖励（依据{kind}）"


def browse_label(kind: str, locale: str = "zh_CN") -> str:
    """The words of the link to :func:`browse_url` after an import of ``kind``: what that
    page is, naming the register imported.

    >>> browse_label("trademarks"), browse_label("trademarks", "en"), browse_label("awards", "en")
    ('查看商标', 'Open the register: Trademarks', 'Open the entitlements (evidence: Patent awards)')
    """
    if kind == "patents":
        return gettext(MSG_BROWSE_PATENTS, locale)
    if kind in ASSET_SPECS:
        return gettext(MSG_BROWSE_REGISTER, locale).format(kind=kind_label(kind, locale))
    if kind == "holders":
        return gettext(MSG_BROWSE_HOLDERS, locale)
    if kind == "population":
        return gettext(MSG_BROWSE_POPULATION, locale)
    return gettext(MSG_BROWSE_EVIDENCE, locale).format(kind=kind_label(kind, locale))


def browse_url(kind: str, city_code: str) -> str:
    """Where the records of an import of ``kind`` are seen: the patent search, a register,
    the holders, the city's region page (population) or the policy's evidence."""
    if kind == "patents":
        return "/patents"
    if kind in ASSET_SPECS:
        return f"/registers/{kind}"
    if kind == "holders":
        return "/holders"
    if kind == "population":
        return f"/regions/{city_code}"
    return "/policy/entitlements"


MAPPING_KEY_SEPARATOR = ":"


def mapping_key(kind: str, name: str) -> str:
    """How the upload form names a saved mapping: its kind and name (a name alone may be
    used by two kinds)."""
    return f"{kind}{MAPPING_KEY_SEPARATOR}{name}"


def split_mapping_key(value: str, kind: str | None) -> tuple[str | None, str]:
    """``(kind, name)`` of a mapping chosen on the upload form: ``patents:测试导出``, or a
    plain name with the kind given apart (the API's ``kind`` + ``mapping_name``)."""
    head, separator, rest = value.partition(MAPPING_KEY_SEPARATOR)
    if separator and head in KINDS and rest:
        return head, rest
    return kind, value
