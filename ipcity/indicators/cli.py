"""``ipcity indicators --year Y [--region CODE] [--json]``: the scoreboard on the command line."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from ipcity.auth.roles import PUBLIC
from ipcity.i18n import gettext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NOT_ASSESSABLE = "—"
# The start of a value that is not assessable (definitions.NOT_ASSESSABLE_PREFIX), kept here
# so that loading the command does not load the indicators' declarations.
NOT_ASSESSABLE_PREFIX = "not assessable"
MSG_LEGEND = "{mark} 无法评估（原因见 --json 输出的 reasons）"
HEADER = "指标"
BUCKETS = {"regions": "地区", "zones": "园区"}


def indicators_command(
    year: Annotated[int, typer.Option("--year", help="年度（取年末值） / year (year-end values)")],
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="地区或园区代码 / region or zone code",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出JSON对象 / print one JSON object")] = False,
) -> None:
    """Every indicator at the end of a year for the city and each county (and the zones), in
    the CLI's language (the ``default_locale`` setting: Chinese unless set to ``en``)."""
    from ipcity.cli import _factory, _locale
    from ipcity.indicators import service
    from ipcity.places.names import place_name

    locale = _locale()
    on = service.year_end(year)
    with _factory()() as session:
        result = indicators_for(session, on, region, locale)
        names = {a.code: place_name(a.name, locale) for a in service.city_areas(session)}
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    # Made here, not at import: the width is the terminal's (COLUMNS) at this call.
    console = Console()
    for bucket in ("regions", "zones"):
        if result[bucket]:
            title = f"{result['date']} · {gettext(BUCKETS[bucket], locale)}"
            print_tables(console, title, result[bucket], names, locale)
    console.print(gettext(MSG_LEGEND, locale).format(mark=NOT_ASSESSABLE), highlight=False)


def indicators_for(session: Session, on: date, region: str | None, locale: str = "zh_CN") -> dict[str, Any]:
    """What ``--json`` prints: the service's ``indicators_json`` for the city, a county (with
    its zones) or one zone, as the API returns it (its ``reasons`` in ``locale``)."""
    from ipcity.indicators import service

    return service.indicators_json(session, PUBLIC, on, region, locale)


def _cell(value: Any) -> str:
    return (
        NOT_ASSESSABLE if isinstance(value, str) and value.startswith(NOT_ASSESSABLE_PREFIX) else str(value)
    )


def print_tables(
    console: Console,
    title: str,
    areas: dict[str, dict[str, Any]],
    names: dict[str, str],
    locale: str = "zh_CN",
) -> None:
    """Indicators as rows (by their names in ``locale``), areas as columns, split into as few
    tables as it takes for every cell to fit the console's width whole (Rich would otherwise
    squeeze the seven columns of the city and its counties at 80 columns to "4…"); then a
    line naming each area."""
    from ipcity.indicators import definitions

    codes = list(areas)
    shown = [i for i in definitions.INDICATORS if any(i.id in areas[c] for c in codes)]
    ids = [i.id for i in shown]
    labels = {i.id: i.name(locale) for i in shown}
    header = gettext(HEADER, locale)
    rows = {ident: [_cell(areas[c].get(ident, "")) for c in codes] for ident in ids}
    first = max([cell_len(header), *(cell_len(labels[i]) for i in ids)])
    widths = [max([cell_len(code), *(cell_len(rows[i][n]) for i in ids)]) for n, code in enumerate(codes)]
    for part, columns in enumerate(column_groups(first, widths, console.width), start=1):
        table = Table(title=title if part == 1 else f"{title} ({part})")
        # "fold", not "…": where even one area does not fit (a very narrow terminal), a cell
        # breaks onto a second line instead of losing digits.
        table.add_column(header, overflow="fold")
        for n in columns:
            table.add_column(codes[n], justify="right", overflow="fold")
        for ident in ids:
            table.add_row(labels[ident], *(rows[ident][n] for n in columns))
        console.print(table)
    console.print("  ".join(f"{code} {names.get(code, '')}".strip() for code in codes), highlight=False)


def column_groups(first: int, widths: list[int], room: int) -> list[list[int]]:
    """The area columns (by index) of each table: as few tables as fit ``room`` cells, the
    columns shared out evenly between them (3 + 2 + 2, not 3 + 3 + 1).

    A table's width is its cells plus one space either side of each and a rule between and
    around them: ``first + 4`` for the indicator column, ``width + 3`` for each area.

    >>> column_groups(41, [6] * 7, 80)
    [[0, 1, 2], [3, 4], [5, 6]]
    >>> column_groups(41, [6] * 7, 200)
    [[0, 1, 2, 3, 4, 5, 6]]
    """

    def fits(group: list[int]) -> bool:
        return first + 4 + sum(widths[n] + 3 for n in group) <= room

    count = len(widths)
    for tables in range(1, count + 1):
        size, extra = divmod(count, tables)
        groups: list[list[int]] = []
        start = 0
        for t in range(tables):
            end = start + size + (1 if t < extra else 0)
            groups.append(list(range(start, end)))
            start = end
        if all(fits(g) for g in groups):
            return groups
    return [[n] for n in range(count)]  # one area a table: folded cells where even that is too wide
