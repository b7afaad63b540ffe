"""Benchmark: the whole policy for one year over a generated registry (100,000 holders,
1,000,000 patents, SQLite), against the same three rules — P2.1-a, P2.1-b and P2.1-d —
written as an OpenFisca model (``openfisca-core``) over the same database, in the same run.

Why: the policy engine is plain Python over records, one entitlement object (with its
explanation) per candidate; OpenFisca, the usual tool for rules-as-code, computes whole
arrays with numpy. The goal is that the engine, doing more (every rule, explanations,
traces), is still faster than the vectorised model of three of its rules.

What each time covers (the policy file and the OpenFisca tax-benefit system are built
before either clock starts, their build times printed apart; the database file is read
once into the OS cache first, so that neither side pays for the disk):

* A (project): ``policy.service.entitlements(session, SYSTEM, year)``, the call behind
  ``ipcity policy evaluate --year Y``: loading the year's snapshot from the database and
  evaluating every rule of ``rules/hebi-2017.yaml``. Cold: a process keeps the registry
  part of a year's snapshot while the registry's change log is unchanged, and each round
  drops it first (a second evaluation in the same process is printed apart, not in A).
* A3 (project, like for like): the same three rules as B through the engine: the snapshot
  those rules read (``load_snapshot(..., rules)``) and their evaluation. The goal is judged
  on B/A3; B/A is printed too.
* B (OpenFisca): reading the arrays the three rules need from the same database (the
  patent ownerships of the year's invention grantees, their whole invention history, the
  PCT applications of the year, the holders' regions), building the simulation and
  calculating the three amounts for every holder.

The parameter values come from the policy file through the project's loader. The totals
(and counts) of eligible entitlements of the three rules must agree between A and B:
otherwise the script exits 1.

The data is generated (deterministic, seeded, labelled bench data, never shipped): the
holders, patents and status histories of ``bench/indicators.py`` (holders in Hebi's
counties, some without an address or outside the city; inventions, utility models and
designs with filing, grant and lapse events), plus co-owned patents (a second holder),
invention patents granted by foreign offices (P2.1-b counts any office, P2.1-a only CN)
and PCT applications with and without an international search report. Rows are written
with ``ipcity.db.bulk_insert``, as the importer writes them.

    python bench/policy_openfisca.py [--holders 100000] [--patents 1000000] [--year 2020]
                                     [--repeat 5] [--keep] [--reuse FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import operator
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.indicators import COLUMNS, STAMP, generate  # noqa: E402
from ipcity.policy.loader import Policy  # noqa: E402

RULES = ("P2.1-a", "P2.1-b", "P2.1-d")
FOREIGN_OFFICES = ("US", "EP", "JP", "KR")
Rows = dict[str, list[tuple[Any, ...]]]


# --- data -------------------------------------------------------------------------------


def extend(data: Rows, seed: int = 11) -> None:
    """Add to the rows of ``bench.indicators.generate``: a second holder for some patents,
    invention patents granted abroad, and PCT applications (table ``pct_applications``)."""
    rng = random.Random(seed)
    holders = len(data["holders"])
    patents = data["patents"]
    links = data["patent_holders"]
    events = data["patent_status_events"]
    first_holders = [row[7] for row in patents]
    link_id = max(row[0] for row in links)
    # Co-owned patents: a second holder after the first (the engine pays the first local one).
    for pid, _, first, _, _ in list(links):
        if rng.random() < 0.12:
            other = rng.randint(1, holders)
            if other != first:
                link_id += 1
                links.append((link_id, pid, other, 1, f"权利人{other}"))
    # Invention patents granted by other offices, held by holders who also file in China.
    pid = len(patents)
    event_id = max(row[0] for row in events)
    for _ in range(len(patents) // 50):
        pid += 1
        office = rng.choice(FOREIGN_OFFICES)
        filed = date(2005, 1, 1) + timedelta(days=rng.randrange(15 * 365))
        granted = filed + timedelta(days=rng.randint(300, 1500))  # by February 2024
        holder = rng.choice(first_holders)
        patents.append(
            (
                pid,
                f"{office}{filed.year}{pid:09d}",
                office,
                "invention",
                f"foreign patent {pid}",
                filed.isoformat(),
                granted.isoformat(),
                holder,
                "x" * 32,
                0,
                STAMP,
                STAMP,
            )
        )
        link_id += 1
        links.append((link_id, pid, holder, 0, f"权利人{holder}"))
        for status, when in (("filed", filed), ("granted", granted)):
            event_id += 1
            events.append((event_id, pid, status, when.isoformat(), 0))
    # PCT applications: most get their international search report within a year.
    pct = []
    for n in range(1, len(first_holders) // 100 + 1):
        filed = date(2015, 1, 1) + timedelta(days=rng.randrange(10 * 365))
        report: date | None = filed + timedelta(days=rng.randint(60, 420))
        if rng.random() < 0.25 or (report is not None and report > date(2024, 12, 31)):
            report = None
        holder = rng.choice(first_holders)
        pct.append(
            (
                n,
                f"PCT/CN{filed.year}/{n:06d}",
                holder,
                f"PCT申请{n}",
                filed.isoformat(),
                report.isoformat() if report else None,
                STAMP,
            )
        )
    data["pct_applications"] = pct


PCT_COLUMNS = "id, pct_number, holder_id, title, filing_date, search_report_date, created_at"


def _typed(table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The generated rows (dates, timestamps and JSON as text) with the Python values the
    table's columns take: what an importer hands to ``bulk_insert``."""
    from sqlalchemy import JSON, Date, DateTime

    def cached(convert: Callable[[str], Any]) -> Callable[[Any], Any]:
        seen: dict[Any, Any] = {None: None}

        def get(value: Any) -> Any:
            try:
                return seen[value]
            except KeyError:
                seen[value] = convert(value)
                return seen[value]

        return get

    converters: dict[int, Callable[[Any], Any]] = {}
    for i, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, DateTime):
            converters[i] = cached(datetime.fromisoformat)
        elif isinstance(kind, Date):
            converters[i] = cached(date.fromisoformat)
        elif isinstance(kind, JSON):
            converters[i] = cached(json.loads)
    if not converters:
        return rows
    return list(
        zip(
            *(
                map(converters[i], map(operator.itemgetter(i), rows))
                if i in converters
                else map(operator.itemgetter(i), rows)
                for i in range(len(columns))
            ),
            strict=True,
        )
    )


