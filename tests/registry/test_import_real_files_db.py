"""Every real export of ``shared/data`` through the whole import (``importing.run_import``)
into the registry: counts checked against an independent reading of the raw file, one
patent per application, every office kept, idempotent re-import, preview, strict mode,
damaged files, a later export with a new legal status, and a ``kill -9`` mid-import.

(The parsing layer alone is tested in ``tests/registry/importers/``; these tests hold what
the database ends up with.)
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import shared_file
from registry_testkit import (
    OFFICER,
    audit_length,
    dump_database,
    one_sentence,
    raw_jsonl,
    raw_rows,
    raw_text,
    table_counts,
)
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import PUBLIC
from ipcity.errors import InvalidFile
from ipcity.registry.importing import ImportResult, run_import
from ipcity.registry.legal_status import in_force_on
from ipcity.registry.models import Patent, PatentPublication
from ipcity.registry.numbers import check_digit, normalize_application_number
from ipcity.registry.service import PatentQuery, search_patents

OBSERVED = date(2024, 6, 30)
LENS = "lens_coronavirus_patents_sars_mers_1588.jsonl.gz"
# Lines of the Lens export whose publicationDate precedes their filingDate.
LENS_DATE_ORDER_LINES = {604, 767}
CSV_FILES = [
    "henan_sample_10_62cols.csv",
    "incopat_autonomous_driving_10000.csv.gz",
    "incopat_iflytek_cn_3816.csv.gz",
    "incopat_toyota_cn_5048.csv.gz",
    "patentics_cn_augmented_reality_4483.csv.gz",
    "patentics_cn_virtual_reality_7805.csv.gz",
]
# Publication-number column of the exports that list one publication per row.
PUBLICATION_COLUMN = {"incopat": "公开（公告）号", "patentics": "公开号"}
# incoPat's 公开国别 → the office code a patent must keep.
INCOPAT_OFFICES = {
    "中国": "CN",
    "中国台湾": "TW",
    "美国": "US",
    "世界知识产权组织": "WO",
    "欧洲专利局": "EP",
    "日本": "JP",
    "韩国": "KR",
    "德国": "DE",
    "印度": "IN",
    "加拿大": "CA",
    "俄罗斯": "RU",
    "巴西": "BR",
    "法国": "FR",
    "英国": "GB",
    "比利时": "BE",
    "奥地利": "AT",
}
# The rows the import must reject, with the column and the cell: none of the real exports.
EXPECTED_REJECTED: dict[str, dict[int, tuple[str, str]]] = {}
# Values dropped from kept rows: incoPat's Toyota export has one IPC list with a truncated
# symbol ("B60R/") on the B publication of TW094111778; its main IPC (IPC主分类) is sound.
EXPECTED_WARNINGS = {"incopat_toyota_cn_5048.csv.gz": {4788: ("IPC", "B60R/")}}


def cn_file(name: str) -> Path:
    return shared_file("patents_cn", name)


def lens_file() -> Path:
    return shared_file("patents_intl", LENS)


def import_file(session: Session, path: Path, **kwargs: Any) -> ImportResult:
    kwargs.setdefault("observed_on", OBSERVED)
    return run_import(session, OFFICER, path, **kwargs)


def registry_numbers(engine: Engine) -> dict[str, str]:
    """Application number → jurisdiction of every patent in the registry."""
    with engine.connect() as conn:
        return dict(conn.execute(select(Patent.application_number, Patent.jurisdiction)).all())


def publications_per_patent(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Patent.application_number, PatentPublication.number).join(
                PatentPublication, PatentPublication.patent_id == Patent.id
            )
        ).all()
    counts: Counter[str] = Counter(number for number, _ in rows)
    return dict(counts)


def expected_from_csv(name: str) -> tuple[dict[str, str], dict[str, int]]:
    """From the raw CSV alone: application number → office, and the number of distinct
    publications of each application, over the rows the import must not reject."""
    rejected = EXPECTED_REJECTED.get(name, {})
    offices: dict[str, str] = {}
    publications: dict[str, set[str]] = defaultdict(set)
    pub_column = next((c for prefix, c in PUBLICATION_COLUMN.items() if name.startswith(prefix)), None)
    for row, cells in raw_rows(cn_file(name)):
        if row in rejected:
            continue
        number = normalize_application_number(cells["申请号"])
        offices[number] = INCOPAT_OFFICES[cells["公开国别"]] if "公开国别" in cells else number[:2]
        if pub_column:
            publications[number].add(cells[pub_column].strip())
    return offices, {number: len(pubs) for number, pubs in publications.items()}


def lens_number(filing_number: str, jurisdiction: str) -> str | None:
    """The canonical number of a Lens ``filingNumber`` for the offices whose rule is plain
    (None for PCT and CN, which are counted but not spelled out here)."""
    parts = filing_number.split()[:-1]  # the last part is the DOCDB kind (A, U, W, T)
    office, serial = parts[0], "".join(parts[1:])
    if jurisdiction == "CN" and serial.isdigit():
        return normalize_application_number(f"CN{serial}.{check_digit(serial)}")
    if jurisdiction in ("WO", "CN"):
        return None
    return normalize_application_number(serial, office)


# --------------------------------------------------------------------------- every file


@pytest.mark.slow
@pytest.mark.parametrize("name", CSV_FILES)
def test_real_csv_export(name: str, session: Session, engine: Engine, tmp_path: Path) -> None:
    path = cn_file(name)
    rows = raw_rows(path)
    offices, publications = expected_from_csv(name)

    result = import_file(session, path, errors_dir=tmp_path)

    # The rows rejected, exactly: none; the values dropped from kept rows, exactly, listed in
    # the rejected-rows file with a reason that says they were ignored.
    expected_rejected = EXPECTED_REJECTED.get(name, {})
    expected_warnings = EXPECTED_WARNINGS.get(name, {})
    assert {e.row: (e.column, e.value) for e in result.errors} == expected_rejected
    assert result.rejected == len(expected_rejected)
    assert {w.row: (w.column, w.value) for w in result.warnings} == expected_warnings
    assert result.warned == len(expected_warnings)
    if expected_rejected or expected_warnings:
        assert result.errors_file is not None and Path(result.errors_file).is_absolute()
        with open(result.errors_file, encoding="utf-8-sig", newline="") as handle:
            listed = list(csv.reader(handle))
        assert listed[0] == ["行号", "列", "值", "原因"]
        assert [(int(r[0]), r[1], r[2]) for r in listed[1:]] == [
            (row, column, value)
            for row, (column, value) in {**expected_rejected, **expected_warnings}.items()
        ]
        assert all(r[3].startswith("已忽略") and "B60R/" in r[3] and "G06F3/01" in r[3] for r in listed[1:])
    else:
        assert result.errors_file is None

    # One patent per distinct application number, each with its office.
    stored = registry_numbers(engine)
    assert stored == offices
    assert result.rows_read == len(rows)
    assert (result.inserted, result.updated, result.unchanged) == (len(offices), 0, 0)
    assert result.rows_read == result.inserted + result.rejected + result.merged
    if publications:
        # incoPat and Patentics list publications: all of an application's rows fold into
        # one patent that keeps every publication.
        assert publications_per_patent(engine) == publications
    assert table_counts(engine)["import_batches"] == 1

    # The same file again: nothing changes, not even the audit log.
    before, audits = dump_database(engine), audit_length(engine)
    again = import_file(session, path, observed_on=date(2024, 9, 30))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(offices))
    assert again.rejected == len(expected_rejected) and again.warned == len(expected_warnings)
    assert dump_database(engine) == before
    assert audit_length(engine) == audits


def test_incopat_keeps_every_office_and_folds_a_and_b_rows(session: Session, engine: Engine) -> None:
    name = "incopat_autonomous_driving_10000.csv.gz"
    rows = raw_rows(cn_file(name))
    import_file(session, cn_file(name))
    stored = registry_numbers(engine)
    offices = Counter(stored.values())
    assert {"CN", "US", "WO", "EP", "JP", "KR", "DE", "TW"} <= set(offices)
    # Offices counted per application from the raw 公开国别 column.
    expected: dict[str, str] = {}
    for _, cells in rows:
        expected[normalize_application_number(cells["申请号"])] = INCOPAT_OFFICES[cells["公开国别"]]
    assert offices == Counter(expected.values())
    # The search filters by office.
    for office in ("US", "WO", "EP", "tw"):
        page = search_patents(session, PUBLIC, PatentQuery(jurisdiction=office, per_page=1))
        assert page.total == offices[office.upper()], office
    # A US application with its A publication and its B grant: one patent, two publications.
    assert len(rows) > len(stored)
    patent = session.scalar(select(Patent).where(Patent.application_number == "US17721625"))
    assert patent is not None
    assert sorted(p.number for p in patent.publications) == ["US11480616B2", "US20220252672A1"]
    # A PCT application spelled WOCN22122372 by incoPat is stored under its full number.
    assert (
        session.scalar(select(Patent.jurisdiction).where(Patent.application_number == "WOCN2022122372"))
        == "WO"
    )


def test_lens_jsonl(session: Session, engine: Engine) -> None:
    path = lens_file()
    records = raw_jsonl(path)
    result = import_file(session, path)
    # Two lines are published before their filingDate (the source has the filing a year
    # late: US 13/732,256 and PCT/NL2004/000924): rejected on publicationDate, the rest kept.
    late = {line for line, r in records if r["publicationDate"] < r["filingDate"]}
    assert late == LENS_DATE_ORDER_LINES
    assert result.rejected == len(late)
    assert {(e.row, e.column) for e in result.errors} == {(line, "publicationDate") for line in late}
    filings = {(r["jurisdiction"], r["filingNumber"]) for line, r in records if line not in late}
    stored = registry_numbers(engine)
    assert len(stored) == len(filings) == result.inserted
    assert Counter(stored.values()) == Counter(j for j, _ in filings)
    spelled = {lens_number(f, j) for j, f in filings} - {None}
    assert spelled <= set(stored)
    assert {"US", "WO", "EP", "CN", "AU", "KR", "JP"} <= set(stored.values())
    # Publication lines of one application fold into one patent; the counts say so and
    # add up to the lines read (1,588 = 1,300 patents + 2 rejected + 286 folded lines).
    assert len(records) > len(stored)
    assert sum(publications_per_patent(engine).values()) >= len(stored)
    assert result.merged == len(records) - len(late) - len(stored)
    summary = result.summary()
    assert summary["read"] == sum(
        summary[k] for k in ("inserted", "updated", "unchanged", "rejected", "merged")
    )

    before, audits = dump_database(engine), audit_length(engine)
    again = import_file(session, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(stored))
    assert dump_database(engine) == before
    assert audit_length(engine) == audits


# --------------------------------------------------------------------------- writing nothing


def test_preview_writes_nothing(session: Session, engine: Engine) -> None:
    path = cn_file("incopat_iflytek_cn_3816.csv.gz")
    before = dump_database(engine)
    preview = import_file(session, path, confirm=False)
    assert preview.inserted == len({normalize_application_number(c["申请号"]) for _, c in raw_rows(path)})
    assert not preview.confirmed and preview.batch_id is None
    assert dump_database(engine) == before
    # The preview's counts are what the confirmed import then does.
    done = import_file(session, path)
    assert (done.inserted, done.updated, done.unchanged) == (preview.inserted, 0, 0)


def toyota_with_bad_main_ipc(tmp_path: Path) -> Path:
    """The real Toyota export with row 4788's truncated "B60R/" moved into its main IPC
    (IPC主分类), which rejects the row (a bad secondary code only drops that code)."""
    rows = list(csv.reader(io.StringIO(raw_text(cn_file("incopat_toyota_cn_5048.csv.gz")), newline="")))
    rows[4787][rows[0].index("IPC主分类")] = "B60R/"
    out = tmp_path / "toyota_bad_main.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return out


def test_strict_refuses_the_whole_file(session: Session, engine: Engine, tmp_path: Path) -> None:
    path = toyota_with_bad_main_ipc(tmp_path)
    before = dump_database(engine)
    result = import_file(session, path, strict=True)
    assert result.aborted_strict and result.imported_nothing
    assert (result.inserted, result.updated, result.rejected) == (0, 0, 1)
    assert result.nothing_reason and "严格模式" in result.nothing_reason
    assert dump_database(engine) == before


def test_truncated_gzip_is_refused_cleanly(session: Session, engine: Engine, tmp_path: Path) -> None:
    import_file(session, cn_file("henan_sample_10_62cols.csv"))
    data = cn_file("incopat_autonomous_driving_10000.csv.gz").read_bytes()
    cut = tmp_path / "incopat_autonomous_driving_10000.csv.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    before = dump_database(engine)
    with pytest.raises(InvalidFile) as caught:
        import_file(session, cut)
    message = caught.value.render("zh_CN")
    assert one_sentence(message), message
    assert cut.name in message and "gzip" in message
    assert dump_database(engine) == before


def test_cut_off_csv_is_refused_cleanly(session: Session, engine: Engine, tmp_path: Path) -> None:
    import_file(session, cn_file("henan_sample_10_62cols.csv"))
    content = raw_text(cn_file("incopat_toyota_cn_5048.csv.gz"))
    # Cut the download inside a quoted cell (an English abstract) half-way through the file.
    start = content.index('"', len(content) // 2)
    while content[:start].count('"') % 2:  # make sure it is an opening quote
        start = content.index('"', start + 1)
    cut = tmp_path / "incopat_toyota_cn_5048.csv"
    cut.write_text(content[: start + 40], encoding="utf-8")
    before = dump_database(engine)
    with pytest.raises(InvalidFile) as caught:
        import_file(session, cut)
    message = caught.value.render("zh_CN")
    assert one_sentence(message), message
    assert cut.name in message
    assert dump_database(engine) == before


def test_csv_cut_in_the_middle_of_a_row_is_refused_whole(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    # Cut outside any quote, in the middle of a record: the last row is short and the file
    # ends without a line break. Imported, it would load the rows before it and reject the
    # last as merely short; it is a cut download and refused whole.
    content = raw_text(cn_file("incopat_iflytek_cn_3816.csv.gz"))
    end = content.index("\n", len(content) // 2)
    cut_at = content.index(",", end + 1) + 1  # a few cells into the next row
    cut = tmp_path / "incopat_iflytek_cut.csv"
    cut.write_text(content[:cut_at], encoding="utf-8")
    before = dump_database(engine)
    with pytest.raises(InvalidFile) as caught:
        import_file(session, cut)
    message = caught.value.render("zh_CN")
    assert one_sentence(message) and "截断" in message and cut.name in message
    assert "cut off" in caught.value.render("en")
    assert dump_database(engine) == before
    # The same rows with their line break at the end are a whole file, imported.
    whole = tmp_path / "incopat_iflytek_half.csv"
    whole.write_text(content[: end + 1], encoding="utf-8")
    assert import_file(session, whole).inserted > 1000


# --------------------------------------------------------------------------- a later export


def _later_export(tmp_path: Path, number: str, status: str) -> Path:
    """A copy of the Patentics VR export where application ``number`` shows ``status``."""
    path = cn_file("patentics_cn_virtual_reality_7805.csv.gz")
    reader = csv.reader(io.StringIO(raw_text(path), newline=""))
    header = next(reader)
    rows = list(reader)
    column, key = header.index("法律状态"), header.index("申请号")
    changed = 0
    for row in rows:
        if row[key] == number:
            row[column] = status
            changed += 1
    assert changed == 1
    out = tmp_path / f"patentics_later_{status}.csv.gz"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    out.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8")))
    return out


def _history(session: Session, number: str) -> list[tuple[str, date | None, bool]]:
    session.expire_all()
    patent = session.scalar(select(Patent).where(Patent.application_number == number))
    assert patent is not None
    return sorted(
        ((e.status, e.date, e.date_observed) for e in patent.status_events),
        key=lambda e: (e[1] or date.min, e[0]),
    )


@pytest.mark.slow
def test_a_later_export_with_a_new_status_adds_to_the_history(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = cn_file("patentics_cn_virtual_reality_7805.csv.gz")
    rows = raw_rows(path)
    # The first invention in force with a grant date in the export.
    row = next(c for _, c in rows if c["法律状态"] == "有效" and c["授权公告日"] and c["申请号"][6] == "1")
    number = normalize_application_number(row["申请号"])
    granted = date(int(row["授权公告日"][:4]), int(row["授权公告日"][4:6]), int(row["授权公告日"][6:]))
    total = len({c["申请号"] for _, c in rows})

    import_file(session, path)
    assert _history(session, number) == [("granted", granted, False)]
    audits = audit_length(engine)

    later = _later_export(tmp_path, row["申请号"], "无效")
    seen_on = date(2024, 9, 30)
    result = import_file(session, later, observed_on=seen_on)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, total - 1)
    history = _history(session, number)
    assert history == [("granted", granted, False), ("ceased", seen_on, True)]
    events = [(s, d) for s, d, _ in history]
    filing = date(int(row["申请日"][:4]), int(row["申请日"][4:6]), int(row["申请日"][6:]))
    assert in_force_on("invention", filing, events, date(2024, 6, 30))
    assert not in_force_on("invention", filing, events, seen_on)
    assert audit_length(engine) == audits + 1

    # The same later export again (another day): a no-op.
    before = dump_database(engine)
    again = import_file(session, later, observed_on=date(2024, 12, 31))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, total)
    assert dump_database(engine) == before


@pytest.mark.slow
def test_a_status_seen_again_after_a_change_is_recorded(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = cn_file("patentics_cn_augmented_reality_4483.csv.gz")
    rows = raw_rows(path)
    row = next(c for _, c in rows if c["法律状态"] == "公开")
    number = normalize_application_number(row["申请号"])
    import_file(session, path)
    # 公开 (pending) → 撤回 (withdrawn) → 公开 again (the withdrawal was reversed on request).
    src = tmp_path / "ar.csv"
    src.write_text(raw_text(path), encoding="utf-8")
    withdrawn = _rewrite_status(src, tmp_path / "ar_withdrawn.csv", row["申请号"], "撤回")
    import_file(session, withdrawn, observed_on=date(2024, 8, 1))
    import_file(session, src, observed_on=date(2024, 10, 1))
    statuses = [s for s, _, _ in _history(session, number)]
    assert statuses[-1] == "filed"


def _rewrite_status(src: Path, out: Path, number: str, status: str) -> Path:
    reader = csv.reader(io.StringIO(src.read_text(encoding="utf-8"), newline=""))
    header = next(reader)
    rows = list(reader)
    column, key = header.index("法律状态"), header.index("申请号")
    for row in rows:
        if row[key] == number:
            row[column] = status
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return out


# --------------------------------------------------------------------------- kill -9


def _patentics_concatenated(tmp_path: Path) -> Path:
    """Both Patentics exports as one file (12,288 rows), as an officer merges downloads."""
    first = raw_text(cn_file("patentics_cn_virtual_reality_7805.csv.gz"))
    second = raw_text(cn_file("patentics_cn_augmented_reality_4483.csv.gz"))
    header, _, body = second.partition("\n")
    assert first.startswith(header)
    out = tmp_path / "patentics_all.csv"
    out.write_text(first.rstrip("\n") + "\n" + body, encoding="utf-8")
    return out


def _ipcity(db_url: str, *args: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("ipcity")), "--db", db_url, *args]
    env = {**os.environ, "IPCITY_UPLOAD_DIR": str(tmp_path / "files")}
    # Output to files, not pipes: nobody reads a pipe while the import runs.
    with (tmp_path / "stdout.txt").open("wb") as out, (tmp_path / "stderr.txt").open("wb") as err:
        return subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tmp_path)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kill_mid_write(
    process: subprocess.Popen[bytes],
    in_write_transaction: Callable[[], bool],
    has_committed: Callable[[], bool],
    cpu_budget: float = 0.15,
    timeout: float = 60.0,
) -> None:
    """SIGKILL the import inside its write transaction, after it has worked in it for
    ``cpu_budget`` seconds of CPU (about a sixth of that phase here; CPU time, unlike wall
    time, does not stretch on a loaded machine), and make sure it had not begun to commit:
    the process is stopped (SIGSTOP) and checked before it is killed."""
    deadline = time.monotonic() + timeout
    while not in_write_transaction():
        if process.poll() is not None:
            pytest.fail(f"the import ended (rc={process.returncode}) before its write phase was seen")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the import never reached its write phase")
        time.sleep(0.005)
    started = _cpu_seconds(process.pid)
    while _cpu_seconds(process.pid) < started + cpu_budget:
        assert process.poll() is None and not has_committed(), "the import committed within the CPU budget"
        time.sleep(0.002)
    process.send_signal(signal.SIGSTOP)
    try:
        assert in_write_transaction() and not has_committed(), "stopped after the import began to commit"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL


def _patents_checksum(engine: Engine) -> str:
    import hashlib

    with engine.connect() as conn:
        rows = conn.execute(select(Patent.__table__).order_by(Patent.id)).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


@pytest.mark.slow
def test_kill_9_mid_import_leaves_the_database_as_before(
    session_factory: sessionmaker[Session],
    engine: Engine,
    database_url: str,
    is_postgres: bool,
    tmp_path: Path,
) -> None:
    with session_factory() as s:
        import_file(s, cn_file("henan_sample_10_62cols.csv"))
        import_file(s, lens_file())
    big = _patentics_concatenated(tmp_path)
    counts, checksum, before = table_counts(engine), _patents_checksum(engine), dump_database(engine)
    engine.dispose()

    if is_postgres:
        label = f"ipcity-crash-{os.getpid()}"
        url = f"{database_url}&application_name={label}"

        def import_backend() -> tuple[bool, bool]:
            """(holds the import lock, has written in its transaction) for the import's backend."""
            with engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT bool_or(l.locktype = 'advisory' AND l.granted), "
                        "bool_or(a.backend_xid IS NOT NULL) "
                        "FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid "
                        "WHERE a.application_name = :label"
                    ),
                    {"label": label},
                ).one()
            return bool(row[0]), bool(row[1])

        process = _ipcity(url, "import", str(big), "--json", tmp_path=tmp_path)
        # The import holds its advisory lock from before its first write to its commit; wait
        # for rows written too (the transaction has an id), then for some work after that.
        _kill_mid_write(process, lambda: all(import_backend()), lambda: False)
        # The server notices the dead client and rolls its transaction back.
        deadline = time.monotonic() + 30
        while import_backend()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    else:
        path = Path(database_url.removeprefix("sqlite:///"))
        wal = Path(f"{path}-wal")
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        probe.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL: any commit shows in it

        def holds_write_lock() -> bool:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            probe.execute("ROLLBACK")
            return False

        process = _ipcity(database_url, "import", str(big), "--json", tmp_path=tmp_path)
        try:
            _kill_mid_write(process, holds_write_lock, lambda: wal.exists() and wal.stat().st_size > 0)
        finally:
            probe.close()
        check = sqlite3.connect(path)
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        check.close()

    assert table_counts(engine) == counts
    assert _patents_checksum(engine) == checksum
    assert dump_database(engine) == before
    # Nothing is left locked: an import takes the write lock again at once.
    with session_factory() as s:
        again = import_file(s, cn_file("henan_sample_10_62cols.csv"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)


# --------------------------------------------------------------------------- fewer columns


def _holder_links(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as c:
        return [
            tuple(r)
            for r in c.execute(
                text(
                    "SELECT p.application_number, p.first_holder_id, p.ipc_all, ph.position, ph.name_as_filed "
                    "FROM patents p LEFT JOIN patent_holders ph ON ph.patent_id = p.id "
                    "ORDER BY p.application_number, ph.position"
                )
            )
        ]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_platforms_own_export_imports_back_without_losing_anything(
    locale: str, session: Session, engine: Engine, tmp_path: Path
) -> None:
    # The export has the main IPC and the first holder only, and the statuses by their
    # labels: read back, it must neither be refused nor erase the holders and the IPC list.
    from ipcity.registry.service import export_patents

    import_file(session, cn_file("incopat_toyota_cn_5048.csv.gz"))
    before = _holder_links(engine)
    assert sum(1 for r in before if r[2] and "|" in r[2]) > 1000  # full IPC lists to keep
    exported = tmp_path / f"export-{locale}.csv"
    exported.write_bytes(export_patents(session, PUBLIC, PatentQuery(), "csv", locale=locale))
    # The export shows the statuses of today (a right past its term as expired): read back
    # as a file of today.
    from ipcity import clock

    result = import_file(session, exported, observed_on=clock.today())
    assert (result.rejected, result.inserted, result.updated) == (0, 0, 0), result.errors[:3]
    assert result.unchanged == 4041
    assert _holder_links(engine) == before


def test_a_file_without_an_applicant_column_keeps_the_holders(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    import_file(session, cn_file("patentics_cn_augmented_reality_4483.csv.gz"))
    before = _holder_links(engine)
    number = next(r[0] for r in before if r[1] is not None and r[0].startswith("CN"))
    title = next(p.title for p in session.scalars(select(Patent).where(Patent.application_number == number)))
    short = tmp_path / "short.csv"
    short.write_text(f"申请号,标题\n{number},{title}（修订）\n", encoding="utf-8")
    result = import_file(session, short)
    assert (result.rejected, result.updated) == (0, 1)  # the new title, and nothing else
    after = _holder_links(engine)
    assert [r for r in after if r[0] == number] == [r for r in before if r[0] == number]
    assert after == before
