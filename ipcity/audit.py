"""Append-only audit log: who changed what, and when, each entry chained to the previous one.

Every write a person makes goes through a service that calls :func:`record`. Each entry's
``hash`` is SHA-256 over the previous entry's hash and this entry's own fields, so editing
or deleting any entry breaks the chain from there on; :func:`verify` finds the first break
(``ipcity audit verify``). Database triggers (see the initial migration) refuse UPDATE and
DELETE on the table, so the log is append-only for the application too.

Concurrent writers are serialised through the one-row ``audit_head`` table: the UPDATE that
starts :func:`record` takes the write lock (SQLite) or the row lock (PostgreSQL) before the
previous hash is read, so two transactions can never chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ipcity.db import Base

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One recorded change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head, one row; updating it serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    detail: dict[str, Any],
) -> str:
    """The chained hash of one entry (canonical JSON of its fields after the previous hash)."""
    payload = json.dumps(
        [prev_hash, _ts(at), actor, action, object_type, object_id, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _ts(at: datetime) -> str:
    # SQLite returns naive datetimes (UTC wall-clock time, as written), PostgreSQL aware ones
    # in the session's time zone: hash the UTC wall-clock time without tzinfo so the value
    # hashes the same before and after a round trip through either database.
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


# What each action of the log is, as the audit page names it (the code stays in the log).
ACTION_LABELS = {
    "user.create": "新建用户",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.update": "修改用户",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.password_reset": "重置密码",
    "holder.update": "修改权利人信息",
    "holder.payee_account": "修改收款账户",
    "import.confirm": "确认导入",
    "import.failed": "导入失败",
    "import.mapping": "保存列映射",
    "demo.load": "载入示例数据",
    "policy.budget.set": "设定预算",
    "policy.case.propose": "生成资助案件（免申即享）",
    "policy.case.apply": "企业申请",
    "policy.case.confirm": "企业确认",
    "policy.case.county_review": "县区审核通过",
    "policy.case.city_review": "市级审核通过",
    "policy.case.notice": "公示",
    "policy.case.object": "提出异议",
    "policy.case.dismiss": "异议不成立",
    "policy.case.approve": "批准",
    "policy.case.approve_queue": "按顺序批准",
    "policy.case.pay": "拨付",
    "policy.case.reject": "不予通过",
    "policy.case.reopen": "重新受理",
    "credit.list": "列入失信名单",
    "credit.remove": "移出失信名单",
}

# What an entry's object is (``object_type``), as the audit page names it.
OBJECT_LABELS = {
    "user": "用户账号",
    "holder": "权利人",
    "policy_case": "案件",
    "policy_year": "政策年度",
    "policy_budget": "预算",
    "import_batch": "导入批次",
    "import_file": "导入文件",
    "column_mapping": "列映射",
    "sample_data": "示例数据",
    "credit_listing": "失信名单记录",
}
# What the keys of an entry's detail are, as the audit page names them (the stored JSON,
# which the hash covers, keeps the keys; the API gives it as it is).
DETAIL_LABELS = {
    "username": "用户名",
    "role": "角色",
    "changes": "修改内容",
    "generated": "随机生成",
    "reason": "理由",
    "client": "客户端地址",
    "before": "修改前",
    "after": "修改后",
    "name_differs": "户名与权利人名称不一致",
    "payment_key": "支付项目",
    "from": "原值",
    "to": "新值",
    "kind": "类别",
    "amount": "金额（元）",
    "fields": "填写内容",
    "files": "材料（SHA-256）",
    "created": "生成案件数",
    "rule": "规则",
    "year": "年度",
    "approved": "批准数",
    "waiting": "等待数",
    "reference": "拨付凭证号",
    "account": "收款账户",
    "file": "文件",
    "sha256": "SHA-256",
    "layout": "格式",
    "read": "读取行数",
    "inserted": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "rejected": "拒绝",
    "warnings": "警告",
    "errors_file": "错误明细文件",
    "mapping": "列映射",
    "seed": "随机种子",
    "counts": "数量",
    # Inside a nested record: a receiving account, a holder's fields.
    "name": "户名",
    "bank": "开户银行",
    "number": "银行账号",
    "region_code": "地区",
    "zone_id": "园区",
    "address": "地址",
    "tags": "标签",
    "tiers": "资质",
    # A listing on the dishonesty list (credit.list, credit.remove).
    "holder_id": "权利人ID",
    "holder": "权利人",
    "listed_on": "列入日期",
    "expires_on": "届满日期",
    "removed_on": "移出日期",
    # Inside the sample data's counts (demo.load).
    "holders": "权利人数",
    "patents": "专利件数",
    "trademarks": "商标件数",
    "copyrights": "著作权件数",
    "plant_varieties": "植物新品种件数",
    "geographical_indications": "地理标志件数",
    "population": "常住人口记录数",
    "annuities_paid": "已缴年费记录数",
    "patents.invention": "发明专利件数",
    "patents.utility_model": "实用新型专利件数",
    "patents.design": "外观设计专利件数",
    "holders.enterprise": "企业数",
    "holders.university": "高校数",
    "holders.institute": "科研院所数",
    "holders.individual": "个人数",
    "holders.other": "其他权利人数",
    "pct": "PCT申请件数",
}


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id))
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    # An aware UTC time: PostgreSQL reads a naive one in the session's time zone (a server
    # set to Asia/Shanghai would store another instant than the one hashed).
    at = datetime.now(UTC)
    oid = None if object_id is None else str(object_id)
    clean = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    digest = entry_hash(head.last_hash, at, actor, action, object_type, oid, clean)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=oid,
        detail=clean,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    session.flush()
    head.last_id = entry.id
    head.last_hash = digest
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`: ``ok`` with the number of entries checked, or the first bad id."""

    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str | None = None  # a message id (Chinese), filled with ``params``
    params: dict[str, Any] | None = None

    def reason_in(self, locale: str = "zh_CN") -> str:
        """The reason in ``locale``'s words."""
        from ipcity.i18n import gettext

        return gettext(self.reason or "", locale).format(**(self.params or {}))