def write_database(url: str, data: Rows) -> None:
    """A migrated SQLite database holding ``data``, written with ``ipcity.db.bulk_insert``
    in one transaction (as an import writes)."""
    import ipcity.models  # noqa: F401  (registers every table)
    from ipcity.bootstrap import initialize
    from ipcity.config import Settings
    from ipcity.db import Base, bulk_insert, make_engine, make_session_factory, transaction

    initialize(Settings(database_url=url, environment="test"))
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            for name, cols in [*COLUMNS.items(), ("pct_applications", PCT_COLUMNS)]:
                table = Base.metadata.tables[name]
                columns = [c.strip() for c in cols.split(",")]
                bulk_insert(session, table, _typed(table, columns, data[name]), columns)
    finally:
        engine.dispose()


# --- the two sides ----------------------------------------------------------------------


@dataclass
class Side:
    """One side's run: wall-clock and CPU seconds, and per rule of :data:`RULES` the total of
    the eligible amounts and the number of eligible objects; ``size`` says what it computed."""

    wall: float
    cpu: float
    totals: dict[str, tuple[int, int]]
    size: str


# --- A: the project ---------------------------------------------------------------------


def run_project(url: str, year: int, rules: list[str] | None = None) -> Side:
    """With ``rules`` None: ``policy.service.entitlements(session, SYSTEM, year)``, as
    ``ipcity policy evaluate`` calls it: the year's snapshot loaded from the database, every
    rule evaluated. With ``rules``: the snapshot those rules read and those rules only (what
    the engine does for one rule's page), for a like-for-like comparison with B."""
    from ipcity.auth.roles import SYSTEM
    from ipcity.db import make_engine, make_session_factory
    from ipcity.policy import service
    from ipcity.policy.engine import evaluate
    from ipcity.policy.sources import forget_registry_parts, load_snapshot

    # Cold: the registry part a process keeps between evaluations (while the registry is
    # unchanged) is dropped first, so that every round reads the registry as a first one.
    forget_registry_parts()
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            wall, cpu = time.perf_counter(), time.process_time()
            if rules is None:
                found = service.entitlements(session, SYSTEM, year)
            else:
                policy = service.current_policy()
                found = evaluate(policy, load_snapshot(session, year, policy, rules), year, rules)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        engine.dispose()
    totals = {
        rule: (
            sum(e.amount for e in found if e.rule == rule and e.status == "eligible"),
            sum(1 for e in found if e.rule == rule and e.status == "eligible"),
        )
        for rule in RULES
    }
    return Side(wall, cpu, totals, f"{len(found):,} entitlements")


