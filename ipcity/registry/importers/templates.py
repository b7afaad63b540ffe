"""Import templates for the kinds no commercial export covers: trademarks, copyrights,
plant-variety rights, geographical indications (P2.5), holders and resident population.

Officers fill these in Excel. Each template has the canonical fields of
:data:`~ipcity.registry.importers.fields.CANONICAL_FIELDS` as Chinese headers (English
accepted), one example row whose 序号 is 示例 (skipped on import, so a file that still has
it imports cleanly), and a second sheet 说明 explaining every column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from ipcity import clock
from ipcity.errors import InvalidNumber, ValidationFailed
from ipcity.i18n import Bilingual, gettext
from ipcity.registry.importers.fields import CANONICAL_FIELDS, KIND_NAMES, header_key
from ipcity.registry.importers.patents import (
    MAX_NAME,
    MSG_AFTER_TODAY,
    MSG_CELL_TOO_LONG,
    MSG_REQUIRED,
    MSG_SHORT_ROW,
    bad_date_message,
    date_order_error,
    number_error,
)
from ipcity.registry.importers.values import BAD, parse_date_or_bad
from ipcity.registry.normalize import normalize_name
from ipcity.registry.numbers import (
    half_width,
    parse_application_number,
    parse_pct_number,
    parse_uscc,
    registration_number,
)
from ipcity.registry.payee import PayeeAccount, check_account
from ipcity.registry.records import (
    AwardRecord,
    CertificateRecord,
    CopyrightRecord,
    GIRecord,
    HolderRecord,
    InsurancePolicyRecord,
    PctApplicationRecord,
    PlantVarietyRecord,
    PledgeLoanRecord,
    PopulationRecord,
    RowError,
    TrademarkRecord,
)

__all__ = [
    "EXAMPLE_LABEL",
    "HOLDER_KINDS",
    "HOLDER_TAGS",
    "HOLDER_TIERS",
    "TemplateRowParser",
    "write_template_xlsx",
]

EXAMPLE_LABEL = "示例"
ROW_LABEL_HEADER = "序号"

MSG_REGION = "行政区划代码「{value}」应为 6 位数字，如 410611（鹤壁市淇滨区）。"
MSG_YEAR = "年份「{value}」应为 1949 至 2100 之间的整数。"
MSG_RESIDENTS = "常住人口「{value}」应为正整数（单位：人）。"
MSG_RESIDENTS_TOO_MANY = "常住人口「{value}」过大：应不超过 {max} 人。"
# More than China's whole population (some 1.41 billion): a slip, and more than the column holds.
MAX_RESIDENTS = 2_000_000_000
MSG_CHOICE = "「{value}」不是可接受的{label}；应为：{accepted}。"
MSG_NICE = "尼斯分类「{value}」应为 1 至 45 之间的类号，多个用 ; 分隔。"
MSG_TIER = "资质「{value}」应写成 资质名称:年份，如 国家知识产权优势企业:2019；资质名称应为：{accepted}。"
MSG_UNKNOWN_KIND = (
    "未知的导入类型「{kind}」；应为 patents、trademarks、copyrights、plant-varieties、gis、holders、population、"
    "awards、certificates、pledge-loans、insurance-policies 或 pct-applications。"
)
MSG_HOLDER_NAME = "权利人「{value}」不是名称；应填写获得者的全称。"
MSG_YUAN = "金额「{value}」应为不小于 0 的整数（单位：元）。"
MSG_COST_YEAR = "填写了费用却没有「{column}」；费用必须写明所属年度。"

HOLDER_KINDS: dict[str, str] = {
    "企业": "enterprise",
    "公司": "enterprise",
    "高校": "university",
    "大学": "university",
    "高等院校": "university",
    "科研院所": "institute",
    "科研机构": "institute",
    "研究院所": "institute",
    "个人": "individual",
    "其他": "other",
    "其它": "other",
}

# Tags that rules read (P2.1-f: incubated SMEs come first; P2.1-e: software enterprises).
HOLDER_TAGS: dict[str, str] = {
    "中小企业": "sme",
    "中小微企业": "sme",
    "小微企业": "sme",
    "科技型中小企业": "tech_sme",
    "高新技术企业": "high_tech",
    "孵化器在孵": "incubated",
    "众创空间在孵": "incubated",
    "在孵企业": "incubated",
    "规模以上工业企业": "above_scale",
    "软件企业": "software",
}

# Recognitions with a year (P2.3, P5.1).
HOLDER_TIERS: dict[str, str] = {
    "国家知识产权示范企业": "national_ip_demonstration",
    "国家知识产权优势企业": "national_ip_advantage",
    "省知识产权强企": "provincial_ip_strong",
    "省级知识产权强企": "provincial_ip_strong",
    "市知识产权示范企业": "municipal_ip_demonstration",
    "市级知识产权示范企业": "municipal_ip_demonstration",
    "贯标": "gbt29490",
    "贯标认证": "gbt29490",
    "GB/T 29490": "gbt29490",
    "GB/T29490": "gbt29490",
}

TRADEMARK_TYPES: dict[str, str] = {
    "普通": "ordinary",
    "普通商标": "ordinary",
    "集体": "collective",
    "集体商标": "collective",
    "证明": "certification",
    "证明商标": "certification",
    "地理标志证明商标": "gi_certification",
    "地理标志集体商标": "gi_collective",
}

TRADEMARK_STATUSES: dict[str, str] = {
    "注册": "registered",
    "已注册": "registered",
    "有效": "registered",
    "申请中": "pending",
    "初审公告": "pending",
    "等待实质审查": "pending",
    "无效": "invalidated",
    "已无效": "invalidated",
    "注销": "cancelled",
    "已注销": "cancelled",
    "撤销": "revoked",
    "已撤销": "revoked",
    "期满未续展": "expired",
    "已过期": "expired",
}

COPYRIGHT_CATEGORIES: dict[str, str] = {
    "软件": "software",
    "计算机软件": "software",
    "软件著作权": "software",
    "作品": "work",
    "作品著作权": "work",
}

# The award levels of P2.2, as award lists write them (ids: policy.formulas.AWARD_LABELS).
AWARD_LEVELS: dict[str, str] = {
    "中国专利金奖": "china_gold",
    "中国专利优秀奖": "china_excellence",
    "省专利奖特等奖": "provincial_special",
    "河南省专利奖特等奖": "provincial_special",
    "省专利奖一等奖": "provincial_first",
    "河南省专利奖一等奖": "provincial_first",
    "省专利奖二等奖": "provincial_second",
    "河南省专利奖二等奖": "provincial_second",
    "省专利奖三等奖": "provincial_third",
    "河南省专利奖三等奖": "provincial_third",
}

GI_KINDS: dict[str, str] = {
    "地理标志产品": "protected_product",
    "地理标志保护产品": "protected_product",
    "地理标志证明商标": "gi_certification_mark",
    "地理标志集体商标": "gi_collective_mark",
    "农产品地理标志": "agricultural_product",
}


# The English names of the choices' field labels (MSG_CHOICE's {label}).
CHOICE_LABELS_EN: dict[str, str] = {
    "主体类型": "holder type",
    "标签": "holder tag",
    "商标类型": "trademark type",
    "商标状态": "trademark status",
    "登记类别": "registration category",
    "地理标志类型": "geographical-indication type",
    "奖项": "award level",
}


def _label(label: str) -> Bilingual:
    return Bilingual(label, CHOICE_LABELS_EN.get(label, label))


def _accepted(table: dict[str, str]) -> Bilingual:
    """The accepted values of a choice: its Chinese spellings (Chinese), or each value's
    English name with the spellings that give it as examples (English).

    >>> _accepted({"普通": "ordinary", "普通商标": "ordinary", "软件企业": "software"}).en
    'Ordinary trademark (“普通”, “普通商标”), software enterprise (“软件企业”)'
    """
    spellings: dict[str, list[str]] = {}
    for text, value in table.items():
        spellings.setdefault(value, []).append(text)
    english = ", ".join(
        f"{_english_name(value, texts)} ({', '.join(f'“{t}”' for t in texts)})"
        for value, texts in spellings.items()
    )
    return Bilingual("、".join(table), english)


# English names of the holder tags, which no page names in the catalogue.
_VALUE_NAMES_EN = {
    "sme": "SME",
    "tech_sme": "technology-based SME",
    "high_tech": "high-tech enterprise",
    "incubated": "incubated enterprise",
    "above_scale": "industrial enterprise above designated size",
    "software": "software enterprise",
}


def _english_name(value: str, texts: list[str]) -> str:
    # The catalogue's English for the longest spelling that has one (普通商标 before 普通),
    # else a name given here, else the identifier the importers store (a file may give it).
    for text in sorted(texts, key=len, reverse=True):
        english = gettext(text, "en")
        if english != text:
            return english
    return _VALUE_NAMES_EN.get(value, value.replace("_", " "))


class _Row:
    """The cells of one template row by field, and the errors found so far."""

    __slots__ = ("cells", "columns", "errors", "header", "row")

    def __init__(self, row: int, header: Sequence[str], columns: dict[str, int], cells: list[str]) -> None:
        self.row = row
        self.header = header
        self.columns = columns
        self.cells = cells
        self.errors: list[RowError] = []

    def column(self, name: str) -> str:
        return self.header[self.columns[name]]

    def text(self, name: str) -> str:
        i = self.columns.get(name, -1)
        return self.cells[i].strip() if i >= 0 else ""

    def fail(self, name: str, reason: str, **params: str) -> None:
        self.errors.append(
            RowError(self.row, self.column(name), self.text(name), reason, tuple(params.items()))
        )

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value and name in self.columns:
            self.fail(name, MSG_REQUIRED, column=self.column(name))
        return value

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def number(self, name: str) -> str:
        """The row's registration number (required), in the one spelling the registry
        keys it by (:func:`~ipcity.registry.numbers.registration_number`)."""
        return registration_number(self.required(name))

    def date(self, name: str) -> dt.date | None:
        value = parse_date_or_bad(self.text(name))
        if value is BAD:
            self.fail(name, bad_date_message(self.text(name)), value=self.text(name))
            return None
        return value  # type: ignore[return-value]

    def past_date(self, name: str) -> dt.date | None:
        """A date of something that has happened (a filing, a registration, a grant): one
        after today (in the city) is a typo or a date not yet come, refused; an expiry
        date is read with :meth:`date`."""
        value = self.date(name)
        today = clock.today()
        if value is not None and value > today:
            self.fail(name, MSG_AFTER_TODAY, value=self.text(name), today=today.isoformat())
            return None
        return value

    def not_before(
        self, name: str, value: dt.date | None, earlier_name: str, earlier: dt.date | None
    ) -> None:
        """Refuse ``name``'s date when it lies before ``earlier_name``'s (both given)."""
        if value is not None and earlier is not None and value < earlier:
            self.errors.append(
                date_order_error(
                    self.row,
                    self.column(name),
                    self.text(name),
                    self.column(earlier_name),
                    self.text(earlier_name),
                )
            )

    def choice(self, name: str, table: dict[str, str], label: str, default: str | None = None) -> str | None:
        value = self.text(name)
        if not value:
            return default
        found = table.get(value)
        if found is None and value in table.values():
            found = value  # the English identifier itself
        if found is None:
            self.fail(name, MSG_CHOICE, value=value, label=_label(label), accepted=_accepted(table))
        return found

    def region(self, name: str) -> str | None:
        # Full-width digits (４１０６１１) are the code a Chinese input method types; the
        # register's region filter reads them so too. Other digits (٤, ①) are not.
        value = half_width(self.text(name))
        if not value:
            return None
        whole, dot, fraction = value.partition(".")
        if dot and whole and fraction.strip("0") == "":
            # 410611.0: a code typed in a number cell, written out as a decimal by the
            # spreadsheet or by the tool that made the CSV (a year 2019.0 is read so too).
            value = whole
        if len(value) != 6 or not value.isascii() or not value.isdecimal():
            self.fail(name, MSG_REGION, value=self.text(name))
            return None
        return value


def _split_list(text: str) -> list[str]:
    for sep in ("；", ",", "，", "、", "|"):
        text = text.replace(sep, ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _whole_number(text: str) -> int | None:
    s = text.replace(",", "").replace("，", "").strip()
    whole, dot, fraction = s.partition(".")
    if dot and fraction.strip("0") == "":
        s = whole  # 240000.00: spreadsheets write whole numbers with decimals
    return int(s) if s.isdecimal() else None


# --- one builder per kind ---------------------------------------------------------------------


# A zone's code as zones.yaml writes them (hebi_etdz): population rows may name a zone, whose
# per-10,000 indicator P2.1 sets a target for; the import checks it against the zones table.
_ZONE_CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


def _area(r: _Row, name: str) -> str | None:
    """A population row's area: a six-digit region code, or a zone by its code or its
    Chinese name (checked against the zones table, and a name made a code, by the import)."""
    text = half_width(r.text(name)).strip()
    if _ZONE_CODE.fullmatch(text.lower()) and not text.isdecimal():
        return text.lower()
    if _HAN_CHAR.search(text) and len(text) <= 64:
        return text  # a zone's name
    return r.region(name)


def _population(r: _Row) -> PopulationRecord | None:
    region = _area(r, "region_code") if r.required("region_code") else None
    year_text = r.required("year")
    year = _whole_number(year_text) if year_text else None
    if year_text and (year is None or not 1949 <= year <= 2100):
        r.fail("year", MSG_YEAR, value=year_text)
    residents_text = r.required("residents")
    residents = _whole_number(residents_text) if residents_text else None
    if residents_text and not residents:
        r.fail("residents", MSG_RESIDENTS, value=residents_text)
    elif residents is not None and residents > MAX_RESIDENTS:
        r.fail("residents", MSG_RESIDENTS_TOO_MANY, value=residents_text, max=f"{MAX_RESIDENTS:,}")
        residents = None
    if r.errors or region is None or year is None or residents is None:
        return None
    return PopulationRecord(r.row, region, year, residents, r.optional("source"))


def _uscc(r: _Row) -> str | None:
    """The row's unified social credit code, checked (GB 32100-2015); None when blank."""
    if not r.text("uscc"):
        return None
    try:
        return parse_uscc(r.text("uscc"))
    except InvalidNumber as exc:
        r.errors.append(number_error(r.row, r.column("uscc"), r.text("uscc"), exc))
        return None


