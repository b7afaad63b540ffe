"""Canonical fields of each kind of file: names, labels, which are required, accepted headers.

The import page shows these when an officer maps the columns of an unknown file
(:func:`ipcity.registry.importers.layouts.layout_from_mapping`), and the downloadable
templates (:mod:`ipcity.registry.importers.templates`) are built from them: Chinese header
first, the English field name and label accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["CANONICAL_FIELDS", "EVIDENCE_KINDS", "KINDS", "FieldSpec", "Kind", "header_key"]

Kind = Literal[
    "patents",
    "trademarks",
    "copyrights",
    "plant-varieties",
    "gis",
    "holders",
    "population",
    # The policy's evidence (P2.1-d, P2.2, P2.3, P2.7): lists the office receives from the
    # award bodies, certifiers, banks, insurers and the receiving office; written to the
    # policy's tables.
    "awards",
    "certificates",
    "pledge-loans",
    "insurance-policies",
    "pct-applications",
]
KINDS: tuple[str, ...] = get_args(Kind)
EVIDENCE_KINDS: frozenset[str] = frozenset(
    {"awards", "certificates", "pledge-loans", "insurance-policies", "pct-applications"}
)

KIND_NAMES: dict[str, tuple[str, str]] = {
    "patents": ("专利", "Patents"),
    "trademarks": ("商标", "Trademarks"),
    "copyrights": ("著作权登记", "Copyright registrations"),
    "plant-varieties": ("植物新品种权", "Plant variety rights"),
    "gis": ("地理标志", "Geographical indications"),
    "holders": ("权利人", "Holders"),
    "population": ("常住人口", "Resident population"),
    "awards": ("专利奖励", "Patent awards"),
    "certificates": ("贯标认证", "GB/T 29490 certificates"),
    "pledge-loans": ("质押融资", "IP-pledge loans"),
    "insurance-policies": ("专利保险", "Patent insurance policies"),
    "pct-applications": ("PCT国际申请", "PCT applications"),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One canonical field: ``name`` (English identifier), labels, whether a file must have
    it, the headers recognised for it (the Chinese label first), a Chinese explanation for
    the template's 说明 sheet and an example value."""

    name: str
    label_zh: str
    label_en: str
    required: bool = False
    headers: tuple[str, ...] = ()
    help_zh: str = ""
    example: str = ""

    @property
    def accepted_headers(self) -> tuple[str, ...]:
        """Every header text recognised for this field: Chinese label, aliases, English."""
        return (self.label_zh, *self.headers, self.name, self.label_en)


_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "　": None, " ": None, "\t": None})


def header_key(header: str) -> str:
    """The form headers are compared in: no spaces, ASCII brackets, lower case, so that
    "标题 (中文)" matches "标题(中文)" and "公开（公告）号" matches "公开(公告)号"."""
    return header.replace("\ufeff", "").strip().translate(_FULLWIDTH).lower()


F = FieldSpec