def project_parts(url: str, year: int) -> tuple[float, float, int, float]:
    """Where A's time goes, from a separate run: seconds to load the snapshot, seconds to
    evaluate every rule over it, the number of patents in the snapshot; and the seconds of
    a second evaluation in the same process with the registry unchanged (the registry part
    of the snapshot kept from the first, the evidence tables read again)."""
    from ipcity.db import make_engine, make_session_factory
    from ipcity.policy.engine import evaluate
    from ipcity.policy.loader import shipped_policy
    from ipcity.policy.sources import forget_registry_parts, load_snapshot

    policy = shipped_policy()
    forget_registry_parts()
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            t0 = time.perf_counter()
            snapshot = load_snapshot(session, year, policy)
            t1 = time.perf_counter()
            evaluate(policy, snapshot, year)
            t2 = time.perf_counter()
            evaluate(policy, load_snapshot(session, year, policy), year)
            t3 = time.perf_counter()
    finally:
        engine.dispose()
        forget_registry_parts()
    return t1 - t0, t2 - t1, len(snapshot.patents), t3 - t2


# --- B: OpenFisca -----------------------------------------------------------------------


def parameter_id(policy: Policy, rule_id: str) -> str:
    """The parameter bound to the ``amount`` input of a rule of the policy file."""
    rule = policy.rule(rule_id)
    assert rule is not None, rule_id
    return rule.inputs["amount"]


def openfisca_parameters(policy: Policy, year: int) -> Any:
    """The three amounts as an OpenFisca ``ParameterNode`` (``ipcity.<parameter id>``), with
    the dated values of the policy file. OpenFisca reads a parameter at the start of the
    period (1 January) while the engine reads it on each object's reference date: the
    benchmark refuses a year in which a value changes, where the two would differ."""
    from openfisca_core.parameters import ParameterNode

    node: dict[str, Any] = {}
    for rule_id in RULES:
        pid = parameter_id(policy, rule_id)
        param = policy.parameters[pid]
        if param.entry_on(date(year, 1, 1)) is not param.entry_on(date(year, 12, 31)) or any(
            date(year, 1, 1) < v.start <= date(year, 12, 31) for v in param.values
        ):
            raise SystemExit(f"{pid} changes within {year}: choose another --year")
        values: dict[str, dict[str, int | None]] = {}
        for i, v in enumerate(param.values):
            values[v.start.isoformat()] = {"value": v.value}
            following = param.values[i + 1].start if i + 1 < len(param.values) else None
            if v.end is not None and following != v.end + timedelta(days=1):
                values[(v.end + timedelta(days=1)).isoformat()] = {"value": None}
        node[pid] = {"description": param.description, "values": values}
    return ParameterNode("", data={"ipcity": node})


