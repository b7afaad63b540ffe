"""The examples in the package's docstrings are run: a docstring that shows a call and its
answer must stay true (the migrations are left out: they run only under Alembic)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ipcity


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(ipcity.__path__, prefix="ipcity.")
        if not info.name.startswith("ipcity.migrations")
    )


MODULES = _modules()


def test_the_package_has_docstring_examples() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name)))
    assert examples >= 100


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
