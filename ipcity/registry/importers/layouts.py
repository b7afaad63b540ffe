"""Known file layouts, recognised by their headers, each with its row parser.

A layout says which header holds which canonical field (:mod:`.fields`). Recognition is by
header names only, tolerant of column order and of extra columns: exports let the user
pick and reorder columns, and officers add their own. When several layouts fit, the one
that knows the most of the file's columns wins (the three incoPat layouts share most
columns and differ in the rest).

Real exports (P2.8, the registry is filled from the databases officers already use):

* ``patentics-24`` — Patentics CSV, 24 columns (公开号, 申请号, 标题, 国际分类 …).
* ``incopat-17`` / ``incopat-21`` / ``incopat-24`` — incoPat exports with 17, 21 and 24
  columns (标题 (中文), 公开（公告）号, 公开国别, 当前法律状态 / 专利有效性 …).
* ``cn-db-62`` — the full Chinese DB export (申请人地址, 授权公告号, 法律状态 "有权-审定授权" …).
  Its source calls it 62 columns; the staged file has 61 (序号 … 实质审查日). The id keeps
  the source's name.
* ``lens-jsonl`` — Lens.org JSON Lines (recognised by the keys of a record).

Templates (P2.5, P2.8): ``patents``, ``trademarks``, ``copyrights``, ``plant-varieties``,
``gis``, ``holders``, ``population``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ipcity import clock
from ipcity.errors import InvalidFile, ValidationFailed
from ipcity.i18n import Bilingual
from ipcity.registry.importers.fields import CANONICAL_FIELDS, KIND_NAMES, KINDS, header_key
from ipcity.registry.importers.lens import LensRecordParser
from ipcity.registry.importers.patents import MSG_MISSING_COLUMN, PatentRowParser
from ipcity.registry.importers.templates import EXAMPLE_LABEL, ROW_LABEL_HEADER, TemplateRowParser

__all__ = [
    "LAYOUTS",
    "Layout",
    "RowParser",
    "detect_layout",
    "get_layout",
    "layout_from_mapping",
]

RowParser = Callable[[int, Any], Any]
"""``(row, cells) -> record | list[RowError] | None`` (None: a template's example row)."""

MSG_MAPPING_KIND = (
    "未知的数据类型「{kind}」；应为 patents、trademarks、copyrights、plant-varieties、gis、holders、population、"
    "awards、certificates、pledge-loans、insurance-policies 或 pct-applications。"
)
MSG_MAPPING_FIELD = "列映射中的字段「{field}」不是{kind_zh}的字段；应为：{accepted}。"
MSG_MAPPING_REQUIRED = "列映射缺少必填字段「{label}」（{field}）；请为它指定文件中的一列。"
MSG_MAPPING_HEADER = "列映射指定的列「{column}」不在文件表头中；应从文件的列中选择：{columns}。"
MSG_MAPPING_NAME = "列映射的名称为空；请为这套映射起一个名字，便于下次使用。"

Builder = Callable[["Layout", list[str], dict[str, int], dt.date], RowParser]


@dataclass(frozen=True)
class Layout:
    """A file layout: identity, the header of each field, how to recognise it, the parser.

    ``columns`` maps a canonical field to the header texts accepted for it (the first one
    found in the file is used); ``signature`` lists the fields whose columns must all be
    present for the layout to be recognised; ``known_headers`` (header keys) measure how
    well a file fits when several layouts are candidates.
    """

    id: str
    name_zh: str
    name_en: str
    kind: str
    columns: Mapping[str, tuple[str, ...]]
    signature: tuple[str, ...]
    builder: Builder
    known_headers: frozenset[str] = field(default_factory=frozenset)
    source: str = "export"  # export | template | mapping | jsonl
    # The headers that are the layout's own names of its fields (a template's Chinese
    # label, field name and English label), not aliases another kind names first: empty
    # where every known header is the layout's own (the exports).
    own_headers: frozenset[str] = field(default_factory=frozenset)

    def resolve(self, header: Sequence[str]) -> dict[str, int]:
        """Column index of each field the file has (first matching header wins)."""
        index: dict[str, int] = {}
        for position, text in enumerate(header):
            index.setdefault(header_key(text), position)
        found: dict[str, int] = {}
        for name, accepted in self.columns.items():
            for text in accepted:
                at = index.get(header_key(text))
                if at is not None:
                    found[name] = at
                    break
        return found

    def matches(self, header: Sequence[str]) -> bool:
        """Whether every signature field has its column in ``header``."""
        found = self.resolve(header)
        return all(name in found for name in self.signature)

    def score(self, header: Sequence[str]) -> int:
        """How many of the file's columns this layout knows."""
        keys = {header_key(h) for h in header}
        return len(keys & self.known_headers)

    def own_score(self, header: Sequence[str]) -> int:
        """How many of the file's columns this layout names as its own (not by an alias):
        what decides between layouts that know as many columns. 名称、类型、登记号 is the
        geographical-indication template (类型 is its label), not the copyright one (where
        类型 is another spelling of 类别)."""
        if not self.own_headers:
            return self.score(header)
        keys = {header_key(h) for h in header}
        return len(keys & self.own_headers)

    def parser(self, header: Sequence[str], observed_on: dt.date | None = None) -> RowParser:
        """The row parser for a file with this ``header``; column positions are resolved
        here, once. ``observed_on`` (default today) dates statuses the file gives without
        a date. Raises :class:`~ipcity.errors.InvalidFile` when a signature column is missing.
        """
        header = list(header)
        found = self.resolve(header)
        labels = {
            spec.name: Bilingual(spec.label_zh, spec.label_en) for spec in CANONICAL_FIELDS.get(self.kind, ())
        }
        for name in self.signature:
            if name not in found:
                accepted = self.columns.get(name, (labels.get(name, name),))
                raise InvalidFile(MSG_MISSING_COLUMN, column=accepted[0], field=labels.get(name, name))
        return self.builder(self, header, found, observed_on or clock.today())


# --- builders ---------------------------------------------------------------------------------


def _patent_builder(
    layout: Layout, header: list[str], columns: dict[str, int], observed_on: dt.date
) -> RowParser:
    return PatentRowParser(header, columns, observed_on)


def _lens_builder(
    layout: Layout, header: list[str], columns: dict[str, int], observed_on: dt.date
) -> RowParser:
    return LensRecordParser(observed_on)


def _patent_template_builder(
    layout: Layout, header: list[str], columns: dict[str, int], observed_on: dt.date
) -> RowParser:
    """The patent parser, skipping the template's example row (序号 = 示例)."""
    parser = PatentRowParser(header, columns, observed_on)
    keys = [header_key(h) for h in header]
    if ROW_LABEL_HEADER not in keys:
        return parser
    return _SkipExample(parser, keys.index(ROW_LABEL_HEADER))


class _SkipExample:
    """A patent parser that skips the template's example row; its warnings are the parser's."""

    def __init__(self, parser: PatentRowParser, label: int) -> None:
        self.parser = parser
        self.label = label
        self.warnings = parser.warnings

    def __call__(self, row: int, cells: list[str]) -> Any:
        if self.label < len(cells) and cells[self.label].strip() == EXAMPLE_LABEL:
            return None
        return self.parser(row, cells)


def _template_builder(
    layout: Layout, header: list[str], columns: dict[str, int], observed_on: dt.date
) -> RowParser:
    return TemplateRowParser(layout.kind, header, columns)


def _keys(headers: str) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers.split(","))