def build_system(policy: Policy, year: int) -> Any:
    """The OpenFisca model: entities, variables and parameters of P2.1-a, P2.1-b, P2.1-d.

    Entities: ``ownership`` (the person entity: one holder's share in one object, with the
    holder's position among the object's holders), grouped twice — by ``holder`` and by
    ``ip_object`` (a patent or a PCT application). The readings are those of the engine:
    P2.1-a pays a CN invention patent granted in the year once, to its first holder in
    order that lies in the city; P2.1-b pays a holder in the city whose first invention
    patent ever (any office) was granted in the year; P2.1-d pays a PCT application whose
    international search report came in the year, to its holder in the city.
    """
    import numpy as np
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import ETERNITY, YEAR
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    city_prefix = policy.city[:4]
    amount_a = parameter_id(policy, "P2.1-a")
    amount_b = parameter_id(policy, "P2.1-b")
    amount_d = parameter_id(policy, "P2.1-d")
    owner_role = [{"key": "owner", "plural": "owners", "label": "holder of the object"}]
    ownership = build_entity("ownership", "ownerships", "A holder's share in an IP object", is_person=True)
    holder = build_entity("holder", "holders", "A holder of IP rights", roles=owner_role)
    ip_object = build_entity("ip_object", "ip_objects", "A patent or a PCT application", roles=owner_role)

    class position(Variable):
        value_type = int
        entity = ownership
        definition_period = ETERNITY
        label = "Position of the holder among the object's holders (0 first)"

    class region_code(Variable):
        value_type = str
        entity = holder
        definition_period = ETERNITY
        label = "GB/T 2260 region code of the holder"

    class is_invention(Variable):
        value_type = bool
        entity = ip_object
        definition_period = ETERNITY
        label = "An invention patent"

    class office(Variable):
        value_type = str
        entity = ip_object
        definition_period = ETERNITY
        label = "Granting office of a patent (CN, US, …); empty for a PCT application"

    class grant_year(Variable):
        value_type = int
        entity = ip_object
        definition_period = ETERNITY
        label = "Year of grant (0: not granted)"

    class is_pct(Variable):
        value_type = bool
        entity = ip_object
        definition_period = ETERNITY
        label = "A PCT international application"

    class search_report_year(Variable):
        value_type = int
        entity = ip_object
        definition_period = ETERNITY
        label = "Year of the international search report (0: none yet)"

    class in_city(Variable):
        value_type = bool
        entity = holder
        definition_period = YEAR
        label = "The holder's region lies in the city"

        def formula(holder, period, parameters):
            codes = holder("region_code", period).astype(str)
            return np.char.startswith(codes, city_prefix)

    class owner_in_city(Variable):
        value_type = bool
        entity = ownership
        definition_period = YEAR
        label = "The holder of this share lies in the city"

        def formula(ownership, period, parameters):
            return ownership.holder("in_city", period)

    class p21a_granted(Variable):
        value_type = bool
        entity = ip_object
        definition_period = YEAR
        label = "A CN invention patent granted in the year"

        def formula(ip_object, period, parameters):
            return (
                ip_object("is_invention", period)
                * (ip_object("office", period) == "CN")
                * (ip_object("grant_year", period) == period.start.year)
            )

    class p21a_paid(Variable):
        value_type = bool
        entity = ip_object
        definition_period = YEAR
        label = "P2.1-a: granted in the year, with a holder in the city"

        def formula(ip_object, period, parameters):
            local = ip_object.members("owner_in_city", period)
            return ip_object("p21a_granted", period) * ip_object.any(local)

    class p21a_payee(Variable):
        value_type = bool
        entity = ownership
        definition_period = YEAR
        label = "P2.1-a: this share's holder is the first local holder of a paid patent"

        def formula(ownership, period, parameters):
            local = ownership("owner_in_city", period)
            rank = np.where(local, ownership("position", period), 1_000_000)
            first_local = ownership.ip_object.min(rank)  # projected back onto the shares
            paid = ownership.ip_object("p21a_paid", period)
            return paid * local * (rank == first_local)

    class p21a_invention_grant_subsidy(Variable):
        value_type = int
        entity = holder
        definition_period = YEAR
        label = "P2.1-a: subsidy per invention patent granted in the year (yuan)"

        def formula(holder, period, parameters):
            amount = getattr(parameters(period).ipcity, amount_a)
            return holder.sum(holder.members("p21a_payee", period)) * amount

    class p21b_first_invention_award(Variable):
        value_type = int
        entity = holder
        definition_period = YEAR
        label = "P2.1-b: award for the holder's first invention patent ever (yuan)"

        def formula(holder, period, parameters):
            year = period.start.year
            grant = holder.members.ip_object("grant_year", period)
            invention = holder.members.ip_object("is_invention", period) * (grant > 0)
            before = holder.any(invention * (grant < year))
            now = holder.any(invention * (grant == year))
            amount = getattr(parameters(period).ipcity, amount_b)
            return holder("in_city", period) * now * np.logical_not(before) * amount

    class p21d_paid(Variable):
        value_type = bool
        entity = ip_object
        definition_period = YEAR
        label = "P2.1-d: a PCT application with its search report in the year, holder in the city"

        def formula(ip_object, period, parameters):
            reported = ip_object("search_report_year", period) == period.start.year
            local = ip_object.any(ip_object.members("owner_in_city", period))
            return ip_object("is_pct", period) * reported * local

    class p21d_pct_subsidy(Variable):
        value_type = int
        entity = holder
        definition_period = YEAR
        label = "P2.1-d: subsidy per PCT application with a search report in the year (yuan)"

        def formula(holder, period, parameters):
            paid = holder.members.ip_object("p21d_paid", period)
            amount = getattr(parameters(period).ipcity, amount_d)
            return holder.sum(paid) * amount

    system = TaxBenefitSystem([ownership, holder, ip_object])
    system.add_variables(
        position,
        region_code,
        is_invention,
        office,
        grant_year,
        is_pct,
        search_report_year,
        in_city,
        owner_in_city,
        p21a_granted,
        p21a_paid,
        p21a_payee,
        p21a_invention_grant_subsidy,
        p21b_first_invention_award,
        p21d_paid,
        p21d_pct_subsidy,
    )
    system.parameters = openfisca_parameters(policy, year)
    return system


