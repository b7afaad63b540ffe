"""Applications with evidence, where the registry lacks the facts (the "applied" road).

免申即享 covers what the registry knows (grants, annuities, the holder's history). An award,
a GB/T 29490 certificate, a pledge loan's yearly costs, a patent insurance policy or a PCT
search report reach the city only from the enterprise: its user fills in the facts, uploads
the documents (award certificate, certificate, loan contract and receipts, insurance policy,
search report), and the platform

1. checks every field and file and refuses with one sentence naming the field;
2. writes the evidence row (the tables the rules of these items read: awards, certificates,
   pledge loans and their yearly costs, insurance policies, PCT applications; officers have
   no bulk import of them yet) and evaluates the policy for the year of the reference date
   with it, in the same transaction;
3. opens a case in status ``applied`` for the entitlement that evidence creates, with the
   files attached (their bytes in the database), or, when the evidence gives nothing
   (outside the city, already received, dishonesty list …), rolls everything back and says
   why in the engine's words.

The enterprise then confirms the computed amount and the case goes on as any other: county
review (where the officer reads the files), city review, notice, approval, payment.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from ipcity import audit, clock
from ipcity.auth.roles import Actor, require
from ipcity.errors import Conflict, InvalidNumber, NotFound, PermissionDenied, ValidationFailed
from ipcity.i18n import Bilingual
from ipcity.policy import service, workflow
from ipcity.policy.engine import entitlement_id, evaluate
from ipcity.policy.evidence_numbers import evidence_key
from ipcity.policy.formulas import AWARD_LABELS
from ipcity.policy.models import (
    IpCertificate,
    PatentAward,
    PatentInsurancePolicy,
    PctApplication,
    PledgeLoan,
    PledgeLoanCost,
    PolicyCase,
    PolicyEvidenceFile,
)
from ipcity.policy.sources import load_snapshot
from ipcity.registry.numbers import parse_application_number, parse_pct_number
from ipcity.registry.service import ChoiceFailed

MAX_FILE_BYTES = 10 * 1024 * 1024
# The largest amount a form takes (the database's 32-bit integer columns hold it).
MAX_YUAN = 2**31 - 1
# No evidence of this policy is dated before 1985, the year China's patent law took effect.
EARLIEST_DATE = date(service.FIRST_YEAR, 1, 1)
MAX_FILES = 8
# Accepted documents, recognised by their first bytes, not by the name the browser sends.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


@dataclass(frozen=True)
class Field:
    """One input of an application form: name, Chinese label, kind, required."""

    name: str
    label: str
    kind: str  # text | date | yuan | year | choice
    required: bool = True
    choices: Mapping[str, str] | None = None
    hint: str = ""


@dataclass(frozen=True)
class ApplicationKind:
    """What an enterprise may apply for: the rules it serves, the facts and the documents."""

    id: str
    label: str
    rules: tuple[str, ...]
    documents: str
    fields: tuple[Field, ...]


KIND_LABELS = {
    "award": "专利获奖奖励（P2.2）",
    "certificate": "“贯标”认证奖励（P2.3-a）",
    "loan_year": "知识产权质押融资费用补助（P2.7-a）",
    "insurance_policy": "首件专利保险保费补贴（P2.7-b）",
    "pct_application": "PCT国际专利申请补贴（P2.1-d）",
}
DOCUMENT_LABELS = {
    "award": "获奖证书",
    "certificate": "GB/T 29490 认证证书",
    "loan_year": "质押贷款合同和当年费用票据",
    "insurance_policy": "专利保险保单和保费票据",
    "pct_application": "PCT国际检索报告",
}
FIELD_LABELS = {
    "patent_number": "专利号",
    "level": "奖项",
    "award_date": "获奖日期",
    "certificate_number": "证书编号",
    "certifier": "认证机构",
    "issued_on": "发证日期",
    "contract_number": "贷款合同编号",
    "pledge_registration": "质押登记号",
    "lender": "贷款银行",
    "principal_yuan": "贷款本金（元）",
    "start_date": "起始日期",
    "end_date": "到期日期",
    "year": "费用年度",
    "interest_yuan": "当年利息（元）",
    "valuation_yuan": "评估费（元）",
    "guarantee_yuan": "担保费（元）",
    "insurance_yuan": "保险费（元）",
    "policy_number": "保单号",
    "insurer": "保险公司",
    "premium_yuan": "保费（元）",
    "pct_number": "PCT申请号",
    "title": "发明名称",
    "filing_date": "国际申请日",
    "search_report_date": "国际检索报告日期",
}


def _f(name: str, kind: str = "text", required: bool = True, **extra: Any) -> Field:
    return Field(name, FIELD_LABELS[name], kind, required, **extra)


KINDS: dict[str, ApplicationKind] = {
    k.id: k
    for k in (
        ApplicationKind(
            "award",
            KIND_LABELS["award"],
            ("P2.2-a", "P2.2-b"),
            DOCUMENT_LABELS["award"],
            (_f("patent_number"), _f("level", "choice", choices=AWARD_LABELS), _f("award_date", "date")),
        ),
        ApplicationKind(
            "certificate",
            KIND_LABELS["certificate"],
            ("P2.3-a",),
            DOCUMENT_LABELS["certificate"],
            (_f("certificate_number"), _f("certifier", required=False), _f("issued_on", "date")),
        ),
        ApplicationKind(
            "loan_year",
            KIND_LABELS["loan_year"],
            ("P2.7-a",),
            DOCUMENT_LABELS["loan_year"],
            (
                _f("contract_number"),
                _f("pledge_registration", required=False),
                _f("lender", required=False),
                _f("principal_yuan", "yuan"),
                _f("start_date", "date"),
                _f("end_date", "date", required=False),
                _f("year", "year"),
                _f("interest_yuan", "yuan"),
                _f("valuation_yuan", "yuan", required=False),
                _f("guarantee_yuan", "yuan", required=False),
                _f("insurance_yuan", "yuan", required=False),
            ),
        ),
        ApplicationKind(
            "insurance_policy",
            KIND_LABELS["insurance_policy"],
            ("P2.7-b",),
            DOCUMENT_LABELS["insurance_policy"],
            (
                _f("policy_number"),
                _f("patent_number"),
                _f("insurer", required=False),
                _f("premium_yuan", "yuan"),
                _f("start_date", "date"),
            ),
        ),
        ApplicationKind(
            "pct_application",
            KIND_LABELS["pct_application"],
            ("P2.1-d",),
            DOCUMENT_LABELS["pct_application"],
            (
                _f("pct_number", hint="PCT/CN2019/123456"),
                _f("title", required=False),
                _f("filing_date", "date"),
                _f("search_report_date", "date"),
            ),
        ),
    )
}


@dataclass(frozen=True)
class Upload:
    """An uploaded document: the name the browser sent and its bytes."""

    filename: str
    content: bytes


def _now() -> datetime:
    return datetime.now(UTC)


def _clean(kind: ApplicationKind, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``kind`` read from the form: stripped, typed, checked; one sentence per
    refusal, naming the field."""
    out: dict[str, Any] = {}
    for f in kind.fields:
        text = str(raw.get(f.name) or "").strip()
        if not text:
            if f.required:
                raise ValidationFailed("请填写“{field}”", field=Bilingual.of(f.label))
            out[f.name] = None
            continue
        if len(text) > 200:
            raise ValidationFailed("“{field}”不能超过200个字符", field=Bilingual.of(f.label))
        if f.kind == "date":
            try:
                out[f.name] = date.fromisoformat(text)
            except ValueError:
                raise ValidationFailed(
                    "“{field}”应为日期（如 2019-05-07），实际为“{value}”",
                    field=Bilingual.of(f.label),
                    value=text,
                ) from None
        elif f.kind in ("yuan", "year"):
            digits = text.replace(",", "")
            # isdecimal, not isdigit: ² and ① are digits to Python but not numbers int() reads.
            if not digits.isdecimal():
                raise ValidationFailed(
                    "“{field}”应为不小于0的整数，实际为“{value}”", field=Bilingual.of(f.label), value=text
                )
            if int(digits) > MAX_YUAN:
                raise ValidationFailed(
                    "“{field}”不能超过 {max}，实际为“{value}”",
                    field=Bilingual.of(f.label),
                    max=f"{MAX_YUAN:,}",
                    value=text,
                )
            out[f.name] = int(digits)
        elif f.kind == "choice":
            assert f.choices is not None
            if text not in f.choices:
                raise ChoiceFailed(
                    "“{field}”应为 {expected} 之一，实际为“{value}”",
                    choices=dict(f.choices),
                    field=Bilingual.of(f.label),
                    value=text,
                )
            out[f.name] = text
        else:
            out[f.name] = text
    if kind.id == "pct_application":
        try:
            out["pct_number"] = parse_pct_number(out["pct_number"])
        except InvalidNumber:
            raise ValidationFailed(
                "“{field}”应形如 PCT/CN2019/123456，实际为“{value}”",
                field=Bilingual.of(FIELD_LABELS["pct_number"]),
                value=out["pct_number"],
            ) from None
    if out.get("patent_number"):
        # The form the registry and the imported lists store: one award is one row,
        # whether the enterprise typed ZL… or an officer imported CN….
        try:
            out["patent_number"] = parse_application_number(out["patent_number"]).canonical
        except InvalidNumber as exc:
            raise ValidationFailed(exc.message, **exc.params) from None
    today = clock.today()
    for f in kind.fields:
        day = out[f.name] if f.kind == "date" else None
        if day is not None and day > today:
            raise ValidationFailed(
                "“{field}”不能晚于今天（{today}）", field=Bilingual.of(f.label), today=today
            )
        if day is not None and day < EARLIEST_DATE:
            # An award, certificate or loan of this policy is not dated before 1985 (1800 is a slip).
            raise ValidationFailed(
                "“{field}”不能早于 {earliest}，实际为 {value}",
                field=Bilingual.of(f.label),
                earliest=EARLIEST_DATE,
                value=day,
            )
    if kind.id == "loan_year":
        _check_loan_dates(out, today)
    return out