def _holder(r: _Row) -> HolderRecord | None:
    name = r.required("name")
    uscc = _uscc(r)
    kind = r.choice("kind", HOLDER_KINDS, "主体类型")
    tags: list[str] = []
    for tag in _split_list(r.text("tags")):
        found = HOLDER_TAGS.get(tag) or (tag if tag in HOLDER_TAGS.values() else None)
        if found is None:
            r.errors.append(
                RowError(
                    r.row,
                    r.column("tags"),
                    tag,
                    MSG_CHOICE,
                    (("value", tag), ("label", _label("标签")), ("accepted", _accepted(HOLDER_TAGS))),
                )
            )
        elif found not in tags:
            tags.append(found)
    tiers: list[tuple[str, int]] = []
    for item in _split_list(r.text("tiers").replace("，", ";")):
        tier_name, _, year_text = item.replace("：", ":").rpartition(":")
        tier = HOLDER_TIERS.get(tier_name.strip()) or (
            tier_name if tier_name in HOLDER_TIERS.values() else None
        )
        year = _whole_number(year_text)
        if tier is None or year is None or not 1985 <= year <= 2100:
            r.errors.append(
                RowError(
                    r.row,
                    r.column("tiers"),
                    item,
                    MSG_TIER,
                    (("value", item), ("accepted", _accepted(HOLDER_TIERS))),
                )
            )
        elif (tier, year) not in tiers:
            tiers.append((tier, year))
    region = r.region("region_code")
    account = _payee_account(r)
    if r.errors:
        return None
    return HolderRecord(
        r.row,
        name,
        kind,  # type: ignore[arg-type]
        uscc,
        region,
        r.optional("address"),
        r.optional("zone_code"),
        tags,
        tiers,
        account.name if account else None,
        account.bank if account else None,
        account.number if account else None,
    )


