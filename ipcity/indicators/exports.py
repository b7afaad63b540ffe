"""Office files of the scoreboard: the records behind a count (CSV, XLSX), the county
assessment as XLSX and as a Word report (python-docx, A4) an office would send."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from ipcity import clock
from ipcity.i18n import gettext
from ipcity.indicators.assessment import fmt_points
from ipcity.indicators.definitions import BY_ID, render_message
from ipcity.indicators.records import CATEGORY_LABELS, RECORD_STATUS_LABELS, TIER_LABELS
from ipcity.indicators.service import Assessment, RecordList
from ipcity.office import Sheet, add_table, document_bytes, new_document, table_bytes, workbook_bytes
from ipcity.places.names import place_name
from ipcity.registry.legal_status import PATENT_TYPE_LABELS, STATUS_LABELS

__all__ = ["assessment_docx", "assessment_rows", "assessment_xlsx", "record_rows", "separator", "table_bytes"]


def notes_text(notes: tuple[tuple[str, dict[str, Any]], ...], locale: str) -> str:
    """An asset record's notes in ``locale``, joined."""
    texts = [render_message(message, params, locale) or "" for message, params in notes]
    return ("; " if locale == "en" else "；").join(texts)


def record_rows(result: RecordList, locale: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the records behind a count: patents, assets (trademarks, GIs,
    copyrights, plant varieties, PCT applications), enterprises with the value counted for
    each, or IP-pledge loans; where there is no list, one row saying why."""
    t = lambda s: gettext(s, locale) if s else ""  # noqa: E731
    place = [t("地区"), t("园区"), t("地区代码")]

    def where(r: Any) -> list[Any]:  # the cells under ``place``, names in the reader's language
        return [place_name(r.region, locale), place_name(r.zone, locale), r.region_code]

    if result.shows == "patents":
        header = [t("申请号"), t("专利类型"), t("名称"), t("申请日"), t("授权日"), t("状态"), t("第一权利人")]
        rows = [
            [
                r.application_number,
                t(PATENT_TYPE_LABELS.get(r.patent_type or "", r.patent_type or "")),
                r.title,
                r.filing_date,
                r.grant_date,
                t(STATUS_LABELS.get(r.status or "", r.status or "")),
                r.first_holder,
                *where(r),
            ]
            for r in result.rows
        ]
        return header + place, rows
    if result.shows == "assets":
        header = [
            t("号码"),
            t("名称"),
            t("类别"),
            t("权利人"),
            *place,
            t(result.date_label),
            t("状态"),
            t("备注"),
        ]
        rows = [
            [
                r.number,
                r.name,
                t(CATEGORY_LABELS.get(r.category or "", r.category or "")),
                r.holder,
                *where(r),
                r.on,
                t(RECORD_STATUS_LABELS[r.status]),
                notes_text(r.notes, locale),
            ]
            for r in result.rows
        ]
        return header, rows
    if result.shows == "enterprises":
        header = [t("权利人"), t("有效发明专利"), *place]
        return header, [[r.name, r.count, *where(r)] for r in result.rows]
    if result.shows == "tiers":
        header = [t("权利人"), t("资质"), t("认定年度"), *place]
        return header, [
            [r.name, t(TIER_LABELS.get(r.tier or "", r.tier or "")), r.year, *where(r)] for r in result.rows
        ]
    if result.shows == "loans":
        header = [
            t("合同号"),
            t("借款企业"),
            t("出借机构"),
            t("质押登记号"),
            t("贷款金额（元）"),
            t("放款日期"),
            t("到期日期"),
            *place,
        ]
        return header, [
            [
                r.contract_number,
                r.holder,
                r.lender,
                r.pledge_registration,
                r.principal_yuan if r.principal_yuan is not None else t("金额未登记"),
                r.start_date,
                r.end_date,
                *where(r),
            ]
            for r in result.rows
        ]
    return [t("说明")], [[result.reason_text(locale)]]


def separator(locale: str) -> str:
    """What joins a label and its text: full-width in Chinese, ASCII in English."""
    return ": " if locale.startswith("en") else "："


def assessment_rows(result: Assessment, locale: str) -> tuple[list[str], list[list[Any]]]:
    """The assessment table: rank, county, total, points per indicator (None where the
    indicator could not be assessed for the county: left out, not 0), reasons."""
    t = lambda s: gettext(s, locale)  # noqa: E731
    sep = separator(locale)
    english = locale.startswith("en")
    ids = [r.indicator for r in result.scheme.rules]
    header = [t("排名"), t("县区"), t("总分")]
    for rule in result.scheme.rules:
        name, weight = BY_ID[rule.indicator].name(locale), f"{rule.weight:g}"
        header.append(f"{name} ({weight})" if english else f"{name}（{weight}）")
    header.append(t("得分依据"))
    rows = []
    for c in result.counties:
        lines = [n.text(locale) for n in c.notes]
        lines += [f"{BY_ID[p.indicator].name(locale)}{sep}{p.text(locale)}" for p in c.points]
        points = [c.by_indicator(i) if c.counts(i) else None for i in ids]
        rows.append([c.rank, place_name(c.name, locale), c.score, *points, "\n".join(lines)])
    return header, rows


def _notes(result: Assessment, locale: str) -> list[str]:
    """What a reader of the workbook or report is told besides the table: the basis, the
    status of the weights, what was left out and how the rest was re-weighted, rounding."""
    t = lambda s, **p: gettext(s, locale).format(**p)  # noqa: E731
    out = [t("依据：{name}（{clause}）。", name=result.scheme.label(locale), clause=result.scheme.clause)]
    if result.scheme.note:
        out.append(result.scheme.note_text(locale) or "")
    out += [n.text(locale) for n in result.notes]
    out.append(t("各项得分按四舍五入保留两位小数，总分为各项得分之和。“—”表示该项无法评估、不计分。"))
    return out


def assessment_xlsx(result: Assessment, locale: str) -> bytes:
    """The assessment as a workbook: the table (scores as numbers shown with two decimals,
    an empty cell where an indicator was left out), then the notes under it."""
    from openpyxl import load_workbook

    header, rows = assessment_rows(result, locale)
    notes: list[list[Any]] = [[None], *[[line] for line in _notes(result, locale)]]
    data = workbook_bytes([Sheet(gettext("县区考核", locale), header, rows + notes)])
    # The shared writer formats integers only; scores get two decimals (20.00, not 20).
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=3, max_col=len(header) - 1):
        for cell in row:
            if cell.value is not None:
                cell.number_format = "0.00"
            else:
                cell.value = "—"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def assessment_docx(result: Assessment, locale: str, today: date | None = None) -> bytes:
    """The assessment as a Word report on A4 paper: title, basis, notes on what was left
    out; the ranking table on a landscape page (it has a column per indicator); each
    county's reasons."""
    t = lambda s, **p: gettext(s, locale).format(**p) if p else gettext(s, locale)  # noqa: E731
    sep = separator(locale)
    doc = new_document()
    _a4(doc.sections[0], landscape=False)
    doc.add_heading(t("{year}年度县区知识产权工作目标考核结果", year=result.year), level=1)
    for line in _notes(result, locale):
        doc.add_paragraph(line)
    doc.add_paragraph(t("数据截至 {date}，由知识产权强市平台按登记库计算。", date=f"{result.year}-12-31"))
    _a4(doc.add_section(), landscape=True)
    header, rows = assessment_rows(result, locale)
    cells = [[row[0], row[1], *("—" if v is None else fmt_points(v) for v in row[2:-1])] for row in rows]
    add_table(doc, header[:-1], cells)
    _a4(doc.add_section(), landscape=False)
    doc.add_heading(t("得分依据"), level=2)
    for c in result.counties:
        doc.add_paragraph(
            t(
                "{name}：{score} 分，第 {rank} 名",
                name=place_name(c.name, locale),
                score=fmt_points(c.score),
                rank=c.rank,
            ),
            style="List Bullet",
        )
        for n in c.notes:
            doc.add_paragraph(n.text(locale))
        for p in c.points:
            doc.add_paragraph(f"{BY_ID[p.indicator].name(locale)}{sep}{p.text(locale)}")
    doc.add_paragraph(t("生成日期：{date}", date=(today or clock.today()).isoformat()))
    return document_bytes(doc)


def _a4(section: Any, landscape: bool) -> None:
    """A4 paper (21 × 29.7 cm, the Chinese office standard), upright or lying down."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    short, long = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
