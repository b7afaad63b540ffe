"""Roles, permissions and region scope — pure logic, checked by every service.

Roles (from the foundation issue):

* ``admin`` – everything, including users;
* ``city_officer`` – every record of the city; imports; audit;
* ``county_officer`` – sees and changes only its own county's records (``region_code``);
* ``enterprise`` – bound to one holder: sees that holder's non-public data;
* ``public`` – anonymous: the open registry only (P2.8 opens the basic data to the public).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.errors import NotAuthenticated, PermissionDenied

ROLES = ("admin", "city_officer", "county_officer", "enterprise", "public")

ROLE_LABELS = {
    "admin": "系统管理员",
    "city_officer": "市级知识产权管理人员",
    "county_officer": "县区知识产权管理人员",
    "enterprise": "企业用户",
    "public": "公众",
}

# permission -> roles that hold it. Region and holder scope are checked on top of this.
PERMISSIONS: dict[str, frozenset[str]] = {
    "registry.read": frozenset(ROLES),
    "registry.read_private": frozenset({"admin", "city_officer", "county_officer", "enterprise"}),
    "registry.import_patents": frozenset({"admin", "city_officer"}),
    "registry.import_scoped": frozenset({"admin", "city_officer", "county_officer"}),
    "registry.edit_holder": frozenset({"admin", "city_officer", "county_officer"}),
    # The receiving account of a holder (registry/payee.py): officers in scope, or the
    # enterprise user bound to the holder.
    "registry.edit_payee_account": frozenset({"admin", "city_officer", "county_officer", "enterprise"}),
    "registry.import_history": frozenset({"admin", "city_officer", "county_officer"}),
    "places.edit": frozenset({"admin", "city_officer"}),
    # The dishonesty list (P3.2): listing and removal are the city's decisions.
    "protection.credit_manage": frozenset({"admin", "city_officer"}),
    "audit.read": frozenset({"admin", "city_officer"}),
    # The county assessment (P4.2) is the government's internal work: officers only.
    "indicators.assessment": frozenset({"admin", "city_officer", "county_officer"}),
    "users.manage": frozenset({"admin"}),
    # From entitlement to payment (policy/workflow.py); region and holder scope on top.
    "policy.case_read": frozenset({"admin", "city_officer", "county_officer", "enterprise"}),
    "policy.propose": frozenset({"admin", "city_officer"}),
    "policy.confirm": frozenset({"admin", "enterprise"}),  # admin: for an enterprise without an account
    "policy.county_review": frozenset({"admin", "county_officer"}),
    "policy.city_review": frozenset({"admin", "city_officer"}),
    "policy.reject": frozenset({"admin", "city_officer", "county_officer"}),
    "policy.approve": frozenset({"admin", "city_officer"}),
    "policy.pay": frozenset({"admin", "city_officer"}),
    # The payment list of a year (policy/exports.py): officers; a county officer its own county.
    "policy.payments_read": frozenset({"admin", "city_officer", "county_officer"}),
    "policy.budget": frozenset({"admin", "city_officer"}),
    "policy.budget_read": frozenset({"admin", "city_officer", "county_officer"}),
    "policy.apply": frozenset({"enterprise"}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user or the anonymous public."""

    username: str
    role: str
    user_id: int | None = None
    region_code: str | None = None
    holder_id: int | None = None
    display_name: str | None = None

    @property
    def is_authenticated(self) -> bool:
        """True for a logged-in user."""
        return self.role != "public"

    @property
    def is_officer(self) -> bool:
        """Admins and city or county officers."""
        return self.role in {"admin", "city_officer", "county_officer"}


PUBLIC = Actor(username="public", role="public")
SYSTEM = Actor(username="system", role="admin")


def can(actor: Actor, permission: str) -> bool:
    """Whether the actor's role holds ``permission`` (no scope check)."""
    return actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: str) -> None:
    """Raise unless the actor's role holds ``permission``.

    >>> require(SYSTEM, "users.manage")
    """
    if can(actor, permission):
        return
    if not actor.is_authenticated:
        raise NotAuthenticated("请先登录")
    from ipcity.i18n import Bilingual

    # The role by its name in the reader's language (an English page says "Enterprise user").
    role = Bilingual.of(ROLE_LABELS.get(actor.role, actor.role))
    raise PermissionDenied("当前账号（{role}）无权执行此操作", role=role)


def in_region_scope(actor: Actor, region_code: str | None) -> bool:
    """Whether a record of ``region_code`` lies within the actor's region scope.

    A county officer's scope is its own county; everyone else with officer rights sees the city.
    """
    if actor.role != "county_officer":
        return True
    return region_code is not None and region_code == actor.region_code


def require_region(actor: Actor, region_code: str | None) -> None:
    """Raise :class:`PermissionDenied` when a county officer reaches outside its county."""
    if not in_region_scope(actor, region_code):
        from ipcity.i18n import Bilingual

        raise PermissionDenied(
            "县区账号只能查看和修改本县区（{own}）的记录，该记录属于 {other}",
            own=actor.region_code or "-",
            # Words, not a code: an English page must not carry the Chinese.
            other=region_code or Bilingual("未归属地区", "no county"),
        )


def sees_every_holder(actor: Actor) -> bool:
    """Whether the actor may see the non-public data of every holder (admin, city officer):
    a list of many holders' data need not be filtered for it."""
    return actor.role in {"admin", "city_officer"}


def may_see_private(actor: Actor, holder_id: int | None, region_code: str | None) -> bool:
    """Non-public data of a holder: officers in scope, or the enterprise user bound to it."""
    if sees_every_holder(actor):
        return True
    if actor.role == "county_officer":
        return in_region_scope(actor, region_code)
    if actor.role == "enterprise":
        return holder_id is not None and actor.holder_id == holder_id
    return False