def _payee_account(r: _Row) -> PayeeAccount | None:
    """The row's receiving account (户名, 开户银行, 银行账号), checked by
    :func:`~ipcity.registry.payee.check_account`; the error on the cell it concerns (a bad
    number on 银行账号; a missing part on the first blank one of the three)."""
    fields = ("payee_name", "payee_bank", "payee_account")
    if not any(r.text(f) for f in fields):
        return None
    try:
        return check_account(r.text("payee_name"), r.text("payee_bank"), r.text("payee_account"))
    except InvalidNumber as exc:
        r.errors.append(number_error(r.row, r.column("payee_account"), r.text("payee_account"), exc))
    except ValidationFailed as exc:
        blank = [f for f in fields if not r.text(f) and f in r.columns]
        at = blank[0] if blank else next(f for f in fields if r.text(f))
        params = tuple((key, str(val)) for key, val in exc.params.items())
        r.errors.append(RowError(r.row, r.column(at), r.text(at), exc.message, params))
    return None


def _nice_classes(r: _Row) -> list[int]:
    classes: list[int] = []
    for part in _split_list(r.text("nice_classes").replace(" ", ";")):
        number = _whole_number(part.removeprefix("第").removesuffix("类"))
        if number is None or not 1 <= number <= 45:
            r.errors.append(RowError(r.row, r.column("nice_classes"), part, MSG_NICE, (("value", part),)))
        elif number not in classes:
            classes.append(number)
    return classes


