"""Chinese labels for the audit log page: an entry stores codes (`people.reveal_personal`, `audit_admin`,
`people.resident`, `web`); the page shows what they mean and keeps the code in a tooltip.

Core imports no domain app, so labels come from registries: the permission registry, the role labels
`accounts` registers at start-up (`ROLE_LABELS`), and the installed apps' verbose names and models. An
action that is neither a permission nor known here reads as its app's name and the verb it starts with.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

from civicgrid.core import permissions

ROLE_LABELS: dict[str, object] = {}  # role code -> label; accounts.apps fills it (core does not import accounts)

CHANNELS = {"web": "网页", "api": "接口", "command": "命令行", "system": "系统"}

# actions that are not permissions, by full code
ACTIONS = {
    "accounts.login": "登录", "accounts.logout": "退出登录", "accounts.login_failed": "登录失败",
    "accounts.login_throttled": "登录受限", "accounts.change_password": "修改密码",
}

# the objects most entries name (others read as their app's name)
OBJECTS = {
    "people.resident": "居民", "people.household": "户", "people.building": "楼栋", "people.residenttag": "居民标签",
    "geo.region": "区域", "cases.case": "案件", "cases.category": "案件类别", "cases.routingrule": "派遣规则",
    "core.auditevent": "审计日志", "core.calendarday": "工作日历", "accounts.user": "账号",
    "accounts.department": "部门", "accounts.roleassignment": "角色授权", "volunteers.volunteer": "志愿者",
    "volunteers.practicesite": "文明实践阵地", "volunteers.team": "志愿服务队", "volunteers.order": "志愿服务点单",
    "volunteers.donation": "捐赠", "enterprises.enterprise": "企业", "enterprises.zone": "园区",
    "enterprises.precheckreport": "梯度培育预审", "subsidies.disbursement": "补贴发放", "patrols.patrol": "巡查",
    "fieldwork.keypersonassignment": "重点人员", "fieldwork.visit": "入户走访", "campaigns.campaign": "专项排查",
    "publicservice.booking": "预约", "relief.reliefrequest": "企业诉求", "works.work": "创城项目",
    "recognition.nomination": "好人推荐", "investment.project": "投资项目", "reports.reportrun": "报表",
}
FIELDS = {
    "id_number": "身份证号", "phone": "手机号", "name": "姓名", "address": "地址", "tag": "标签",
    "key_person": "重点人员", "follow_up_notes": "跟进记录", "track": "轨迹", "metrics": "经营数据",
    "credit_flags": "信用记录", "mail_address": "邮寄地址", "is_active": "启用状态", "role": "角色",
}

# the verb an action code starts with (`<app>.<verb>_<noun>` or `<app>.<verb>`)
VERBS = {
    "view": "查看", "list": "查询", "read": "查看", "create": "新建", "add": "添加", "update": "修改", "change": "修改",
    "set": "设置", "edit": "修改", "delete": "删除", "remove": "移除", "import": "导入", "export": "导出",
    "reveal": "查看明文", "unmask": "查看明文", "lookup": "精确查询", "register": "登记", "record": "记录",
    "submit": "提交", "approve": "批准", "reject": "驳回", "publish": "发布", "cancel": "取消", "issue": "签发",
    "confirm": "确认", "correct": "更正", "distribute": "发放", "place": "下单", "leave": "退出", "join": "加入",
    "end": "结束", "start": "开始", "finish": "完成", "complete": "完成", "verify": "核实", "dispatch": "派遣",
    "accept": "签收", "close": "结案", "transition": "办理", "assign": "指派", "refer": "移交", "answer": "答复",
    "lodge": "提出", "nominate": "推荐", "review": "审核", "compute": "计算", "request": "申请", "schedule": "计划",
    "build": "生成", "save": "保存", "book": "预约", "check": "签到", "remind": "提醒", "no": "爽约",
    "enable": "启用", "disable": "停用", "manage": "管理", "post": "发布", "move": "推进", "advance": "推进",
    "merge": "合并", "rate": "评价", "follow": "回访", "withdraw": "撤回", "sign": "签署", "raise": "提出",
    "apply": "申办", "contact": "对接", "rework": "返工", "supervise": "督办", "urge": "催办", "use": "使用",
    "patrol": "巡查", "grant": "同意", "deny": "不同意", "return": "退回", "file": "立案", "reopen": "重办",
}


def action_label(code: str) -> str:
    perm = permissions.registry().get(code)
    if perm is not None:
        return perm.label
    if code in ACTIONS:
        return ACTIONS[code]
    app_label, _dot, rest = code.partition(".")
    verb = rest.replace(".", "_").split("_")[0] if rest else ""
    app = _app_name(app_label)
    return f"{app} · {_(VERBS[verb])}" if verb in VERBS else f"{app} · {_('其他操作')}"


def roles_label(codes: str) -> str:
    return "、".join(str(ROLE_LABELS.get(code, code)) for code in codes.split(",") if code)


def object_label(object_type: str) -> str:
    if object_type in OBJECTS:
        return _(OBJECTS[object_type])
    app_label = object_type.partition(".")[0]
    return _app_name(app_label) if _has_app(app_label) else object_type


def fields_label(fields: str) -> str:
    """The stored field names in Chinese (`id_number,phone` -> 身份证号、手机号)."""
    return "、".join(_(FIELDS.get(name, name)) for name in (f.strip() for f in fields.split(",")) if name)


def channel_label(code: str) -> str:
    return _(CHANNELS[code]) if code in CHANNELS else code


def _has_app(label: str) -> bool:
    try:
        apps.get_app_config(label)
    except LookupError:
        return False
    return True


def _app_name(label: str) -> str:
    try:
        return str(apps.get_app_config(label).verbose_name)
    except LookupError:
        return label