_PATENT_FIELDS = (
    F(
        "application_number",
        "申请号",
        "Application number",
        True,
        ("专利号", "申请号码"),
        "CNIPA 申请号，含校验位，如 CN201910593937.7；外国申请号带国家代码，如 US15950587。",
        "CN201910593937.7",
    ),
    F(
        "title",
        "标题",
        "Title",
        True,
        ("专利名称", "标题(中文)", "名称", "发明名称"),
        "发明创造名称。",
        "一种基于虚拟现实的全景摄像装置",
    ),
    F("title_en", "英文标题", "English title", False, ("标题(英文)",), "英文名称（可空）。", ""),
    F("filing_date", "申请日", "Filing date", False, (), "日期，如 2019-07-03 或 20190703。", "2019-07-03"),
    F(
        "publication_number",
        "公开号",
        "Publication number",
        False,
        ("公开(公告)号", "公告号"),
        "公开（公告）号，含文献种类代码，如 CN110298449A。",
        "CN110298449A",
    ),
    F(
        "publication_date",
        "公开日",
        "Publication date",
        False,
        ("公开(公告)日", "公告日"),
        "日期。",
        "2019-10-01",
    ),
    F("grant_number", "授权公告号", "Grant publication number", False, (), "授权公告号（可空）。", ""),
    F("grant_date", "授权公告日", "Grant date", False, ("授权日",), "授权公告日（可空）。", ""),
    F(
        "ipc_main",
        "IPC主分类",
        "Main IPC",
        False,
        ("国际主分类", "主分类号", "IPC主分类号"),
        "主分类号，如 G06N20/00。",
        "G06N20/00",
    ),
    F(
        "ipc_all",
        "IPC分类",
        "IPC codes",
        False,
        ("IPC", "国际分类", "分类号", "IPC分类号"),
        "全部分类号，用 | 或 ; 分隔。",
        "G06N20/00; G06F9/50",
    ),
    F(
        "applicants",
        "申请人",
        "Applicants",
        False,
        # 第一权利人 / First holder: this platform's own export (the first applicant only;
        # a registry that knows more applicants keeps them, see store._keep_what_the_file_lacks).
        ("专利权人", "申请(专利权)人", "权利人", "第一权利人", "First holder"),
        "按申请顺序填写，多个用 ; 分隔。",
        "鹤壁市示例科技有限公司",
    ),
    F(
        "applicant_address",
        "申请人地址",
        "Applicant address",
        False,
        ("地址",),
        "第一申请人地址。",
        "河南省鹤壁市淇滨区示例路1号",
    ),
    F("inventors", "发明人", "Inventors", False, ("设计人",), "多个用 ; 分隔。", "张三; 李四"),
    F(
        "legal_status",
        "法律状态",
        "Legal status",
        False,
        ("当前法律状态", "Current legal status"),
        "如 公开、实质审查、授权、未缴年费、期限届满、撤回、驳回、全部无效。",
        "授权",
    ),
    F("validity", "专利有效性", "Validity", False, ("有效性",), "有效、审中、失效（可空）。", ""),
    F("lapse_date", "失效日期", "Lapse date", False, (), "权利终止或失效的日期（可空）。", ""),
    F("invalidation_date", "无效宣告日期", "Invalidation date", False, (), "（可空）", ""),
    F("examination_date", "实质审查日", "Examination request date", False, ("实审生效日",), "（可空）", ""),
    F("abstract", "摘要", "Abstract", False, ("摘要(中文)", "申请摘要"), "（可空）", ""),
    F(
        "patent_type",
        "专利类型",
        "Patent type",
        False,
        ("Type",),
        "发明申请、发明授权、实用新型或外观设计。",
        "发明申请",
    ),
    F(
        "country",
        "公开国别",
        "Office",
        False,
        ("国家/地区", "受理局"),
        "中国、美国、世界知识产权组织……（可空）。",
        "中国",
    ),
    F("family", "简单同族", "Simple family", False, ("同族", "同族专利"), "同族公开号，用 ; 分隔。", ""),
    F(
        "pct_application_number",
        "国际申请号",
        "PCT application number",
        False,
        ("PCT申请号",),
        "如 PCT/CN2019/094567。",
        "",
    ),
    F(
        "pct_publication_number",
        "国际公开号",
        "PCT publication number",
        False,
        ("PCT公开号",),
        "如 WO2020001234A1。",
        "",
    ),
    F("claims_count", "权利要求数", "Number of claims", False, (), "整数（可空）。", ""),
)

_TRADEMARK_FIELDS = (
    F(
        "registration_number",
        "注册号",
        "Registration number",
        True,
        ("商标注册号", "申请/注册号"),
        "商标注册号（申请号）。",
        "12345678",
    ),
    F("mark", "商标名称", "Mark", True, ("商标",), "商标文字或图形说明。", "鹤壁示例"),
    F(
        "nice_classes",
        "尼斯分类",
        "Nice classes",
        True,
        ("国际分类", "类别", "类号"),
        "尼斯分类 1–45，多个用 ; 分隔。",
        "9; 35",
    ),
    F(
        "mark_type",
        "商标类型",
        "Mark type",
        False,
        (),
        "普通商标、集体商标、证明商标、地理标志证明商标或地理标志集体商标；空为普通商标。",
        "普通商标",
    ),
    F(
        "holder",
        "权利人",
        "Holder",
        False,
        ("注册人", "申请人", "商标权人"),
        "注册人名称。",
        "鹤壁市示例科技有限公司",
    ),
    F("filing_date", "申请日", "Filing date", False, (), "日期。", "2018-03-01"),
    F("registration_date", "注册日", "Registration date", False, ("注册公告日",), "日期。", "2019-05-07"),
    F(
        "expiry_date",
        "专用权期限至",
        "Valid until",
        False,
        ("专用权期限", "有效期至"),
        "专用权期限截止日。",
        "2029-05-06",
    ),
    F(
        "well_known_date",
        "驰名商标认定日",
        "Well-known recognition date",
        False,
        ("驰名商标认定日期",),
        "被认定为驰名商标的日期（可空）。",
        "",
    ),
    F(
        "status",
        "状态",
        "Status",
        False,
        ("商标状态", "法律状态"),
        "注册、申请中、无效、注销、撤销、期满未续展（可空）。",
        "注册",
    ),
)