def _trademark(r: _Row) -> TrademarkRecord | None:
    number = r.number("registration_number")
    mark = r.required("mark")
    classes = _nice_classes(r) if r.required("nice_classes") else []
    # Blank: not stated (a new mark is an ordinary one; a known mark keeps its type).
    mark_type = r.choice("mark_type", TRADEMARK_TYPES, "商标类型")
    status = r.choice("status", TRADEMARK_STATUSES, "商标状态")
    filed, registered = r.past_date("filing_date"), r.past_date("registration_date")
    expires = r.date("expiry_date")
    # A mark is registered after its filing and protected until after its registration.
    r.not_before("registration_date", registered, "filing_date", filed)
    r.not_before("expiry_date", expires, "registration_date", registered)
    if registered is None:
        r.not_before("expiry_date", expires, "filing_date", filed)
    record = TrademarkRecord(
        r.row,
        number,
        mark,
        classes,
        mark_type,  # type: ignore[arg-type]
        r.optional("holder"),
        filed,
        registered,
        expires,
        r.past_date("well_known_date"),
        status,
    )
    return None if r.errors else record


def _copyright(r: _Row) -> CopyrightRecord | None:
    number = r.number("registration_number")
    title = r.required("title")
    category_text = r.required("category")
    category = None
    if category_text:
        # "美术作品", "文字作品" …: every kind of work is a work.
        category = (
            "work"
            if category_text.endswith("作品")
            else r.choice("category", COPYRIGHT_CATEGORIES, "登记类别")
        )
    record = CopyrightRecord(
        r.row,
        number,
        title,
        category,  # type: ignore[arg-type]
        r.optional("holder"),
        r.past_date("registration_date"),
    )
    return None if r.errors else record


