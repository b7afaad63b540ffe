"""The ``ipcity`` command line (Typer + Rich). Each area adds its own sub-command group.

Errors are one line on stderr, ``错误：`` and one sentence (in English where
``IPCITY_DEFAULT_LOCALE=en``), never a traceback and never an exception's class name.
Exit codes, the same for every command:

* 0 – done;
* 1 – a check failed (``audit verify`` found a broken chain, ``policy test`` a failing
  scenario) or the command broke off on something unexpected;
* 2 – the input cannot be used: an unknown command or option, a bad option value, a missing
  file or folder, a database URL that is not valid or not initialised, a record that does
  not exist, a file of which nothing could be imported;
* 130 – interrupted (Ctrl+C).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from ipcity.config import Settings
from ipcity.errors import BadInput, IPCityError, ValidationFailed, database_reason, first_line
from ipcity.i18n import gettext
from ipcity.indicators.cli import indicators_command
from ipcity.policy.cli import policy_app
from ipcity.registry.importers.fields import KINDS as IMPORT_KINDS
from ipcity.registry.legal_status import STATUS_LABELS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

HELP_OPTION = "显示本帮助并退出 / show this help and exit"
MSG_BAD_URL = "数据库地址无效：{url}；应为 sqlite:///文件路径 或 postgresql://用户@主机/数据库"
MSG_NOT_INITIALISED = "数据库尚未初始化：{url}；请先运行 ipcity init"
MSG_NO_FOLDER = "文件夹不存在：{value}"
MSG_SEE_HELP = "命令用法有误；请运行 {command} --help 查看用法"


class _BilingualHelp:
    """The ``--help`` option described in both languages like every other option (click's
    own text is English only)."""

    def get_help_option(self, ctx: Any) -> Any:
        """Click's help option with the bilingual description."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class BilingualCommand(_BilingualHelp, TyperCommand):
    """Every ``ipcity`` command: bilingual ``--help``."""


class BilingualGroup(_BilingualHelp, TyperGroup):
    """Every ``ipcity`` command group: bilingual ``--help`` and one sentence for an unknown
    command, naming the commands there are."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command named first in ``args``; an unknown name is a :class:`BadInput`."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing:
            normalized = ctx.token_normalize_func(name) if ctx.token_normalize_func else name
            if self.get_command(ctx, name) is None and self.get_command(ctx, normalized) is None:
                raise BadInput(
                    "没有命令 {name}；可用的命令：{commands}",
                    name=name,
                    commands=", ".join(self.list_commands(ctx)),
                )
        return super().resolve_command(ctx, args)


def bilingual(typer_app: typer.Typer) -> typer.Typer:
    """Give ``typer_app``, its commands and its sub-groups (recursively) the bilingual classes,
    so a command added anywhere later gets them without repeating ``cls=`` at each one."""
    typer_app.info.cls = BilingualGroup
    for command in typer_app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer fills in its own class by default
            command.cls = BilingualCommand
    for group in typer_app.registered_groups:
        group.cls = BilingualGroup
        if group.typer_instance is not None:
            bilingual(group.typer_instance)
    return typer_app


app = typer.Typer(
    help="IP City 知识产权强市平台 / IP-strong city platform", no_args_is_help=True, add_completion=False
)
user_app = typer.Typer(help="用户管理 / users", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 / audit log", no_args_is_help=True)
ipc_app = typer.Typer(help="IPC分类表 / IPC scheme", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(ipc_app, name="ipc")
app.add_typer(policy_app, name="policy")
app.command(
    "indicators",
    short_help="年末指标 / year-end indicators",
    help="某年末的各项指标：全市、各县区和园区 / indicators at a year's end: city, counties, zones",
)(indicators_command)

console = Console()
err_console = Console(stderr=True)


def say_error(message: str) -> None:
    """One line on stderr, as the user must get it: never wrapped at the terminal's width,
    never read as Rich markup (a header such as "[备注]" stays as it is), and only the first
    line of a message that has several (a database driver's error carries its SQL)."""
    line = first_line(message) or message
    err_console.print(line, markup=False, highlight=False, soft_wrap=True)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库地址 / database URL\n\n默认 / default: IPCITY_DATABASE_URL, sqlite:///./ipcity.db",
    ),
]


