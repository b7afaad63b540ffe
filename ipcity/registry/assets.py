"""The other registers of P2.5 and P2.8 — trademarks, copyrights, plant-variety rights and
geographical indications — listed, filtered and exported the same way for each kind.

Each register is described once (:data:`REGISTERS`): its table, the columns shown, the
text columns searched and its kind-specific filter, so the service, the API and the pages
need no per-kind code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from ipcity.auth.roles import Actor, require
from ipcity.errors import NotFound, ValidationFailed
from ipcity.i18n import DEFAULT_LOCALE, gettext
from ipcity.office import stream_table_bytes
from ipcity.places.models import Region
from ipcity.places.names import place_name
from ipcity.registry.models import Copyright, GeographicalIndication, Holder, PlantVariety, Trademark
from ipcity.registry.numbers import half_width, registration_number
from ipcity.registry.service import (
    MAX_PER_PAGE,
    ChoiceFailed,
    asset_region,
    check_region,
    region_condition,
)
from ipcity.web.paging import Pager


@dataclass(frozen=True)
class Column:
    """A column of a register list: attribute, Chinese and English header."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Register:
    """How one register is listed."""

    kind: str
    model: Any
    name_zh: str
    name_en: str
    number: str  # the attribute holding the registration number
    searched: tuple[str, ...]  # attributes matched by the search words
    columns: tuple[Column, ...]
    category: str | None = None  # attribute filtered by ``category``
    categories: dict[str, str] | None = None  # value -> Chinese label
    date_attr: str | None = None  # attribute filtered by ``year``
    clause: str = "P2.5"
    labels: dict[str, dict[str, str]] | None = None  # other coded columns: value -> Chinese label


TRADEMARK_TYPES = {
    "ordinary": "普通商标",
    "collective": "集体商标",
    "certification": "证明商标",
    "gi_certification": "地理标志证明商标",
    "gi_collective": "地理标志集体商标",
}
# The statuses the trademarks template stores (importers.templates.TRADEMARK_STATUSES).
TRADEMARK_STATUSES = {
    "registered": "已注册",
    "pending": "申请中",
    "invalidated": "已无效",
    "cancelled": "已注销",
    "revoked": "已撤销",
    "expired": "期满未续展",
}
COPYRIGHT_CATEGORIES = {"software": "计算机软件", "work": "作品"}
# Keyed by the values the importers store (records.GIKind), so that a filter finds them.
GI_KINDS = {
    "protected_product": "地理标志产品",
    "gi_certification_mark": "地理标志证明商标",
    "gi_collective_mark": "地理标志集体商标",
    "agricultural_product": "农产品地理标志",
}

REGISTERS: dict[str, Register] = {
    "trademarks": Register(
        "trademarks",
        Trademark,
        "注册商标",
        "Trademarks",
        "registration_number",
        ("mark", "registration_number"),
        (
            Column("registration_number", "注册号", "Registration number"),
            Column("mark", "商标", "Mark"),
            Column("mark_type", "类型", "Type"),
            Column("nice_classes", "尼斯分类", "Nice classes"),
            Column("registration_date", "注册日", "Registered"),
            Column("expiry_date", "专用权期限至", "Valid until"),
            Column("well_known_date", "驰名商标认定日", "Well-known since"),
            # A cancelled or lapsed mark is listed with the others: its status says so.
            Column("status", "状态", "Status"),
        ),
        category="mark_type",
        categories=TRADEMARK_TYPES,
        date_attr="registration_date",
        labels={"status": TRADEMARK_STATUSES},
    ),
    "copyrights": Register(
        "copyrights",
        Copyright,
        "著作权登记",
        "Copyright registrations",
        "registration_number",
        ("title", "registration_number"),
        (
            Column("registration_number", "登记号", "Registration number"),
            Column("title", "名称", "Title"),
            Column("category", "类别", "Category"),
            Column("registration_date", "登记日", "Registered"),
        ),
        category="category",
        categories=COPYRIGHT_CATEGORIES,
        date_attr="registration_date",
        clause="P2.8",
    ),
    "plant-varieties": Register(
        "plant-varieties",
        PlantVariety,
        "植物新品种权",
        "Plant-variety rights",
        "right_number",
        ("variety", "crop", "right_number"),
        (
            Column("right_number", "品种权号", "Right number"),
            Column("crop", "作物", "Crop"),
            Column("variety", "品种名称", "Variety"),
            Column("grant_date", "授权日", "Granted"),
        ),
        date_attr="grant_date",
    ),
    "gis": Register(
        "gis",
        GeographicalIndication,
        "地理标志",
        "Geographical indications",
        "registration_number",
        ("name", "registration_number"),
        (
            Column("registration_number", "登记号", "Registration number"),
            Column("name", "名称", "Name"),
            Column("kind", "类型", "Kind"),
            Column("region_code", "地区", "Region"),
            Column("registration_date", "登记日", "Registered"),
        ),
        category="kind",
        categories=GI_KINDS,
        date_attr="registration_date",
    ),
}


