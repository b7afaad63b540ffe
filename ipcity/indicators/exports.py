"""Office files of the scoreboard: the records behind a count (CSV, XLSX), the county
assessment as XLSX and as a Word report (python-docx) an office would send."""

from __future__ import annotations

from datetime import date
from typing import Any

from ipcity.i18n import gettext
from ipcity.indicators.definitions import BY_ID, render_message
from ipcity.indicators.records import CATEGORY_LABELS, RECORD_STATUS_LABELS, TIER_LABELS
from ipcity.indicators.service import Assessment, RecordList
from ipcity.office import add_table, document_bytes, new_document, table_bytes
from ipcity.places.names import place_name
from ipcity.registry.legal_status import PATENT_TYPE_LABELS, STATUS_LABELS

__all__ = ["assessment_docx", "assessment_rows", "record_rows", "table_bytes"]


def notes_text(notes: tuple[tuple[str, dict[str, Any]], ...], locale: str) -> str:
    """An asset record's notes in ``locale``, joined."""
    texts = [render_message(message, params, locale) or "" for message, params in notes]
    return ("; " if locale == "en" else "；").join(texts)


def record_rows(result: RecordList, locale: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the records behind a count: patents, assets (trademarks, GIs,
    copyrights, plant varieties, PCT applications) or enterprises with the value counted for
    each; where there is no list, one row saying why."""
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
    return [t("说明")], [[result.reason_text(locale)]]


def assessment_rows(result: Assessment, locale: str) -> tuple[list[str], list[list[Any]]]:
    """The assessment table: rank, county, total, points per indicator, reasons."""
    t = lambda s: gettext(s, locale)  # noqa: E731
    ids = [r.indicator for r in result.scheme.rules]
    header = [t("排名"), t("县区"), t("总分")]
    header += [
        f"{BY_ID[i].name(locale)}（{int(r.weight)}）" for i, r in zip(ids, result.scheme.rules, strict=True)
    ]
    header.append(t("得分依据"))
    rows = []
    for c in result.counties:
        reasons = "\n".join(f"{BY_ID[p.indicator].name(locale)}：{p.text(locale)}" for p in c.points)
        rows.append([c.rank, place_name(c.name, locale), c.score, *[c.by_indicator(i) for i in ids], reasons])
    return header, rows


def assessment_docx(result: Assessment, locale: str, today: date | None = None) -> bytes:
    """The assessment as a Word report: title, basis, the ranking table and each county's reasons."""
    t = lambda s, **p: gettext(s, locale).format(**p) if p else gettext(s, locale)  # noqa: E731
    doc = new_document()
    doc.add_heading(t("{year}年度县区知识产权工作目标考核结果", year=result.year), level=1)
    doc.add_paragraph(t("依据：{name}（{clause}）。", name=result.scheme.name, clause=result.scheme.clause))
    if result.scheme.note:
        doc.add_paragraph(t(result.scheme.note))
    doc.add_paragraph(t("数据截至 {date}，由知识产权强市平台按登记库计算。", date=f"{result.year}-12-31"))
    header, rows = assessment_rows(result, locale)
    add_table(doc, header[:-1], [row[:-1] for row in rows])
    doc.add_heading(t("得分依据"), level=2)
    for c in result.counties:
        doc.add_paragraph(
            t(
                "{name}：{score} 分，第 {rank} 名",
                name=place_name(c.name, locale),
                score=c.score,
                rank=c.rank,
            ),
            style="List Bullet",
        )
        for p in c.points:
            doc.add_paragraph(f"{BY_ID[p.indicator].name(locale)}：{p.text(locale)}")
    doc.add_paragraph(t("生成日期：{date}", date=(today or date.today()).isoformat()))
    return document_bytes(doc)