class _State:
    settings: Settings | None = None


state = _State()


@app.callback()
def _root(db: DbOption = None) -> None:
    """IP City: registry, policy money, indicators and protection of an IP-strong city."""
    from pydantic import ValidationError

    state.settings = None  # a run in the same process must not report in an earlier one's language
    overrides: dict[str, Any] = {}
    if db:
        overrides["database_url"] = db
    try:
        state.settings = Settings(**overrides)
    except ValidationError as exc:
        raise _settings_error(exc) from exc
    from ipcity.policy.loader import use_policy_file

    # The policy in force for this run (IPCITY_POLICY_FILE, else the shipped one); a bad file
    # is one line naming its line and reason.
    use_policy_file(state.settings.policy_file)


def _settings_error(exc: Any) -> IPCityError:
    """An ``IPCITY_*`` variable pydantic refused, as one sentence naming the variable."""
    first = exc.errors()[0]
    if not first.get("loc"):
        # The only check over several settings (config.Settings): the secret in production.
        return ValidationFailed("生产环境必须设置 IPCITY_SECRET_KEY")
    return ValidationFailed(
        "设置 {name} 的值无效：{value}",
        name="IPCITY_" + str(first["loc"][0]).upper(),
        value=first.get("input"),
    )


def settings() -> Settings:
    """The settings of this invocation."""
    return state.settings or Settings()


def _shown_url(url: str) -> str:
    """The database URL as messages show it: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_file(database: str | None) -> Path | None:
    """The file of a SQLite database (None: in memory)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def checked_database_url(*, initialised: bool) -> str:
    """The database URL of this invocation, refused in one sentence when SQLAlchemy cannot use
    it, when it is neither SQLite nor PostgreSQL (the two the platform runs on), when a SQLite
    file's folder is missing, or — ``initialised`` — when the SQLite file does not exist:
    connecting would leave an empty file behind."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from ipcity.db import normalize_database_url

    url = settings().database_url
    try:
        parsed = make_url(normalize_database_url(url))
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ValidationFailed(MSG_BAD_URL, url=url) from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValidationFailed(MSG_BAD_URL, url=_shown_url(url))
    path = _sqlite_file(parsed.database) if backend == "sqlite" else None
    if path is not None:
        if initialised and not path.exists():
            raise ValidationFailed(MSG_NOT_INITIALISED, url=_shown_url(url))
        if not path.parent.exists():
            raise ValidationFailed(MSG_NO_FOLDER, value=str(path.parent))
    return url


def _require_schema(engine: Engine, url: str) -> None:
    """Refuse a database that ``ipcity init`` has not set up (its tables are missing), and
    one that cannot be reached, before a command reads or writes it."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError

    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            ready = inspector.has_table("alembic_version") and inspector.has_table("regions")
    except OperationalError as exc:
        raise ValidationFailed("无法连接数据库：{url}", url=_shown_url(url)) from exc
    if not ready:
        raise ValidationFailed(MSG_NOT_INITIALISED, url=_shown_url(url))


def _factory() -> sessionmaker[Session]:
    """Sessions on this invocation's database, once it is known to be initialised."""
    # Every model module registers its tables on one metadata: a flush resolves foreign
    # keys across all of them (users.region_code -> regions), so import them all, not only
    # those the command happens to use.
    import ipcity.models  # noqa: F401
    from ipcity.db import make_engine, make_session_factory

    url = checked_database_url(initialised=True)
    engine = make_engine(url)
    _require_schema(engine, url)
    return make_session_factory(engine)


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


