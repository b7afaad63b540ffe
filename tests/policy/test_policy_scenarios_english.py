"""Scenarios speak English on the English interface: every shipped scenario has its name (and
its reading, where it has one) in English, a page in English shows them, and a scenario file
that gives ``name_en`` twice or an unknown key is refused with the file and the line."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from ipcity.policy.loader import PolicyFileError
from ipcity.policy.scenarios import Scenario, load_scenarios, scenario_files

CJK = re.compile(r"[\u4e00-\u9fff]")
# Full-width punctuation (，：；（）、。) has no place in English either.
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")

SHIPPED = [(f, s) for f in scenario_files() for s in load_scenarios(f)]

BILINGUAL = """\
scenarios:
  - name: 测试
    name_en: "A test: 4,000 yuan"
    reading: 按授权公告年度计
    reading_en: "Counted in the year the grant is published"
    year: 2019
    rules: [P2.1-a]
    input:
      holders:
        - {name: 甲, region: "410611"}
      patents:
        - {number: CN201710123456.0, granted: 2019-05-07, holders: [甲]}
    expect:
      - {rule: P2.1-a, object: CN201710123456.0, holder: 甲, amount: 4000}

  - name: 只有中文
    reading: 只有中文的解读
    year: 2019
    rules: [P2.1-a]
    expect: []
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(tmp_path: Path, text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        load_scenarios(_write(tmp_path, text))
    assert caught.value.file == "case.yaml"
    return caught.value


def _is_english(text: str) -> bool:
    return not CJK.search(text) and not FULL_WIDTH.search(text)


@pytest.mark.parametrize(("path", "scenario"), SHIPPED, ids=[f"{f.stem}:{s.line}" for f, s in SHIPPED])
def test_every_shipped_scenario_has_its_name_and_reading_in_english(path: Path, scenario: Scenario) -> None:
    where = f"{path.name}:{scenario.line} {scenario.name}"
    assert scenario.name_en.strip(), f"{where}: no name_en"
    assert _is_english(scenario.name_en), f"{where}: name_en is not English: {scenario.name_en}"
    if scenario.reading:
        assert scenario.reading_en.strip(), f"{where}: a reading but no reading_en"
        assert _is_english(scenario.reading_en), f"{where}: reading_en is not English: {scenario.reading_en}"
    else:
        # The page shows a reading only where there is one: an English one alone would be lost.
        assert not scenario.reading_en, f"{where}: reading_en without a reading"


def test_name_in_and_reading_in_pick_the_language(tmp_path: Path) -> None:
    bilingual, chinese_only = load_scenarios(_write(tmp_path, BILINGUAL))
    assert bilingual.name_en == "A test: 4,000 yuan"
    assert bilingual.reading_en == "Counted in the year the grant is published"
    for locale in ("en", "en_US"):
        assert bilingual.name_in(locale) == "A test: 4,000 yuan"
        assert bilingual.reading_in(locale) == "Counted in the year the grant is published"
    assert bilingual.name_in("zh_CN") == "测试" and bilingual.reading_in("zh_CN") == "按授权公告年度计"
    # Without English, the English interface shows the Chinese.
    assert chinese_only.name_en == "" and chinese_only.reading_en == ""
    assert chinese_only.name_in("en") == "只有中文" and chinese_only.reading_in("en") == "只有中文的解读"
    assert chinese_only.name_in("zh_CN") == "只有中文"


def test_name_en_twice_or_an_unknown_key_is_refused_with_the_line(tmp_path: Path) -> None:
    twice = BILINGUAL.replace("    reading: 按授权", '    name_en: "Another name"\n    reading: 按授权', 1)
    refused = _refusal(tmp_path, twice)
    assert refused.line == 4 and 'duplicate key "name_en" (first on line 3)' in refused.render("en")
    assert _refusal(tmp_path, BILINGUAL.replace('    name_en: "A test', '    name_fr: "A test', 1)).line == 3
    assert _refusal(tmp_path, BILINGUAL.replace("    reading_en:", "    reading_fr:", 1)).line == 5


def test_a_rule_page_in_english_shows_the_scenarios_in_english(client: Any) -> None:
    scenarios = [s for _, s in SHIPPED if s.rules and "P2.1-a" in s.rules]
    assert scenarios
    english = client.get("/policy/rules/P2.1-a?lang=en")
    assert english.status_code == 200
    for s in scenarios:
        assert html.escape(s.name_en) in english.text, s.name_en
        assert s.name not in english.text, s.name
        if s.reading:
            assert html.escape(s.reading_en) in english.text, s.reading_en
    first = "An invention patent granted to an enterprise in the city: 4,000 yuan each"
    assert first in english.text and "本市企业的发明专利授权，每件4000元" not in english.text
    chinese = client.get("/policy/rules/P2.1-a").text
    assert "本市企业的发明专利授权，每件4000元" in chinese and first not in chinese