# Every invention patent (any office) granted by the end of the year to a holder with an
# invention grant in the year: the year's grants with all their holders (P2.1-a) and the whole
# invention history of their holders (P2.1-b), the rows the engine's snapshot reads for them.
# Driven from the year's inventions and their links (each link read from the patent's side of
# the index): the unary + keeps SQLite, without statistics, from probing the holders' index
# once for every grantee for every earlier invention instead.
OWNERSHIPS_SQL = """
SELECT ph.patent_id, ph.holder_id, ph.position, p.patent_type = 'invention', p.jurisdiction,
       CAST(substr(p.grant_date, 1, 4) AS INTEGER)
FROM patent_holders ph JOIN patents p ON p.id = ph.patent_id
WHERE p.patent_type = 'invention' AND p.grant_date <= :end AND +ph.holder_id IN (
  SELECT g.holder_id FROM patent_holders g JOIN patents gp ON gp.id = g.patent_id
  WHERE gp.patent_type = 'invention' AND gp.grant_date BETWEEN :start AND :end)
"""
# The PCT applications the engine reads for the year (reported or filed in it).
PCT_SQL = """
SELECT id, holder_id, CAST(substr(search_report_date, 1, 4) AS INTEGER)
FROM pct_applications
WHERE search_report_date BETWEEN :start AND :end OR filing_date BETWEEN :start AND :end
"""


def _column(rows: list[tuple[Any, ...]], i: int, dtype: Any) -> Any:
    """Column ``i`` of ``rows`` as a numpy array (``None`` → 0 for numbers)."""
    import numpy as np

    values = map(operator.itemgetter(i), rows)
    if dtype is object:
        return np.array(list(values), dtype=object)
    return np.fromiter((v or 0 for v in values), dtype=dtype, count=len(rows))