@app.command(
    short_help="建库或升级 / create or migrate the database",
    help="创建数据库或升级到当前结构，并载入地区 / create or migrate the database, load the places",
)
def init() -> None:
    """Create the database or migrate it to the current schema, and load the places."""
    from ipcity.bootstrap import initialize

    checked_database_url(initialised=False)
    initialize(settings())
    console.print(
        gettext("数据库已就绪：{url}", _locale()).format(url=_shown_url(settings().database_url)),
        markup=False,
        soft_wrap=True,
    )


MAX_SAMPLE_PATENTS = 2_000_000  # a sample registry larger than any city's real one


@app.command(
    short_help="示例数据库，再启动服务 / sample database, then serve",
    help="生成鹤壁示例数据库和一个市级知识产权管理人员账号（打印密码），再启动网页服务"
    " / build a sample Hebi database and a city officer account (password printed), then serve",
)
def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="只生成数据 / build only, do not serve")
    ] = False,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    patents: Annotated[int, typer.Option(help="示例专利数量 / number of sample patents")] = 5000,
) -> None:
    """Create a database with places and a generated sample data set for Hebi and a city
    officer account (its password is printed), then serve the platform."""
    from ipcity.auth.roles import ROLE_LABELS
    from ipcity.bootstrap import build_demo

    if not 0 <= patents <= MAX_SAMPLE_PATENTS:
        raise ValidationFailed(
            "--patents 应为 0 到 {max} 之间的整数，收到：{value}",
            max=f"{MAX_SAMPLE_PATENTS:,}",
            value=patents,
        )
    checked_database_url(initialised=False)
    with rich_progress() as progress:
        result = build_demo(settings(), patents=patents, progress=progress)
    console.print("[bold]示例数据已生成[/bold]（所有示例权利人和资产均标注为“示例”）")
    for name, count in result.counts.items():
        console.print(f"  {name}: {count}")
    # The account is a city officer (bootstrap.build_demo): named with the role's label.
    label = ROLE_LABELS["city_officer"]
    console.print(
        f"{label}账号 / {gettext(label, 'en')} account: [bold]{result.username}[/bold]"
        f"  密码 / password: [bold]{result.password}[/bold]",
        soft_wrap=True,  # one line at any width: the password is copied from it
    )
    if not no_serve:
        serve(host=host, port=port)


@app.command(
    short_help="启动网页服务 / serve the platform",
    help="启动网页服务 / serve the platform (http://HOST:PORT)",
)
def serve(
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
) -> None:
    """Serve the platform in a browser (http://HOST:PORT)."""
    import uvicorn

    from ipcity.bootstrap import initialize
    from ipcity.web.app import create_app

    checked_database_url(initialised=False)
    initialize(settings())
    console.print(f"IP City 运行于 http://{host}:{port}  (Ctrl+C 停止)")
    uvicorn.run(create_app(settings()), host=host, port=port, log_level="warning")


KINDS = list(IMPORT_KINDS)


# The import summary's columns, as the preview page names them.
SUMMARY_LABELS = {
    "read": "读取",
    "inserted": "新增",
    "updated": "变更",
    "unchanged": "未变",
    "rejected": "拒绝",
}


