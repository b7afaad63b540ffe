"""RegistryReadCache (db.py): a read is shared by the requests that need the same value, and a
slow read of one key holds up neither the reads of other keys nor the values already kept."""

from __future__ import annotations

import threading
from typing import Any

from ipcity.db import RegistryReadCache, note_registry_change


def test_a_slow_read_holds_up_only_the_requests_for_its_own_key(session_factory: Any) -> None:
    cache: RegistryReadCache[str] = RegistryReadCache(kept=4)
    with session_factory() as s:
        note_registry_change(s.connection())  # a registry state the log can vouch for
        s.commit()
    with session_factory() as s:
        assert cache.get(s, "kept", lambda _c: "kept value") == "kept value"
    release = threading.Event()
    started = threading.Event()
    reads: list[str] = []

    def slow(_connection: Any) -> str:
        reads.append("slow")
        started.set()
        assert release.wait(10)
        return "slow value"

    results: dict[str, str] = {}

    def ask(name: str) -> None:
        with session_factory() as s:
            results[name] = cache.get(s, "slow", slow)

    first = threading.Thread(target=ask, args=("first",))
    second = threading.Thread(target=ask, args=("second",))
    first.start()
    assert started.wait(10)
    second.start()  # the same key: waits for the first read, does not read again
    with session_factory() as s:
        # Meanwhile: a kept value and another key's read go through at once.
        assert cache.get(s, "kept", lambda _c: "read again") == "kept value"
        assert cache.get(s, "other", lambda _c: "other value") == "other value"
    assert "first" not in results
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": "slow value", "second": "slow value"}
    assert reads == ["slow"]
