"""Every message of the import layer is one sentence with an English translation whose
placeholders match the Chinese original."""

from __future__ import annotations

import importlib
import string

import pytest

from ipcity.i18n import gettext

MODULES = ["reader", "patents", "lens", "templates", "layouts", "pipeline"]
MESSAGES = sorted(
    {
        value
        for name in MODULES
        for key, value in vars(importlib.import_module(f"ipcity.registry.importers.{name}")).items()
        if key.startswith("MSG_") and isinstance(value, str)
    }
)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("message", MESSAGES, ids=[f"msg{i}" for i in range(len(MESSAGES))])
def test_message_has_english(message: str) -> None:
    english = gettext(message, "en")
    assert english != message, f"no English for: {message}"
    assert placeholders(english) == placeholders(message)
    assert any(word in message for word in ("应", "必须", "请", "可接受")), "say what was expected"