@app.command(
    "import",
    short_help="导入文件 / import a file",
    help="导入文件：检查、显示变化，一次写入 / import a file: check, show what changes, write at once",
)
def import_file(
    file: Annotated[Path, typer.Argument(help="要导入的文件 / file: CSV, XLSX, JSONL (.gz too)")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="记录类型 / kind of records\n\n" + ", ".join(KINDS))
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="有一行有误就不导入 / all rows or none"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出JSON对象 / print one JSON object")] = False,
    mapping: Annotated[
        str | None, typer.Option("--mapping", help="已保存的列映射 / saved column mapping")
    ] = None,
    user: Annotated[str, typer.Option("--user", help="操作人 / acting user (audit log)")] = "cli",
) -> None:
    """Import a file: read, check, show what changes, and write it in one transaction."""
    from ipcity.auth.roles import Actor
    from ipcity.registry.importing import import_path

    if kind is not None and kind not in KINDS:
        raise IPCityError("--kind 应为 {expected} 之一，收到：{value}", expected=", ".join(KINDS), value=kind)
    if not file.exists():
        raise IPCityError("文件不存在：{value}", value=str(file))
    if not file.is_file():
        raise IPCityError("“{value}”不是文件（是文件夹或设备）；请给出要导入的文件", value=str(file))
    actor = Actor(username=user, role="admin")
    factory = _factory()
    locale = _locale()
    # The bar appears with the first stage reported: a file refused before (empty, of an
    # unknown layout …) gets its one line of error, without an empty bar's blank line.
    progress = rich_progress()
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if not tasks:
            progress.start()
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    try:
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
                locale=locale,  # the rejected-rows file and the layout's name
            )
    finally:
        if tasks:
            progress.stop()
    summary = result.summary()
    if as_json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        table = Table(title=escape(f"{file.name} · {result.layout_name}"))
        for key in ("read", "inserted", "updated", "unchanged", "rejected"):
            # The Chinese word and the JSON key (the same counts as --json prints).
            table.add_column(f"{gettext(SUMMARY_LABELS[key], locale)} / {key}", justify="right")
        table.add_row(*(str(summary[k]) for k in ("read", "inserted", "updated", "unchanged", "rejected")))
        console.print(table)
        if summary["errors_file"]:
            console.print(
                gettext("被拒绝的行见：{path}", locale).format(path=summary["errors_file"]),
                markup=False,
                soft_wrap=True,
            )
    if result.imported_nothing:
        # As every other refusal: "错误：" and the sentence, in the user's language.
        reason = result.nothing_reason_in(locale) or gettext("没有可导入的行", locale)
        say_error(gettext("错误：{message}", locale).format(message=reason))
        raise typer.Exit(2)  # README: import exits 2 when nothing could be imported


@app.command(help="各类记录数量 / counts of records")
def stats(as_json: Annotated[bool, typer.Option("--json", help="输出JSON / print JSON")] = False) -> None:
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


@app.command(help="导出专利检索结果 / export patents (CSV, XLSX)")
def export(
    out: Annotated[Path, typer.Argument(help="输出文件 / output file: .csv, .xlsx")],
    q: Annotated[str | None, typer.Option(help="全文检索词 / search words")] = None,
    patent_type: Annotated[
        str | None, typer.Option("--type", help="专利类型 / patent type\n\ninvention, utility_model, design")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="法律状态 / legal status\n\n" + ", ".join(("in_force", "pending", "ended", *STATUS_LABELS))
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help="行政区划代码 / region code")] = None,
    year: Annotated[int | None, typer.Option(help="申请年份 / filing year")] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            help="排序 / order\n\nrelevance, -filing_date, filing_date, -grant_date, grant_date, "
            "application_number\n\n默认同检索页 / default as on the search page: relevance with --q, "
            "else -filing_date"
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="表头语言 / header language: zh_CN, en")] = "zh_CN",
) -> None:
    """Export a patent search result as CSV or XLSX, in the search page's order."""
    from ipcity.auth.roles import PUBLIC
    from ipcity.registry.service import PatentQuery, export_patents

    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise IPCityError("导出文件应以 .csv 或 .xlsx 结尾，收到：{value}", value=out.name)
    if lang not in ("zh_CN", "en"):
        raise ValidationFailed("--lang 应为 {expected} 之一，收到：{value}", expected="zh_CN, en", value=lang)
    # Checked before the search runs: a long export must not fail only when it is written.
    folder = out.parent
    if not folder.is_dir():
        raise ValidationFailed(MSG_NO_FOLDER, value=str(folder))
    from ipcity.registry.service import SORTS

    if sort is not None and sort not in SORTS:
        raise ValidationFailed(
            "--sort 应为 {expected} 之一，收到：{value}", expected=", ".join(SORTS), value=sort
        )
    # The search page's order: the same query exported there and here gives the same file.
    chosen = sort or ("relevance" if q and q.strip() else "-filing_date")
    query = PatentQuery(q=q, patent_type=patent_type, status=status, region=region, year=year, sort=chosen)
    with _factory()() as session:
        # An unknown region code is refused by the search itself (PatentQuery.validate),
        # rather than written as an empty file that looks like "no patents there".
        data = export_patents(session, PUBLIC, query, suffix, locale=lang)  # type: ignore[arg-type]
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise ValidationFailed("无法写入文件：{value}", value=str(out)) from exc
    console.print(gettext("已导出到 {path}", _locale()).format(path=out), markup=False, soft_wrap=True)