def _check_loan_dates(v: dict[str, Any], today: date) -> None:
    """P2.7-a pays a year's costs of a loan running in that year: the loan ends after it
    starts, and the cost year is one the loan ran in, not after this year."""
    start, end, year = v["start_date"], v.get("end_date"), v["year"]
    labels = FIELD_LABELS
    if end is not None and end < start:
        raise ValidationFailed(
            "“{end_field}”（{end}）不能早于“{start_field}”（{start}）",
            end_field=Bilingual.of(labels["end_date"]),
            end=end,
            start_field=Bilingual.of(labels["start_date"]),
            start=start,
        )
    service.check_year(year)
    if year > today.year:
        raise ValidationFailed(
            "“{field}”不能晚于今年（{this_year}），实际为 {year}",
            field=Bilingual.of(labels["year"]),
            this_year=today.year,
            year=year,
        )
    if year < start.year or (end is not None and year > end.year):
        raise ValidationFailed(
            "“{field}”应在贷款期内（{first} 至 {last} 年），实际为 {year}",
            field=Bilingual.of(labels["year"]),
            first=start.year,
            last=end.year if end is not None else today.year,
            year=year,
        )


def _documents(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Each non-empty upload with its content type; refuses a missing, too large or unknown file."""
    files = [u for u in uploads if u.content]
    if not files:
        raise ValidationFailed("请上传证明材料（PDF、JPG 或 PNG）")
    if len(files) > MAX_FILES:
        raise ValidationFailed("一次最多上传 {max} 个文件，实际为 {n} 个", max=MAX_FILES, n=len(files))
    out = []
    for u in files:
        if len(u.content) > MAX_FILE_BYTES:
            raise ValidationFailed(
                "文件“{name}”超过 {mb} MB", name=u.filename, mb=MAX_FILE_BYTES // (1024 * 1024)
            )
        content_type = next((t for sig, t in SIGNATURES.items() if u.content.startswith(sig)), None)
        if content_type is None:
            raise ValidationFailed("文件“{name}”不是 PDF、JPG 或 PNG 文件", name=u.filename)
        out.append((u, content_type))
    return out


def _safe_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1].strip() or "材料"
    return re.sub(r"[\x00-\x1f]", "", base)[:255]


def _write_evidence(
    session: Session, kind: str, holder_id: int, v: dict[str, Any], now: datetime
) -> tuple[int, str]:
    """Insert the evidence row; return the year to evaluate and the entitlement's object key."""
    dup = "“{value}”已登记过，不能重复申请；如有疑问请联系县区知识产权部门"
    if v.get("patent_number"):
        _require_own_patent(session, holder_id, v["patent_number"])
    if kind == "award":
        # P2.2 rewards a patent's award once: the same patent with another award of the same
        # list (China: gold or excellence; Henan: first, second or third prize) is not a
        # second reward, whatever the date or level typed.
        same_list = [lv for lv in AWARD_LABELS if lv.split("_")[0] == v["level"].split("_")[0]]
        earlier = session.scalar(
            select(PatentAward).where(
                PatentAward.patent_number == v["patent_number"], PatentAward.level.in_(same_list)
            )
        )
        if earlier is not None:
            raise Conflict(
                "专利{number}已于{date}以“{level}”登记获奖，同一专利的同类奖项只奖励一次",
                number=v["patent_number"],
                date=earlier.award_date,
                level=AWARD_LABELS.get(earlier.level, earlier.level),
            )
        award = PatentAward(
            holder_id=holder_id,
            patent_number=v["patent_number"],
            level=v["level"],
            award_date=v["award_date"],
        )
        session.add(award)
        session.flush()
        return v["award_date"].year, f"A{award.id}"
    # Numbers are compared folded (evidence_key): 18119IP-0126 typed again as １８１１９ｉｐ０１２６
    # is the same certificate, already registered. An object is named by its row's number as
    # first written, which the folded key keeps unique: one object, one payment key.
    if kind == "certificate":
        key = evidence_key(v["certificate_number"])
        if session.scalar(select(IpCertificate.id).where(IpCertificate.certificate_key == key)):
            raise Conflict(dup, value=v["certificate_number"])
        session.add(
            IpCertificate(
                holder_id=holder_id,
                certificate_number=v["certificate_number"],
                certifier=v["certifier"],
                issued_on=v["issued_on"],
            )
        )
        return v["issued_on"].year, v["certificate_number"]
    if kind == "loan_year":
        # ZY-1, zy-1, ＺＹ－１ and ZY 1 are one loan (evidence_key): a year of its costs is
        # paid once (P2.7-a), whichever spelling the second application uses.
        key = evidence_key(v["contract_number"])
        loan = session.scalar(select(PledgeLoan).where(PledgeLoan.contract_key == key))
        if loan is not None and loan.holder_id != holder_id:
            raise Conflict(dup, value=v["contract_number"])
        if loan is None:
            loan = PledgeLoan(
                holder_id=holder_id,
                contract_number=v["contract_number"],
                pledge_registration=v["pledge_registration"],
                lender=v["lender"],
                principal_yuan=v["principal_yuan"],
                start_date=v["start_date"],
                end_date=v["end_date"],
            )
            session.add(loan)
            session.flush()
        elif session.scalar(
            select(PledgeLoanCost.id).where(
                PledgeLoanCost.loan_id == loan.id, PledgeLoanCost.year == v["year"]
            )
        ):
            raise Conflict(dup, value=f"{v['contract_number']}（{v['year']}）")
        session.add(
            PledgeLoanCost(
                loan_id=loan.id,
                year=v["year"],
                interest_yuan=v["interest_yuan"],
                valuation_yuan=v["valuation_yuan"] or 0,
                guarantee_yuan=v["guarantee_yuan"] or 0,
                insurance_yuan=v["insurance_yuan"] or 0,
            )
        )
        return v["year"], f"{loan.contract_number}@{v['year']}"
    if kind == "insurance_policy":
        key = evidence_key(v["policy_number"])
        if session.scalar(select(PatentInsurancePolicy.id).where(PatentInsurancePolicy.policy_key == key)):
            raise Conflict(dup, value=v["policy_number"])
        session.add(
            PatentInsurancePolicy(
                holder_id=holder_id,
                policy_number=v["policy_number"],
                patent_number=v["patent_number"],
                insurer=v["insurer"],
                premium_yuan=v["premium_yuan"],
                start_date=v["start_date"],
            )
        )
        return v["start_date"].year, v["policy_number"]
    if session.scalar(select(PctApplication.id).where(PctApplication.pct_number == v["pct_number"])):
        raise Conflict(dup, value=v["pct_number"])
    session.add(
        PctApplication(
            pct_number=v["pct_number"],
            holder_id=holder_id,
            title=v["title"],
            filing_date=v["filing_date"],
            search_report_date=v["search_report_date"],
            created_at=now,
        )
    )
    return v["search_report_date"].year, v["pct_number"]


def _require_own_patent(session: Session, holder_id: int, number: str) -> None:
    """Refuse a patent the applicant does not hold: an award (P2.2) or an insured patent
    (P2.7-b) is the holder's own, as the registry records its holders."""
    from ipcity.auth.roles import SYSTEM
    from ipcity.registry.service import get_patent

    try:
        patent = get_patent(session, SYSTEM, number)
    except NotFound:
        raise ValidationFailed(
            "专利{number}不在本市专利登记簿中；请先由县区知识产权部门导入该专利后再申请", number=number
        ) from None
    if holder_id not in {h.id for h in patent.holders}:
        raise PermissionDenied(
            "专利{number}的权利人是{holders}，不含申请企业；只能为本企业持有的专利申请",
            number=number,
            holders="、".join(h.name for h in patent.holders) or "（未登记）",
        )


def apply(
    session: Session, actor: Actor, kind_id: str, raw: Mapping[str, Any], uploads: list[Upload]
) -> PolicyCase:
    """An enterprise's application with evidence (see the module's steps); commits, or
    changes nothing and raises with one sentence."""
    require(actor, "policy.apply")
    kind = KINDS.get(kind_id)
    if kind is None:
        raise ChoiceFailed("申请类别“{kind}”无效，应为 {expected} 之一", choices=KIND_LABELS, kind=kind_id)
    if actor.holder_id is None:
        raise ValidationFailed("该企业账号未绑定权利人，不能申请")
    values = _clean(kind, raw)
    documents = _documents(uploads)
    now = _now()
    try:
        year, object_key = _write_evidence(session, kind.id, actor.holder_id, values, now)
        session.flush()
        wanted = {entitlement_id(year, rule, object_key) for rule in kind.rules}
        # The applicant's own object, so no scope filter: a holder outside the city must hear why.
        policy = service.current_policy()
        found = [
            e
            for e in evaluate(
                policy,
                load_snapshot(session, year, policy, kind.rules),
                year,
                kind.rules,
                settled=service.settled_keys(session, year),
            )
            if e.id in wanted
        ]
        if not found:
            raise Conflict("按所填材料，{year}年度没有可享受的“{kind}”项目", year=year, kind=kind.label)
        chosen = found[0]
        if chosen.status != "eligible" or chosen.amount <= 0:
            raise Conflict(
                "按所填材料不能享受：{why}", why=Bilingual(chosen.explanation_zh, chosen.explanation_en)
            )
        if session.scalar(
            select(PolicyCase.id).where(
                PolicyCase.payment_key == chosen.payment_key, PolicyCase.status != "rejected"
            )
        ):
            raise Conflict("项目“{key}”已有资助案件，不能重复申请", key=chosen.payment_key)
        try:
            case = workflow.open_case(
                session,
                actor,
                chosen,
                _holder_region(session, actor.holder_id),
                "applied",
                now,
                # What was applied for, by its kind (a label the timeline shows in the reader's
                # language); the computation itself is the entitlement's explanation, one link away.
                kind.label,
            )
        except IntegrityError as exc:
            # The live-case index decides between two applications (or an application and
            # a reopening) of one key made at the same moment.
            raise Conflict("项目“{key}”已有资助案件，不能重复申请", key=chosen.payment_key) from exc
        for upload, content_type in documents:
            session.add(
                PolicyEvidenceFile(
                    case_id=case.id,
                    filename=_safe_name(upload.filename),
                    content_type=content_type,
                    size=len(upload.content),
                    sha256=hashlib.sha256(upload.content).hexdigest(),
                    content=upload.content,
                    uploaded_by=actor.username,
                    uploaded_at=now,
                )
            )
        audit.record(
            session,
            actor.username,
            "policy.case.apply",
            "policy_case",
            case.id,
            {
                "kind": kind.id,
                "payment_key": case.payment_key,
                "amount": case.amount_yuan,
                "fields": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()},
                "files": [hashlib.sha256(u.content).hexdigest() for u, _ in documents],
            },
        )
        session.commit()
    except IntegrityError as exc:
        # The same facts written by another request at the same moment (a double click on
        # submit): its evidence row or its case holds the unique key, this one gives way.
        session.rollback()
        raise Conflict("同一份申请刚刚已经提交过，请在“本企业的资助项目”中查看") from exc
    except BaseException:
        session.rollback()  # the evidence row and the files go with a refused application
        raise
    return case


def _holder_region(session: Session, holder_id: int) -> str | None:
    from ipcity.registry.models import Holder

    return session.scalar(select(Holder.region_code).where(Holder.id == holder_id))


def files_of(session: Session, case_id: int) -> list[PolicyEvidenceFile]:
    """The documents of a case, oldest first (their bytes are not read: a list needs none)."""
    return list(
        session.scalars(
            select(PolicyEvidenceFile)
            .options(defer(PolicyEvidenceFile.content))
            .where(PolicyEvidenceFile.case_id == case_id)
            .order_by(PolicyEvidenceFile.id)
        )
    )


def evidence_file(
    session: Session, actor: Actor, case_id: int, file_id: int, can_read: Callable[[], Any]
) -> PolicyEvidenceFile:
    """One document of a case, for a reader the caller has checked with ``can_read`` (the
    case view's own scope check)."""
    can_read()
    row = session.get(PolicyEvidenceFile, file_id)
    if row is None or row.case_id != case_id:
        raise NotFound("没有编号为 {id} 的材料", id=file_id)
    return row
