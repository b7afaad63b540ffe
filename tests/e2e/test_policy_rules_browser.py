"""Browser check of the policy's rule pages, open to the public: the list of rules with their
clauses, and one rule (P2.1-c) with the clause quoted from the policy text, its parameters
over time and its scenarios, in Chinese and in English. Screenshots under
``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity.policy.clauses import CLAUSES
from ipcity.policy.loader import shipped_policy

Shot = Callable[[Any, str], Path]


def test_the_rules_and_one_rule_in_the_browser(page: Any, screenshot: Shot) -> None:
    policy = shipped_policy()
    page.goto("/policy")
    listed = page.locator("main table.data tbody tr, table.data tbody tr")
    assert listed.count() == len(policy.rules)
    assert "有效发明专利年费支持" in page.inner_text("body")
    screenshot(page, "70-policy-rules")

    page.click("a[href='/policy/rules/P2.1-c']")
    page.wait_for_url("**/policy/rules/P2.1-c")
    # The clause quoted (test_policy_loader checks the quotes against the policy text).
    quote = page.inner_text("blockquote")
    assert CLAUSES["P2.1-c"].quote in quote and "P2.1-c" in quote
    rows = page.locator("table.data").first.locator("tbody tr")
    values = {r.locator("td").nth(1).inner_text(): r.locator("td").last.inner_text() for r in rows.all()}
    assert values == {"annuity_support_cap": "10,000", "annuity_support_years": "6"}
    # Four scenarios: the 6-year support, the anniversary not yet come (not due), a grant on
    # 29 February, and the span lengthened to 7 years (once per patent).
    assert page.locator("details.scenario").count() == 4
    scenario = page.locator("details.scenario").first
    assert scenario.locator("summary .badge").inner_text() == "通过"
    scenario.locator("summary").click()
    # The input as the scenario file writes it: the five patents, the lapsed one among them.
    patents = scenario.locator("table.scenario-input").nth(1)
    assert patents.locator("caption").inner_text().startswith("专利")
    assert patents.locator("tbody tr").count() == 5
    assert "2018-05-01" in patents.locator("tbody tr").nth(2).inner_text()
    # What the engine computes from it, explained, each marked as expected.
    results = scenario.locator("table.scenario-result tbody tr")
    assert results.count() == 3
    first = results.first.locator("td").all_inner_texts()
    assert first[:5] == ["P2.1-c", "CN201110000001.2", "鹤壁维持公司", "10,000", "应享受"]
    assert "实际缴纳年费12600元" in first[5] and first[6] == "符合预期"
    assert not page.js_errors
    screenshot(page, "71-policy-rule-annuity")

    page.goto("/policy/rules/P2.1-c?lang=en")
    assert "Annuity support for invention patents in force 6 years" in page.inner_text("h1")
    assert "Parameters over time" in page.inner_text("body")
    page.locator("details.scenario summary").first.click()
    row = page.locator("table.scenario-result tbody tr").first.locator("td").all_inner_texts()
    assert row[4:] == [
        "Eligible",
        "Under P2.1-c: invention patent CN201110000001.2 granted on 2013-03-01, in force 6 years on "
        "2019-03-01; annuities paid 12,600 yuan, min(paid, 10,000 yuan) = 10,000 yuan",
        "as expected",
    ]
    screenshot(page, "72-policy-rule-annuity-en")