class AssetRow(BaseModel):
    """One entry of a register, with its holder."""

    id: int
    number: str
    values: dict[str, Any]
    holder_id: int | None
    holder: str | None
    holder_region: str | None
    is_sample: bool


class AssetPage(BaseModel):
    """One page of a register."""

    kind: str
    total: int
    page: int
    per_page: int
    items: list[AssetRow]


def get_register(kind: str) -> Register:
    """The register description of ``kind`` (trademarks, copyrights, plant-varieties, gis)."""
    found = REGISTERS.get(kind)
    if found is None:
        raise NotFound("没有名为 {kind} 的登记簿；可用：{kinds}", kind=kind, kinds=", ".join(REGISTERS))
    return found


def search_words(q: str | None) -> list[str]:
    """The words of a register search: the text made half-width (what a Chinese input method
    types, ``numbers.half_width``), split at spaces (the ideographic one too); a word without
    a letter or digit (``-``, ``，``, ``%``) is dropped, since in a name or a number it would
    match nearly everything (every ``豫作登字-…`` has a ``-``) rather than what was meant.

    >>> search_words("澄策　管理系统"), search_words("９８４ ９６９"), search_words(" - 100%_ ")
    (['澄策', '管理系统'], ['984', '969'], ['100%_'])
    >>> search_words("，%")
    []
    """
    return [word for word in half_width(q or "").split() if any(c.isalnum() for c in word)]


def words_condition(register: Register, q: str) -> Any:
    """SQL: the entries of ``register`` that a search text finds, as the patent search treats
    words: every word (:func:`search_words`) found somewhere in the name or the number, Latin
    letters in any case; or, when the text is a number typed with spaces or in full width
    (``984 969 487``, ``CNA 20209263.1``), the entries whose number holds it as the registry
    spells it (``numbers.registration_number``). A text with no word finds nothing, not the
    whole register."""
    model = register.model
    words = search_words(q)
    if not words:
        return false()
    # The words are text, not a pattern: "%" and "_" match themselves (autoescape).
    # icontains is lower() on both sides: case-blind on SQLite and PostgreSQL alike (SQLite's
    # LIKE is case-blind for ASCII already, PostgreSQL's is not).
    found = and_(
        *(
            or_(*(getattr(model, attr).icontains(word, autoescape=True) for attr in register.searched))
            for word in words
        )
    )
    number = registration_number(q)
    if len(words) > 1 and any(c.isdecimal() for c in number):
        found = or_(found, getattr(model, register.number).contains(number, autoescape=True))
    return found


def _conditions(
    register: Register,
    q: str | None,
    category: str | None,
    region: str | None,
    year: int | None,
    holder_id: int | None,
) -> list[Any]:
    model = register.model
    conditions: list[Any] = []
    if q and q.strip():
        conditions.append(words_condition(register, q))
    if category:
        if register.category is None or not register.categories:
            raise ValidationFailed("该登记簿不按类别筛选，收到：{value}", value=category)
        if category not in register.categories:
            raise ChoiceFailed(
                "类别应为 {expected} 之一，收到：{value}", choices=register.categories, value=category
            )
        conditions.append(getattr(model, register.category) == category)
    if year is not None:
        if register.date_attr is None or not 1949 <= year <= 2100:
            raise ValidationFailed("年份应在1949到2100之间，收到：{value}", value=year)
        column = getattr(model, register.date_attr)
        conditions.append(column >= date(year, 1, 1))
        conditions.append(column <= date(year, 12, 31))
    if region:
        conditions.append(region_condition(asset_region(model), region))
    if holder_id is not None:
        conditions.append(model.holder_id == holder_id)
    return conditions