@user_app.command(
    "add",
    short_help="新建用户 / create a user",
    help="新建用户（未给密码时生成并打印） / create a user (prints a generated password)",
)
def user_add(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[
        str, typer.Option(help="角色 / role\n\nadmin, city_officer, county_officer, enterprise")
    ] = "city_officer",
    region: Annotated[str | None, typer.Option(help="所属县区代码 / county code (county officer)")] = None,
    holder: Annotated[int | None, typer.Option(help="绑定的权利人ID / holder id (enterprise)")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="密码，省略则生成 / password, else generated"),
    ] = None,
) -> None:
    """Create a user; prints the password when it was generated."""
    from ipcity.auth.passwords import generate_password
    from ipcity.auth.roles import SYSTEM
    from ipcity.auth.service import create_user

    secret = password or generate_password()
    with _factory()() as session:
        create_user(session, SYSTEM, username, secret, role, region_code=region, holder_id=holder)
        session.commit()
    locale = _locale()
    created = gettext("已创建用户 {username}（{role}）", locale).format(username=username, role=role)
    if not password:
        created += gettext("，密码：{password}", locale).format(password=secret)
    console.print(created, markup=False, soft_wrap=True)


@audit_app.command(
    "verify",
    short_help="校验审计日志 / verify the audit log",
    help="校验审计日志的哈希链，有断裂时退出码为1 / check the hash chain; exit 1 when it is broken",
)
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 at the first edited or deleted entry."""
    from ipcity.audit import verify

    with _factory()() as session:
        result = verify(session)
    locale = _locale()
    if result.ok:
        console.print(
            gettext("审计日志完整：{entries} 条记录，哈希链无断裂", locale).format(entries=result.entries)
        )
        return
    if result.first_bad_id is None:
        say_error(gettext("审计日志被篡改：{reason}", locale).format(reason=result.reason_in(locale)))
    else:
        say_error(
            gettext("审计日志被篡改：第 {id} 条记录 — {reason}", locale).format(
                id=result.first_bad_id, reason=result.reason_in(locale)
            )
        )
    raise typer.Exit(1)  # a failed check, not bad input (README)


@ipc_app.command("import", help="载入IPC分类名称 / load IPC titles")
def ipc_import(
    file: Annotated[
        Path,
        typer.Argument(help="IPC分类表文件 / IPC titles (CNIPA, WIPO)"),
    ],
) -> None:
    """Load IPC titles (Chinese or English) so that pages show the title of each code."""
    from ipcity.registry.ipc import load_ipc_titles

    if not file.exists():
        raise ValidationFailed("文件不存在：{value}", value=str(file))
    with _factory()() as session:
        count = load_ipc_titles(session, file)
        session.commit()
    console.print(f"已载入 {count} 条IPC分类名称")


bilingual(app)


def _locale() -> str:
    try:
        return settings().default_locale
    except Exception:  # settings that do not validate must not hide the error being reported
        return "zh_CN"


def _param_name(param: Any) -> str:
    """How the user typed a parameter: ``--year`` for an option, the name of an argument."""
    opts = getattr(param, "opts", None) or []
    if opts:
        return str(opts[0])
    return str(getattr(param, "human_readable_name", None) or getattr(param, "name", "") or "")


def _bad_value(exc: Any) -> IPCityError:
    """A value click/typer could not convert, as one sentence naming the option and the value.

    Typer converts with pydantic and chains its error: its first entry holds the value typed
    and the kind of value expected. Without it (an older Typer) the value is not known."""
    name = _param_name(exc.param) if exc.param is not None else ""
    cause = exc.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if not errors:
        return BadInput("{option} 的值无效", option=name)
    value = errors[0].get("input")
    if str(errors[0].get("type", "")).startswith("int_"):
        return BadInput("{option} 应为整数，收到：{value}", option=name, value=value)
    return BadInput("{option} 的值无效：{value}", option=name, value=value)


def _usage_error(exc: Any) -> IPCityError:
    """A click usage error (its text is English, with Python reprs) as one sentence."""
    click_errors = _click_errors()

    command = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "ipcity"
    if isinstance(exc, click_errors.MissingParameter):
        param = exc.param
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return BadInput("缺少必填的参数 {name}", name=_param_name(param).upper())
        return BadInput("缺少必填的选项 {name}", name=_param_name(param) if param is not None else "")
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(exc)
    if isinstance(exc, click_errors.NoSuchOption):
        return BadInput(
            "没有选项 {option}；请运行 {command} --help 查看可用的选项",
            option=exc.option_name,
            command=command,
        )
    if isinstance(exc, click_errors.BadOptionUsage):
        if "requires" in exc.message:
            return BadInput("选项 {option} 需要一个值", option=exc.option_name)
        return BadInput("选项 {option} 不接受值", option=exc.option_name)
    if isinstance(exc, click_errors.UsageError) and exc.message.startswith("Got unexpected extra argument"):
        # "Got unexpected extra argument(s) (a b)": the arguments are in the last brackets.
        extra = exc.message.rsplit(" (", 1)[-1].rstrip(")")
        return BadInput("多余的参数：{value}；请运行 {command} --help 查看用法", value=extra, command=command)
    return BadInput(MSG_SEE_HELP, command=command)


def _click_errors() -> Any:
    """Click's exception classes: Typer has carried its own copy of click (``typer._click``,
    not re-exported) since 0.2x; an older Typer raises click's own."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


