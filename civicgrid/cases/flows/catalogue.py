"""The shipped category tree: 数字城管 event classes (GB/T 30428.2 大类/小类, limits after the published
local tables in standards-cn §2) plus the social-governance categories. Department codes refer to
accounts.Department.code; a missing department leaves the category without a default (dispatcher decides).

`sync_categories` upserts these rows by code (a shipped code is reset to its shipped values); categories
that admins add under other codes are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WH, WD, H, D = "work_hours", "work_days", "hours", "days"


@dataclass(frozen=True)
class Cat:
    code: str
    name: str
    case_type: str
    department: str = ""
    filing: str = ""
    closing: str = ""
    limits: dict = field(default_factory=dict)  # {state: (value, unit)}
    urgency: str = "normal"
    questions: tuple = ()


def _handle(value, unit):
    """The on-site handling limit of a 数字城管 小类 (the urban_event state `processing`)."""
    return {"processing": (value, unit)}


ROOM = {"key": "floor", "label": "楼层/位置说明", "type": "text", "required": False}
SIZE = {"key": "area_m2", "label": "面积(平方米)", "type": "number", "required": False}

CATEGORIES: list[Cat] = [
    # ---- 数字城管: 事件 (urban_event) ------------------------------------------------------------
    Cat("01", "市容环境", "urban_event", "CGJ"),
    Cat("0101", "私搭乱建", "urban_event", "CGJ", "发现违法搭建的建(构)筑物", "已拆除或已停工并立案处罚",
        _handle(20, WD), questions=(SIZE,)),
    Cat("0102", "暴露垃圾", "urban_event", "CGJ", "道路、绿地等公共区域有成堆暴露垃圾", "垃圾清除干净", _handle(4, WH)),
    Cat("0103", "积存垃圾渣土", "urban_event", "CGJ", "超出临时存放期限的垃圾渣土", "清除完毕", _handle(4, WD)),
    Cat("0104", "道路不洁", "urban_event", "CGJ", "道路保洁未达标准", "清扫干净", _handle(2, WH)),
    Cat("0105", "水域不洁", "urban_event", "STHJ", "水面有淤泥、漂浮物、油污", "清除完毕", _handle(15, WD)),
    Cat("02", "宣传广告", "urban_event", "CGJ"),
    Cat("0201", "非法小广告", "urban_event", "CGJ", "墙面、设施上张贴涂写小广告", "清除完毕", _handle(1, WD)),
    Cat("0202", "违规户外广告牌", "urban_event", "CGJ", "未经批准设置的广告牌匾", "拆除或补办手续", _handle(10, WD)),
    Cat("03", "施工管理", "urban_event", "ZJJ"),
    Cat("0301", "施工扬尘", "urban_event", "ZJJ", "施工工地未采取防尘措施", "覆盖、洒水等措施到位", _handle(1, WD)),
    Cat("0302", "无证掘路", "urban_event", "CGJ", "未经许可挖掘道路", "停工并恢复路面", _handle(3, WD)),
    Cat("04", "突发事件", "urban_event", "YJJ", urgency="urgent"),
    Cat("0401", "路面塌陷", "urban_event", "ZJJ", "道路路面塌陷、空洞", "设置围挡并修复", _handle(2, H), "urgent"),
    Cat("0402", "供水管道破裂", "urban_event", "GS-WATER", "供水管道爆裂漏水", "关阀抢修完毕", _handle(2, H), "urgent"),
    Cat("0403", "燃气泄漏", "urban_event", "GS-GAS", "闻到燃气味或燃气设施泄漏", "排险完毕", _handle(1, H), "critical"),
    Cat("05", "街面秩序", "urban_event", "CGJ"),
    Cat("0501", "占道经营", "urban_event", "CGJ", "店外经营、流动摊贩占道", "劝离或清理", _handle(4, WH)),
    Cat("0502", "车辆乱停放", "urban_event", "GAFJ", "机动车、非机动车乱停乱放", "挪移或处罚", _handle(4, WH)),
    Cat("0503", "露天烧烤", "urban_event", "CGJ", "违规露天烧烤", "制止并清理", _handle(2, WH)),
    Cat("06", "公共设施", "urban_event", "ZJJ"),
    Cat("0601", "井盖缺失破损", "urban_event", "ZJJ", "井盖丢失、破损、移位", "补齐或更换", _handle(4, WH), "urgent"),
    Cat("0602", "路灯不亮", "urban_event", "GS-POWER", "路灯不亮或损坏", "修复亮灯", _handle(2, WD)),
    Cat("0603", "道路破损", "urban_event", "ZJJ", "路面坑槽、破损", "修补完毕", _handle(5, WD), questions=(SIZE,)),
    # ---- 矛盾纠纷 (dispute) --------------------------------------------------------------------------
    Cat("20", "矛盾纠纷", "dispute", "SFJ"),
    Cat("2001", "婚姻家庭纠纷", "dispute", "SFJ"),
    Cat("2002", "邻里纠纷", "dispute", "SFJ"),
    Cat("2003", "物业纠纷", "dispute", "ZJJ"),
    Cat("2004", "劳动争议", "dispute", "RSJ", questions=(
        {"key": "people", "label": "涉及人数", "type": "number", "required": False},
        {"key": "amount", "label": "涉及金额(元)", "type": "number", "required": False},
    )),
    Cat("2005", "合同纠纷", "dispute", "SFJ"),
    Cat("2006", "损害赔偿纠纷", "dispute", "SFJ"),
    Cat("2007", "土地、宅基地纠纷", "dispute", "SFJ"),
    Cat("2008", "征地拆迁纠纷", "dispute", "ZJJ"),
    # ---- 群众诉求 (citizen_request, 12345 style) -------------------------------------------------------
    Cat("30", "群众诉求", "citizen_request", ""),
    Cat("3001", "供水问题", "citizen_request", "GS-WATER", "停水、水压低、水质问题", "恢复供水或答复原因"),
    Cat("3002", "供暖问题", "citizen_request", "GS-HEAT", "室温不达标、停暖", "室温达标或答复原因"),
    Cat("3003", "供电问题", "citizen_request", "GS-POWER", "停电、电压不稳", "恢复供电或答复原因"),
    Cat("3004", "燃气问题", "citizen_request", "GS-GAS"),
    Cat("3005", "噪声扰民", "citizen_request", "STHJ", questions=(
        {"key": "time", "label": "噪声时段", "type": "choice", "required": False, "choices": ["白天", "夜间"]},
    )),
    Cat("3006", "物业服务", "citizen_request", "ZJJ"),
    Cat("3007", "社会保障", "citizen_request", "RSJ"),
    Cat("3008", "社会救助", "citizen_request", "MZJ"),
    Cat("3009", "教育问题", "citizen_request", "JYJ"),
    Cat("3010", "医疗卫生", "citizen_request", "WJJ"),
    Cat("3011", "市场监管与消费维权", "citizen_request", "SCJG"),
    Cat("3012", "意见建议", "citizen_request", ""),
    # PIPL arts. 46-47: correcting or deleting one's personal data, answered through the same closed loop
    Cat("3090", "个人信息更正删除", "citizen_request", "", "居民申请查询、更正、补充或删除本人信息",
        "已更正或删除,或书面说明不予办理的理由"),
    # ---- 安全隐患 (safety_hazard) ---------------------------------------------------------------------
    Cat("40", "安全隐患", "safety_hazard", "YJJ"),
    Cat("4001", "消防通道堵塞", "safety_hazard", "YJJ", "楼道、消防通道堆放杂物或被占用", "清理畅通并复查合格",
        questions=(ROOM,)),
    Cat("4002", "电动车违规充电", "safety_hazard", "YJJ", "楼道内、室内违规停放充电", "整改并复查合格", questions=(ROOM,)),
    Cat("4003", "燃气安全隐患", "safety_hazard", "GS-GAS", "燃气设施老化、违规使用", "整改并复查合格"),
    Cat("4004", "房屋安全隐患", "safety_hazard", "ZJJ", "墙体开裂、构件脱落等", "排险或维修并复查合格"),
    Cat("4005", "食品安全隐患", "safety_hazard", "SCJG"),
    Cat("4006", "企业安全生产隐患", "safety_hazard", "YJJ"),
    # ---- 社会治安 (citizen_request routed to police) ---------------------------------------------------
    Cat("50", "社会治安", "citizen_request", "GAFJ"),
    Cat("5001", "治安隐患", "citizen_request", "GAFJ"),
    Cat("5002", "出租房屋管理", "citizen_request", "GAFJ"),
    # ---- 志愿服务点单 (volunteer_order): the 8 services of the 文明实践 cloud platform and their items ------
    # Capability requirements per service live in civicgrid.volunteers.catalogue. 紧急救援 runs on the clock
    # at 特急 (half of each limit): 15 minutes to review, dispatch and accept.
    Cat("70", "志愿服务", "volunteer_order"),
    Cat("7001", "心理援助", "volunteer_order", "", "居民本人或家属提出心理支持需求", "服务完成并经群众评单"),
    Cat("700101", "心理疏导", "volunteer_order"),
    Cat("700102", "危机干预", "volunteer_order", urgency="urgent"),
    Cat("7002", "法律援助", "volunteer_order", "", "涉及法律咨询、纠纷调解、文书代写等需求", "服务完成并经群众评单"),
    Cat("700201", "法律咨询", "volunteer_order"),
    Cat("700202", "文书代写", "volunteer_order"),
    Cat("7003", "敬老服务", "volunteer_order", "", "老年人生活照料、陪伴、代办等需求", "服务完成并经群众评单"),
    Cat("700301", "生活照料", "volunteer_order"),
    Cat("700302", "陪伴聊天", "volunteer_order"),
    Cat("700303", "代买代办", "volunteer_order"),
    Cat("7004", "捐赠服务", "volunteer_order", "", "捐赠或受赠衣物、物资、款项", "物资款项交接完毕并登记"),
    Cat("7005", "助学服务", "volunteer_order", "", "课业辅导、学业帮扶、助学资助", "服务完成并经群众评单"),
    Cat("7006", "助残服务", "volunteer_order", "", "残疾人出行、康复、生活帮扶", "服务完成并经群众评单"),
    Cat("7007", "医疗服务", "volunteer_order", "", "义诊、健康咨询、上门护理", "服务完成并经群众评单"),
    Cat("7008", "紧急救援", "volunteer_order", "", "突发险情、意外需志愿救援力量协助(危及生命请先拨打120/110/119)",
        "救援结束并登记", {"ordered": (0.5, H), "reviewed": (0.5, H), "dispatched": (0.5, H),
                          "station_accepted": (0.5, H), "assigned": (1, H)}, "critical"),
    # ---- 助企纾困 · 一企一策 (enterprise_relief): contact 1 working hour, plan 3 and close 5 working days of
    # assignment by default (the workflow's limits); land and energy requests are given longer here ----
    Cat("80", "助企纾困", "enterprise_relief", "GXJFJ"),
    Cat("8001", "资金/融资", "enterprise_relief", "GXJFJ", "企业融资难、资金周转困难", "落实融资或给出明确答复"),
    Cat("8002", "审批", "enterprise_relief", "GXJFJ", "审批、许可办理受阻", "审批打通或给出明确答复"),
    Cat("8003", "用工", "enterprise_relief", "GXJFJ", "招工难、用工缺口、稳岗", "落实用工措施"),
    Cat("8004", "用地", "enterprise_relief", "GXJFJ", "用地指标、土地手续", "落实用地或给出明确答复",
        {"planning": (5, WD), "handling": (20, WD)}),
    Cat("8005", "用能", "enterprise_relief", "GXJFJ", "用电、用气、用热保障", "落实保障措施",
        {"handling": (10, WD)}),
    Cat("8006", "物流", "enterprise_relief", "GXJFJ", "运输、仓储、通关受阻", "恢复畅通"),
    Cat("8007", "外汇/资本金", "enterprise_relief", "GXJFJ", "资本金账户、外汇结算受阻", "账户恢复、资金到位"),
    Cat("8008", "政策兑现", "enterprise_relief", "GXJFJ", "惠企政策未兑现", "政策兑现到位"),
    Cat("8009", "其他", "enterprise_relief", "GXJFJ"),
    # ---- 项目堵点 (project_blocker): the domain doc's blocker categories -------------------------------
    Cat("81", "项目堵点", "project_blocker", "GXJFJ"),
    Cat("8101", "用地", "project_blocker", "GXJFJ"),
    Cat("8102", "规划", "project_blocker", "GXJFJ"),
    Cat("8103", "环评", "project_blocker", "GXJFJ"),
    Cat("8104", "能评", "project_blocker", "GXJFJ"),
    Cat("8105", "资金", "project_blocker", "GXJFJ"),
    Cat("8106", "水电气热", "project_blocker", "GXJFJ"),
    Cat("8107", "用工", "project_blocker", "GXJFJ"),
    Cat("8108", "审批", "project_blocker", "GXJFJ"),
    Cat("8109", "其他", "project_blocker", "GXJFJ"),
    # ---- 办不成事 (hard_case) -----------------------------------------------------------------------
    Cat("90", "办不成事", "hard_case", "XFJ"),
    Cat("9001", "政务服务办不成", "hard_case", "XFJ", "在窗口或网上反复办理仍未办成的事项", "办成或给出明确答复并回访"),
    Cat("9002", "历史遗留问题", "hard_case", "XFJ"),
    Cat("9003", "部门职责交叉", "hard_case", "XFJ", "涉及多个部门、职责边界不清、互相推诿的事项"),
    Cat("9004", "政策衔接空白", "hard_case", "XFJ", "现行政策未覆盖或新旧政策衔接不上的事项"),
    Cat("9005", "证明材料难开", "hard_case", "XFJ", "办事要求的证明无处开具或开具单位互为前提"),
]


def as_rows() -> list[dict]:
    rows = []
    for cat in CATEGORIES:
        parent = cat.code[:-2] if len(cat.code) > 2 else None
        rows.append({
            "code": cat.code, "name": cat.name, "case_type": cat.case_type, "parent_code": parent,
            "department": cat.department, "filing_condition": cat.filing, "closing_condition": cat.closing,
            "limits": {state: {"value": v, "unit": u} for state, (v, u) in cat.limits.items()},
            "urgency": cat.urgency, "questions": list(cat.questions),
        })
    return rows
