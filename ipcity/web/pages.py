"""The home page and the about page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ipcity.places import service as places
from ipcity.registry.service import registry_stats
from ipcity.web.deps import SessionDep, render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep) -> Response:
    """Headline counts of the registry, the search box and the counties."""
    return render(
        request,
        "home.html",
        {
            "stats": registry_stats(session),
            "counties": places.list_counties(session),
            "zones": places.list_zones(session),
        },
    )


@router.get("/about", include_in_schema=False)
def about(request: Request) -> Response:
    """What the platform is, its policy basis and its data sources."""
    return render(request, "about.html", {})
