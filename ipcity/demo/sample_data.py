"""The demo register: a deterministic, clearly labelled sample of Hebi's IP (示例数据).

DESIGN: "What the project ships as its own demo data it generates itself, deterministically,
and labels as sample data." :func:`generate_sample` builds holders, patents, trademarks,
copyrights, plant-variety rights and geographical indications that look and behave like
the real register (valid numbers and check characters, real IPC groups of Hebi's
industries, legal-status histories with realistic grant and lapse rates), so that every
page, indicator and policy rule can be shown without real data; the population is the
real published figure (:func:`ipcity.places.population.load_population`), never invented.

Holder names are invented; nothing in the records says "sample", so the flag
:attr:`SampleData.is_sample` is what an importer copies into the ``is_sample`` columns,
and the UI shows :data:`SAMPLE_LABEL` next to every such row.

>>> data = generate_sample(seed=7, patents=200)
>>> sample_summary(data)["patents"]
200
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ipcity.demo.sample_holders import generate_holders
from ipcity.demo.sample_patents import CUTOFF, generate_patents
from ipcity.demo.sample_rights import (
    generate_copyrights,
    generate_geographical_indications,
    generate_plant_varieties,
    generate_trademarks,
)
from ipcity.places.population import load_population
from ipcity.registry.records import (
    CopyrightRecord,
    GIRecord,
    HolderRecord,
    PatentRecord,
    PlantVarietyRecord,
    PopulationRecord,
    TrademarkRecord,
)

SAMPLE_LABEL = "示例"
"""What the UI writes next to every sample row and holder name."""

ENTERPRISES = 400


@dataclass(slots=True)
class SampleData:
    """A generated register. Everything in it is sample data (``is_sample``), observed on
    ``observed_on``; ``annuities_paid`` maps an application number to the annuities paid on
    it in yuan (P2.1-c), since :class:`PatentRecord` has no field for it."""

    seed: int
    holders: list[HolderRecord]
    patents: list[PatentRecord]
    annuities_paid: dict[str, int]
    trademarks: list[TrademarkRecord]
    copyrights: list[CopyrightRecord]
    plant_varieties: list[PlantVarietyRecord]
    geographical_indications: list[GIRecord]
    population: list[PopulationRecord] = field(default_factory=list)
    observed_on: date = CUTOFF
    is_sample: bool = True
    label: str = SAMPLE_LABEL


def _stream(seed: int, part: str) -> random.Random:
    # One independent stream per part, derived from the seed (a string seed is hashed with
    # SHA-512, the same on every run and platform): asking for fewer patents then changes
    # the patents only, not the holders or the trademarks.
    return random.Random(f"ipcity-sample:{seed}:{part}")


def generate_sample(seed: int = 2017, patents: int = 5000) -> SampleData:
    """Generate the sample register of Hebi (410600) for ``seed``.

    The same seed gives identical data, another seed different data; nothing reads the clock
    or the global random state. ``patents`` applications are filed 2010–2025 by about 450
    holders (400 enterprises across the five counties and the ETDZ, colleges, institutes,
    associations, individuals); about 600 trademarks, 300 copyright registrations,
    20 plant-variety rights and 5 geographical indications come with them, and the real
    resident population that :mod:`ipcity.places.population` ships.

    >>> generate_sample(1, patents=50) == generate_sample(1, patents=50)
    True
    """
    if patents < 0:
        raise ValueError(f"patents must be 0 or more, got {patents}")
    profiles = generate_holders(_stream(seed, "holders"), ENTERPRISES)
    generated = generate_patents(_stream(seed, "patents"), profiles, patents)
    trademarks = generate_trademarks(_stream(seed, "trademarks"), profiles)
    return SampleData(
        seed=seed,
        holders=[profile.record for profile in profiles],
        patents=generated.patents,
        annuities_paid=generated.annuities_paid,
        trademarks=trademarks,
        copyrights=generate_copyrights(_stream(seed, "copyrights"), profiles),
        plant_varieties=generate_plant_varieties(_stream(seed, "plant_varieties"), profiles),
        geographical_indications=generate_geographical_indications(_stream(seed, "gis"), trademarks),
        population=load_population(),
    )


def sample_summary(data: SampleData) -> dict[str, int]:
    """Counts per kind of record, and per patent type and holder kind.

    Keys: ``holders``, ``patents``, ``trademarks``, ``copyrights``, ``plant_varieties``,
    ``geographical_indications``, ``population``, ``annuities_paid``, then
    ``patents.invention`` / ``.utility_model`` / ``.design``, ``holders.enterprise`` /
    ``.university`` / ``.institute`` / ``.individual`` / ``.other``, and ``pct``.
    """
    summary = {
        "holders": len(data.holders),
        "patents": len(data.patents),
        "trademarks": len(data.trademarks),
        "copyrights": len(data.copyrights),
        "plant_varieties": len(data.plant_varieties),
        "geographical_indications": len(data.geographical_indications),
        "population": len(data.population),
        "annuities_paid": len(data.annuities_paid),
    }
    types = Counter(p.patent_type for p in data.patents)
    for patent_type in ("invention", "utility_model", "design"):
        summary[f"patents.{patent_type}"] = types[patent_type]
    kinds = Counter(h.kind for h in data.holders)
    for kind in ("enterprise", "university", "institute", "individual", "other"):
        summary[f"holders.{kind}"] = kinds[kind]
    summary["pct"] = sum(1 for p in data.patents if p.pct_application_number)
    return summary
