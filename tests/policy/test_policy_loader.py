"""Loading a policy file or a scenario file refuses, with the file and the line, anything
that would make an amount wrong or untraceable."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import SHARED_DATA

from ipcity.policy.clauses import CLAUSES
from ipcity.policy.loader import PolicyFileError, load_policy, shipped_policy
from ipcity.policy.scenarios import load_scenarios

GOOD = """\
policy: test
parameters:
  grant_subsidy:
    clause: P2.1-a
    values:
      - {from: 2017-09-30, value: 4000}
      - {from: 2020-01-01, value: 5000}
rules:
  - id: P2.1-a
    clause: P2.1-a
    object: patent
    formula: per_invention_grant
    parameters: {amount: grant_subsidy}
"""


def _write(tmp_path: Path, text: str, name: str = "city-2017.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    return caught.value


def test_shipped_policy_names_only_known_clauses_and_dated_values() -> None:
    policy = shipped_policy()
    assert {r.clause for r in policy.rules} == {c for c, v in CLAUSES.items() if v.pays_money}
    assert policy.parameters["invention_grant_subsidy"].value_on(date(2019, 5, 7)) == 4000
    assert policy.parameters["top_grantee_award"].value_on(date(2019, 5, 7)) is None


def test_a_value_changes_from_its_date(tmp_path: Path) -> None:
    p = load_policy(_write(tmp_path, GOOD)).parameters["grant_subsidy"]
    assert [p.value_on(date(2019, 12, 31)), p.value_on(date(2020, 1, 1)), p.value_on(date(2017, 1, 1))] == [
        4000,
        5000,
        None,
    ]


def test_unknown_clause_id_is_refused_with_file_and_line(tmp_path: Path) -> None:
    err = _refusal(
        _write(tmp_path, GOOD.replace("    clause: P2.1-a\n    object", "    clause: P9.9\n    object"))
    )
    assert (err.file, err.line) == ("city-2017.yaml", 10)
    assert "city-2017.yaml 第 10 行" in str(err) and "P9.9" in str(err)
    assert "line 10" in err.render("en") and "P9.9" in err.render("en")


def test_unknown_clause_of_a_parameter(tmp_path: Path) -> None:
    err = _refusal(_write(tmp_path, GOOD.replace("clause: P2.1-a\n    values", "clause: X1\n    values")))
    assert err.line == 4 and "X1" in str(err)


def test_missing_parameter_is_refused(tmp_path: Path) -> None:
    err = _refusal(_write(tmp_path, GOOD.replace("{amount: grant_subsidy}", "{amount: no_such_parameter}")))
    assert err.line == 13 and "no_such_parameter" in str(err)


def test_unbound_formula_input_is_refused(tmp_path: Path) -> None:
    err = _refusal(
        _write(tmp_path, GOOD.replace("    parameters: {amount: grant_subsidy}\n", "    parameters: {}\n"))
    )
    assert err.line == 13 and "amount" in str(err)


def test_overlapping_date_ranges_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      - {from: 2017-09-30, value: 4000}\n",
        "      - {from: 2017-09-30, until: 2020-06-30, value: 4000}\n",
    )
    err = _refusal(_write(tmp_path, text))
    assert err.line == 7 and "重叠" in str(err) and "第 6 行" in str(err)
    same_day = GOOD.replace("{from: 2020-01-01", "{from: 2017-09-30")
    assert _refusal(_write(tmp_path, same_day)).line == 7


def test_unknown_formula_is_refused(tmp_path: Path) -> None:
    err = _refusal(_write(tmp_path, GOOD.replace("formula: per_invention_grant", "formula: per_grant_typo")))
    assert err.line == 12 and "per_grant_typo" in str(err)


def test_formula_of_another_object_is_refused(tmp_path: Path) -> None:
    err = _refusal(_write(tmp_path, GOOD.replace("object: patent", "object: award")))
    assert err.line == 12


def test_bad_yaml_and_bad_values_are_refused(tmp_path: Path) -> None:
    assert _refusal(_write(tmp_path, GOOD + "  - {id: [unclosed\n")).line >= 14
    assert _refusal(_write(tmp_path, GOOD.replace("value: 4000", "value: 4000.5"))).line == 6
    assert _refusal(_write(tmp_path, GOOD.replace("from: 2017-09-30", "from: soon"))).line == 6
    assert _refusal(_write(tmp_path, GOOD.replace("    formula:", "    formla:"))).line == 12


def test_a_key_given_twice_is_refused_not_silently_overwritten(tmp_path: Path) -> None:
    # A second ``values`` of a parameter would replace the first without a word: the amounts
    # paid before 2020 would vanish from the file's meaning.
    twice = GOOD.replace(
        "      - {from: 2020-01-01, value: 5000}\n",
        "      - {from: 2020-01-01, value: 5000}\n    values:\n      - {from: 2021-01-01, value: 6000}\n",
    )
    err = _refusal(_write(tmp_path, twice))
    assert err.line == 8 and 'duplicate key "values" (first on line 5)' in str(err)


SCENARIO = """\
scenarios:
  - name: 测试
    year: 2019
    rules: [P2.1-a]
    input:
      holders:
        - {name: 甲, region: "410611"}
      patents:
        - {number: CN201710123456.0, granted: 2019-05-07, holders: [甲]}
    expect:
      - {rule: P2.1-a, object: CN201710123456.0, holder: 甲, amount: 4000}
