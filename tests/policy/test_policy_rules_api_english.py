"""The rules API speaks English where the rule pages do: each scenario's ``name_en`` and
``reading_en`` exactly as its YAML file gives them (read here with a plain YAML reader, not
the platform's), the policy's English title, and the scenario runs the page shows, each
result with its explanation in both languages."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml

from ipcity.policy.scenarios import SCENARIOS_DIR

CJK = re.compile(r"[\u4e00-\u9fff]")


def _yaml_scenarios() -> dict[str, dict[str, Any]]:
    """Every shipped scenario by its Chinese name, as the YAML files write it."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(SCENARIOS_DIR).glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            out[item["name"]] = {**item, "file": path.name}
    return out


def test_every_scenario_of_every_rule_has_the_yaml_english(client: Any) -> None:
    shipped = _yaml_scenarios()
    response = client.get("/api/v1/policy/rules")
    assert response.status_code == 200
    data = response.json()
    assert data["title_en"] and not CJK.search(data["title_en"])
    seen = set()
    for rule in data["rules"]:
        assert rule["title_en"] and rule["reading_en"], rule["id"]
        for scenario in rule["scenarios"]:
            written = shipped[scenario["name"]]
            assert scenario["file"] == written["file"]
            assert scenario["name_en"] == written["name_en"]
            assert scenario["reading"] == written.get("reading")
            assert scenario["reading_en"] == written.get("reading_en")
            assert scenario["ok"] is True and scenario["problems"] == [] and scenario["problems_en"] == []
            seen.add(scenario["name"])
    # Every shipped scenario names a rule, so each is met at least once.
    assert seen == set(shipped)


def test_one_rule_gives_the_same_as_the_list_and_the_page(client: Any) -> None:
    listed = {r["id"]: r for r in client.get("/api/v1/policy/rules").json()["rules"]}
    one = client.get("/api/v1/policy/rules/P2.1-a").json()
    assert one["ok"] is True
    one.pop("ok")
    assert one == listed["P2.1-a"]
    english_page = client.get("/policy/rules/P2.1-a?lang=en").text
    for scenario in one["scenarios"]:
        assert html.escape(scenario["name_en"]) in english_page
        for result in scenario["results"]:
            # Each computed entitlement with its explanation in both languages, as the page shows.
            assert result["explanation"] == result["explanation_zh"] and CJK.search(result["explanation_zh"])
            assert result["explanation_en"] and result["explanation_en"] != result["explanation_zh"]
            assert html.escape(result["explanation_en"]) in english_page
            assert result["expected_line"] is not None and result["differences"] == []
    first = one["scenarios"][0]
    assert first["name_en"] == "An invention patent granted to an enterprise in the city: 4,000 yuan each"
    assert first["inputs"]["patents"] and first["year"] == 2019


def test_a_scenario_without_a_reading_gives_null_in_both_languages(client: Any) -> None:
    shipped = _yaml_scenarios()
    without = {name for name, s in shipped.items() if not s.get("reading")}
    for rule in client.get("/api/v1/policy/rules").json()["rules"]:
        for scenario in rule["scenarios"]:
            if scenario["name"] in without:
                assert scenario["reading"] is None and scenario["reading_en"] is None
