"""Every shipped scenario passes (one per rule and per reading), and a wrong expectation fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.policy.loader import shipped_policy
from ipcity.policy.scenarios import load_scenarios, run_scenario, scenario_files

SHIPPED = [(f, s.name) for f in scenario_files() for s in load_scenarios(f)]


@pytest.mark.parametrize(("path", "name"), SHIPPED, ids=[f"{f.stem}:{n}" for f, n in SHIPPED])
def test_shipped_scenario_passes(path: Path, name: str) -> None:
    scenario = next(s for s in load_scenarios(path) if s.name == name)
    result = run_scenario(scenario)
    assert result.ok, "\n".join(result.problems)


def test_every_rule_has_a_scenario() -> None:
    covered = {str(e["rule"]) for _, s in SHIPPED for sc in load_scenarios(_) for _, e in sc.expect}
    covered |= {r for f in scenario_files() for sc in load_scenarios(f) for r in (sc.rules or [])}
    for rule in shipped_policy().rules:
        assert rule.id in covered or rule.clause in covered, rule.id


def test_a_wrong_expectation_fails_and_says_why(tmp_path: Path) -> None:
    source = next(f for f in scenario_files() if f.name.startswith("p2_1_a"))
    text = source.read_text(encoding="utf-8").replace("amount: 4000\n", "amount: 4001\n", 1)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text, encoding="utf-8")
    result = run_scenario(load_scenarios(wrong)[0])
    assert not result.ok
    assert any("4001" in p and "4000" in p for p in result.problems)


def test_an_unexpected_entitlement_fails(tmp_path: Path) -> None:
    source = next(f for f in scenario_files() if f.name.startswith("p2_1_d"))
    text = source.read_text(encoding="utf-8").replace(
        "      - {rule: P2.1-d, object: PCT/CN2019/000456, amount: 0, status: needs_evidence}\n", ""
    )
    wrong = tmp_path / "missing.yaml"
    wrong.write_text(text, encoding="utf-8")
    result = run_scenario(load_scenarios(wrong)[0])
    assert any("PCT/CN2019/000456" in p for p in result.problems)


def test_a_misspelt_field_of_an_input_record_is_refused_with_its_line(tmp_path: Path) -> None:
    """ "annuities_payd" for annuities_paid: refused at load, at its line, naming the fields a
    patent may have, not read as "no annuities paid" (the scenario would fail unexplained)."""
    from ipcity.policy.loader import PolicyFileError

    shipped = next(f for f in scenario_files() if f.name == "p2_1_c_annuity_support.yaml")
    text = shipped.read_text(encoding="utf-8")
    line = text[: text.index("annuities_paid: 12600")].count("\n") + 1
    path = tmp_path / "misspelt.yaml"
    path.write_text(text.replace("annuities_paid: 12600", "annuities_payd: 12600", 1), encoding="utf-8")
    with pytest.raises(PolicyFileError) as refused:
        load_scenarios(path)
    message = refused.value.render("zh_CN")
    assert message.startswith(f"misspelt.yaml 第 {line} 行：未知的字段“annuities_payd”")
    assert "annuities_paid" in message


def test_every_shipped_cn_number_passes_its_check_digit() -> None:
    """The scenarios are read by officers as examples of real records: each CN application
    number in them is one the import would accept."""
    from ipcity.registry.numbers import parse_application_number

    numbers = [
        p.number
        for f in scenario_files()
        for sc in load_scenarios(f)
        for p in sc.snapshot.patents
        if p.jurisdiction == "CN"
    ]
    assert len(numbers) > 30
    for number in numbers:
        parse_application_number(number)


@pytest.mark.parametrize(
    ("shipped_name", "field", "good", "bad", "expected"),
    [
        ("p2_1_c_annuity_support.yaml", "number", "CN201110000002.7", "CN201110000002.6", "7"),
        ("p2_2_patent_awards.yaml", "patent", "CN201210000032.2", "CN201210000032.6", "2"),
    ],
)
def test_a_cn_number_with_a_wrong_check_digit_is_refused_with_its_line(
    tmp_path: Path, shipped_name: str, field: str, good: str, bad: str, expected: str
) -> None:
    """A patent's ``number`` or an award's ``patent`` written with a wrong check digit is
    refused at load, at its line, with the digit it should have, in either language."""
    from ipcity.policy.loader import PolicyFileError

    shipped = next(f for f in scenario_files() if f.name == shipped_name)
    text = shipped.read_text(encoding="utf-8")
    written = f"{field}: {good}"
    line = text[: text.index(written)].count("\n") + 1
    path = tmp_path / "wrong_digit.yaml"
    path.write_text(text.replace(written, f"{field}: {bad}", 1), encoding="utf-8")
    with pytest.raises(PolicyFileError) as refused:
        load_scenarios(path)
    assert refused.value.line == line
    assert refused.value.render("zh_CN") == (
        f"wrong_digit.yaml 第 {line} 行：{field} 不是有效的中国专利申请号："
        f"申请号 {bad} 的校验位应为 {expected}，实际为 6"
    )
    assert "check digit" in refused.value.render("en")
