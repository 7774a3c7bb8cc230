"""The fact vocabulary of the pre-check: every name a rule may read, with its Chinese label, unit and
meaning. Pure data. The Django layer (`civicgrid.enterprises.actions.precheck.facts_for`) fills a dict of
these from an enterprise's records; a fact it cannot fill is left out and the engine reports it as data
to collect. `parse_ruleset` rejects a rule that reads a name not listed here.

Units: ``元`` money in yuan (numbers), ``%`` percent (2.6 means 2.6%), ``人`` persons, ``年`` years,
``件`` counts, ``分`` points, ``个月`` months, ``bool`` true/false. "Latest year" is the latest year with reported
metrics. The unemployment-insurance facts are filled by civicgrid.subsidies (its officer-recorded yearly
insurance records) for the subsidy programmes' rules (稳岗返还 …), which run on this same engine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    label: str  # Chinese
    unit: str  # one of UNITS
    meaning: str  # how it is filled


UNITS = ("元", "%", "人", "年", "件", "分", "个月", "bool")


def _f(label: str, unit: str, meaning: str) -> Fact:
    return Fact(label, unit, meaning)


FACTS: dict[str, Fact] = {
    # registry and credit
    "registered_years": _f("成立年限", "年", "years from the registration date to the check date"),
    "is_resident_enterprise": _f("境内注册居民企业", "bool",
                                 "registered in mainland China (a valid unified social credit code)"),
    "in_hightech_field": _f("属于国家重点支持的高新技术领域", "bool", "the enterprise's high-tech field is set"),
    "is_abnormal_operation": _f("列入经营异常名录", "bool", "credit flag"),
    "is_serious_violation": _f("列入严重违法失信名单", "bool", "credit flag"),
    "had_major_incident": _f("近一年发生重大安全、质量事故或严重环境违法", "bool",
                             "credit flag for the year before the check"),
    # latest-year metrics
    "metrics_year": _f("指标年度", "年", "the latest year with reported metrics"),
    "staff": _f("从业人员", "人", "employees, latest year"),
    "tech_staff": _f("科技人员", "人", "technical staff, latest year"),
    "rd_staff": _f("研发人员", "人", "R&D staff, latest year"),
    "revenue": _f("营业收入（销售收入）", "元", "revenue, latest year"),
    "main_business_revenue": _f("主营业务收入", "元", "main-business revenue, latest year"),
    "hightech_revenue": _f("高新技术产品（服务）收入", "元", "high-tech product/service revenue, latest year"),
    "total_assets": _f("资产总额", "元", "total assets, end of latest year"),
    "net_assets": _f("净资产", "元", "net assets, end of latest year"),
    "total_liabilities": _f("负债总额", "元", "total liabilities, end of latest year"),
    "total_cost": _f("成本费用总额", "元", "total cost and expenses, latest year"),
    "rd_expense": _f("研发费用", "元", "R&D expense, latest year"),
    "rd_expense_domestic": _f("境内研发费用", "元", "R&D expense incurred in China, latest year"),
    # previous year and multi-year sums
    "revenue_previous": _f("上一年营业收入", "元", "revenue, the year before the latest"),
    "rd_expense_previous": _f("上一年研发费用", "元", "R&D expense, the year before the latest"),
    "revenue_3y": _f("近三年营业收入合计", "元", "sum over the latest three consecutive years"),
    "rd_expense_3y": _f("近三年研发费用合计", "元", "sum over the latest three consecutive years"),
    "rd_expense_domestic_3y": _f("近三年境内研发费用合计", "元", "sum over the latest three consecutive years"),
    "rd_expense_2y_total": _f("近两年研发费用合计", "元", "latest two years"),
    "rd_expense_2y_average": _f("近两年研发费用年均", "元", "latest two years"),
    "equity_financing_2y": _f("近两年新增股权融资", "元", "qualified investors' paid-in equity, latest two years"),
    # derived ratios (percent), filled by the Django layer from the numbers above
    "tech_staff_ratio": _f("科技人员占比", "%", "tech_staff / staff"),
    "rd_staff_ratio": _f("研发人员占比", "%", "rd_staff / staff"),
    "hightech_revenue_ratio": _f("高新技术产品收入占比", "%", "hightech_revenue / revenue"),
    "main_business_ratio": _f("主营业务收入占比", "%", "main_business_revenue / revenue"),
    "rd_ratio": _f("研发费用占营业收入比例", "%", "rd_expense / revenue, latest year"),
    "rd_ratio_previous": _f("上一年研发费用占营业收入比例", "%", "rd_expense_previous / revenue_previous"),
    "rd_ratio_3y": _f("近三年研发费用占销售收入比例", "%", "rd_expense_3y / revenue_3y"),
    "domestic_rd_ratio_3y": _f("近三年境内研发费用占比", "%", "rd_expense_domestic_3y / rd_expense_3y"),
    "debt_ratio": _f("资产负债率", "%", "total_liabilities / total_assets"),
    "revenue_growth": _f("营业收入增长率", "%", "latest year over the year before"),
    "net_asset_growth": _f("净资产增长率", "%", "latest year over the year before"),
    "main_business_growth_2y_average": _f("近两年主营业务收入平均增长率", "%", "mean of the last two yearly growths"),
    # intellectual property (valid on the check date)
    "valid_class_i_ip": _f("有效Ⅰ类知识产权", "件", "invention patents, layout designs, plant varieties …"),
    "valid_class_ii_ip": _f("有效Ⅱ类知识产权", "件", "utility models, designs, software copyrights …"),
    "valid_invention_patents": _f("有效发明专利", "件", "granted and valid"),
    # qualifications held (valid on the check date)
    "holds_high_tech_enterprise": _f("持有有效高新技术企业资格", "bool", "qualification record"),
    "holds_tech_sme": _f("已入库科技型中小企业", "bool", "qualification record"),
    "holds_innovative_sme": _f("已认定创新型中小企业", "bool", "qualification record"),
    "holds_specialised_sme": _f("已认定专精特新中小企业", "bool", "qualification record"),
    "holds_little_giant": _f("已认定专精特新“小巨人”企业", "bool", "qualification record"),
    # recorded by an officer (a judgement or a figure the registry does not hold)
    "niche_years": _f("从事特定细分市场年限", "年", "recorded by the enterprise officer"),
    "national_niche_share": _f("主导产品全国细分市场占有率", "%", "recorded by the enterprise officer"),
    "has_rd_institution": _f("设立研发机构", "bool", "recorded by the enterprise officer"),
    "innovation_score": _f("企业创新能力评价得分", "分", "高企 expert score, recorded after review"),
    # unemployment insurance, the assessed year (recorded by the 人社 officer: civicgrid.subsidies)
    "is_sme": _f("中小微企业", "bool", "size class medium, small or micro (large: false)"),
    "ui_paid_months": _f("失业保险足额缴费月数", "个月", "months of the assessed year paid in full"),
    "ui_contributions": _f("上年度实际缴纳失业保险费", "元", "unit and employee contributions actually paid"),
    "insured_start": _f("年初参保人数", "人", "insured employees at the start of the assessed year"),
    "insured_end": _f("年末参保人数", "人", "insured employees at the end of the assessed year"),
    "layoff_rate": _f("裁员率", "%", "(insured_start - insured_end) / insured_start; 0 when it grew"),
    "hired_unemployed": _f("吸纳登记失业人员", "人", "registered unemployed hired with a contract ≥ 1 year"),
}