MSG_BATCH_UNRECORDED = "导入批次 {batch} 在审计日志中没有记录：日志的记录被整段删除"


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the first entry; report the first edited, inserted or deleted entry.

    A deleted entry shows as a ``prev_hash`` that does not match the entry before it; a
    deleted last entry shows against the head row.
    """
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    # Column rows as stored (not ORM objects: no identity map that could hold an entry as
    # this session loaded it before, and a third of the time over a long log), in batches.
    query = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.detail,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    ).order_by(AuditEntry.id)
    session.flush()  # entries this session added are part of the chain it verifies
    with session.connection().execution_options(yield_per=1000).execute(query) as rows:
        for entry_id, at, actor, action, object_type, object_id, detail, prev_hash, stored in rows:
            count += 1
            if prev_hash != prev:
                return VerifyResult(False, count, entry_id, "审计记录链断裂：前一条记录被删除或修改")
            if entry_hash(prev_hash, at, actor, action, object_type, object_id, detail) != stored:
                return VerifyResult(False, count, entry_id, "审计记录内容与其哈希不符：该记录被修改")
            prev = stored
            last_id = entry_id
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.last_id != last_id):
        return VerifyResult(False, count, head.last_id, "审计记录链末尾的记录被删除")
    # The chain cannot see entries cut off its end together with the head row, or the whole
    # log emptied: the imports the registry holds still name theirs. Every confirmed import
    # batch is recorded by an import.confirm entry of that batch.
    unrecorded = session.execute(
        text(
            "SELECT b.id FROM import_batches b WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.object_type = 'import_batch' AND a.object_id = CAST(b.id AS VARCHAR(64))) "
            "ORDER BY b.id LIMIT 1"
        )
    ).scalar()
    if unrecorded is not None:
        return VerifyResult(False, count, None, MSG_BATCH_UNRECORDED, {"batch": unrecorded})
    return VerifyResult(True, count)
