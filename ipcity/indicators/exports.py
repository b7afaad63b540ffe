"""Office files of the scoreboard: the records behind a count (CSV, XLSX), the county
assessment as XLSX and as a Word report (python-docx) an office would send."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from ipcity.i18n import gettext
from ipcity.indicators.definitions import BY_ID
from ipcity.indicators.service import Assessment


def table_bytes(header: list[str], rows: list[list[Any]], fmt: str, sheet: str) -> bytes:
    """A table as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_rows(records: list[Any], locale: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the records behind a count (patents or holders)."""
    t = lambda s: gettext(s, locale)  # noqa: E731
    if records and hasattr(records[0], "application_number"):
        header = [
            t("申请号"),
            t("专利类型"),
            t("名称"),
            t("申请日"),
            t("授权日"),
            t("第一权利人"),
            t("地区"),
            t("园区"),
        ]
        rows = [
            [
                r.application_number,
                r.patent_type,
                r.title,
                r.filing_date,
                r.grant_date,
                r.first_holder,
                r.region_code,
                r.zone_code,
            ]
            for r in records
        ]
        return header, rows
    header = [t("权利人"), t("地区"), t("园区"), t("有效发明专利"), t("资质")]
    return header, [[r.name, r.region_code, r.zone_code, r.count, r.detail] for r in records]


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
        rows.append([c.rank, c.name, c.score, *[c.by_indicator(i) for i in ids], reasons])
    return header, rows


def assessment_docx(result: Assessment, locale: str, today: date | None = None) -> bytes:
    """The assessment as a Word report: title, basis, the ranking table and each county's reasons."""
    from docx import Document
    from docx.shared import Pt

    t = lambda s, **p: gettext(s, locale).format(**p) if p else gettext(s, locale)  # noqa: E731
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    doc.add_heading(t("{year}年度县区知识产权工作目标考核结果", year=result.year), level=1)
    doc.add_paragraph(t("依据：{name}（{clause}）。", name=result.scheme.name, clause=result.scheme.clause))
    if result.scheme.note:
        doc.add_paragraph(t(result.scheme.note))
    doc.add_paragraph(t("数据截至 {date}，由知识产权强市平台按登记库计算。", date=f"{result.year}-12-31"))
    header, rows = assessment_rows(result, locale)
    table = doc.add_table(rows=1, cols=len(header) - 1)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header[:-1], strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row[:-1], strict=True):
            cell.text = str(value)
    doc.add_heading(t("得分依据"), level=2)
    for c in result.counties:
        doc.add_paragraph(
            t("{name}：{score} 分，第 {rank} 名", name=c.name, score=c.score, rank=c.rank),
            style="List Bullet",
        )
        for p in c.points:
            doc.add_paragraph(f"{BY_ID[p.indicator].name(locale)}：{p.text(locale)}")
    doc.add_paragraph(t("生成日期：{date}", date=(today or date.today()).isoformat()))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