_COPYRIGHT_FIELDS = (
    F(
        "registration_number",
        "登记号",
        "Registration number",
        True,
        ("登记证号",),
        "著作权登记号。",
        "2019SR0123456",
    ),
    F(
        "title",
        "名称",
        "Title",
        True,
        ("软件名称", "作品名称", "软件全称"),
        "软件或作品名称。",
        "示例管理系统V1.0",
    ),
    F("category", "类别", "Category", True, ("登记类别", "类型"), "软件 或 作品。", "软件"),
    F(
        "holder",
        "著作权人",
        "Holder",
        False,
        ("权利人", "著作权人(国籍)"),
        "著作权人名称。",
        "鹤壁市示例科技有限公司",
    ),
    F(
        "registration_date",
        "登记日",
        "Registration date",
        False,
        ("登记日期", "批准日期"),
        "日期。",
        "2019-02-15",
    ),
)

_PLANT_VARIETY_FIELDS = (
    F(
        "right_number",
        "品种权号",
        "Right number",
        True,
        ("品种权证号", "授权号"),
        "植物新品种权号。",
        "CNA20151234.5",
    ),
    F("crop", "作物种类", "Crop", True, ("作物", "属或种"), "作物种类，如 玉米、小麦。", "小麦"),
    F("variety", "品种名称", "Variety", True, ("品种",), "品种名称。", "鹤麦示例1号"),
    F("holder", "品种权人", "Holder", False, ("权利人",), "品种权人名称。", "鹤壁市农业科学院"),
    F("grant_date", "授权日", "Grant date", False, ("授权日期",), "日期。", "2018-12-28"),
)

_GI_FIELDS = (
    F("name", "名称", "Name", True, ("地理标志名称", "产品名称"), "地理标志名称。", "浚县花生"),
    F(
        "kind",
        "类型",
        "Kind",
        True,
        ("地理标志类型",),
        "地理标志产品、地理标志证明商标、地理标志集体商标或农产品地理标志。",
        "地理标志证明商标",
    ),
    F("region_code", "行政区划代码", "Region code", False, ("区划代码",), "6 位行政区划代码。", "410621"),
    F(
        "holder",
        "权利人",
        "Holder",
        False,
        ("申请人", "注册人", "持有人"),
        "权利人或申请人名称。",
        "浚县花生协会",
    ),
    F(
        "registration_number",
        "登记号",
        "Registration number",
        True,
        ("注册号", "公告号", "证书编号"),
        "登记号、注册号或批准公告号。",
        "12345679",
    ),
    F(
        "registration_date",
        "登记日",
        "Registration date",
        False,
        ("注册日", "批准日期", "登记日期"),
        "日期。",
        "2016-08-14",
    ),
)

