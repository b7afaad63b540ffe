"""YAML read with line numbers: every mapping and list remembers where it (and each key)
stands in the file, so that a refusal names the file and the line (from yaml's node marks).
A key given twice in one mapping is refused (a plain YAML load keeps the last value
silently: a parameter's second ``values`` would drop the first without a word).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class MarkedDict(dict[str, Any]):
    """A mapping from the file: ``line`` is its own line, ``key_lines`` the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The 1-based line of ``key`` (the mapping's own line when the key is absent)."""
        return self.key_lines.get(key, self.line)


class MarkedList(list[Any]):
    """A list from the file; ``lines[i]`` is the line of item ``i``."""

    line: int = 0
    lines: list[int]

    def line_of(self, index: int) -> int:
        """The 1-based line of item ``index``."""
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class YamlSyntaxError(ValueError):
    """The file is not YAML; ``line`` is where the parser stopped."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> MarkedDict:
    result = MarkedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in result.key_lines:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f'found duplicate key "{key}" (first on line {result.key_lines[key]})',
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    result = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # A date-shaped value that is no day (2019-02-30, 2017-13-30) stays its text: the reader
    # of the key then refuses it with its file and line, instead of the parser failing.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_marked(text: str) -> Any:
    """Parse YAML text into :class:`MarkedDict` / :class:`MarkedList` / plain scalars.

    >>> doc = load_marked("a: 1\\nb:\\n  - 2\\n")
    >>> doc.line_of("b"), doc["b"].line_of(0)
    (2, 3)
    """
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(mark.line + 1 if mark else 1, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from exc


def read_marked(path: Path) -> Any:
    """:func:`load_marked` of a file (UTF-8)."""
    return load_marked(path.read_text(encoding="utf-8"))