def _plant_variety(r: _Row) -> PlantVarietyRecord | None:
    record = PlantVarietyRecord(
        r.row,
        r.number("right_number"),
        r.required("crop"),
        r.required("variety"),
        r.optional("holder"),
        r.past_date("grant_date"),
    )
    return None if r.errors else record


def _gi(r: _Row) -> GIRecord | None:
    name = r.required("name")
    kind = r.choice("kind", GI_KINDS, "地理标志类型") if r.required("kind") else None
    record = GIRecord(
        r.row,
        name,
        kind,  # type: ignore[arg-type]
        r.number("registration_number"),
        r.region("region_code"),
        r.optional("holder"),
        r.past_date("registration_date"),
    )
    return None if r.errors else record


# --- the policy's evidence (P2.2, P2.3, P2.7) ----------------------------------------------------


def _evidence_holder(r: _Row) -> tuple[str, str | None]:
    name = r.required("holder")
    if name and not normalize_name(name):
        r.fail("holder", MSG_HOLDER_NAME, value=name)  # "-", "/", "*": a placeholder, not a name
    return name, _uscc(r)


def _patent_number(r: _Row, name: str) -> str:
    text = r.required(name)
    if not text:
        return ""
    try:
        return parse_application_number(text).canonical
    except InvalidNumber as exc:
        r.errors.append(number_error(r.row, r.column(name), text, exc))
        return ""


