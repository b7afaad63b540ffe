"""``ipcity policy evaluate|explain|test``: the policy's money on the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipcity.auth.roles import SYSTEM
from ipcity.errors import ValidationFailed
from ipcity.i18n import gettext

if TYPE_CHECKING:
    # Only for annotations: the policy package loads when a policy command runs, so every
    # other command starts without it.
    from ipcity.policy.loader import Policy

policy_app = typer.Typer(help="资助奖励规则 / policy rules and entitlements", no_args_is_help=True)
console = Console()


def policy_years(policy: Policy) -> tuple[date, int, int | None]:
    """When the policy applies: the first day any of its parameters has a value, its year,
    and the last year one still has (None while some value runs on without an end date)."""
    values = [v for p in policy.parameters.values() for v in p.values]
    start = min(v.start for v in values)
    ends = [v.end for v in values]
    last = None if any(e is None for e in ends) else max(e.year for e in ends if e is not None)
    return start, start.year, last


def check_policy_year(policy: Policy, year: int) -> None:
    """Refuse a year the policy does not cover: before its first dated value (nothing can be
    owed before the opinions took effect) or after its last one."""
    start, first, last = policy_years(policy)
    if last is not None and not first <= year <= last:
        raise ValidationFailed(
            "策略 {policy} 适用于 {first} 至 {last} 年度，收到：{year}",
            policy=policy.id,
            first=first,
            last=last,
            year=year,
        )
    if year < first:
        raise ValidationFailed(
            "策略 {policy} 自 {start} 起施行，应选择 {first} 年或以后的年度，收到：{year}",
            policy=policy.id,
            start=start.isoformat(),
            first=first,
            year=year,
        )


@policy_app.command(
    "evaluate",
    short_help="年度应享受项目 / entitlements of a year",
    help="某年度的全部应享受项目及说明 / every entitlement of a year, with its explanation",
)
def evaluate_command(
    year: Annotated[int, typer.Option("--year", help="年度 / year")],
    as_json: Annotated[bool, typer.Option("--json", help="输出JSON数组 / print a JSON array")] = False,
    rule: Annotated[str | None, typer.Option("--rule", help="只算一条规则 / one rule only (P2.1-a)")] = None,
) -> None:
    """Every entitlement of a year: holder, rule, object, amount, status, explanation."""
    from ipcity.cli import _factory, _locale
    from ipcity.policy import service

    check_policy_year(service.current_policy(), year)
    with _factory()() as session:
        found = service.entitlements(session, SYSTEM, year, rule)
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in found], ensure_ascii=False))
        return
    if not found:
        # An empty table alone reads like a fault: say why there is nothing.
        console.print(
            gettext("{year} 年度没有应享受项目：登记簿中没有符合规则条件的记录", _locale()).format(year=year),
            highlight=False,
            soft_wrap=True,
        )
        return
    table = Table(title=f"{year} 应享受资助奖励 / entitlements")
    for col in ("编号 / id", "权利人 / holder", "金额 / yuan", "状态 / status", "说明 / explanation"):
        table.add_column(col, overflow="fold")
    from ipcity.policy.engine import STATUS_LABELS

    locale = _locale()
    english = locale.startswith("en")
    for e in found:
        # The status and the explanation in the reader's language (the headers are in both).
        status = gettext(STATUS_LABELS.get(e.status, e.status), locale)
        table.add_row(
            e.id, e.holder, f"{e.amount:,}", status, e.explanation_en if english else e.explanation_zh
        )
    console.print(table)
    total = sum(e.amount for e in found if e.status == "eligible")
    console.print(f"合计应付 / total payable: {total:,} 元 ({len(found)} 项)")


@policy_app.command(
    "explain",
    short_help="解释一项金额 / explain one entitlement",
    help="一项应享受项目的金额从何而来 / why one entitlement has its amount",
)
def explain_command(
    entitlement_id: Annotated[
        str,
        typer.Argument(help="编号 / id, e.g. 2019:P2.1-a:CN201710123456.0"),
    ],
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


@policy_app.command(
    "check",
    short_help="检查策略文件 / check a policy file",
    help="检查策略文件（参数、规则、条款编号、公式），有误时给出文件、行号和原因 / check a policy file: "
    "parameters, rules, clause ids, formulas; a fault is told with its file, line and reason",
)
def check_command(
    path: Annotated[Path, typer.Argument(help="策略文件 / policy file (YAML)")],
) -> None:
    """Load and check a policy file as the platform would use it (IPCITY_POLICY_FILE)."""
    from ipcity.policy.loader import load_policy

    if not path.is_file():
        raise ValidationFailed("策略文件不存在：{value}", value=str(path))
    policy = load_policy(path)
    console.print(
        f"{path.name}：{len(policy.rules)} 条规则、{len(policy.parameters)} 个参数，检查通过 / "
        f"{len(policy.rules)} rules, {len(policy.parameters)} parameters: OK",
        highlight=False,
        markup=False,
    )


@policy_app.command(
    "test",
    short_help="运行YAML场景 / run the YAML scenarios",
    help="运行策略的YAML场景，有失败时退出码为1 / run the YAML scenarios; exit 1 when one fails",
)
def test_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="场景文件或文件夹 / scenario file or folder"),
    ] = None,
) -> None:
    """Run the YAML scenario tests; exit 1 when any fails."""
    from ipcity.policy.scenarios import run_files, scenario_files

    # "0/0 passed" with exit 0 would read as success: a path with no scenarios is bad input.
    if path is not None and not path.exists():
        raise ValidationFailed("场景文件或文件夹不存在：{value}", value=str(path))
    results = run_files(scenario_files(path))
    if not results:
        raise ValidationFailed(
            "{value} 中没有场景；应为场景文件（*.yaml）或含有场景文件的文件夹", value=str(path)
        )
    failed = 0
    for r in results:
        mark = "[green]通过 PASS[/green]" if r.ok else "[red]失败 FAIL[/red]"
        console.print(f"{mark} {r.scenario.file}:{r.scenario.line} {r.scenario.name}", highlight=False)
        for problem in r.problems:
            console.print(f"    {problem}", highlight=False, markup=False)
        failed += not r.ok
    console.print(f"{len(results) - failed}/{len(results)} 个场景通过 / scenarios passed", highlight=False)
    if failed:
        raise typer.Exit(1)  # a failed check (README)
