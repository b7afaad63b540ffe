"""The clauses of the policy that pay money (PROVISIONS.md section 1), with their quotes.

A rule of a policy file must name one of these ids; the loader refuses any other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    """One money clause: its id, the sentence of the text and the reading where it is silent."""

    id: str
    quote: str
    rule: str
    reading: str
    pays_money: bool = True
    reading_en: str = ""

    def reading_in(self, locale: str = "zh_CN") -> str:
        """The reading in ``locale``'s words (the quote itself stays the text's Chinese)."""
        return self.reading_en if locale.startswith("en") and self.reading_en else self.reading


CLAUSES: dict[str, Clause] = {
    c.id: c
    for c in (
        Clause(
            "P2.1-a",
            "对获得国内发明专利授权的给予每件4000元专利申请资助",
            "本市权利人每获得一件国内发明专利授权资助4000元",
            "按授权公告年度计；共有专利只资助一次，给排序第一的本地权利人（权利人另行申请分配的除外）",
            reading_en="Counted in the year the grant is published; a co-owned patent is paid once, to the first local holder in order (unless the holders apply for another split)",
        ),
        Clause(
            "P2.1-b",
            "对获得首件发明专利授权的专利权人给予1万元经费奖补",
            "权利人首件发明专利授权奖补1万元，每个权利人仅一次",
            "“首件”指该权利人在任何地方此前均无发明专利授权，不限于本市",
            reading_en="“First” means the holder has had no invention patent granted before, anywhere, not only in the city",
        ),
        Clause(
            "P2.1-c",
            "对有效发明专利授权年限在6年以上的，根据其实际缴纳年费情况给予一次性不超过1万元年费支持",
            "授权后维持有效满6年的发明专利，按实际缴纳年费一次性支持，最高1万元",
            "金额 = min(实际缴纳年费合计, 10000)，需年费缴纳凭证",
            reading_en="Amount = min(annuities actually paid in total, 10,000); needs proof of the annuity payments",
        ),
        Clause(
            "P2.1-d",
            "对PCT国际专利每件给予3万元补贴",
            "每件PCT国际专利申请补贴3万元",
            "本地申请人提交且已收到国际检索报告的PCT申请；每件申请仅一次",
            reading_en="PCT applications of a local applicant that have their international search report; once per application",
        ),
        Clause(
            "P2.1-e",
            "对年度专利授权量较大的企业、高等院校、科研机构以及软件著作权登记量较大的软件企业给予奖励",
            "年度专利授权量大的单位和软件著作权登记量大的软件企业给予奖励",
            "门槛和金额原文未定：作为参数，默认为空（规则存在，未设定前不支付）",
            reading_en="The text sets no threshold or amount: they are parameters, unset by default (the rule exists and pays nothing until they are set)",
        ),
        Clause(
            "P2.1-f",
            "对进入科技企业孵化器、众创空间的中小微企业…给予优先支持",
            "优先支持，不是资金项目",
            "预算不足时，孵化器、众创空间内中小微企业的申请排在前面",
            reading_en="When the budget is short, the cases of small and micro enterprises in incubators and maker spaces come first",
            pays_money=False,
        ),
        Clause(
            "P2.2-a",
            "对获得中国专利金奖、中国专利优秀奖的专利，分别给予50万元、5万元奖励",
            "中国专利金奖50万元、优秀奖5万元",
            "凭获奖名单",
            reading_en="By the award list",
        ),
        Clause(
            "P2.2-b",
            "对获得省专利奖的特等奖、一等奖、二等奖、三等奖分别给予10万元、5万元、2万元、1万元奖励",
            "省专利奖特等奖10万元、一等奖5万元、二等奖2万元、三等奖1万元",
            "凭获奖名单",
            reading_en="By the award list",
        ),
        Clause(
            "P2.3-a",
            "对通过“贯标”认证的企业给予5万元奖励",
            "通过GB/T 29490认证的企业奖励5万元，每个企业仅一次",
            "凭认证证书",
            reading_en="By the certificate",
        ),
        Clause(
            "P2.7-a",
            "对成功运用知识产权质押融资企业的贷款利息、评估、担保、保险等费用给予不超过实际发生额50%、"
            "年贴息不超过20万元的补助",
            "利息、评估、担保、保险费用实际发生额的50%，每个企业每年最高20万元",
            "凭借款合同、质押登记和付款凭证；上限按企业全年所有贷款合计",
            reading_en="By the loan contract, the pledge registration and the payment receipts; the cap is over all the enterprise's loans of the year together",
        ),
        Clause(
            "P2.7-b",
            "对企业参保专利保险的首件专利给予全额补贴",
            "企业首件参保专利的保费全额补贴",
            "每个企业仅一次",
            reading_en="Once per enterprise",
        ),
    )
}


def get_clause(clause_id: str) -> Clause | None:
    """The clause of an id, ``None`` when the text has no such money clause.

    >>> get_clause("P2.1-a").quote[:6]
    '对获得国内发'
    """
    return CLAUSES.get(clause_id)
