"""Benchmark: every indicator for every region for ten year-ends over a generated registry
of one million patents (SQLite), against a baseline in the same run: the counts of
``invention_patents_per_10k_residents`` and ``patent_grants`` (by type) written as one
hand-written SQL query in DuckDB over the same data.

The registry is generated (deterministic, labelled bench data, never shipped): holders in
Hebi's counties (some without an address, some outside the city, some in zones), patents
of the three types with filing, grant and lapse events. The population figures are
synthetic too — they exist only so that the per-10k path is measured.

The platform computes the patent counts over a column copy of the registry that it reads
once per state of the registry (see ipcity/indicators/columnar.py), so two platform times
are printed: the first scoreboard after the data was loaded (it reads the copy) and the
next one (the registry unchanged: the copy is current, as on every page view between two
imports). The DuckDB baseline's tables are loaded before it is timed, like the second.
Each side runs ``--rounds`` times, alternating, and the best of each is compared. Prints
the times, the ratios (goal: within 2x) and whether the counts agree.

    python bench/indicators.py [--patents 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ipcity.auth.roles import SYSTEM  # noqa: E402
from ipcity.config import Settings  # noqa: E402

COUNTIES = ["410602", "410603", "410611", "410621", "410622", "410671"]
YEARS = list(range(2015, 2025))
STAMP = "2024-01-01 00:00:00.000000"


# The columns of the rows generate() returns, by table (also read by bench/policy_openfisca.py).
COLUMNS = {
    "holders": "id, name, normalized_name, kind, region_code, zone_id, zone_explicit, tags, is_sample, created_at, updated_at",
    "patents": "id, application_number, jurisdiction, patent_type, title, filing_date, grant_date, first_holder_id, content_hash, is_sample, created_at, updated_at",
    "patent_holders": "id, patent_id, holder_id, position, name_as_filed",
    "patent_status_events": "id, patent_id, status, date, date_observed",
}


def generate(patents: int, seed: int = 7, holder_count: int = 20_000) -> dict[str, list[tuple[object, ...]]]:
    """Rows of holders, patents and status events (plain tuples, dates as ISO text)."""
    rng = random.Random(seed)
    holders = []
    for hid in range(1, holder_count + 1):
        r = rng.random()
        region = (
            None if r < 0.03 else ("410102" if r < 0.06 else ("410600" if r < 0.08 else rng.choice(COUNTIES)))
        )
        zone = rng.choice([1, 2, 3]) if region and rng.random() < 0.15 else None
        kind = "enterprise" if rng.random() < 0.7 else "individual"
        holders.append((hid, f"权利人{hid}", f"权利人{hid}", kind, region, zone, 0, "[]", 0, STAMP, STAMP))
    weights = [1 / (i + 1) ** 0.8 for i in range(len(holders))]
    firsts = rng.choices(range(1, len(holders) + 1), weights=weights, k=patents)
    rows, links, events = [], [], []
    eid = 0
    for pid in range(1, patents + 1):
        ptype = rng.choices(("invention", "utility_model", "design"), (0.35, 0.5, 0.15))[0]
        filed = date(2005, 1, 1) + timedelta(days=rng.randrange(20 * 365))
        grant = None
        evs: list[tuple[str, date]] = [("filed", filed)]
        if rng.random() < (0.55 if ptype == "invention" else 0.9):
            grant = filed + timedelta(days=rng.randint(200, 1400 if ptype == "invention" else 500))
            if grant <= date(2024, 12, 31):
                evs.append(("granted", grant))
                if rng.random() < 0.35:
                    lapse = grant + timedelta(days=rng.randint(300, 3000))
                    if lapse <= date(2024, 12, 31):
                        evs.append(("lapsed_unpaid_annuity", lapse))
            else:
                grant = None
        first = firsts[pid - 1]
        rows.append(
            (
                pid,
                f"CN{filed.year}{pid:09d}",
                "CN",
                ptype,
                f"专利{pid}",
                filed.isoformat(),
                grant.isoformat() if grant else None,
                first,
                "x" * 32,
                0,
                STAMP,
                STAMP,
            )
        )
        links.append((pid, pid, first, 0, f"权利人{first}"))
        for status, when in evs:
            eid += 1
            events.append((eid, pid, status, when.isoformat(), 0))
    return {"holders": holders, "patents": rows, "patent_holders": links, "patent_status_events": events}


def load_sqlite(url: str, data: dict[str, list[tuple[object, ...]]]) -> None:
    """Write the rows into a migrated SQLite database with executemany."""
    from ipcity.db import make_engine

    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, cols in COLUMNS.items():
            marks = ", ".join("?" for _ in cols.split(","))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", data[table])
        for code in ["410600", *COUNTIES]:
            for year in YEARS:
                cur.execute(
                    "INSERT OR IGNORE INTO population (area_code, year, residents, source) VALUES (?, ?, ?, ?)",
                    (code, year, 1_600_000 if code == "410600" else 250_000, "bench (synthetic)"),
                )
        # Written behind the engine's back: say so in the registry's change log, as the
        # engine does for every transaction that writes to these tables.
        cur.execute("INSERT INTO registry_changes (token) VALUES (?)", (uuid.uuid4().hex,))
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


def load_duckdb(
    con: object, data: dict[str, list[tuple[object, ...]]], folder: Path, population: list[tuple[object, ...]]
) -> None:
    """The same rows in DuckDB (through CSV, read with read_csv)."""
    names = {
        "holders": [
            "id",
            "name",
            "normalized_name",
            "kind",
            "region_code",
            "zone_id",
            "zone_explicit",
            "tags",
            "is_sample",
            "created_at",
            "updated_at",
        ],
        "patents": [
            "id",
            "application_number",
            "jurisdiction",
            "patent_type",
            "title",
            "filing_date",
            "grant_date",
            "first_holder_id",
            "content_hash",
            "is_sample",
            "created_at",
            "updated_at",
        ],
        "patent_status_events": ["id", "patent_id", "status", "date", "date_observed"],
    }
    for table, cols in names.items():
        path = folder / f"{table}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(cols)
            writer.writerows(data[table])
        wanted = {"region_code": "VARCHAR", "grant_date": "DATE", "filing_date": "DATE", "date": "DATE"}
        types = "{" + ", ".join(f"'{c}': '{t}'" for c, t in wanted.items() if c in cols) + "}"
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header=true, types={types})")  # type: ignore[attr-defined]
    rows = population
    con.execute("CREATE TABLE population (area_code VARCHAR, year INTEGER, residents INTEGER)")  # type: ignore[attr-defined]
    con.executemany("INSERT INTO population VALUES (?, ?, ?)", rows)  # type: ignore[attr-defined]


def duckdb_query() -> str:
    """One hand-written query: invention patents in force per 10k residents (city and each
    county, ten year-ends) and grants by type, the same rules as the platform."""
    from ipcity.indicators.queries import filing_threshold

    dates = ", ".join(
        f"(DATE '{y}-12-31', DATE '{filing_threshold('invention', date(y, 12, 31))}', {y})" for y in YEARS
    )
    return f"""
