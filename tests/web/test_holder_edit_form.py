"""The officer's form on a holder's page: a zone given by the address follows the address
until an officer assigns one (the explicit list); saving other fields assigns nothing."""

from __future__ import annotations

from typing import Any

from ipcity_testing import csrf_of
from sqlalchemy import select
from web_support import World, client_as

from ipcity.places.models import Zone
from ipcity.registry.models import Holder

AGRI_PARK_ADDRESS = "河南省鹤壁市浚县鹤壁国家农业科技园区科技路1号"


def _zone_of(session_factory: Any, holder_id: int) -> tuple[str | None, bool]:
    with session_factory() as s:
        holder = s.get(Holder, holder_id)
        code = s.scalar(select(Zone.code).where(Zone.id == holder.zone_id)) if holder.zone_id else None
        return code, holder.zone_explicit


def _save(client: Any, holder_id: int, **fields: str) -> None:
    page = client.get(f"/holders/{holder_id}").text
    assert 'name="zone_shown"' in page
    data = {"csrf_token": csrf_of(client), "kind": "enterprise", "region_code": "410621", **fields}
    response = client.post(f"/holders/{holder_id}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]


def test_the_zone_follows_a_corrected_address_until_an_officer_assigns_one(
    app: Any, world: World, session_factory: Any
) -> None:
    client = client_as(app, world, "city_officer")
    holder = world.holder_b
    # Saving the tags with the zone left as shown assigns no zone.
    _save(client, holder, zone_code="", zone_shown="", tags="sme")
    assert _zone_of(session_factory, holder) == (None, False)
    # A corrected address brings the zone its keywords name …
    _save(client, holder, zone_code="", zone_shown="", address=AGRI_PARK_ADDRESS)
    assert _zone_of(session_factory, holder) == ("hebi_agri_park", False)
    assert (
        '<input type="hidden" name="zone_shown" value="hebi_agri_park">'
        in client.get(f"/holders/{holder}").text
    )
    # … and takes it away again when it names none.
    _save(
        client,
        holder,
        zone_code="hebi_agri_park",
        zone_shown="hebi_agri_park",
        address="河南省鹤壁市浚县黎阳路2号",
    )
    assert _zone_of(session_factory, holder) == (None, False)
    # A zone the officer chooses is an assignment: the address no longer moves it.
    _save(client, holder, zone_code="hebi_etdz", zone_shown="")
    assert _zone_of(session_factory, holder) == ("hebi_etdz", True)
    _save(client, holder, zone_code="hebi_etdz", zone_shown="hebi_etdz", address=AGRI_PARK_ADDRESS)
    assert _zone_of(session_factory, holder) == ("hebi_etdz", True)


def test_a_corrected_address_places_a_holder_that_had_no_region(
    app: Any, world: World, session_factory: Any
) -> None:
    client = client_as(app, world, "city_officer")
    with session_factory() as s:
        holder = s.get(Holder, world.holder_a)
        region_before = holder.region_code
        holder.region_code = None
        s.commit()
    body = client.patch(
        f"/api/v1/holders/{world.holder_a}",
        json={"address": "河南省鹤壁市经济技术开发区渤海路1号"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert body.status_code == 200, body.text
    assert (body.json()["region_code"], body.json()["zone"]) == ("410671", "鹤壁经济技术开发区")
    # A region already set is the officer's: a new address leaves it.
    body = client.patch(
        f"/api/v1/holders/{world.holder_a}",
        json={"address": "河南省鹤壁市淇滨区九州路1号"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert body.json()["region_code"] == "410671" and body.json()["zone"] is None
    assert region_before != "410671"
