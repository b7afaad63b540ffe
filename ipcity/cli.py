"""The ``ipcity`` command line (Typer + Rich). Each area adds its own sub-command group.

Errors are one line on stderr, never a traceback: bad input exits with 2, anything
unexpected with 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ipcity.config import Settings
from ipcity.errors import IPCityError
from ipcity.indicators.cli import indicators_command
from ipcity.policy.cli import policy_app
from ipcity.registry.importers.fields import KINDS as IMPORT_KINDS

app = typer.Typer(help="IP City 知识产权强市平台", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="用户管理 / users", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 / audit log", no_args_is_help=True)
ipc_app = typer.Typer(help="IPC分类表 / IPC scheme", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(ipc_app, name="ipc")
app.add_typer(policy_app, name="policy")
app.command("indicators")(indicators_command)

console = Console()
err_console = Console(stderr=True)


def say_error(message: str) -> None:
    """One line on stderr, as the user must get it: never wrapped at the terminal's width,
    never read as Rich markup (a header such as "[备注]" stays as it is), and only the first
    line of a message that has several (a database driver's error carries its SQL)."""
    line = message.strip().splitlines()[0] if message.strip() else message
    err_console.print(line, markup=False, highlight=False, soft_wrap=True)


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="数据库URL（默认读取 IPCITY_DATABASE_URL 或 sqlite:///./ipcity.db）"),
]


class _State:
    settings: Settings | None = None


state = _State()


@app.callback()
def _root(db: DbOption = None) -> None:
    """IP City: registry, policy money, indicators and protection of an IP-strong city."""
    overrides: dict[str, Any] = {}
    if db:
        overrides["database_url"] = db
    state.settings = Settings(**overrides)


def settings() -> Settings:
    """The settings of this invocation."""
    return state.settings or Settings()


def _factory() -> Any:
    from ipcity.db import make_engine, make_session_factory

    return make_session_factory(make_engine(settings().database_url))


def rich_progress() -> Progress:
    """The progress bar every long job shows."""
    return Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


@app.command()
def init() -> None:
    """Create the database or migrate it to the current schema, and load the places."""
    from ipcity.bootstrap import initialize

    initialize(settings())
    console.print(f"数据库已就绪：{settings().database_url}")


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只生成数据，不启动网页服务")] = False,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    patents: Annotated[int, typer.Option(help="示例专利数量")] = 5000,
) -> None:
    """Create a database with places and a generated sample data set for Hebi, an officer
    account (its password is printed), then serve the platform."""
    from ipcity.bootstrap import build_demo

    with rich_progress() as progress:
        result = build_demo(settings(), patents=patents, progress=progress)
    console.print("[bold]示例数据已生成[/bold]（所有示例权利人和资产均标注为“示例”）")
    for name, count in result.counts.items():
        console.print(f"  {name}: {count}")
    console.print(
        f"管理员账号 / officer account: [bold]{result.username}[/bold]  密码 / password: [bold]{result.password}[/bold]"
    )
    if not no_serve:
        serve(host=host, port=port)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """Serve the platform in a browser (http://HOST:PORT)."""
    import uvicorn

    from ipcity.bootstrap import initialize
    from ipcity.web.app import create_app

    initialize(settings())
    console.print(f"IP City 运行于 http://{host}:{port}  (Ctrl+C 停止)")
    uvicorn.run(create_app(settings()), host=host, port=port, log_level="warning")