def list_assets(
    session: Session,
    actor: Actor,
    kind: str,
    q: str | None = None,
    category: str | None = None,
    region: str | None = None,
    year: int | None = None,
    holder_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
    limit: int | None = None,
    *,
    clamp: bool = False,
) -> AssetPage:
    """A page of a register, newest first, filtered by words (:func:`words_condition`),
    category, holder region, year, holder (refused when no holder has that id). A page past
    the last answers no rows with the total, or with ``clamp`` the last page (the pages'
    rule, ``web.paging.Pager``)."""
    require(actor, "registry.read")
    register = get_register(kind)
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("页码应不小于1，每页条数应在1到{max}之间", max=MAX_PER_PAGE)
    model = register.model
    if region:
        region = check_region(session, region)
    if holder_id is not None and session.get(Holder, holder_id) is None:
        # As an unknown region is refused: a filter by no holder would list nothing, which
        # reads as "this holder has none" instead of "no such holder".
        raise ValidationFailed("权利人ID {value} 不存在", value=holder_id)
    conditions = _conditions(register, q, category, region, year, holder_id)
    base = select(model, Holder.name, Holder.region_code).outerjoin(Holder, Holder.id == model.holder_id)
    total = (
        session.scalar(
            select(func.count())
            .select_from(model)
            .outerjoin(Holder, Holder.id == model.holder_id)
            .where(*conditions)
        )
        or 0
    )
    if clamp:
        page = Pager.of(page, total=total, per_page=per_page).page
    # Newest first, undated last on both databases (PostgreSQL puts NULL first in DESC).
    order = getattr(model, register.date_attr).desc().nulls_last() if register.date_attr else model.id.desc()
    query = base.where(*conditions).order_by(order, model.id.desc())
    query = query.limit(limit) if limit is not None else query.limit(per_page).offset((page - 1) * per_page)
    items = [
        AssetRow(
            id=row.id,
            number=getattr(row, register.number),
            values={c.key: getattr(row, c.key) for c in register.columns},
            holder_id=row.holder_id,
            holder=holder_name,
            holder_region=holder_region,
            is_sample=row.is_sample,
        )
        for row, holder_name, holder_region in session.execute(query)
    ]
    return AssetPage(kind=kind, total=total, page=page, per_page=per_page, items=items)


def display_value(register: Register, key: str, value: Any, locale: str = DEFAULT_LOCALE) -> str:
    """A cell as shown in a page or an export: a category's label in the reader's language
    (a value without a label as stored), lists joined.

    >>> display_value(REGISTERS["trademarks"], "mark_type", "ordinary")
    '普通商标'
    >>> display_value(REGISTERS["trademarks"], "mark_type", "ordinary", "en")
    'Ordinary trademark'
    >>> display_value(REGISTERS["trademarks"], "status", "cancelled")
    '已注销'
    """
    if value is None:
        return ""
    if isinstance(value, list):
        return ("、" if locale == DEFAULT_LOCALE else ", ").join(str(v) for v in value)
    labels = register.categories if key == register.category else (register.labels or {}).get(key)
    if labels:
        label = labels.get(value)
        return gettext(label, locale) if label else str(value)
    return str(value)


def export_assets(
    session: Session,
    actor: Actor,
    kind: str,
    fmt: Literal["csv", "xlsx"],
    locale: str = "zh_CN",
    **filters: Any,
) -> bytes:
    """A whole filtered register (up to 100,000 entries) as CSV (UTF-8 with BOM) or XLSX."""
    register = get_register(kind)
    result = list_assets(session, actor, kind, limit=100_000, **filters)
    header = [c.en if locale == "en" else c.zh for c in register.columns] + [gettext("权利人", locale)]
    names = region_names(session) if any(c.key == "region_code" for c in register.columns) else {}

    def cell(key: str, value: Any) -> Any:
        # A date stays a date in a workbook (Excel sorts and filters it as one; a CSV writes
        # it as ISO text); a region is named, as the page names it.
        if isinstance(value, date) and fmt == "xlsx":
            return value
        if key == "region_code" and value:
            return place_name(names.get(value), locale) or value
        return display_value(register, key, value, locale)

    rows = [
        [cell(c.key, item.values[c.key]) for c in register.columns] + [item.holder or ""]
        for item in result.items
    ]
    return stream_table_bytes(header, rows, fmt, register.name_en if locale == "en" else register.name_zh)


def region_names(session: Session) -> dict[str, str]:
    """Names of the regions holders are attributed to (for lists)."""
    return dict(session.execute(select(Region.code, Region.name).where(Region.level != "province")).all())