# --- the real exports -----------------------------------------------------------------------

_PATENTICS_HEADERS = (
    "公开号,申请号,标题,申请日,公开日,授权公告日,国际分类,国际主分类,美国分类,美国主分类,权利要求数,申请人,"
    "标准化申请人,发明人,第一发明人,本文引用专利数,引用本文专利数,本文自引用专利数,本文非自引用专利数,"
    "自引用本文专利数,非自引用本文专利数,法律状态,同族专利数,技术特征"
)
PATENTICS_24 = Layout(
    id="patentics-24",
    name_zh="Patentics 导出（24 列）",
    name_en="Patentics export (24 columns)",
    kind="patents",
    columns={
        "publication_number": ("公开号",),
        "application_number": ("申请号",),
        "title": ("标题",),
        "filing_date": ("申请日",),
        "publication_date": ("公开日",),
        "grant_date": ("授权公告日",),
        "ipc_all": ("国际分类",),
        "ipc_main": ("国际主分类",),
        "claims_count": ("权利要求数",),
        "applicants": ("申请人",),
        "inventors": ("发明人",),
        "legal_status": ("法律状态",),
    },
    signature=("publication_number", "application_number", "title", "ipc_all", "ipc_main", "legal_status"),
    builder=_patent_builder,
    known_headers=_keys(_PATENTICS_HEADERS),
)

