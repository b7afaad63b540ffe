"""Legal-status texts of the exports → the status vocabulary of :mod:`ipcity.registry.records`.

Every text that occurs in the real exports is listed (P2.8: the registry must know which
rights are in force; DESIGN: "in force at the end of year Y" is computed from the status
history). A text not listed is rejected with the list of accepted values rather than
guessed at: an officer can then fix the file or ask for the table to grow.

Sources and their columns:

* Patentics 法律状态: 有效 / 公开 / 驳回 / 无效 / 撤回 / 其他
* incoPat 当前法律状态: 授权 / 实质审查 / 公开 / 未缴年费 / 撤回 / 期限届满 / 驳回 / 放弃 /
  权利终止 / 全部无效 / 部分无效 / 权利恢复 / PCT phases;
  incoPat 专利有效性: 有效 / 无效 / 失效 / 审中 / PCT-有效期内 / PCT-有效期满
* the 62-column DB export 法律状态: "<有权|审中|无权>-<detail>", e.g. 有权-审定授权,
  审中-实质审查; the detail decides, the prefix is the fallback.
"""

from __future__ import annotations

from ipcity.i18n import Bilingual, gettext
from ipcity.registry.importers.values import Memo
from ipcity.registry.legal_status import STATUS_LABELS

__all__ = [
    "STATUS_MEMO",
    "STATUS_TEXTS",
    "UNKNOWN",
    "UnknownStatus",
    "accepted_status_texts",
    "lookup_status",
]

# None = the text carries no status information (Patentics "其他"): the row is kept, and
# only the dated facts of the row (grant date) make events.
STATUS_TEXTS: dict[str, str | None] = {
    # --- pending -------------------------------------------------------------------------
    "公开": "filed",
    "公布": "filed",
    "申请": "filed",
    "审中": "filed",
    "在审": "filed",
    "审查中": "filed",
    "未决": "filed",
    "实质审查": "examination",
    "实审": "examination",
    "实质审查的生效": "examination",
    "等待实审提案": "filed",
    # PCT international phase (incoPat, WO records): still pending, or ended.
    "未进入国家阶段-PCT有效期内": "filed",
    "进入国家阶段-PCT有效期内": "filed",
    "PCT-有效期内": "filed",
    "PCT有效期内": "filed",
    "未进入国家阶段-PCT有效期满": "ceased",
    "进入国家阶段-PCT有效期满": "ceased",
    "PCT-有效期满": "ceased",
    "PCT有效期满": "ceased",
    # --- granted, in force --------------------------------------------------------------
    "有效": "granted",  # Patentics / incoPat 专利有效性: in force, hence granted
    "授权": "granted",
    "有权": "granted",
    "审定授权": "granted",
    "授权有效": "granted",
    "专利权维持": "granted",
    "部分无效": "granted",  # claims amended by an invalidation decision, right stands
    "权利恢复": "restored",
    "恢复": "restored",
    "专利权恢复": "restored",
    # --- ended -----------------------------------------------------------------------------
    "未缴年费": "lapsed_unpaid_annuity",
    "未缴年费终止": "lapsed_unpaid_annuity",
    "未缴年费专利权终止": "lapsed_unpaid_annuity",
    "专利权终止": "lapsed_unpaid_annuity",  # CNIPA's wording for the unpaid-annuity lapse
    "期限届满": "expired",
    "届满终止": "expired",
    "期限届满终止": "expired",
    "全部无效": "invalidated",
    "宣告无效": "invalidated",
    "无效宣告": "invalidated",
    "专利权全部无效": "invalidated",
    "撤回": "withdrawn",
    "视为撤回": "withdrawn",
    "主动撤回": "withdrawn",
    "撤回专利申请": "withdrawn",
    "放弃": "withdrawn",
    "视为放弃": "withdrawn",
    "主动放弃": "withdrawn",
    "避重放弃": "withdrawn",
    "放弃专利权": "withdrawn",
    "驳回": "rejected",
    "被驳回": "rejected",
    "驳回申请": "rejected",
    "无效": "ceased",  # Patentics / 专利有效性: not in force, reason not given
    "失效": "ceased",
    "无权": "ceased",
    "权利终止": "ceased",  # incoPat: terminated, reason not given (annuity and term have their own)
    "终止": "ceased",
    # --- no information ---------------------------------------------------------------------
    "其他": None,
    "其它": None,
    "未知": None,
    "-": None,
    "--": None,
}

# The vocabulary itself is accepted too (a file prepared by the office from our own export).
for _status in (
    "filed",
    "examination",
    "granted",
    "lapsed_unpaid_annuity",
    "expired",
    "invalidated",
    "withdrawn",
    "rejected",
    "restored",
    "ceased",
):
    STATUS_TEXTS[_status] = _status

# So is every label the platform's own exports write (公开/在审, "Published / pending" …):
# what the export writes, the import reads back.
for _status, _label in STATUS_LABELS.items():
    STATUS_TEXTS.setdefault(_label, _status)
    STATUS_TEXTS.setdefault(gettext(_label, "en"), _status)


class UnknownStatus(LookupError):
    """A status text that is not in :data:`STATUS_TEXTS`."""


UNKNOWN = object()
"""What :data:`STATUS_MEMO` holds for a text not in the table."""


def _lookup(text: str) -> object:
    s = text.strip().replace("－", "-").replace("—", "-")
    if not s:
        return None
    if s in STATUS_TEXTS:
        return STATUS_TEXTS[s]
    if "-" in s:
        # 62-column export: "有权-审定授权", "无权-未缴年费终止"; the detail is the specific
        # part, the prefix (有权/审中/无权) the safe fallback.
        prefix, _, detail = s.partition("-")
        if detail in STATUS_TEXTS:
            return STATUS_TEXTS[detail]
        if prefix in STATUS_TEXTS:
            return STATUS_TEXTS[prefix]
    return UNKNOWN


STATUS_MEMO: Memo[str, object] = Memo(_lookup, maxsize=4096)


def lookup_status(text: str) -> str | None:
    """The vocabulary status for an export's status text; None for an empty or
    information-free text ("其他").

    >>> lookup_status("有权-审定授权"), lookup_status("未缴年费"), lookup_status("无效")
    ('granted', 'lapsed_unpaid_annuity', 'ceased')

    Raises :class:`UnknownStatus` for a text not in the table.
    """
    if not text:
        return None
    value = STATUS_MEMO[text]
    if value is UNKNOWN:
        raise UnknownStatus(text)
    return value  # type: ignore[return-value]


def accepted_status_texts() -> Bilingual:
    """The accepted Chinese status texts, for an error message (quoted and separated by
    commas in English)."""
    texts = [k for k in STATUS_TEXTS if not k.isascii()]
    return Bilingual("、".join(texts), ", ".join(f"“{t}”" for t in texts))
