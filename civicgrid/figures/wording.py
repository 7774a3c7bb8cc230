"""The article's own wording of each declared figure (shared/seed/article.zh.txt, docs: seed figures), shown
beside the live value on the figures page and the big screen, and a short Chinese label per value name.
The wording is the article's text, not a value: every value shown is computed (registry.HANDLERS)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    title: str  # a short name of the figure
    article: str  # the article's sentence
    value_labels: dict[str, str] = field(default_factory=dict)


WORDING: dict[str, Wording] = {
    "base_grids": Wording("基础网格", "基础网格 279 个", {"grids": "网格数"}),
    "micro_grid_workers": Wording("微网格员", "微网格员 5684 个", {"workers": "微网格员", "micro_grids": "微网格"}),
    "volunteer_orders": Wording("群众接单", "开展半年来共接到群众接单 235 次,全部完成需求对接",
                                {"orders": "接单", "matched": "完成对接"}),
    "donations_to_low_income": Wording("爱心物资", "为贫困户发放爱心物资 5 万余元", {"yuan": "金额(元)"}),
    "volunteer_services": Wording("服务类别", "心理援助、法律援助、敬老服务、捐赠服务、助学服务、助残服务、医疗服务、紧急救援",
                                  {"categories": "类别数"}),
    "high_tech_enterprises": Wording("高新技术企业", "高新技术企业 41 家", {"enterprises": "企业数"}),
    "innovation_qualifications": Wording(
        "创新资质", "国家级创新型企业 2 家;国家火炬计划重点高新技术企业 4 家;国家级博士后科研工作站 2 家",
        {"national_innovative": "国家级创新型企业", "torch_key_high_tech": "火炬计划重点高新技术企业",
         "postdoctoral_stations": "博士后科研工作站"}),
    "patents": Wording("专利", "授权专利 385 项,有效发明专利 135 项,占辽阳市总量的 39.8%",
                       {"granted": "授权专利", "valid_invention": "有效发明专利", "city_share_percent": "占全市%"}),
    "main_board_listed": Wording("主板上市公司", "4 家主板上市公司", {"enterprises": "企业数"}),
    "projects_started": Wording("项目开工", "500 万元以上项目开工 67 个", {"projects": "项目数"}),
    "fixed_asset_investment": Wording("固定资产投资", "完成固定资产投资 12.7 亿元", {"yuan": "金额(元)"}),
    "funds_in_place": Wording("到位资金", "上半年引进国内到位资金 31.65 亿元,同比增长 37.13%",
                              {"yuan": "金额(元)", "yoy_percent": "同比增长%"}),
    "delegated_approvals": Wording("审批权限", "新增审批权限 83 项;8 个部门",
                                   {"items": "审批事项", "zone_departments": "部门"}),
    "zone_area": Wording("规划面积", "规划面积 4.3 → 31.04 平方公里",
                         {"initial_km2": "初始(平方公里)", "current_km2": "现在(平方公里)"}),
    "unemployment_insurance": Wording("失业保险金", "3710 人发放失业保险金 584.8 万元",
                                      {"persons": "人数", "yuan": "金额(元)"}),
    "unemployment_subsidy": Wording("失业补助金", "1309 人发放失业补助金 147.9 万元",
                                    {"persons": "人数", "yuan": "金额(元)"}),
    "job_stabilisation_refunds": Wording("稳岗返还", "为全区 467 家企业完成稳岗返还", {"enterprises": "企业数"}),
    "relief_case": Wording("一企一策", "港隆化工增资 720 万美元,引进项目资金 1 亿元",
                           {"capital_increase_usd": "增资(美元)", "project_funds_yuan": "项目资金(元)"}),
    "improvement_works": Wording(
        "创城工程", "修补破损道路 3.4 万余平方米;绿植花草树木 60 余万株;新增停车位 3000 个;安装维修路灯 1600 余盏;"
        "改造老旧小区水 6 栋,8000 多名群众",
        {"road_repair_m2": "修补道路(平方米)", "plants": "绿植(株)", "parking_spaces": "停车位",
         "street_lights": "路灯(盏)", "water_buildings": "改水(栋)", "water_people": "受益群众"}),
    "culture_walls": Wording("文化墙", "文化墙 2000 多平方米", {"m2": "面积(平方米)"}),
}