KINDS = list(IMPORT_KINDS)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV / XLSX / JSONL 文件（可为 .gz）")],
    kind: Annotated[str | None, typer.Option("--kind", help="|".join(KINDS))] = None,
    strict: Annotated[bool, typer.Option("--strict", help="任一行有误则整个文件不导入")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个JSON对象")] = False,
    mapping: Annotated[str | None, typer.Option("--mapping", help="已保存的列映射名称")] = None,
    user: Annotated[str, typer.Option("--user", help="记入审计日志的操作人")] = "cli",
) -> None:
    """Import a file: read, check, show what changes, and write it in one transaction."""
    from ipcity.auth.roles import Actor
    from ipcity.registry.importing import import_path

    if kind is not None and kind not in KINDS:
        raise IPCityError("--kind 应为 {expected} 之一，收到：{value}", expected=", ".join(KINDS), value=kind)
    if not file.exists():
        raise IPCityError("文件不存在：{value}", value=str(file))
    actor = Actor(username=user, role="admin")
    factory = _factory()
    with rich_progress() as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=max(total, 1))
            progress.update(tasks[stage], completed=done, total=max(total, 1))

        with factory() as session:
            result = import_path(
                session,
                actor,
                file,
                kind=kind,
                strict=strict,
                mapping_name=mapping,
                errors_dir=settings().upload_dir / "rejected",
                progress=report,
            )
    summary = result.summary()
    if as_json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        table = Table(title=escape(f"{file.name} · {result.layout_name}"))
        for key in ("read", "inserted", "updated", "unchanged", "rejected"):
            table.add_column(key, justify="right")
        table.add_row(*(str(summary[k]) for k in ("read", "inserted", "updated", "unchanged", "rejected")))
        console.print(table)
        if summary["errors_file"]:
            console.print(f"被拒绝的行见：{summary['errors_file']}", markup=False, soft_wrap=True)
    if result.imported_nothing:
        say_error(result.nothing_reason or "没有可导入的行")
        raise typer.Exit(2)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="输出JSON")] = False) -> None:
    """Counts of each kind of record."""
    from ipcity.registry.service import registry_stats

    with _factory()() as session:
        counts = registry_stats(session)
    if as_json:
        console.print_json(json.dumps(counts))
        return
    table = Table("kind", "count")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="输出文件：.csv 或 .xlsx")],
    q: Annotated[str | None, typer.Option(help="全文检索词")] = None,
    patent_type: Annotated[str | None, typer.Option("--type", help="invention|utility_model|design")] = None,
    status: Annotated[str | None, typer.Option(help="in_force|pending|ended|…")] = None,
    region: Annotated[str | None, typer.Option(help="行政区划代码")] = None,
    year: Annotated[int | None, typer.Option(help="申请年份")] = None,
    lang: Annotated[str, typer.Option(help="zh_CN|en")] = "zh_CN",
) -> None:
    """Export a patent search result as CSV or XLSX."""
    from ipcity.auth.roles import PUBLIC
    from ipcity.registry.service import PatentQuery, export_patents

    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise IPCityError("导出文件应以 .csv 或 .xlsx 结尾，收到：{value}", value=out.name)
    query = PatentQuery(q=q, patent_type=patent_type, status=status, region=region, year=year)
    with _factory()() as session:
        data = export_patents(session, PUBLIC, query, suffix, locale=lang)  # type: ignore[arg-type]
    out.write_bytes(data)
    console.print(f"已导出到 {out}", markup=False, soft_wrap=True)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option(help="admin|city_officer|county_officer|enterprise")] = "city_officer",
    region: Annotated[str | None, typer.Option(help="县区账号的行政区划代码")] = None,
    holder: Annotated[int | None, typer.Option(help="企业用户绑定的权利人ID")] = None,
    password: Annotated[str | None, typer.Option(help="密码（省略则生成并打印）")] = None,
) -> None:
    """Create a user; prints the password when it was generated."""
    from ipcity.auth.passwords import generate_password
    from ipcity.auth.roles import SYSTEM
    from ipcity.auth.service import create_user

    secret = password or generate_password()
    with _factory()() as session:
        create_user(session, SYSTEM, username, secret, role, region_code=region, holder_id=holder)
        session.commit()
    console.print(
        f"已创建用户 {username}（{role}）" + ("" if password else f"，密码：{secret}"),
        markup=False,
        soft_wrap=True,
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 at the first edited or deleted entry."""
    from ipcity.audit import verify

    with _factory()() as session:
        result = verify(session)
    if result.ok:
        console.print(f"审计日志完整：{result.entries} 条记录，哈希链无断裂")
        return
    say_error(f"审计日志被篡改：第 {result.first_bad_id} 条记录 — {result.reason}")
    raise typer.Exit(1)


@ipc_app.command("import")
def ipc_import(
    file: Annotated[Path, typer.Argument(help="CNIPA中文IPC表（code, level, title_zh）或WIPO英文表")],
) -> None:
    """Load IPC titles (Chinese or English) so that pages show the title of each code."""
    from ipcity.registry.ipc import load_ipc_titles

    with _factory()() as session:
        count = load_ipc_titles(session, file)
        session.commit()
    console.print(f"已载入 {count} 条IPC分类名称")


def _locale() -> str:
    try:
        return settings().default_locale
    except Exception:  # settings that do not validate must not hide the error being reported
        return "zh_CN"


def main() -> None:
    """Entry point: run the app and turn errors into one line on stderr."""
    try:
        # Without standalone mode click returns the code of a ``typer.Exit`` instead of
        # exiting with it: pass it on, or "nothing imported" would exit 0.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except IPCityError as exc:
        say_error(f"错误：{exc.render(_locale())}")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        say_error("已中止")
        sys.exit(130)
    except Exception as exc:  # one line, never a traceback
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        say_error(f"错误：{type(exc).__name__}: {exc}")
        sys.exit(1)
