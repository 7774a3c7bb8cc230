"""Request context for audit records (who, from where), and the template context processors:
`site` (site name, map settings) and `nav` (the entries the signed-in user may use)."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import has_perm_anywhere


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    channel: str = "system"  # web | api | command | system


NO_REQUEST = RequestInfo()  # frozen, so one shared default is safe
_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("civicgrid_request", default=NO_REQUEST)


def current() -> RequestInfo:
    return _current.get()


def bind(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def from_request(request, channel: str = "web") -> RequestInfo:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if getattr(settings, "TRUST_X_FORWARDED_FOR", False) else ""
    ip = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return RequestInfo(
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        request_id=request.META.get("HTTP_X_REQUEST_ID", "") or uuid.uuid4().hex,
        channel=channel,
    )


def site(request):
    return {
        "SITE_NAME": _("基层治理综合服务平台"),
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }


@dataclass(frozen=True)
class NavEntry:
    """One place in the UI. Shown to users who hold `perm` somewhere (None: every signed-in user).

    Paths are plain strings so that core imports no domain app; the home page orders these same
    entries per role and shows `hint` on its cards.
    """

    key: str
    label: str
    path: str
    perm: str | None
    hint: str = ""  # one line under the entry's card on the home page; its icon is keyed by `key`


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("regions", _("区域网格"), "/geo/", "geo.view_region", _("按区、街道、社区、网格逐级浏览")),
    NavEntry("map", _("网格地图"), "/geo/map/", "geo.view_region", _("在地图上查看网格边界")),
    NavEntry("people", _("人口管理"), "/people/", "people.view_resident", _("楼栋、户和居民信息")),
    NavEntry("cases", _("案件"), "/cases/", "cases.view_case", _("待办、督办、超期案件和我的诉求")),
    NavEntry("report", _("上报问题"), "/cases/report/", "cases.create_case", _("描述问题,在地图上标出位置")),
    NavEntry("dashboard", _("驾驶舱"), "/dashboard/", "cases.view_kpis", _("本辖区考核指标、趋势、排名、热力图与月报")),
    NavEntry("board", _("调度看板"), "/cases/board/", "cases.view_kpis", _("待派遣、超期与各部门在办情况")),
    NavEntry("volunteers", _("志愿服务"), "/volunteers/", "volunteers.view_order",
             _("点单、审单派单、服务任务与服务时长")),
    NavEntry("publicservice", _("政务服务"), "/publicservice/", "publicservice.view_booking",
             _("预约办事、网上办事、办件进度与评价")),
    NavEntry("hard_cases", _("办不成事"), "/publicservice/hard-cases/", "publicservice.record_meeting",
             _("窗口登记、领导包案、协调会商、限时办结")),
    NavEntry("recognition", _("好人榜"), "/recognition/", "recognition.nominate",
             _("善行义举榜、候选人公示,推荐身边好人或自荐")),
    NavEntry("recognition_verify", _("好人榜核实"), "/recognition/work/", "recognition.verify_nomination",
             _("核实居民推荐的好人好事,与本人确认公开范围")),
    NavEntry("recognition_review", _("好人榜审核"), "/recognition/work/", "recognition.review_nomination",
             _("审核推荐、公示、答复异议、发布月度榜")),
    NavEntry("works", _("创城项目"), "/works/", "works.view_work", _("道路、绿化、停车位、路灯、供水改造、文化墙")),
    NavEntry("routing", _("派遣规则"), "/cases/admin/routing/", "cases.manage_routing", _("案件类别、派遣规则与测试派遣")),
    NavEntry("audit", _("审计日志"), "/audit/", "core.view_auditevent", _("查询操作记录与访问记录")),
    NavEntry("fieldwork", _("网格工作"), "/gridops/", "fieldwork.view_visit",
             _("今日待办、入户走访、矛盾纠纷排查、普法宣传")),
    NavEntry("patrols", _("日常巡查"), "/gridops/patrols/", "patrols.patrol", _("开始巡查、轨迹回放与必巡点位")),
    NavEntry("patrol_report", _("巡查日报"), "/gridops/patrols/compliance/", "patrols.view_compliance",
             _("每日巡视制度落实情况:谁未巡查、时长、里程、点位")),
    NavEntry("campaigns", _("专项排查"), "/gridops/campaigns/", "campaigns.view_campaign",
             _("入户填报(可离线)、进度、结果与导出")),
    # police liaisons' way in (grid staff reach it, key persons and the rest from 网格工作)
    NavEntry("joint_work", _("警网联动"), "/gridops/joint/", "fieldwork.record_joint_work",
             _("案件移交、警情移交、联巡联查、重点人员与月报")),
    NavEntry("enterprise_work", _("企业服务"), "/enterprises/worklist/", "enterprises.change_enterprise",
             _("资质到期、年报缺报、培育对象:今日待办")),
    NavEntry("enterprises", _("高新区企业"), "/enterprises/zone/", "enterprises.view_zone",
             _("园区、企业档案、资质与专利、梯度培育")),
    NavEntry("enterprise_portal", _("我的企业"), "/enterprises/my/", "enterprises.use_portal",
             _("本企业信息、资质到期提醒、填报年度经营数据")),
    NavEntry("investment", _("项目与招商"), "/investment/projects/", "investment.view_attraction",
             _("投资项目、月报审核、项目看板、招商线索与到位资金")),
    NavEntry("investment_reports", _("项目月报"), "/investment/my/", "enterprises.use_portal",
             _("本企业项目每月填报固定资产投资")),
    NavEntry("relief", _("助企纾困"), "/relief/", "relief.view_relief", _("企业诉求、一企一策与项目堵点,限时办结")),
    NavEntry("subsidies", _("惠企补贴"), "/subsidies/", "subsidies.view_disbursement",
             _("免申即享候选、审核发放与补贴到账")),
    NavEntry("innovation", _("科技创新"), "/innovation/", "innovation.view_innovation",
             _("创新平台、产学研合作与揭榜挂帅")),
    NavEntry("figures", _("数据核对"), "/figures/", "figures.view_figures", _("文章各项数据由记录实时计算")),
    # 三员分立: the system administrator keeps accounts and departments, the security administrator grants roles
    NavEntry("accounts", _("账号管理"), "/accounts/users/", "accounts.change_user",
             _("创建、编辑、停用和启用工作人员账号")),
    NavEntry("grants", _("授权管理"), "/accounts/users/", "accounts.manage_user",
             _("分配和撤销角色与管辖范围,批量导入工作人员")),
    NavEntry("departments", _("部门管理"), "/accounts/departments/", "accounts.manage_department",
             _("区直部门、公共服务单位与实践阵地")),
    NavEntry("handover", _("人员交接"), "/accounts/handover/", "accounts.hand_over",
             _("人员离岗时把其网格和任务交给接替人")),
    NavEntry("api_docs", _("接口文档"), "/api/v1/docs", None, _("开放接口说明")),
)


# Entries for staff only: a resident (self-scoped roles only) does not see the API documentation.
STAFF_ONLY = frozenset({"api_docs"})


def nav_entries_for(user) -> list[NavEntry]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    staff = any(a.region_id or a.department_id for a in user.active_assignments())
    return [e for e in NAV_ENTRIES
            if (e.perm is None and (staff or e.key not in STAFF_ONLY)) or (e.perm and has_perm_anywhere(user, e.perm))]


def _active_key(path: str, entries: list[NavEntry]) -> str:
    """The entry whose path is the longest prefix of the current path ("" on the home page)."""
    best = max((e for e in entries if path.startswith(e.path)), key=lambda e: len(e.path), default=None)
    return best.key if best else ""


def role_labels(user) -> list[str]:
    """The distinct role labels of the user's active assignments, in assignment order."""
    assignments = getattr(user, "active_assignments", None)
    if assignments is None or not getattr(user, "is_authenticated", False):
        return []
    return list(dict.fromkeys(a.get_role_display() for a in assignments()))


def nav(request):
    def build():
        user = getattr(request, "user", None)
        entries = nav_entries_for(user)
        return {
            "entries": entries,
            "tabs": [e for e in entries if e.perm is not None][:3],  # the phone tab bar: scoped work only
            "active": _active_key(request.path, entries),
            "roles": role_labels(user),
        }

    return {"nav": SimpleLazyObject(build)}
