"""Find every translatable message id of IP City and list those missing from ``en.po``.

Usage::

    python scripts/extract_messages.py            # print the ids missing from en.po
    python scripts/extract_messages.py --po       # the same as .po entries to fill in
    python scripts/extract_messages.py --check    # exit 1 when any id is missing

Chinese is the source language: a message id is the Chinese text itself. An id is found

* in templates (``ipcity/**/templates/**/*.html``): the string literal that opens a
  ``_("…")`` or ``_('…')`` call, and every Chinese string literal inside a ``{% … %}``
  statement other than a dict key (``{% for key, label in [("enterprise", "企业"), …] %}…
  {{ _(label) }}``, ``{% set labels = {"read": "读取文件"} %}``); and ``_p("复数", "权利人")``,
  an id in a context, which needs its own entry with that ``msgctxt``;
* in Python (``ipcity/**/*.py``, read with :mod:`ast`):

  - the first argument of any :class:`ipcity.errors.IPCityError` subclass (the classes of
    ``ipcity/errors.py`` and any subclass defined elsewhere in the package) and of
    ``gettext()``; besides a plain literal, every Chinese literal inside that argument
    counts (``"甲" if x else "乙"``, ``messages.get(code, "请求无法处理")``), and so do the
    Chinese values of a dict, list or string bound in the same function to a name used
    there or at module level (``messages = {404: "页面不存在"}``);
  - module-level ``MSG_*`` constants;
  - the Chinese values of dicts whose names end with ``_LABELS`` (``STATUS_LABELS``,
    ``ROLE_LABELS`` … shown through ``_(label)`` in templates);
  - a Chinese literal passed as the ``reason`` of a function or dataclass that has a
    parameter or field named ``reason`` (``RowError(row, column, value, reason)``,
    ``_row_error(…, "县区账号只能导入本县区（{own}）的记录")``, ``VerifyResult``): reasons
    are translated where they are shown; likewise a Chinese literal passed as the
    ``message`` of a function that has a parameter so named (a scenario reader's
    ``self.wrong(item, key, "{file} 第 {line} 行：…")``).

Only strings with at least one Chinese character are ids: anything else is already
language-neutral (``"IP City"``, ``"API"``) and needs no translation.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ipcity"
CATALOGUE = PACKAGE / "i18n" / "en.po"

BASE_ERRORS = frozenset(
    {
        "IPCityError",
        "BadInput",
        "InvalidNumber",
        "InvalidFile",
        "ValidationFailed",
        "NotAuthenticated",
        "PermissionDenied",
        "NotFound",
        "Conflict",
        "RateLimited",
    }
)
GETTEXT_NAMES = frozenset({"gettext", "_"})

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_JINJA_CALL = re.compile(r"(?<![\w.])_\(\s*(" + _STRING + ")", re.S)
# _p("复数", "权利人"): an id read in a context (msgctxt), kept as gettext joins them.
_JINJA_CONTEXT_CALL = re.compile(r"(?<![\w.])_p\(\s*(" + _STRING + r")\s*,\s*(" + _STRING + ")", re.S)
_JINJA_STATEMENT = re.compile(r"\{%-?(.*?)-?%\}", re.S)
_JINJA_LITERAL = re.compile(_STRING, re.S)

Messages = dict[str, set[str]]  # message id → "path:line" where it occurs


def is_chinese(text: str) -> bool:
    """True when ``text`` holds at least one Chinese character."""
    return bool(_CJK.search(text))


def _add(found: Messages, text: str, where: str) -> None:
    if is_chinese(text):
        found.setdefault(text, set()).add(where)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _literal(quoted: str) -> str | None:
    try:
        value = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


# --- templates -----------------------------------------------------------------------------


def template_files(root: Path = REPO) -> list[Path]:
    """Every Jinja template of the package (area templates and ``ipcity/web/templates``)."""
    return sorted({p for p in (root / "ipcity").rglob("*.html") if "templates" in p.parts})


def extract_template(path: Path, root: Path = REPO) -> Messages:
    """The message ids of one template."""
    found: Messages = {}
    source = path.read_text(encoding="utf-8")
    name = _rel(path, root)

    def line_of(offset: int) -> int:
        return source.count("\n", 0, offset) + 1

    for match in _JINJA_CALL.finditer(source):
        text = _literal(match.group(1))
        if text is not None:
            _add(found, text, f"{name}:{line_of(match.start())}")
    for match in _JINJA_CONTEXT_CALL.finditer(source):
        context, text = _literal(match.group(1)), _literal(match.group(2))
        if context is not None and text is not None and is_chinese(text):
            found.setdefault(f"{context}\x04{text}", set()).add(f"{name}:{line_of(match.start())}")
    for statement in _JINJA_STATEMENT.finditer(source):
        for literal in _JINJA_LITERAL.finditer(statement.group(1)):
            if statement.group(1)[literal.end() :].lstrip().startswith(":"):
                continue  # a dict key ({"读取/read": "读取文件"}): the value is the label
            text = _literal(literal.group(0))
            if text is not None:
                _add(found, text, f"{name}:{line_of(statement.start(1) + literal.start())}")
    return found


# --- Python --------------------------------------------------------------------------------


def python_files(root: Path = REPO) -> list[Path]:
    """Every module of the package except migrations (schema history, not interface)."""
    return sorted(p for p in (root / "ipcity").rglob("*.py") if "migrations" not in p.parts)


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST) -> Iterator[ast.Constant]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub


def _is_dataclass(node: ast.ClassDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if _base_name(target) == "dataclass":
            return True
    return False


class _Index:
    """What the whole package tells about its names: error classes, ``reason`` positions."""

    def __init__(self, trees: Iterable[ast.Module]) -> None:
        self.errors = set(BASE_ERRORS)
        self.reason_at: dict[str, set[int]] = {}
        classes: list[ast.ClassDef] = []
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    classes.append(node)
                    if _is_dataclass(node):
                        fields = [
                            s.target.id
                            for s in node.body
                            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                        ]
                        if "reason" in fields:
                            self.reason_at.setdefault(node.name, set()).add(fields.index("reason"))
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    args = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
                    for named in ("reason", "message"):
                        if named in args:
                            index = args.index(named)
                            if args and args[0] in ("self", "cls"):
                                index -= 1
                            self.reason_at.setdefault(node.name, set()).add(index)
        changed = True
        while changed:  # subclasses of subclasses, in any order of definition
            changed = False
            for cls in classes:
                if cls.name not in self.errors and any(_base_name(b) in self.errors for b in cls.bases):
                    self.errors.add(cls.name)
                    changed = True


def _bound_values(scope: ast.AST, names: set[str]) -> Iterator[ast.Constant]:
    """Chinese literals bound to ``names`` by plain assignments in ``scope``."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value: ast.expr | None = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, value = [node.target.id], node.value
        else:
            continue
        if value is None or not names.intersection(targets):
            continue
        if isinstance(value, ast.Dict):
            for v in value.values:
                yield from _strings(v)
        elif isinstance(value, ast.Constant | ast.List | ast.Tuple | ast.Set | ast.IfExp):
            yield from _strings(value)


