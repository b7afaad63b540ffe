"""The policy's refusals read in English on an English page: the field, the action and the
accepted values named in English, no Chinese word left in the sentence."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ipcity.errors import ValidationFailed
from ipcity.policy import applications, workflow

CJK = re.compile(r"[\u3400-\u9fff]")


def _refused(kind_id: str, field_kind: str, value: str) -> ValidationFailed:
    """The refusal of an application of ``kind_id`` whose field of ``field_kind`` is ``value``
    (every other field filled)."""
    kind = applications.KINDS[kind_id]
    field = next(f for f in kind.fields if f.kind == field_kind)
    values = {f.name: "2019-05-07" if f.kind == "date" else "x" for f in kind.fields}
    with pytest.raises(ValidationFailed) as refused:
        applications._clean(kind, {**values, field.name: value})
    assert field.label in refused.value.render("zh_CN")
    return refused.value


def test_a_form_field_and_its_choices_are_named_in_english() -> None:
    english = _refused("insurance_policy", "yuan", "8,000.50").render("en")
    assert "8,000.50" in english and not CJK.search(english), english
    english = _refused("award", "choice", "gold").render("en")
    assert "gold" in english and " or " in english and not CJK.search(english), english


def test_an_action_without_its_reason_and_an_unknown_status_are_said_in_english(session: Any) -> None:
    from ipcity.auth.roles import SYSTEM

    with pytest.raises(ValidationFailed) as refused:
        workflow._clean_reason("object", "  ")
    assert refused.value.render("en") == "“Raise an objection” needs a reason"
    assert refused.value.render("zh_CN") == "“提出异议”需要填写理由"
    with pytest.raises(ValidationFailed) as refused:
        workflow.cases(session, SYSTEM, status="bogus")
    english = refused.value.render("en")
    assert "bogus" in english and "(in_notice)" in english and not CJK.search(english), english
    assert "（in_notice）" in refused.value.render("zh_CN")