_HOLDER_FIELDS = (
    F(
        "name",
        "名称",
        "Name",
        True,
        ("单位名称", "企业名称", "权利人名称", "申请人"),
        "全称，与专利申请人一致。",
        "鹤壁市示例科技有限公司",
    ),
    F(
        "uscc",
        "统一社会信用代码",
        "Unified social credit code",
        False,
        ("信用代码", "社会信用代码"),
        "18 位统一社会信用代码（个人可空）。",
        "91110000802100433B",
    ),
    F("kind", "类型", "Kind", False, ("主体类型", "单位类型"), "企业、高校、科研院所、个人或其他。", "企业"),
    F("region_code", "行政区划代码", "Region code", False, ("区划代码",), "6 位行政区划代码。", "410611"),
    F("address", "地址", "Address", False, ("注册地址", "通讯地址"), "地址。", "河南省鹤壁市淇滨区示例路1号"),
    F(
        "zone_code",
        "园区",
        "Zone",
        False,
        ("所属园区",),
        "所属园区或集聚区名称/代码（可空）。",
        "鹤壁经济技术开发区",
    ),
    F(
        "tags",
        "标签",
        "Tags",
        False,
        (),
        "用 ; 分隔：中小企业、高新技术企业、科技型中小企业、孵化器在孵……",
        "中小企业; 高新技术企业",
    ),
    F(
        "tiers",
        "资质",
        "Tiers",
        False,
        ("认定",),
        "资质:年份，多个用 ; 分隔，如 国家知识产权优势企业:2019。",
        "国家知识产权优势企业:2019",
    ),
    # The receiving account the policy's money is paid into (registry/payee.py): the three
    # together or none; blank cells keep what the registry holds.
    F(
        "payee_name",
        "户名",
        "Account name",
        False,
        ("收款户名", "账户名称", "收款账户名称"),
        "收款账户户名，一般与名称一致；与开户银行、银行账号一并填写。",
        "鹤壁市示例科技有限公司",
    ),
    F(
        "payee_bank",
        "开户银行",
        "Bank",
        False,
        ("开户行", "收款银行", "开户银行名称"),
        "开户银行全称，写到支行。",
        "中国工商银行鹤壁淇滨支行",
    ),
    F(
        "payee_account",
        "银行账号",
        "Account number",
        False,
        ("收款账号", "账号", "银行帐号"),
        "8 至 32 位数字，可用空格或连字符分隔；请将单元格设为文本，以免 Excel 截去位数。",
        "1705 0210 0920 0123 456",
    ),
)

_POPULATION_FIELDS = (
    F(
        "region_code",
        "行政区划代码",
        "Region code",
        True,
        ("区划代码", "地区或园区"),
        "6 位行政区划代码；园区（P2.1 的目标按园区计）填园区代码或名称，如 hebi_etdz 或 鹤壁经济技术开发区。",
        "410611",
    ),
    F("year", "年份", "Year", True, ("年度",), "年份，1949–2100。", "2020"),
    F(
        "residents",
        "常住人口",
        "Residents",
        True,
        ("常住人口(人)", "人口"),
        "年末常住人口，正整数（人）。",
        "340000",
    ),
    F("source", "数据来源", "Source", False, ("来源",), "统计公报等（可空）。", "鹤壁市统计公报"),
)

_PATENT_NUMBER = F(
    "patent_number",
    "专利号",
    "Patent number",
    True,
    ("申请号",),
    "专利申请号，含校验位；ZL 或 CN 开头均可，如 ZL201710123456.0。",
    "CN201710123456.0",
)

_HOLDER_OF_EVIDENCE = (
    F(
        "holder",
        "权利人",
        "Holder",
        True,
        ("企业名称", "单位名称", "获奖单位", "专利权人"),
        "获得者的全称。",
        "鹤壁示例科技有限公司",
    ),
    F(
        "uscc",
        "统一社会信用代码",
        "Unified social credit code",
        False,
        ("信用代码", "社会信用代码"),
        "18 位统一社会信用代码（可空；有则按代码找权利人）。",
        "",
    ),
)

_AWARD_FIELDS = (
    _PATENT_NUMBER,
    F(
        "level",
        "奖项",
        "Award",
        True,
        ("奖项等级", "奖励等级", "获奖等级"),
        "中国专利金奖、中国专利优秀奖、省专利奖特等奖、省专利奖一等奖、省专利奖二等奖或省专利奖三等奖。",
        "省专利奖一等奖",
    ),
    F("award_date", "授奖日期", "Award date", True, ("获奖日期", "颁奖日期"), "日期。", "2019-11-20"),
    *_HOLDER_OF_EVIDENCE,
    F(
        "evidence",
        "证明材料",
        "Evidence",
        False,
        ("文号", "备注"),
        "授奖文件文号等（可空）。",
        "豫政〔2019〕示例号",
    ),
)

_CERTIFICATE_FIELDS = (
    F(
        "certificate_number",
        "证书编号",
        "Certificate number",
        True,
        ("证书号",),
        "认证证书编号。",
        "165IP190001R0M",
    ),
    *_HOLDER_OF_EVIDENCE,
    F("issued_on", "发证日期", "Issued on", True, ("颁证日期", "认证日期"), "日期。", "2019-06-18"),
    F(
        "certifier",
        "认证机构",
        "Certifier",
        False,
        ("发证机构",),
        "认证机构名称（可空）。",
        "中知（北京）认证有限公司",
    ),
    F("standard", "标准", "Standard", False, ("认证标准",), "默认 GB/T 29490。", "GB/T 29490"),
)

