"""Benchmark: import one million rows in the Patentics 24-column layout into SQLite.

The file is generated from the real Patentics export in ../shared/data (its rows cycled,
each given a fresh, valid CN application number and publication number), so titles,
applicants, IPC lists and statuses are real text. The baseline, measured in the same run
on the same file, is DuckDB's ``read_csv`` materialising every column.

Prints rows per second of the import and the ratio import time / DuckDB time.
Goal of the foundation: >= 100,000 rows/s and a ratio no worse than 10.

A second baseline says what the database itself costs: the rows the import wrote (holders,
patents, publications, holder links, status events, the search index), read back and
inserted by SQLite's own ``executemany`` into a fresh database, secondary indexes dropped
and rebuilt as the import does. No import of this schema into SQLite can be faster than
that; the ratio import / that floor is the part of the time that is the platform's.

    python bench/import_patentics.py [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ipcity.registry.numbers import check_digit  # noqa: E402

SHARED = Path(os.environ.get("IPCITY_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCE = SHARED / "patents_cn" / "patentics_cn_virtual_reality_7805.csv.gz"


def _shifted(day: str, years: int) -> str:
    """A ``YYYYMMDD`` date ``years`` later (29 February → 28 February); other text as it is."""
    if len(day) != 8 or not day.isdigit():
        return day
    month_day = day[4:]
    year = int(day[:4]) + years
    if month_day == "0229" and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        month_day = "0228"
    return f"{year:04d}{month_day}"


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` Patentics rows: real rows cycled with new valid numbers."""
    with gzip.open(SOURCE, "rt", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        templates = [r for r in reader if len(r) >= 22]
    app_col, pub_col, filed_col = header.index("申请号"), header.index("公开号"), header.index("申请日")
    # The row's dates move together (a publication or grant before the filing is a rejected
    # row): every date column is shifted by the years the filing date moves.
    date_cols = [header.index(name) for name in ("申请日", "公开日", "授权公告日") if name in header]
    today = date.today().strftime("%Y%m%d")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(buffer.getvalue())
        for i in range(rows):
            row = list(templates[i % len(templates)])
            year = 2005 + (i % 18)
            type_digit = "1" if row[pub_col].endswith("A") or row[pub_col].endswith("B") else "2"
            digits = f"{year}{type_digit}{i % 10_000_000:07d}"
            # Same serial in another year bucket keeps numbers unique for up to 180M rows.
            row[app_col] = f"CN{digits}.{check_digit(digits)}"
            kind = row[pub_col][-1]
            row[pub_col] = f"CN{100000000 + i}{kind}"
            filed = row[filed_col]
            if len(filed) == 8 and filed.isdigit():
                shift = year - int(filed[:4])
                # A date after today is a rejected row: the row's dates move back a year at a
                # time while its latest lies in the future (its number keeps its year).
                while max(_shifted(row[col], shift) for col in date_cols) > today:
                    shift -= 1
                for col in date_cols:
                    row[col] = _shifted(row[col], shift)
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            out.write(buffer.getvalue())


def duckdb_baseline(path: Path) -> tuple[float, int]:
    """Seconds for DuckDB to read the whole CSV into a table, and its row count."""
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    options = "delim=',', quote='\"', escape='\"', header=true, all_varchar=true, null_padding=true, strict_mode=false"
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', {options})")
    elapsed = time.perf_counter() - start
    count = con.execute("SELECT count(*) FROM t").fetchone()
    con.close()
    return elapsed, int(count[0]) if count else 0


def ipcity_import(path: Path, db: Path) -> tuple[float, float, dict[str, int]]:
    """Seconds (wall clock and CPU of this process) for ``ipcity import`` of the file into a
    fresh SQLite database, and the import's counts."""
    from ipcity.auth.roles import SYSTEM
    from ipcity.bootstrap import initialize
    from ipcity.config import Settings
    from ipcity.db import make_engine, make_session_factory
    from ipcity.registry.importing import run_import

    settings = Settings(database_url=f"sqlite:///{db}")
    initialize(settings)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    start, cpu = time.perf_counter(), time.process_time()
    with factory() as session:
        result = run_import(session, SYSTEM, path, path.name, confirm=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu, result.summary()


# The tables an import of patents writes, in an order their foreign keys accept.
WRITTEN = (
    "import_batches",
    "holders",
    "patents",
    "patent_publications",
    "patent_holders",
    "patent_status_events",
)


def sqlite_floor(imported: Path, fresh: Path) -> tuple[float, int]:
    """Seconds for SQLite to insert the rows ``imported`` holds (tables of :data:`WRITTEN`
    and the search index) into the fresh migrated database ``fresh``, in one transaction,
    secondary indexes dropped before and built after; and the number of rows."""
    import sqlite3

    from ipcity.bootstrap import initialize
    from ipcity.config import Settings

    initialize(Settings(database_url=f"sqlite:///{fresh}"))
    source = sqlite3.connect(imported)
    tables = {name: source.execute(f"SELECT * FROM {name}").fetchall() for name in WRITTEN}
    tables["patent_fts"] = source.execute("SELECT rowid, title, abstract FROM patent_fts").fetchall()
    source.close()
    target = sqlite3.connect(fresh, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536"):
        target.execute(f"PRAGMA {pragma}")
    # The sample places' holders a fresh database may hold are not in the way: ids are taken over.
    target.execute("DELETE FROM holders")
    start = time.perf_counter()
    target.execute("BEGIN")
    for name in WRITTEN:
        indexes = target.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE%'",
            (name,),
        ).fetchall()
        for index, _ in indexes:
            target.execute(f'DROP INDEX "{index}"')
        rows = tables[name]
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            target.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        for _, sql in indexes:
            target.execute(sql)
    target.executemany(
        "INSERT INTO patent_fts (rowid, title, abstract) VALUES (?, ?, ?)", tables["patent_fts"]
    )
    target.execute("COMMIT")
    elapsed = time.perf_counter() - start
    target.close()
    return elapsed, sum(len(rows) for rows in tables.values())


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ipcity-bench-"))
    csv_path = work / "patentics_generated.csv"
    t0 = time.perf_counter()
    generate(csv_path, args.rows)
    print(
        f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
    )
    base_s, base_rows = duckdb_baseline(csv_path)
    print(f"baseline  duckdb read_csv: {base_s:.2f} s ({base_rows:,} rows, {base_rows / base_s:,.0f} rows/s)")
    import_s, cpu_s, summary = ipcity_import(csv_path, work / "bench.db")
    print(f"ipcity    import into SQLite: {import_s:.2f} s ({args.rows / import_s:,.0f} rows/s) {summary}")
    if summary["inserted"] != args.rows:
        # A generated row the import refuses is a fault of the generator, and a figure over
        # fewer rows written is not the figure asked for.
        print(
            f"the import wrote {summary['inserted']:,} of {args.rows:,} rows: the generated file is not valid"
        )
        sys.exit(1)
    print(f"ratio     import / duckdb = {import_s / base_s:.1f}  (goal: <= 10; rows/s goal: >= 100,000)")
    floor_s, floor_rows = sqlite_floor(work / "bench.db", work / "floor.db")
    print(
        f"floor     SQLite inserting the rows the import wrote ({floor_rows:,} rows in 7 tables, indexes "
        f"rebuilt): {floor_s:.2f} s ({args.rows / floor_s:,.0f} file rows/s); import / floor = "
        f"{import_s / floor_s:.1f}"
    )
    # On a shared machine the wall clock also counts other processes' turns: the CPU time
    # of the import is the steadier figure to compare runs with.
    print(
        f"cpu       import: {cpu_s:.2f} s of CPU in this process ({args.rows / cpu_s:,.0f} rows per CPU second)"
    )
    if not args.keep:
        for p in sorted(work.glob("*"), reverse=True):
            p.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
