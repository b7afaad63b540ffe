"""English pages speak English around their Chinese-first texts: the role named in a
refusal, recognitions on a holder's page, ASCII brackets where a phrase is bracketed; the
anonymous public is named as such in the audit log, in either language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipcity_testing import login
from policy_exports_world import make_holder
from sqlalchemy.orm import Session, sessionmaker

from ipcity.registry.models import HolderTier


def test_a_refusal_names_the_role_in_english(client: Any, make_user: Callable[..., str]) -> None:
    make_user("city_officer", "officer-words")
    login(client, "officer-words")
    page = client.get("/users?lang=en")
    assert page.status_code == 403
    assert "Your account (City IP officer) is not allowed to do this" in page.text


def test_a_holder_page_in_english(client: Any, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        holder = make_holder(s, "鹤壁甲科技有限公司", "410611")
        s.add(HolderTier(holder_id=holder.id, tier="国家知识产权优势企业", year=2024))
        s.commit()
        hid = holder.id
    english = client.get(f"/holders/{hid}?lang=en").text
    assert "National IP-advantage enterprise (2024)" in english
    assert "国家知识产权优势企业" not in english and "Patents (0)" in english
    chinese = client.get(f"/holders/{hid}?lang=zh").text
    assert "国家知识产权优势企业（2024）" in chinese and "专利（0）" in chinese


def test_the_about_page_uses_ascii_brackets_in_english(client: Any) -> None:
    assert "/docs</a> (OpenAPI)." in client.get("/about?lang=en").text
    assert "/docs</a>（OpenAPI）。" in client.get("/about?lang=zh").text


def test_the_public_is_named_in_the_audit_log(client: Any, make_user: Callable[..., str]) -> None:
    make_user("admin", "admin-words")
    login(client, "nobody-here", "wrong-password")  # a failed login: the public's entry
    login(client, "admin-words")
    chinese = client.get("/audit?lang=zh").text
    english = client.get("/audit?lang=en").text
    assert "<td>公众</td>" in chinese and "<td>public</td>" not in chinese
    assert "<td>Public</td>" in english