_PLEDGE_LOAN_FIELDS = (
    F(
        "contract_number",
        "合同编号",
        "Contract number",
        True,
        ("贷款合同编号", "合同号"),
        "贷款合同编号。",
        "ZY2019-001",
    ),
    *_HOLDER_OF_EVIDENCE,
    F("lender", "贷款机构", "Lender", False, ("银行", "放款机构"), "银行等（可空）。", "中国银行鹤壁分行"),
    F(
        "pledge_registration",
        "质押登记号",
        "Pledge registration",
        False,
        ("专利权质押登记号",),
        "国家知识产权局质押登记号（可空）。",
        "Y2019980000001",
    ),
    F(
        "principal_yuan",
        "贷款金额（元）",
        "Principal (yuan)",
        False,
        ("贷款金额", "本金"),
        "整数，元（可空）。",
        "5000000",
    ),
    F("start_date", "放款日期", "Start date", True, ("起始日期",), "日期。", "2019-03-01"),
    F("end_date", "到期日期", "End date", False, ("终止日期",), "日期（可空）。", "2020-02-28"),
    F(
        "year",
        "费用年度",
        "Year of the costs",
        False,
        ("年度",),
        "下列费用所属年度（有费用时必填）。",
        "2019",
    ),
    F(
        "interest_yuan",
        "利息（元）",
        "Interest (yuan)",
        False,
        ("利息",),
        "该年度已付利息，整数，元。",
        "240000",
    ),
    F("valuation_yuan", "评估费（元）", "Valuation fee (yuan)", False, ("评估费",), "整数，元。", "20000"),
    F("guarantee_yuan", "担保费（元）", "Guarantee fee (yuan)", False, ("担保费",), "整数，元。", "0"),
    F("insurance_yuan", "保险费（元）", "Insurance fee (yuan)", False, ("保险费",), "整数，元。", "0"),
)

_INSURANCE_FIELDS = (
    F("policy_number", "保单号", "Policy number", True, ("保险单号",), "保险单号。", "PICC-2019-0001"),
    *_HOLDER_OF_EVIDENCE,
    _PATENT_NUMBER,
    F("premium_yuan", "保费（元）", "Premium (yuan)", True, ("保费", "保险费"), "整数，元。", "12000"),
    F("start_date", "起保日期", "Start date", True, ("保险起期",), "日期。", "2019-05-01"),
    F(
        "insurer",
        "保险公司",
        "Insurer",
        False,
        ("承保机构",),
        "保险公司（可空）。",
        "中国人民财产保险鹤壁分公司",
    ),
)

_PCT_FIELDS = (
    F(
        "pct_number",
        "PCT申请号",
        "PCT application number",
        True,
        ("国际申请号", "PCT国际申请号"),
        "形如 PCT/CN2019/123456。",
        "PCT/CN2019/123456",
    ),
    *_HOLDER_OF_EVIDENCE,
    F("title", "名称", "Title", False, ("发明名称",), "发明名称（可空）。", "一种示例装置"),
    F("filing_date", "国际申请日", "International filing date", True, ("申请日",), "日期。", "2019-04-02"),
    F(
        "search_report_date",
        "国际检索报告日期",
        "International search report date",
        False,
        ("检索报告日期",),
        "收到国际检索报告的日期（未收到则空；P2.1-d 收到后才资助）。",
        "2019-08-20",
    ),
)

CANONICAL_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "pct-applications": _PCT_FIELDS,
    "awards": _AWARD_FIELDS,
    "certificates": _CERTIFICATE_FIELDS,
    "pledge-loans": _PLEDGE_LOAN_FIELDS,
    "insurance-policies": _INSURANCE_FIELDS,
    "patents": _PATENT_FIELDS,
    "trademarks": _TRADEMARK_FIELDS,
    "copyrights": _COPYRIGHT_FIELDS,
    "plant-varieties": _PLANT_VARIETY_FIELDS,
    "gis": _GI_FIELDS,
    "holders": _HOLDER_FIELDS,
    "population": _POPULATION_FIELDS,
}