def run_openfisca(url: str, year: int, system: Any) -> Side:
    """Read the arrays from the database, build the simulation and calculate the three rules
    for ``year`` (every holder's amounts; the paid objects counted)."""
    import numpy as np
    from openfisca_core.periods import ETERNITY
    from openfisca_core.simulations import SimulationBuilder

    from ipcity.db import make_engine

    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        bounds = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
        cur = raw.cursor()
        owned = cur.execute(OWNERSHIPS_SQL, bounds).fetchall()
        pct = cur.execute(PCT_SQL, bounds).fetchall()
        regions = dict(cur.execute("SELECT id, region_code FROM holders").fetchall())
        cur.close()

        # Persons: the patent ownerships, then one ownership per PCT application. Objects:
        # patents by id, PCT applications by minus their id; each object's attributes are
        # taken from its first row.
        none = np.zeros(len(pct), np.int32)
        holder_of = np.concatenate([_column(owned, 1, np.int64), _column(pct, 1, np.int64)])
        object_of = np.concatenate([_column(owned, 0, np.int64), -_column(pct, 0, np.int64)])
        position = np.concatenate([_column(owned, 2, np.int32), none])
        invention = np.concatenate([_column(owned, 3, bool), none.astype(bool)])
        office = np.concatenate([_column(owned, 4, object), np.full(len(pct), "", dtype=object)])
        granted = np.concatenate([_column(owned, 5, np.int32), none])
        pct_row = np.concatenate([np.zeros(len(owned), bool), np.ones(len(pct), bool)])
        reported = np.concatenate([np.zeros(len(owned), np.int32), _column(pct, 2, np.int32)])
        object_keys, first = np.unique(object_of, return_index=True)
        holder_keys = np.unique(holder_of)

        builder = SimulationBuilder()
        builder.create_entities(system)
        builder.declare_person_entity("ownership", np.arange(len(holder_of)))
        roles = np.zeros(len(holder_of), dtype=np.int64)
        builder.join_with_persons(builder.declare_entity("holder", holder_keys), holder_of, roles)
        builder.join_with_persons(builder.declare_entity("ip_object", object_keys), object_of, roles)
        simulation = builder.build(system)
        simulation.set_input("position", ETERNITY, position)
        region = np.array([regions.get(int(h)) or "" for h in holder_keys], dtype=object)
        simulation.set_input("region_code", ETERNITY, region)
        simulation.set_input("is_invention", ETERNITY, invention[first])
        simulation.set_input("office", ETERNITY, office[first])
        simulation.set_input("grant_year", ETERNITY, granted[first])
        simulation.set_input("is_pct", ETERNITY, pct_row[first])
        simulation.set_input("search_report_year", ETERNITY, reported[first])

        period = str(year)
        amounts = {
            "P2.1-a": simulation.calculate("p21a_invention_grant_subsidy", period),
            "P2.1-b": simulation.calculate("p21b_first_invention_award", period),
            "P2.1-d": simulation.calculate("p21d_pct_subsidy", period),
        }
        counts = {
            "P2.1-a": int(simulation.calculate("p21a_paid", period).sum()),
            "P2.1-b": int((amounts["P2.1-b"] > 0).sum()),
            "P2.1-d": int(simulation.calculate("p21d_paid", period).sum()),
        }
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        raw.close()
        engine.dispose()
    totals = {rule: (int(amounts[rule].sum(dtype=np.int64)), counts[rule]) for rule in RULES}
    return Side(wall, cpu, totals, f"{len(holder_of):,} ownerships of {len(holder_keys):,} holders")


# --- main -------------------------------------------------------------------------------


def best_of(repeat: int, *sides: Callable[[], Side]) -> list[Side]:
    """For each side, the run with the smallest wall-clock time of ``repeat`` rounds. The
    sides take turns within each round, so that a slow spell of a shared machine falls on
    all of them rather than on whichever happened to run then."""
    runs: list[list[Side]] = [[] for _ in sides]
    for _ in range(repeat):
        for i, run in enumerate(sides):
            gc.collect()
            runs[i].append(run())
    return [min(r, key=lambda x: x.wall) for r in runs]


def _totals(label: str, totals: dict[str, tuple[int, int]]) -> str:
    return f"{label}: " + ", ".join(f"{r} {totals[r][0]:,} yuan ({totals[r][1]:,})" for r in RULES)


