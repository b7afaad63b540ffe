"""A holder's receiving account (收款账户): account name (户名), bank (开户银行) and account
number (银行账号) — what the finance office pays a subsidy into (P2.1–P2.7). Pure: no
database or web code.

The rules, the same for a form, the JSON API and the holders template:

* the number is digits only once spaces and hyphens are taken out (``6222 0212-3456 7890``
  is written as the card shows it), 8 to 32 digits (bank cards have 16–19, corporate
  settlement accounts up to about 25);
* the three fields go together: a number without its name and bank, or a name or bank
  without a number, is refused; all three blank means "no account on record";
* the name should be the holder's own. A different name (a parent company, a person) is
  accepted, but :func:`name_differs` lets every page that shows the account warn: a
  transfer into an account held in another name is what auditors ask about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipcity.errors import InvalidNumber, ValidationFailed
from ipcity.registry.normalize import normalize_name

ACCOUNT_DIGITS_MIN = 8
ACCOUNT_DIGITS_MAX = 32
ACCOUNT_NAME_MAX = 300
BANK_MAX = 200

MSG_NUMBER = "银行账号「{value}」应为 8 至 32 位数字（可用空格或连字符分隔）"
MSG_TOGETHER = "收款账户的户名、开户银行和银行账号须一并填写"
MSG_NAME_LONG = "户名不能超过 {max} 个字符"
MSG_BANK_LONG = "开户银行不能超过 {max} 个字符"
MSG_NAME_DIFFERS = "户名与权利人名称不一致，拨付前请核实该账户确属本单位"


@dataclass(frozen=True)
class PayeeAccount:
    """A checked receiving account; ``number`` holds digits only."""

    name: str
    bank: str
    number: str

    def masked(self) -> str:
        """The number with all but its last four digits hidden (for the audit log)."""
        return mask_number(self.number) or ""


@dataclass(frozen=True)
class AccountOnRecord:
    """What is on record for a holder (or what a payment was paid into): the holder's
    name beside the three fields, any of them ``None`` where nothing is recorded."""

    holder_name: str
    name: str | None = None
    bank: str | None = None
    number: str | None = None

    @property
    def recorded(self) -> bool:
        """Whether an account is on record."""
        return bool(self.number)

    @property
    def differs(self) -> bool:
        """Whether the account is held in another name than the holder's."""
        return name_differs(self.name, self.holder_name)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (the full number: only for those who may see the account)."""
        return {
            "name": self.name,
            "bank": self.bank,
            "number": self.number,
            "recorded": self.recorded,
            "name_differs": self.differs,
        }


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def clean_number(text: str) -> str:
    """The account number's digits, spaces and hyphens (ASCII or full-width) taken out.

    >>> clean_number("6222 0212-3456 7890 123")
    '6222021234567890123'
    >>> clean_number("41050162380800000123")
    '41050162380800000123'
    >>> clean_number("６２２２ ０２１２ ３４５６ ７８９０")  # typed with a Chinese input method
    '6222021234567890'
    """
    value = text.strip().translate(_FULL_WIDTH_DIGITS)
    for sep in (" ", "\u3000", "\t", "-", "－", "—", "–"):
        value = value.replace(sep, "")
    if not (value.isascii() and value.isdecimal()) or not (
        ACCOUNT_DIGITS_MIN <= len(value) <= ACCOUNT_DIGITS_MAX
    ):
        raise InvalidNumber(MSG_NUMBER, value=text.strip()[:60])
    return value


def check_account(name: str | None, bank: str | None, number: str | None) -> PayeeAccount | None:
    """The account the three fields give, checked; ``None`` when all three are blank.

    Raises :class:`InvalidNumber` for a bad number and :class:`ValidationFailed` when the
    fields are not given together or are too long.

    >>> check_account("鹤壁市示例科技有限公司", "中国工商银行鹤壁淇滨支行", "1705 0210 0920 0123 456")
    PayeeAccount(name='鹤壁市示例科技有限公司', bank='中国工商银行鹤壁淇滨支行', number='1705021009200123456')
    >>> check_account("", " ", None) is None
    True
    """
    clean_name, clean_bank, raw = (name or "").strip(), (bank or "").strip(), (number or "").strip()
    if not (clean_name or clean_bank or raw):
        return None
    digits = clean_number(raw) if raw else ""
    if not (clean_name and clean_bank and digits):
        raise ValidationFailed(MSG_TOGETHER)
    if len(clean_name) > ACCOUNT_NAME_MAX:
        raise ValidationFailed(MSG_NAME_LONG, max=ACCOUNT_NAME_MAX)
    if len(clean_bank) > BANK_MAX:
        raise ValidationFailed(MSG_BANK_LONG, max=BANK_MAX)
    return PayeeAccount(clean_name, clean_bank, digits)


def mask_number(number: str | None) -> str | None:
    """All digits but the last four replaced by ``*``.

    >>> mask_number("6222021234567890123")
    '***************0123'
    >>> mask_number(None) is None
    True
    """
    if not number:
        return None
    return "*" * max(len(number) - 4, 0) + number[-4:]


def group_digits(number: str | None) -> str:
    """The number in groups of four, as bank documents print it.

    >>> group_digits("6222021234567890123")
    '6222 0212 3456 7890 123'
    """
    if not number:
        return ""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def name_differs(account_name: str | None, holder_name: str) -> bool:
    """Whether the account is held in another name than the holder's (spellings merged:
    full-width brackets, spaces).

    >>> name_differs("鹤壁市示例科技有限公司", "鹤壁市示例科技有限公司")
    False
    >>> name_differs("张三", "鹤壁市示例科技有限公司")
    True
    """
    if not account_name:
        return False
    return normalize_name(account_name) != normalize_name(holder_name)


def audit_state(name: str | None, bank: str | None, number: str | None) -> dict[str, str | None]:
    """The account as the audit log keeps it: the number masked."""
    return {"name": name, "bank": bank, "number": mask_number(number)}