def _yuan(r: _Row, name: str, required: bool = False) -> int | None:
    text = r.required(name) if required else r.text(name)
    if not text:
        return None
    value = _whole_number(text)
    if value is None or value > 2**31 - 1:
        r.fail(name, MSG_YUAN, value=text)
    return value


def _required_date(r: _Row, name: str) -> dt.date | None:
    return r.date(name) if r.required(name) else None


def _award(r: _Row) -> AwardRecord | None:
    number = _patent_number(r, "patent_number")
    level = r.choice("level", AWARD_LEVELS, "奖项") if r.required("level") else None
    awarded = _required_date(r, "award_date")
    holder, uscc = _evidence_holder(r)
    if r.errors or level is None or awarded is None:
        return None
    return AwardRecord(r.row, number, level, awarded, holder, uscc, r.optional("evidence"))


def _certificate(r: _Row) -> CertificateRecord | None:
    number = r.required("certificate_number")
    holder, uscc = _evidence_holder(r)
    issued = _required_date(r, "issued_on")
    if r.errors or issued is None:
        return None
    return CertificateRecord(
        r.row, number, holder, issued, uscc, r.optional("certifier"), r.optional("standard") or "GB/T 29490"
    )


def _pledge_loan(r: _Row) -> PledgeLoanRecord | None:
    number = r.required("contract_number")
    holder, uscc = _evidence_holder(r)
    start = _required_date(r, "start_date")
    end = r.date("end_date")
    r.not_before("end_date", end, "start_date", start)
    principal = _yuan(r, "principal_yuan")
    costs = {
        name: _yuan(r, name)
        for name in ("interest_yuan", "valuation_yuan", "guarantee_yuan", "insurance_yuan")
    }
    year_text = r.text("year")
    year = _whole_number(year_text) if year_text else None
    if year_text and (year is None or not 1949 <= year <= 2100):
        r.fail("year", MSG_YEAR, value=year_text)
    elif year is None:
        # Costs belong to a year (P2.7-a pays per enterprise and year): a cost without one
        # is refused on the cost's own cell.
        given = next((name for name, value in costs.items() if value), None)
        if given is not None:
            r.fail(given, MSG_COST_YEAR, column="费用年度")
    if r.errors or start is None:
        return None
    return PledgeLoanRecord(
        r.row,
        number,
        holder,
        start,
        uscc,
        r.optional("lender"),
        r.optional("pledge_registration"),
        principal,
        end,
        year,
        *(
            costs[name] or 0
            for name in ("interest_yuan", "valuation_yuan", "guarantee_yuan", "insurance_yuan")
        ),
    )