"""


def _scenario_refusal(tmp_path: Path, text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        load_scenarios(_write(tmp_path, text, "case.yaml"))
    assert caught.value.file == "case.yaml"
    return caught.value


def test_scenario_file_refusals_name_the_line(tmp_path: Path) -> None:
    assert len(load_scenarios(_write(tmp_path, SCENARIO, "case.yaml"))) == 1
    assert _scenario_refusal(tmp_path, SCENARIO.replace("holders: [甲]", "holders: [乙]")).line == 9
    assert _scenario_refusal(tmp_path, SCENARIO.replace("rules: [P2.1-a]", "rules: [P7]")).line == 4
    assert (
        _scenario_refusal(tmp_path, SCENARIO.replace("{rule: P2.1-a, object", "{rule: P0, object")).line == 11
    )
    bad_param = SCENARIO.replace(
        "    rules:", "    parameters:\n      nope: [{from: 2019-01-01, value: 1}]\n    rules:"
    )
    assert _scenario_refusal(tmp_path, bad_param).line == 5
    overlap = SCENARIO.replace(
        "    rules:",
        "    parameters:\n      invention_grant_subsidy:\n        - {from: 2019-01-01, value: 1}\n"
        "        - {from: 2019-01-01, value: 2}\n    rules:",
    )
    assert _scenario_refusal(tmp_path, overlap).line == 7
    assert _scenario_refusal(tmp_path, SCENARIO.replace("granted: 2019-05-07", "granted: 昨天")).line == 9
    assert _scenario_refusal(tmp_path, SCENARIO.replace("    year: 2019", "    yeer: 2019")).line == 3


def test_every_clause_quote_is_the_policy_texts_own_words() -> None:
    """The rule pages quote the clause from the policy text (the 2017 opinions themselves):
    each quote, its elisions (…) apart, is found in the text, in order, up to full-width
    and half-width punctuation and line breaks."""
    path = SHARED_DATA.parent / "policy" / "hebi-2017-opinions.zh.txt"
    if not path.exists():
        pytest.skip(f"the policy text is not available: {path}")

    def plain(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))

    text = plain(path.read_text(encoding="utf-8"))
    for clause in CLAUSES.values():
        at = 0
        for part in clause.quote.split("…"):
            found = text.find(plain(part), at)
            assert found >= 0, f"{clause.id}: «{part}» is not in the policy text"
            at = found + len(plain(part))


def test_a_date_that_is_no_day_is_refused_with_its_line(tmp_path: Path) -> None:
    # The YAML parser itself fails on 2017-13-30; the refusal still names the file and line.
    err = _refusal(_write(tmp_path, GOOD.replace("from: 2017-09-30", "from: 2017-13-30")))
    assert err.line == 6 and "2017-13-30" in str(err)
    scenario = _scenario_refusal(tmp_path, SCENARIO.replace("granted: 2019-05-07", "granted: 2019-02-30"))
    assert scenario.line == 9 and "2019-02-30" in str(scenario)


def test_a_limit_must_be_a_true_or_false_not_a_word(tmp_path: Path) -> None:
    # bool("false") is True: a quoted "false" would have made once_per_holder true.
    quoted = GOOD + '    limits: {once_per_object: true, once_per_holder: "false"}\n'
    err = _refusal(_write(tmp_path, quoted))
    assert err.line == 14 and "once_per_holder" in str(err) and "true or false" in err.render("en")
    word = GOOD + "    limits: {once_per_object: no_thanks}\n"
    assert _refusal(_write(tmp_path, word)).line == 14
    fine = load_policy(
        _write(tmp_path, GOOD + "    limits: {once_per_object: false, once_per_holder: true}\n")
    )
    assert (fine.rules[0].limits.once_per_object, fine.rules[0].limits.once_per_holder) == (False, True)


def test_a_rule_may_use_only_parameters_of_its_own_clause(tmp_path: Path) -> None:
    # The PCT rule bound to the gold-award amount would pay 500,000 per application and cite
    # the award clause: every yuan must trace to the rule's own clause.
    other = GOOD.replace("  grant_subsidy:\n    clause: P2.1-a", "  grant_subsidy:\n    clause: P2.2-a")
    err = _refusal(_write(tmp_path, other))
    assert err.line == 13 and "P2.2-a" in str(err) and "grant_subsidy" in str(err)
    capped = (
        GOOD.replace(
            "rules:\n",
            "  a_cap:\n    clause: P2.7-a\n    values:\n      - {from: 2017-09-30, value: 1}\nrules:\n",
        )
        + "    limits: {cap_per_holder_year: a_cap}\n"
    )
    assert "a_cap" in str(_refusal(_write(tmp_path, capped)))


def test_scenario_values_of_the_wrong_kind_are_refused_with_their_line(tmp_path: Path) -> None:
    loans = SCENARIO.replace(
        "    expect:\n",
        "      loan_costs:\n        - {holder: 甲, contract: L1, year: 2019, interest: 100}\n    expect:\n",
    )
    assert len(load_scenarios(_write(tmp_path, loans, "case.yaml"))) == 1
    refused = {
        "year: 2019, interest": "year: abc, interest",  # a loan's year
        "interest: 100": "interest: lots",
        "interest: 100}": "interest: -100}",  # a negative amount would be paid as one
    }
    for good, bad in refused.items():
        err = _scenario_refusal(tmp_path, loans.replace(good, bad))
        assert err.line == 11, (bad, str(err))
    assert _scenario_refusal(tmp_path, SCENARIO.replace("holders: [甲]", "holders: 甲")).line == 9
    assert "列表" in str(_scenario_refusal(tmp_path, SCENARIO.replace("holders: [甲]", "holders: 甲")))
    assert _scenario_refusal(tmp_path, SCENARIO.replace("rules: [P2.1-a]", "rules: 123")).line == 4
    assert (
        _scenario_refusal(tmp_path, SCENARIO.replace("{rule: P2.1-a, object", "{rule: [P2.1-a], object")).line
        == 11
    )
    award = SCENARIO.replace(
        "    expect:\n",
        "      awards:\n        - {holder: 甲, patent: CN201710123456.0, level: china_silver, date: 2019-06-01}\n"
        "    expect:\n",
    )
    assert "china_gold" in str(_scenario_refusal(tmp_path, award))


def test_a_scenarios_reference_date_is_the_day_it_is_judged_on(tmp_path: Path) -> None:
    judged = SCENARIO.replace("    year: 2019\n", "    year: 2019\n    reference_date: 2019-04-15\n")
    (scenario,) = load_scenarios(_write(tmp_path, judged, "case.yaml"))
    assert scenario.today == date(2019, 4, 15)
    both = judged.replace("    year: 2019\n", "    year: 2019\n    today: 2019-05-01\n")
    assert _scenario_refusal(tmp_path, both).line == 5  # the reference_date line