def extract_python(path: Path, index: _Index, tree: ast.Module | None = None, root: Path = REPO) -> Messages:
    """The message ids of one module."""
    found: Messages = {}
    if tree is None:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _rel(path, root)

    def add(node: ast.Constant) -> None:
        _add(found, node.value, f"{name}:{node.lineno}")

    # module-level MSG_* constants
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            value: ast.expr | None = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            targets, value = [stmt.target.id], stmt.value
        else:
            continue
        if value is not None and any(t.startswith("MSG_") for t in targets):
            for const in _strings(value):
                add(const)

    # *_LABELS dicts (any level)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, value = [node.target.id], node.value
        else:
            continue
        if isinstance(value, ast.Dict) and any(t.endswith("_LABELS") for t in targets):
            for v in value.values:
                for const in _strings(v):
                    add(const)

    # calls: error classes, gettext(), reasons; remember the enclosing function
    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
            if isinstance(child, ast.Call):
                _visit_call(child, scope)
            visit(child, inner)

    def _visit_call(call: ast.Call, scope: ast.AST) -> None:
        called = _call_name(call)
        if called is None:
            return
        if (called in index.errors or called in GETTEXT_NAMES) and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    add(first)
            else:
                for const in _strings(first):
                    add(const)
                names = {n.id for n in ast.walk(first) if isinstance(n, ast.Name)}
                for const in _bound_values(scope, names):
                    add(const)
                if scope is not tree:  # a module-level constant used inside a function
                    top = ast.Module(body=[s for s in tree.body if isinstance(s, ast.Assign | ast.AnnAssign)])
                    for const in _bound_values(top, names):
                        add(const)
        for position in index.reason_at.get(called, ()):
            if 0 <= position < len(call.args):
                arg = call.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    add(arg)
        for kw in call.keywords:
            if (
                kw.arg in ("reason", "message")
                and isinstance(kw.value, ast.Constant)
                and isinstance(kw.value.value, str)
            ):
                add(kw.value)

    visit(tree, tree)
    return found


# --- the whole package ---------------------------------------------------------------------


def extract(root: Path = REPO) -> Messages:
    """Every message id of the package under ``root`` with where it occurs."""
    found: Messages = {}

    def merge(part: Messages) -> None:
        for text, places in part.items():
            found.setdefault(text, set()).update(places)

    for path in template_files(root):
        merge(extract_template(path, root))
    modules = [
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))) for path in python_files(root)
    ]
    index = _Index(tree for _, tree in modules)
    for path, tree in modules:
        merge(extract_python(path, index, tree, root))
    return found


def translations(catalogue: Path = CATALOGUE) -> dict[str, str]:
    """The catalogue's ids with a non-empty translation."""
    from babel.messages.pofile import read_po

    with catalogue.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    return {
        f"{m.context}\x04{m.id}" if m.context else str(m.id): str(m.string)
        for m in catalog
        if m.id and m.string
    }


def missing(root: Path = REPO, catalogue: Path | None = None) -> Messages:
    """The ids found under ``root`` that ``catalogue`` does not translate."""
    known = translations(catalogue or root / "ipcity" / "i18n" / "en.po")
    return {text: places for text, places in extract(root).items() if text not in known}


def _po_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when any id lacks a translation")
    parser.add_argument("--po", action="store_true", help="print the missing ids as .po entries")
    parser.add_argument("--root", type=Path, default=REPO, help="repository root (default: this one)")
    args = parser.parse_args(argv)

    absent = missing(args.root)
    ordered = sorted(absent.items(), key=lambda item: sorted(item[1])[0])
    for text, places in ordered:
        if args.po:
            context, _, message = text.rpartition("\x04")
            line = f"msgctxt {_po_string(context)}\n" if context else ""
            print(f'#: {" ".join(sorted(places))}\n{line}msgid {_po_string(message)}\nmsgstr ""\n')
        else:
            print(text.replace("\x04", " | "))
    catalogue = _rel(args.root / "ipcity" / "i18n" / "en.po", args.root)
    if absent:
        print(f"{len(absent)} message id(s) missing from {catalogue}", file=sys.stderr)
    else:
        print(f"all message ids are translated in {catalogue}", file=sys.stderr)
    return 1 if (args.check and absent) else 0


if __name__ == "__main__":
    sys.exit(main())