def main(argv: Iterable[str] | None = None) -> int:
    """Run the benchmark, print its figures; 1 when the totals of the two sides differ."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--patents", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2020, help="the year evaluated (2018-2024)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds (each side once per round); the best time counts"
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a database file kept by an earlier run (--keep), migrated and used instead of a new one",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    from ipcity.policy.loader import shipped_policy

    if args.reuse:
        from ipcity.bootstrap import initialize
        from ipcity.config import Settings

        database = args.reuse.resolve()
        url = f"sqlite:///{database}"
        initialize(Settings(database_url=url, environment="test"))
        print(f"reused {args.reuse} (migrated to the current schema)")
    else:
        folder = Path(tempfile.mkdtemp(prefix="ipcity-bench-"))
        database = folder / "bench.db"
        url = f"sqlite:///{database}"
        t0 = time.perf_counter()
        data = generate(args.patents, holder_count=args.holders)
        extend(data)
        write_database(url, data)
        with_report = sum(1 for row in data["pct_applications"] if row[5] is not None)
        print(
            f"generated and wrote {len(data['holders']):,} holders, {len(data['patents']):,} patents "
            f"({args.patents // 50:,} granted abroad), {len(data['patent_holders']):,} ownerships, "
            f"{len(data['patent_status_events']):,} status events, {len(data['pct_applications']):,} PCT "
            f"applications ({with_report:,} with a search report) in {time.perf_counter() - t0:.1f} s"
        )
        del data
        gc.collect()

    t0 = time.perf_counter()
    policy = shipped_policy()
    policy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    system = build_system(policy, args.year)
    system_s = time.perf_counter() - t0
    print(
        f"setup, outside both times: policy file {policy_s * 1000:.0f} ms ({len(policy.rules)} rules), "
        f"OpenFisca tax-benefit system {system_s * 1000:.0f} ms"
    )

    # Neither side should pay for reading the file from disk: it is read once into the cache.
    with database.open("rb") as fh:
        while fh.read(1 << 24):
            pass
    a, a3, b = best_of(
        args.repeat,
        lambda: run_project(url, args.year),
        lambda: run_project(url, args.year, list(RULES)),
        lambda: run_openfisca(url, args.year, system),
    )
    snapshot_s, evaluate_s, snapshot_patents, warm_s = project_parts(url, args.year)

    print(
        f"A project   {args.year}: every rule ({len(policy.rules)}), snapshot loaded from the database "
        f"included: {a.wall:.2f} s (CPU {a.cpu:.2f} s), {a.size}"
    )
    print(
        f"  separate run: load_snapshot {snapshot_s:.2f} s ({snapshot_patents:,} patents), "
        f"evaluate {evaluate_s:.2f} s; again in the same process, the registry unchanged (its part "
        f"of the snapshot kept, not counted in A): {warm_s:.2f} s"
    )
    print(
        f"A3 project  {args.year}: the same three rules as B, the snapshot they read loaded from "
        f"the database included: {a3.wall:.2f} s (CPU {a3.cpu:.2f} s), {a3.size}"
    )
    print(
        f"B OpenFisca {args.year}: P2.1-a, P2.1-b, P2.1-d, reading the arrays from the database "
        f"included: {b.wall:.2f} s (CPU {b.cpu:.2f} s), {b.size}"
    )
    print(_totals("totals A (eligible)", a.totals))
    print(_totals("totals A3 (eligible)", a3.totals))
    print(_totals("totals B (paid)    ", b.totals))
    ratio = b.wall / a3.wall
    print(
        f"ratio B/A3 = {ratio:.2f}, same three rules (above 1: the project is faster; CPU time: "
        f"{b.cpu / a3.cpu:.2f}); goal: faster than OpenFisca: {'met' if ratio > 1 else 'not met'}"
    )
    print(
        f"ratio B/A  = {b.wall / a.wall:.2f}, the project's whole policy ({len(policy.rules)} rules) "
        f"against OpenFisca's three"
    )
    if args.keep:
        print(f"kept: {database.parent}")
    elif not args.reuse:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    if a.totals != b.totals or a3.totals != b.totals:
        print("totals DIFFER")
        return 1
    print("totals agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