# incoPat lets the user choose columns; the three staged exports differ only in which.
_INCOPAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("标题 (中文)", "标题"),
    "title_en": ("标题 (英文)",),
    "abstract": ("摘要 (中文)", "摘要"),
    "applicants": ("申请人",),
    "applicant_address": ("申请人地址",),
    "inventors": ("发明人",),
    "publication_number": ("公开（公告）号",),
    "publication_date": ("公开（公告）日",),
    "application_number": ("申请号",),
    "filing_date": ("申请日",),
    "patent_type": ("专利类型",),
    "country": ("公开国别",),
    "ipc_main": ("IPC主分类",),
    "ipc_all": ("IPC",),
    "family": ("简单同族",),
    "legal_status": ("当前法律状态",),
    "validity": ("专利有效性",),
    "grant_date": ("授权公告日",),
}
_INCOPAT_SIGNATURE = ("publication_number", "application_number", "title", "publication_date")


def _incopat(columns: int, headers: str) -> Layout:
    return Layout(
        id=f"incopat-{columns}",
        name_zh=f"incoPat 导出（{columns} 列）",
        name_en=f"incoPat export ({columns} columns)",
        kind="patents",
        columns=_INCOPAT_COLUMNS,
        signature=_INCOPAT_SIGNATURE,
        builder=_patent_builder,
        known_headers=_keys(headers),
    )


INCOPAT_17 = _incopat(
    17,
    "序号,标题 (中文),申请人,公开（公告）号,公开（公告）日,申请号,申请日,公开类型,专利类型,公开国别,IPC主分类,"
    "标准化申请人,国民经济分类,新兴产业分类,简单同族,当前法律状态,专利有效性",
)
INCOPAT_21 = _incopat(
    21,
    "序号,标题 (中文),标题 (英文),摘要 (中文),摘要 (英文),申请人,公开（公告）号,公开（公告）日,申请号,申请日,"
    "公开类型,专利类型,公开国别,IPC主分类,IPC,CPC,国民经济分类,新兴产业分类,标准化申请人,专利有效性,当前法律状态",
)
INCOPAT_24 = _incopat(
    24,
    "序号,标题 (中文),标题 (英文),摘要 (中文),摘要 (英文),申请人,公开（公告）号,公开（公告）日,申请号,申请日,"
    "公开类型,专利类型,公开国别,IPC主分类,CPC,新兴产业分类,新兴产业(主),技术功效句,技术功效短语,技术功效1级,"
    "技术功效2级,技术功效3级,技术功效TRIZ参数,专利有效性",
)