def _report(error: IPCityError, code: int) -> None:
    """Print ``错误：`` and the error's sentence in the user's language, then exit."""
    locale = _locale()
    say_error(gettext("错误：{message}", locale).format(message=error.render(locale)))
    sys.exit(code)


def main() -> None:
    """Entry point: run the app and turn errors into one line on stderr (exit codes: see the
    module's docstring)."""
    click_errors = _click_errors()

    try:
        # Without standalone mode click returns the code of a ``typer.Exit`` instead of
        # exiting with it: pass it on, or "nothing imported" would exit 0.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except IPCityError as exc:
        _report(exc, 2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        say_error(gettext("已中止", _locale()))
        sys.exit(130)
    except click_errors.NoArgsIsHelpError as exc:
        # A group called without a command: its help, as a usage error (click's own code).
        exc.show()
        sys.exit(2)
    except click_errors.UsageError as exc:
        _report(_usage_error(exc), 2)
    except click_errors.ClickException as exc:
        _report(BadInput(MSG_SEE_HELP, command="ipcity"), 2 if exc.exit_code == 2 else 1)
    except Exception as exc:  # one line, never a traceback
        _report(_unexpected(exc), 1)


def _unexpected(exc: Exception) -> IPCityError:
    """An error no check foresaw (a database that broke off, a bug): one sentence with the
    first line of what went wrong, for whoever has to look into it."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        # What the driver said ("database is locked"), in the user's words where it is a
        # condition one can act on, without SQLAlchemy's wrapping or the SQL.
        return IPCityError("数据库操作失败，命令未完成：{detail}", detail=database_reason(exc))
    return IPCityError("内部错误，命令未完成：{detail}", detail=first_line(exc) or type(exc).__name__)
