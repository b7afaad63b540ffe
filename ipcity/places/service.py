"""Use-cases of the places area: load the shipped tables into the database, list the city's
counties and zones, attribute an address to a region and a zone, record population."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.places.divisions import all_divisions
from ipcity.places.locate import locate
from ipcity.places.models import Population, Region, Zone
from ipcity.places.population import load_population
from ipcity.places.zones import load_zones, zone_for_address
from ipcity.registry.records import PopulationRecord

DEFAULT_CITY = "410600"


def load_places(session: Session) -> dict[str, int]:
    """Load (or refresh) the GB/T 2260 table, the shipped zones and the shipped population
    figures. Idempotent: rows already present are left alone unless their content changed."""
    existing = {r.code: r for r in session.scalars(select(Region))}
    added = 0
    for division in all_divisions():
        row = existing.get(division.code)
        if row is None:
            session.add(
                Region(
                    code=division.code,
                    name=division.name,
                    level=division.level,
                    parent_code=division.parent_code,
                )
            )
            added += 1
        elif (row.name, row.level, row.parent_code) != (division.name, division.level, division.parent_code):
            row.name, row.level, row.parent_code = division.name, division.level, division.parent_code
    session.flush()
    zones = {z.code: z for z in session.scalars(select(Zone))}
    for zone in load_zones():
        zone_row = zones.get(zone.code)
        if zone_row is None:
            zone_row = Zone(code=zone.code)
            session.add(zone_row)
        zone_row.name = zone.name
        zone_row.name_en = zone.name_en
        zone_row.kind = zone.kind
        zone_row.region_code = zone.region_code
        zone_row.keywords = list(zone.keywords)
        zone_row.clause = zone.clause
    session.flush()
    population = upsert_population(session, load_population())
    return {"regions_added": added, "zones": len(load_zones()), "population": population}


def upsert_population(session: Session, records: Iterable[PopulationRecord]) -> int:
    """Insert or update population rows by (area, year); returns rows inserted or changed."""
    existing = {(p.area_code, p.year): p for p in session.scalars(select(Population))}
    changed = 0
    for record in records:
        row = existing.get((record.region_code, record.year))
        if row is None:
            row = Population(
                area_code=record.region_code,
                year=record.year,
                residents=record.residents,
                source=record.source,
            )
            session.add(row)
            existing[(record.region_code, record.year)] = row
            changed += 1
        elif row.residents != record.residents or (record.source and row.source != record.source):
            row.residents = record.residents
            row.source = record.source or row.source
            changed += 1
    session.flush()
    return changed


def list_counties(session: Session, city_code: str = DEFAULT_CITY) -> list[Region]:
    """The county-level divisions of the city (including development zones with their own code)."""
    return list(session.scalars(select(Region).where(Region.parent_code == city_code).order_by(Region.code)))


def list_zones(session: Session) -> list[Zone]:
    """All zones, in code order."""
    return list(session.scalars(select(Zone).order_by(Zone.id)))


def address_locator(session: Session) -> Callable[[str], tuple[str | None, int | None]]:
    """A function address -> (county code, zone id) for the zones in the database."""
    zones = list(session.scalars(select(Zone)))
    ids = {z.code: z.id for z in zones}
    defs = [z for z in load_zones() if z.code in ids]

    def locate_address(address: str) -> tuple[str | None, int | None]:
        region = locate(address)
        zone_code = zone_for_address(address, defs) if defs else None
        return region, ids.get(zone_code) if zone_code else None

    return locate_address
