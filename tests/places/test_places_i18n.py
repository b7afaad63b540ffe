"""Every message the places area can raise has an English translation."""

from __future__ import annotations

from types import ModuleType

import pytest

from ipcity.i18n import gettext
from ipcity.places import divisions, population, zones


@pytest.mark.parametrize("module", [divisions, population, zones])
def test_messages_are_translated(module: ModuleType) -> None:
    messages = [v for k, v in vars(module).items() if k.startswith("MSG_") and isinstance(v, str)]
    assert messages
    for message in messages:
        assert gettext(message, "en") != message, message