def _insurance_policy(r: _Row) -> InsurancePolicyRecord | None:
    number = r.required("policy_number")
    holder, uscc = _evidence_holder(r)
    patent = _patent_number(r, "patent_number")
    premium = _yuan(r, "premium_yuan", required=True)
    start = _required_date(r, "start_date")
    if r.errors or premium is None or start is None:
        return None
    return InsurancePolicyRecord(r.row, number, holder, patent, premium, start, uscc, r.optional("insurer"))


def _pct_application(r: _Row) -> PctApplicationRecord | None:
    text = r.required("pct_number")
    number = ""
    if text:
        try:
            number = parse_pct_number(text)
        except InvalidNumber as exc:
            r.errors.append(number_error(r.row, r.column("pct_number"), text, exc))
    holder, uscc = _evidence_holder(r)
    filed = _required_date(r, "filing_date")
    report = r.date("search_report_date")
    r.not_before("search_report_date", report, "filing_date", filed)
    if r.errors or filed is None:
        return None
    return PctApplicationRecord(r.row, number, holder, filed, uscc, r.optional("title"), report)


_BUILDERS: dict[str, Callable[[_Row], Any]] = {
    "pct-applications": _pct_application,
    "awards": _award,
    "certificates": _certificate,
    "pledge-loans": _pledge_loan,
    "insurance-policies": _insurance_policy,
    "population": _population,
    "holders": _holder,
    "trademarks": _trademark,
    "copyrights": _copyright,
    "plant-varieties": _plant_variety,
    "gis": _gi,
}


# The table each kind's rows are stored in: a field named as one of its columns may not be
# longer than that column (PostgreSQL refuses the write of a longer value, failing the
# whole file with no row named; SQLite would store it). A row's holder is stored by name.
_TABLES = {
    "trademarks": ("ipcity.registry.models", "Trademark"),
    "copyrights": ("ipcity.registry.models", "Copyright"),
    "plant-varieties": ("ipcity.registry.models", "PlantVariety"),
    "gis": ("ipcity.registry.models", "GeographicalIndication"),
    "holders": ("ipcity.registry.models", "Holder"),
    "awards": ("ipcity.policy.models", "PatentAward"),
    "certificates": ("ipcity.policy.models", "IpCertificate"),
    "pledge-loans": ("ipcity.policy.models", "PledgeLoan"),
    "insurance-policies": ("ipcity.policy.models", "PatentInsurancePolicy"),
    "pct-applications": ("ipcity.policy.models", "PctApplication"),
}


_CHECKED_FIELDS = frozenset(
    {"uscc", "kind", "mark_type", "status", "category", "level", "standard", "region_code", "payee_account"}
)


def column_limits(kind: str) -> dict[str, int]:
    """The longest text each field of ``kind``'s template may hold: the length of the
    ``varchar`` column of the same name in the kind's table (``holder``: a holder's name)."""
    import importlib

    where = _TABLES.get(kind)
    if where is None:
        return {}
    table = getattr(importlib.import_module(where[0]), where[1]).__table__
    limits = {"holder": MAX_NAME}
    for field in CANONICAL_FIELDS[kind]:
        # A field read against a list or a rule says more of a wrong value than its length.
        if field.name in table.c and field.name not in _CHECKED_FIELDS:
            length = getattr(table.c[field.name].type, "length", None)
            if isinstance(length, int):
                limits[field.name] = length
    return limits


