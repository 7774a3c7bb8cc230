"""Ready-made campaign forms (pure data), offered when an admin creates a campaign and used by the demo.

EPIDEMIC is the door-to-door epidemic count of the article the platform is modelled on: for every
household, how many members are at home, whether they have been tested, and whether their ID was checked.
"""

from __future__ import annotations

EPIDEMIC = {
    "fields": [
        {"name": "members_present", "type": "integer", "label": "在家人数", "required": True, "min": 0, "max": 30,
         "hint": "入户时实际在家的家庭成员人数"},
        {"name": "test_done", "type": "yesno", "label": "在家成员是否均已完成核酸检测", "required": True},
        {"name": "not_tested_reason", "type": "select_one", "label": "未检测原因", "required": True,
         "relevant": "${test_done} = 'no'",
         "choices": [{"value": "away", "label": "外出未归"}, {"value": "sick", "label": "行动不便/卧床"},
                     {"value": "refused", "label": "拒绝检测"}, {"value": "other", "label": "其他"}]},
        {"name": "id_verified", "type": "yesno", "label": "是否已核验身份证件", "required": True},
        {"name": "note", "type": "text", "label": "备注", "required": False},
    ]
}

GAS_SAFETY = {
    "fields": [
        {"name": "fuel", "type": "select_one", "label": "用气方式", "required": True,
         "choices": [{"value": "pipeline", "label": "管道燃气"}, {"value": "bottle", "label": "瓶装液化气"},
                     {"value": "none", "label": "不用燃气"}]},
        {"name": "alarm", "type": "yesno", "label": "是否安装燃气报警器", "required": True,
         "relevant": "${fuel} != 'none'"},
        {"name": "hazards", "type": "select_multiple", "label": "发现的隐患", "required": False,
         "relevant": "${fuel} != 'none'",
         "choices": [{"value": "hose", "label": "软管老化"}, {"value": "valve", "label": "阀门漏气"},
                     {"value": "ventilation", "label": "通风不良"}, {"value": "storage", "label": "超量存放"}]},
        {"name": "occupants", "type": "integer", "label": "常住人数", "required": True, "min": 0, "max": 30},
        {"name": "photo", "type": "photo", "label": "隐患照片", "required": False,
         "relevant": "selected(${hazards}, 'hose') or selected(${hazards}, 'valve')"},
        {"name": "checked_on", "type": "date", "label": "检查日期", "required": True},
    ]
}

TEMPLATES = {
    "blank": ("空白表单", {"fields": []}),
    "epidemic": ("疫情入户统计(在家人数、是否检测、证件核验)", EPIDEMIC),
    "gas_safety": ("燃气安全入户排查", GAS_SAFETY),
}
