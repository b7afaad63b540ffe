"""The registry's JSON API on the shared web world (ten real patents): filters that name
nothing are refused with one sentence like a bad patent type; refusals list the choices
in the request's language, labelled; labels follow ``?lang=``; a page past the last is an
empty page with the total; and the search dictionary is loaded when the app starts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import World, client_as

from ipcity.registry import search

CJK = re.compile(r"[\u4e00-\u9fff]")


def _refusal(response: Any) -> str:
    """The one sentence of a 400 answer (JSON for the API, or when JSON is asked for)."""
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["ok"] is False and body["code"] in ("bad_input", "validation_failed"), body
    return str(body["error"])


@pytest.mark.parametrize(
    ("path", "zh_parts", "en_parts"),
    [
        (
            "/api/v1/holders?kind=foo",
            ["foo", "企业（enterprise）", "高等院校（university）", "其他（other）"],
            ["foo", "Enterprise (enterprise)"],
        ),
        ("/api/v1/patents?zone=nope", ["nope", "不存在"], ["nope", "does not exist"]),
        ("/api/v1/patents?jurisdiction=ZZZ", ["ZZZ", "两个字母"], ["ZZZ", "two letters"]),
        ("/api/v1/patents?region=419999", ["419999", "不存在"], ["419999", "does not exist"]),
        ("/api/v1/holders?region=419999", ["419999", "不存在"], ["419999", "does not exist"]),
        ("/api/v1/registers/trademarks?region=419999", ["419999"], ["419999"]),
        (
            "/api/v1/patents?patent_type=patent",
            ["patent", "发明（invention）", "外观设计（design）"],
            ["Invention (invention)"],
        ),
        (
            "/api/v1/registers/trademarks?category=x",
            ["普通商标（ordinary）", "地理标志集体商标（gi_collective）"],
            ["Ordinary trademark (ordinary)"],
        ),
        (
            "/api/v1/registers/maps",
            ["maps", "注册商标（trademarks）", "著作权登记（copyrights）", "或地理标志（gis）"],
            ["maps", "(plant-varieties)", "Geographical indications (gis)"],
        ),
    ],
)
def test_a_filter_that_names_nothing_is_refused_in_the_readers_language(
    app: Any, world: World, path: str, zh_parts: list[str], en_parts: list[str]
) -> None:
    client = client_as(app, world, "public")
    chinese = _refusal(client.get(path))
    for part in zh_parts:
        assert part in chinese, chinese
    assert "'" not in chinese.split("要求")[-1], chinese  # no quoted codes in the list
    english = _refusal(client.get(path + ("&" if "?" in path else "?") + "lang=en"))
    for part in en_parts:
        assert part in english, english
    assert not CJK.search(english), english


def test_an_export_format_is_listed_by_name(app: Any, world: World) -> None:
    client = client_as(app, world, "public")
    json_please = {"Accept": "application/json"}
    for path in ("/patents/export.pdf", "/registers/trademarks/export.doc"):
        chinese = _refusal(client.get(path, headers=json_please))
        assert "要求 CSV（csv）或 Excel（xlsx）" in chinese and "之一" in chinese, chinese
        english = _refusal(client.get(path + "?lang=en", headers=json_please))
        assert "one of CSV (csv) or Excel (xlsx)" in english, english


def test_api_labels_follow_the_requests_language(app: Any, world: World) -> None:
    client = client_as(app, world, "public")
    chinese = client.get("/api/v1/patents", params={"per_page": 50}).json()["items"]
    english = client.get("/api/v1/patents", params={"per_page": 50, "lang": "en"}).json()["items"]
    assert chinese and len(chinese) == len(english)
    labels = {"invention": ("发明", "Invention"), "utility_model": ("实用新型", "Utility model")}
    for zh, en in zip(chinese, english, strict=True):
        assert zh["patent_type"] == en["patent_type"]
        assert (zh["patent_type_label"], en["patent_type_label"]) == labels[zh["patent_type"]]
        assert en["status_label"] and not CJK.search(en["status_label"])
    one = client.get(f"/api/v1/patents/{world.patent_a}", headers={"Accept-Language": "en-US"}).json()
    assert one["patent_type_label"] in ("Invention", "Utility model")
    assert all(not CJK.search(event["label"]) for event in one["status_history"])


def test_an_api_page_past_the_last_is_empty_with_the_total(app: Any, world: World) -> None:
    # A client that reads pages until an empty one must stop: the API does not clamp.
    client = client_as(app, world, "public")
    for path, total in (("/api/v1/patents", 10), ("/api/v1/holders", None)):
        first = client.get(path).json()
        assert total is None or first["total"] == total
        beyond = client.get(path, params={"page": 999}).json()
        assert (beyond["items"], beyond["total"], beyond["page"]) == ([], first["total"], 999)
    found = client.get("/api/v1/patents", params={"q": world.patent_a}).json()
    assert [item["application_number"] for item in found["items"]][:1] == [world.patent_a]


def test_the_search_dictionary_loads_at_startup(app: Any) -> None:
    search._jieba.cache_clear()
    with TestClient(app):
        # Started, before any search: the dictionary is in memory.
        assert search._jieba.cache_info().currsize == 1