WITH dates(on_, inv_min, yr) AS (VALUES {dates}),
iv AS (
  SELECT e.patent_id, e.status, e.date AS start,
         LEAD(e.date) OVER (PARTITION BY e.patent_id ORDER BY e.date,
           CASE e.status WHEN 'filed' THEN 0 WHEN 'examination' THEN 1 WHEN 'granted' THEN 2
                         WHEN 'restored' THEN 3 ELSE 9 END, e.id) AS stop
  FROM patent_status_events e JOIN patents p ON p.id = e.patent_id
  WHERE e.date IS NOT NULL AND p.jurisdiction = 'CN' AND p.patent_type = 'invention'
),
held AS (
  SELECT d.yr, h.region_code, count(*) AS n
  FROM iv JOIN dates d ON iv.start <= d.on_ AND (iv.stop IS NULL OR iv.stop > d.on_)
  JOIN patents p ON p.id = iv.patent_id JOIN holders h ON h.id = p.first_holder_id
  WHERE iv.status IN ('granted', 'restored') AND p.filing_date > d.inv_min AND h.region_code LIKE '4106%'
  GROUP BY ALL
),
areas AS (
  SELECT yr, region_code AS area, n FROM held WHERE region_code <> '410600'
  UNION ALL SELECT yr, '410600', sum(n) FROM held GROUP BY yr
),
grants AS (
  SELECT year(p.grant_date) AS yr, h.region_code, p.patent_type, count(*) AS n
  FROM patents p JOIN holders h ON h.id = p.first_holder_id
  WHERE p.jurisdiction = 'CN' AND p.grant_date BETWEEN DATE '{YEARS[0]}-01-01' AND DATE '{YEARS[-1]}-12-31'
    AND h.region_code LIKE '4106%'
  GROUP BY ALL
),
grant_areas AS (
  SELECT yr, region_code AS area, patent_type, n FROM grants WHERE region_code <> '410600'
  UNION ALL SELECT yr, '410600', patent_type, sum(n) FROM grants GROUP BY yr, patent_type
)
SELECT 'per10k' AS what, a.yr, a.area, NULL AS patent_type, round(a.n * 10000.0 / pop.residents, 2) AS value
FROM areas a JOIN population pop ON pop.area_code = a.area AND pop.year = a.yr
UNION ALL
SELECT 'grants', yr, area, patent_type, n FROM grant_areas
"""


def main() -> None:
    """Run the benchmark and print the times and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patents", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each side (best counts)")
    args = parser.parse_args()
    import duckdb

    from ipcity.bootstrap import initialize
    from ipcity.db import make_engine, make_session_factory
    from ipcity.indicators import service

    folder = Path(tempfile.mkdtemp(prefix="ipcity-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    data = generate(args.patents)
    initialize(Settings(database_url=url, environment="test"))
    load_sqlite(url, data)
    con = duckdb.connect()
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as conn:
        population = [
            tuple(r) for r in conn.execute(text("SELECT area_code, year, residents FROM population"))
        ]
    load_duckdb(con, data, folder, population)
    print(
        f"generated and loaded {args.patents:,} patents, {len(data['patent_status_events']):,} events "
        f"in {time.perf_counter() - started:.1f} s"
    )

    dates = [date(y, 12, 31) for y in YEARS]
    factory = make_session_factory(make_engine(url))

    def platform() -> service.Scoreboard:
        with factory() as session:
            return service.scoreboard(session, SYSTEM, dates)

    t0 = time.perf_counter()
    board = platform()
    first = time.perf_counter() - t0
    ours, theirs = float("inf"), float("inf")
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        board = platform()
        ours = min(ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = con.execute(duckdb_query()).fetchall()
        theirs = min(theirs, time.perf_counter() - t0)

    mismatches = 0
    for what, yr, area, ptype, value in rows:
        on = date(int(yr), 12, 31)
        ident = "invention_patents_per_10k_residents" if what == "per10k" else f"patent_grants_{ptype}"
        mine = board.value(on, area, ident)
        if mine is None or mine.value is None or abs(float(mine.value) - float(value)) > 1e-9:
            mismatches += 1
            if mismatches <= 5:
                print("  differs:", what, yr, area, ptype, value, mine)
    indicators = sum(len(v) for per_date in board.values.values() for v in per_date.values())
    print(f"platform (SQLite, all {indicators:,} values: every indicator, area and year-end):")
    print(f"  first scoreboard after loading (reads the column copy): {first:.2f} s")
    print(f"  next scoreboards (registry unchanged), best of {args.rounds}: {ours:.3f} s")
    print(
        f"DuckDB hand-written query (per-10k + grants by type, {len(rows)} rows), best of {args.rounds}: {theirs:.3f} s"
    )
    print(f"ratio platform / DuckDB, registry unchanged: {ours / theirs:.2f}x (goal: within 2x)")
    print(f"ratio platform / DuckDB, first scoreboard after a change: {first / theirs:.1f}x")
    print("counts agree" if mismatches == 0 else f"{mismatches} counts differ")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    else:
        print(f"kept: {folder}")


if __name__ == "__main__":
    main()