_CN_DB_HEADERS = (
    "序号,申请日,公开日,授权公告日,申请人,发明人,申请号,公开号,授权公告号,专利类型,专利名称,授权名称,申请摘要,主权项,"
    "申请人地址,法律状态,主分类号,分类号,国省代码,专利代理人,专利代理机构,优先权,优先权日,优先权数量,全文链接,"
    "第一发明人,第一权利人,申请人类型,当前发明人,当前权利人,当前著录项联系人通讯地址,当前专利代理人,当前专利代理机构,"
    "变更前代理机构,法律事件,引证专利,非专利引证,引证数,同族专利,专利转移次数,许可次数,质押次数,简单同族数量,"
    "转让日期,失效日期,质押日期,许可日期,无效宣告日期,CPC主分类号,CPC分类号,FI主分类号,FI分类号,国际申请号,"
    "国际申请日,国际公开号,国际公开日,进入国家日期,颁证日,审查员,审查时长,实质审查日"
)
CN_DB_62 = Layout(
    id="cn-db-62",
    name_zh="中国专利数据库全字段导出（62 列格式，实含 61 列）",
    name_en="Chinese patent DB full export (62-column format, 61 columns present)",
    kind="patents",
    columns={
        "application_number": ("申请号",),
        "publication_number": ("公开号",),
        "grant_number": ("授权公告号",),
        "filing_date": ("申请日",),
        "publication_date": ("公开日",),
        "grant_date": ("授权公告日",),
        "applicants": ("申请人",),
        "inventors": ("发明人",),
        "patent_type": ("专利类型",),
        "title": ("专利名称",),
        "abstract": ("申请摘要",),
        "applicant_address": ("申请人地址",),
        "legal_status": ("法律状态",),
        "ipc_main": ("主分类号",),
        "ipc_all": ("分类号",),
        "family": ("同族专利",),
        "lapse_date": ("失效日期",),
        "invalidation_date": ("无效宣告日期",),
        "examination_date": ("实质审查日",),
        "pct_application_number": ("国际申请号",),
        "pct_publication_number": ("国际公开号",),
    },
    signature=(
        "application_number",
        "publication_number",
        "grant_number",
        "title",
        "ipc_main",
        "legal_status",
    ),
    builder=_patent_builder,
    known_headers=_keys(_CN_DB_HEADERS),
)

_LENS_KEYS = (
    "index,publicationKey,lensId,jurisdiction,kindCode,displayKey,publicationDate,filingNumber,filingDate,"
    "priorityFilingKeysActive,earliestPriorityDate,title,applicants,inventors,owners,url,docType,hasFullText,"
    "citedByPatentCount,simpleFamilySize,familySize,seqCount,cpcClassifications,ipcrClassifications,"
    "usClassifications,nplCitationCount,nplCitations,nplResolvedCount,nplResolvedLensIDs,nplResolvedExternalIDs"
)
LENS_JSONL = Layout(
    id="lens-jsonl",
    name_zh="Lens.org JSON Lines 导出",
    name_en="Lens.org JSON Lines export",
    kind="patents",
    columns={
        "publication_number": ("publicationKey",),
        "jurisdiction": ("jurisdiction",),
        "kind": ("kindCode",),
        "application_number": ("filingNumber",),
        "title": ("title",),
    },
    signature=("publication_number", "jurisdiction", "kind", "application_number"),
    builder=_lens_builder,
    known_headers=_keys(_LENS_KEYS),
    source="jsonl",
)


# --- templates ----------------------------------------------------------------------------------


def _template(kind: str) -> Layout:
    specs = CANONICAL_FIELDS[kind]
    name_zh, name_en = KIND_NAMES[kind]
    keys = {header_key(h) for spec in specs for h in spec.accepted_headers}
    keys.add(header_key(ROW_LABEL_HEADER))
    own = {header_key(h) for spec in specs for h in (spec.label_zh, spec.name, spec.label_en)}
    own.add(header_key(ROW_LABEL_HEADER))
    return Layout(
        id=kind,
        name_zh=f"{name_zh}导入模板",
        name_en=f"{name_en} import template",
        kind=kind,
        columns={spec.name: spec.accepted_headers for spec in specs},
        signature=tuple(spec.name for spec in specs if spec.required),
        builder=_patent_template_builder if kind == "patents" else _template_builder,
        known_headers=frozenset(keys),
        source="template",
        own_headers=frozenset(own),
    )


# Order matters only for ties: real exports before templates.
LAYOUTS: tuple[Layout, ...] = (
    PATENTICS_24,
    INCOPAT_17,
    INCOPAT_21,
    INCOPAT_24,
    CN_DB_62,
    LENS_JSONL,
    *(_template(kind) for kind in KINDS),
)
_BY_ID = {layout.id: layout for layout in LAYOUTS}


