"""``ipcity indicators --year Y [--region CODE] [--json]``: the scoreboard on the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipcity.auth.roles import PUBLIC

console = Console()


def indicators_command(
    year: Annotated[int, typer.Option("--year", help="年度（取该年12月31日的值）")],
    region: Annotated[str | None, typer.Option("--region", help="行政区划代码（默认全市及各县区）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个JSON对象")] = False,
) -> None:
    """Every indicator at the end of a year for the city and each county (and the zones)."""
    from ipcity.cli import _factory
    from ipcity.indicators import definitions, service

    on = service.year_end(year)
    with _factory()() as session:
        result = service.indicators_json(session, PUBLIC, on, region)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for bucket in ("regions", "zones"):
        codes = list(result[bucket])
        if not codes:
            continue
        table = Table(title=f"{result['date']} · {bucket}")
        table.add_column("指标 / indicator", no_wrap=True)
        for code in codes:
            table.add_column(code, justify="right")
        ids = [i.id for i in definitions.INDICATORS if any(i.id in result[bucket][c] for c in codes)]
        for ident in ids:
            row = [ident]
            for code in codes:
                value = result[bucket][code].get(ident, "")
                row.append(
                    "—" if isinstance(value, str) and value.startswith("not assessable") else str(value)
                )
            table.add_row(*row)
        console.print(table)
