"""Places in the JSON API: the city's counties and zones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ipcity.places import service
from ipcity.places.names import english_name
from ipcity.web.deps import SessionDep

router = APIRouter()


@router.get("/api/v1/places/counties", tags=["places"], summary="县区 / counties of the city")
def api_counties(session: SessionDep) -> list[dict[str, Any]]:
    """The county-level divisions of the city (GB/T 2260)."""
    return [
        {"code": r.code, "name": r.name, "name_en": english_name(r.code), "level": r.level}
        for r in service.list_counties(session)
    ]


@router.get("/api/v1/places/zones", tags=["places"], summary="园区 / zones")
def api_zones(session: SessionDep) -> list[dict[str, Any]]:
    """Zones, parks and clusters (P2.1 names five), with the keywords that attribute holders."""
    return [
        {
            "code": z.code,
            "name": z.name,
            "name_en": z.name_en,
            "kind": z.kind,
            "region_code": z.region_code,
            "keywords": z.keywords,
            "clause": z.clause,
        }
        for z in service.list_zones(session)
    ]