def get_layout(layout_id: str) -> Layout | None:
    """The built-in layout with this id, or None."""
    return _BY_ID.get(layout_id)


def detect_layout(header: Sequence[str], kind: str | None = None) -> Layout | None:
    """Recognise the layout of a file from its header (for JSON Lines: a record's keys).

    Every layout whose signature columns are all present is a candidate (a template also
    needs to know more than half of the file's columns); the one knowing most of the
    file's columns wins, and among those the one naming most of them by its own labels
    rather than by aliases (:meth:`Layout.own_score`); None when no layout fits (the
    officer then maps the columns, :func:`layout_from_mapping`). ``kind`` restricts the
    search to one kind.

    >>> detect_layout(["申请号", "公开号", "标题", "国际分类", "国际主分类", "法律状态"]).id
    'patentics-24'
    """
    best: Layout | None = None
    best_score = (-1, -1)
    named = sum(1 for h in header if h.strip())
    for layout in LAYOUTS:
        if kind is not None and layout.kind != kind:
            continue
        if not layout.matches(header):
            continue
        known = layout.score(header)
        if layout.source == "template" and known * 2 <= named:
            # A template's signature can be one column (名称); a file that is mostly
            # other columns is not that template, and the officer should map it.
            continue
        score = (known, layout.own_score(header))
        if score > best_score:
            best, best_score = layout, score
    return best


_SLUG = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")


def layout_from_mapping(
    kind: str, mapping: Mapping[str, str], name: str, header: Sequence[str] | None = None
) -> Layout:
    """A layout from an officer's column mapping: canonical field → header in the file.

    Fields mapped to an empty header are ignored. Raises
    :class:`~ipcity.errors.ValidationFailed` for an unknown kind or field, or a required
    field left unmapped; with ``header`` given, :class:`~ipcity.errors.InvalidFile` when a
    mapped column is not in it (otherwise that is checked when the parser is built).

    >>> layout = layout_from_mapping("population", {"region_code": "区县代码", "year": "年", "residents": "人口数"}, "统计局")
    >>> layout.id, layout.signature
    ('mapping:统计局', ('region_code', 'year', 'residents'))
    """
    if kind not in CANONICAL_FIELDS:
        raise ValidationFailed(MSG_MAPPING_KIND, kind=kind)
    if not name.strip():
        raise ValidationFailed(MSG_MAPPING_NAME)
    specs = {spec.name: spec for spec in CANONICAL_FIELDS[kind]}
    columns: dict[str, tuple[str, ...]] = {}
    for field_name, column in mapping.items():
        if not column or not column.strip():
            continue
        if field_name not in specs:
            raise ValidationFailed(
                MSG_MAPPING_FIELD,
                field=field_name,
                kind_zh=Bilingual(*KIND_NAMES[kind]),
                accepted=Bilingual("、".join(specs), ", ".join(specs)),
            )
        columns[field_name] = (column.strip(),)
    for spec in specs.values():
        if spec.required and spec.name not in columns:
            raise ValidationFailed(
                MSG_MAPPING_REQUIRED, label=Bilingual(spec.label_zh, spec.label_en), field=spec.name
            )
    if header is not None:
        keys = {header_key(h) for h in header}
        for mapped in columns.values():
            if header_key(mapped[0]) not in keys:
                raise InvalidFile(
                    MSG_MAPPING_HEADER,
                    column=mapped[0],
                    columns=Bilingual("、".join(h for h in header if h), ", ".join(h for h in header if h)),
                )
    layout_name = name.strip()
    return Layout(
        id=f"mapping:{_SLUG.sub('-', layout_name).strip('-') or 'custom'}",
        name_zh=layout_name,
        name_en=layout_name,
        kind=kind,
        columns=columns,
        signature=tuple(columns),
        builder=_patent_template_builder if kind == "patents" else _template_builder,
        known_headers=frozenset(header_key(c[0]) for c in columns.values()),
        source="mapping",
    )
