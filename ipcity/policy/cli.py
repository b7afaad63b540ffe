"""``ipcity policy evaluate|explain|test``: the policy's money on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipcity.auth.roles import SYSTEM

policy_app = typer.Typer(help="资助奖励规则 / policy rules and entitlements", no_args_is_help=True)
console = Console()


@policy_app.command("evaluate")
def evaluate_command(
    year: Annotated[int, typer.Option("--year", help="年度")],
    as_json: Annotated[bool, typer.Option("--json", help="输出JSON数组")] = False,
    rule: Annotated[str | None, typer.Option("--rule", help="只算一条规则（如 P2.1-a）")] = None,
) -> None:
    """Every entitlement of a year: holder, rule, object, amount, status, explanation."""
    from ipcity.cli import _factory
    from ipcity.policy import service

    with _factory()() as session:
        found = service.entitlements(session, SYSTEM, year, rule)
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in found], ensure_ascii=False))
        return
    table = Table(title=f"{year} 应享受资助奖励 / entitlements")
    for col in ("编号 / id", "权利人 / holder", "金额 / yuan", "状态 / status", "说明 / explanation"):
        table.add_column(col, overflow="fold")
    for e in found:
        table.add_row(e.id, e.holder, f"{e.amount:,}", e.status, e.explanation_zh)
    console.print(table)
    total = sum(e.amount for e in found if e.status == "eligible")
    console.print(f"合计应付 / total payable: {total:,} 元 ({len(found)} 项)")


@policy_app.command("explain")
def explain_command(
    entitlement_id: Annotated[str, typer.Argument(help="编号，如 2019:P2.1-a:CN201710123456.7")],
) -> None:
    """Why one entitlement has its amount: clause, parameter values, data used."""
    from ipcity.cli import _factory
    from ipcity.policy import service
    from ipcity.policy.clauses import CLAUSES

    with _factory()() as session:
        e = service.explain(session, SYSTEM, entitlement_id)
    console.print(f"[bold]{e.id}[/bold]  {e.holder}  {e.amount:,} 元  {e.status}", highlight=False)
    console.print(f"条款 {e.clause}：{CLAUSES[e.clause].quote}", highlight=False)
    console.print(e.explanation_zh, highlight=False)
    console.print(e.explanation_en, highlight=False)
    console.print(f"参考日期 / reference date: {e.reference_date}", highlight=False)
    console.print("参数 / parameters: " + json.dumps(e.parameters, ensure_ascii=False), highlight=False)
    console.print("数据 / data: " + json.dumps(e.data, ensure_ascii=False, default=str), highlight=False)


@policy_app.command("test")
def test_command(
    path: Annotated[Path | None, typer.Argument(help="场景文件或目录（默认：随附的场景）")] = None,
) -> None:
    """Run the YAML scenario tests; exit 1 when any fails."""
    from ipcity.policy.scenarios import run_files, scenario_files

    files = scenario_files(path)
    results = run_files(files)
    failed = 0
    for r in results:
        mark = "[green]通过 PASS[/green]" if r.ok else "[red]失败 FAIL[/red]"
        console.print(f"{mark} {r.scenario.file}:{r.scenario.line} {r.scenario.name}", highlight=False)
        for problem in r.problems:
            console.print(f"    {problem}", highlight=False, markup=False)
        failed += not r.ok
    console.print(f"{len(results) - failed}/{len(results)} 个场景通过 / scenarios passed", highlight=False)
    if failed:
        raise typer.Exit(1)