class TemplateRowParser:
    """Parse the rows of a template file of one kind; call with ``(row, cells)``.

    Returns the record, the list of :class:`RowError` for the row, or None for the
    template's example row (序号 = 示例), which an import skips.
    """

    def __init__(self, kind: str, header: Sequence[str], columns: dict[str, int]) -> None:
        if kind not in _BUILDERS:
            raise ValidationFailed(MSG_UNKNOWN_KIND, kind=kind)
        self.kind = kind
        self.header = list(header)
        self.columns = dict(columns)
        self._build = _BUILDERS[kind]
        keys = [header_key(h) for h in header]
        self._label = keys.index(ROW_LABEL_HEADER) if ROW_LABEL_HEADER in keys else -1
        self._width = max(columns.values()) + 1 if columns else 0
        self._limits = [
            (columns[name], most) for name, most in column_limits(kind).items() if name in columns
        ]

    def __call__(self, row: int, cells: list[str]) -> Any:
        """One row → record | list[RowError] | None (the example row)."""
        if 0 <= self._label < len(cells) and cells[self._label].strip() == EXAMPLE_LABEL:
            return None
        if len(cells) < self._width:
            missing = self.header[len(cells)]
            return [
                RowError(
                    row,
                    missing,
                    "",
                    MSG_SHORT_ROW,
                    (("found", str(len(cells))), ("column", missing), ("expected", str(len(self.header)))),
                )
            ]
        r = _Row(row, self.header, self.columns, cells)
        for i, most in self._limits:
            if len(cells[i]) > most and len(text := cells[i].strip()) > most:
                shown = text[:100] + "…"  # the preview and the error file need its start
                r.errors.append(
                    RowError(
                        row,
                        self.header[i],
                        shown,
                        MSG_CELL_TOO_LONG,
                        (
                            ("column", self.header[i]),
                            ("value", shown),
                            ("length", f"{len(text):,}"),
                            ("max", f"{most:,}"),
                        ),
                    )
                )
        record = self._build(r)
        if r.errors:
            return r.errors
        return record


# --- the downloadable template -------------------------------------------------------------------

_CLAUSES = {
    "awards": "P2.2",
    "certificates": "P2.3",
    "pledge-loans": "P2.7",
    "insurance-policies": "P2.7",
    "pct-applications": "P2.1-d",
    "patents": "P2.8",
    "trademarks": "P2.5",
    "copyrights": "P2.8",
    "plant-varieties": "P2.5",
    "gis": "P2.5",
    "holders": "P2.3、P2.8",
    "population": "P1.2（万人发明专利拥有量）",
}


def write_template_xlsx(kind: str) -> bytes:
    """The Excel template of ``kind``: sheet 1 with the header row and one example row
    (序号 = 示例, skipped on import), sheet 说明 explaining each column in Chinese.

    >>> write_template_xlsx("population")[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    if kind not in CANONICAL_FIELDS:
        raise ValidationFailed(MSG_UNKNOWN_KIND, kind=kind)
    fields = CANONICAL_FIELDS[kind]
    name_zh, name_en = KIND_NAMES[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = name_zh
    sheet.append([ROW_LABEL_HEADER, *(f.label_zh for f in fields)])
    sheet.append([EXAMPLE_LABEL, *(f.example for f in fields)])
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, spec in enumerate(fields, start=2):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if spec.required:
            cell.fill = required_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(spec.example) * 2 + 4))
        # Text format: Excel must not turn 410611 into a number or 12345678 into 1.2E+07.
        sheet.column_dimensions[letter].number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.cell(row=1, column=1).font = bold
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append([f"{name_zh}导入模板（{name_en}），依据政策条款 {_CLAUSES.get(kind, 'P2.8')}。"])
    notes.append(
        ["第一行为表头，请勿修改列名；可以增删非必填列、调整列的顺序。序号为“示例”的行导入时会被忽略。"]
    )
    notes.append(["日期可写作 2019-10-01、20191001、2019/10/1 或 2019.10.01；多个值用英文分号 ; 分隔。"])
    notes.append([])
    notes.append(["列名", "英文字段名", "是否必填", "说明", "示例"])
    for cell in notes[5]:
        cell.font = bold
    for spec in fields:
        notes.append(
            [spec.label_zh, spec.name, "必填" if spec.required else "选填", spec.help_zh, spec.example]
        )
    for letter, width in zip("ABCDE", (18, 24, 10, 70, 30), strict=True):
        notes.column_dimensions[letter].width = width

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
