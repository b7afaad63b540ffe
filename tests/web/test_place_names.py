"""Place names in the English interface: the regions, counties and zones of the shipped
tables show their English names (Hebi's counties, the ETDZ); the Chinese interface keeps
the Chinese ones; names with no English form stay Chinese."""

from __future__ import annotations

from typing import Any

from web_support import World, client_as


def test_a_region_page_names_the_city_and_its_counties_in_the_page_language(
    client: Any, world: World
) -> None:
    english = client.get("/regions/410600?lang=en")
    assert english.status_code == 200
    text = english.text
    assert "<h1>Hebi City" in text
    for name in ("Qibin District", "Xun County", "Qi County, Hebi", "Heshan District", "Shancheng District"):
        assert name in text
    # (a holder's own name may hold a county's name: only the place columns and links change)
    assert ">淇滨区<" not in text and ">浚县<" not in text and "<td>Xun County</td>" in text
    chinese = client.get("/regions/410600").text
    assert "<h1>鹤壁市" in chinese and "淇滨区" in chinese and "Qibin District" not in chinese


def test_a_holder_page_and_the_holder_list_show_the_county_in_english(app: Any, world: World) -> None:
    client = client_as(app, world, "city_officer")
    holder = client.get(f"/holders/{world.holder_b}?lang=en").text
    assert ">Xun County</a>" in holder  # 浚县, read Xùn
    listing = client.get("/holders?region=410611&lang=en").text
    assert "<td>Qibin District</td>" in listing and "<td>淇滨区</td>" not in listing


def test_a_region_outside_henan_keeps_its_chinese_name_in_english(client: Any, world: World) -> None:
    page = client.get("/regions/110105?lang=en")
    assert page.status_code == 200 and "<h1>朝阳区" in page.text


def test_the_region_api_gives_the_english_name_beside_the_chinese_one(client: Any, world: World) -> None:
    body = client.get("/api/v1/regions/410600").json()
    assert (body["name"], body["name_en"]) == ("鹤壁市", "Hebi City")
    assert {"code": "410621", "name": "浚县", "name_en": "Xun County"} in body["children"]


def test_the_county_list_api_gives_english_names(client: Any, world: World) -> None:
    counties = {c["code"]: c["name_en"] for c in client.get("/api/v1/places/counties").json()}
    assert counties["410611"] == "Qibin District" and counties["410671"].startswith("Hebi Economic")


def test_the_region_api_gives_null_where_no_english_name_is_given(client: Any, world: World) -> None:
    body = client.get("/api/v1/regions/110000").json()  # Beijing: its districts have none
    assert (body["name"], body["name_en"]) == ("北京市", "Beijing Municipality")
    assert {"code": "110105", "name": "朝阳区", "name_en": None} in body["children"]
    # By code, not by characters: Nanjing's 鼓楼区 is not given the name of Kaifeng's.
    nanjing = client.get("/api/v1/regions/320100").json()
    assert {"code": "320106", "name": "鼓楼区", "name_en": None} in nanjing["children"]
    holders = client.get("/api/v1/holders?region=410621").json()["items"]
    assert holders and {(h["region_name"], h["region_name_en"]) for h in holders} == {("浚县", "Xun County")}


def test_the_holder_api_names_the_zone_in_english_beside_the_chinese_name(
    client: Any, world: World, session_factory: Any
) -> None:
    from sqlalchemy import select

    from ipcity.places.models import Zone
    from ipcity.registry.models import Holder

    with session_factory() as s:
        holder = s.get(Holder, world.holder_b)
        holder.zone_id = s.scalar(select(Zone.id).where(Zone.code == "hebi_agri_park"))
        holder.zone_explicit = True
        s.commit()
    items = client.get("/api/v1/holders?region=410621").json()["items"]
    zoned = [h for h in items if h["id"] == world.holder_b]
    assert [(h["zone"], h["zone_en"]) for h in zoned] == [
        ("鹤壁国家农业科技园区", "Hebi National Agricultural Science and Technology Park")
    ]
    assert all(h["zone_en"] is None for h in items if h["zone"] is None)
