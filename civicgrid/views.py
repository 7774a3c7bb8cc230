"""The role-aware home page. A leader lands on their dashboard and a dispatcher on the board (live counts);
a resident sees their own requests and orders; a field worker their worklist and today's patrol first; the
others the entries they can use, overview first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civicgrid.accounts.roles import Role
from civicgrid.core.context import NavEntry, nav_entries_for
from civicgrid.core.models import AuditEvent, AuditResult
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.geo.choices import LEVEL_ORDER, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.people.models import Household, Resident

# Roles whose day is spent in the field: their home leads with their own grid.
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.MICRO_GRID_WORKER, Role.POLICE_LIAISON})
FIELD_ORDER = ("map", "people", "regions")
OVERVIEW_ORDER = ("regions", "map", "people", "audit")
# A field worker's map and people entries are about their own area (责任区: grid, micro-grid or community).
FIELD_TITLES = {"map": gettext_lazy("我的责任区地图"), "people": gettext_lazy("责任区居民")}


@dataclass(frozen=True)
class Card:
    entry: NavEntry
    title: str
    figure: str = ""  # a computed figure, e.g. "328 位居民"
    primary: bool = False
    hint: str = ""  # instead of the entry's own hint


@dataclass(frozen=True)
class Stat:
    label: str
    value: int


def _greeting(now) -> str:
    hour = timezone.localtime(now).hour
    if hour < 11:
        return _("早上好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


def _scope_label(assignment) -> str:
    if assignment.region_id:
        return f"{assignment.region.name}({assignment.region.code})"
    if assignment.department_id:
        return assignment.department.name
    return _("本人")


def _ordered(entries: list[NavEntry], order: tuple[str, ...]) -> list[NavEntry]:
    rank = {key: i for i, key in enumerate(order)}
    return sorted(entries, key=lambda e: rank.get(e.key, len(order)))


def _region_stats(user) -> list[Stat]:
    """Active regions the user may see, counted per level, district first."""
    counts = dict(
        Region.objects.visible_to(user).filter(is_active=True)
        .values("level").annotate(n=Count("id")).values_list("level", "n")
    )
    labels = dict(RegionLevel.choices)
    return [Stat(labels[level], counts[level]) for level in LEVEL_ORDER if counts.get(level)]


def _field_figures(user) -> dict[str, str]:
    figures = {}
    if has_perm_anywhere(user, "people.view_resident"):
        residents = Resident.objects.visible_to(user).count()
        households = Household.objects.visible_to(user).count()
        figures["people"] = _("%(households)s 户 · %(residents)s 人") % {
            "households": households, "residents": residents}
    if has_perm_anywhere(user, "geo.view_region"):
        grids = Region.objects.visible_to(user).filter(level=RegionLevel.GRID, is_active=True).count()
        figures["map"] = ngettext("%(grids)s 个网格", "%(grids)s 个网格", grids) % {"grids": grids}
    return figures


def _audit_stats(now) -> list[Stat]:
    since = now - timedelta(hours=24)
    recent = AuditEvent.objects.filter(ts__gte=since)
    return [
        Stat(_("24 小时内操作"), recent.count()),
        Stat(_("24 小时内被拒绝"), recent.filter(result=AuditResult.DENIED).count()),
    ]


def _landing(user, roles: set[str]) -> str | None:
    """Where a leader or a dispatcher starts the day (None: on this page)."""
    from civicgrid.dashboard.scope import home_url

    if Role.LEADER in roles:
        return home_url(user)
    if Role.DISPATCHER in roles and has_perm_anywhere(user, "cases.view_kpis"):
        return "/cases/board/"
    return None


def _is_resident(assignments) -> bool:
    """Only self-scoped roles (a resident): the home shows their own requests and orders."""
    return bool(assignments) and all(a.role == Role.RESIDENT for a in assignments)


def _resident_home(request, assignments):
    from civicgrid.cases import queries as case_queries
    from civicgrid.volunteers.queries import orders as order_queries

    user = request.user
    requests = case_queries.my_requests(user).exclude(case_type="volunteer_order")[:5]
    orders = order_queries.my_orders(user).select_related("case", "case__category")[:5]
    entries = [e for e in nav_entries_for(user) if e.perm is not None]
    return render(request, "home_resident.html", {
        "greeting": _greeting(timezone.now()),
        "requests": [case_queries.present_row(c) for c in requests],
        "orders": [{"order": o, **case_queries.present_row(o.case)} for o in orders],
        "cards": [Card(entry=e, title=RESIDENT_TITLES.get(e.key, e.label), hint=RESIDENT_HINTS.get(e.key, ""))
                  for e in entries],
        "unread": case_queries.unread_count(user),
    })


def _field_work(user) -> dict:
    """A field worker's worklist (cases waiting for them) and today's patrol."""
    from civicgrid.cases import queries as case_queries
    from civicgrid.gridops.patrols import queries as patrol_queries
    from civicgrid.gridops.patrols.models import Patrol

    out: dict = {}
    if has_perm_anywhere(user, "cases.view_case"):
        todo = case_queries.list_cases(user, worklist="todo").order_by("due_at", "created_at")
        out["todo_count"] = todo.count()
        out["todo"] = [case_queries.present_row(c) for c in todo[:5]]
    if patrol_queries.can_patrol(user):
        today = timezone.localdate()
        patrols = list(Patrol.objects.filter(worker_id=user.pk, day=today).order_by("started_at"))
        out["patrol"] = {"active": patrol_queries.active_patrol(user), "today": patrols,
                         "minutes": sum(p.duration_s for p in patrols) // 60}
    return out


# Residents read their entries in their own words, not the staff's.
RESIDENT_TITLES = {"cases": gettext_lazy("我的诉求"), "report": gettext_lazy("我要反映问题"),
                   "volunteers": gettext_lazy("志愿服务"), "recognition": gettext_lazy("好人榜")}
RESIDENT_HINTS = {"cases": gettext_lazy("查看您反映的问题办到了哪一步"),
                  "report": gettext_lazy("描述问题,在地图上标出位置"),
                  "volunteers": gettext_lazy("预约心理、法律、敬老等志愿服务,查看预约进展"),
                  "recognition": gettext_lazy("看看身边的好人;推荐他人或自荐,查看我的推荐")}


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    assignments = user.active_assignments()
    landing = _landing(user, {a.role for a in assignments})
    if landing:
        return redirect(landing)
    if _is_resident(assignments):
        return _resident_home(request, assignments)
    is_field = any(a.role in FIELD_ROLES for a in assignments)
    entries = _ordered(nav_entries_for(user), FIELD_ORDER if is_field else OVERVIEW_ORDER)

    figures = _field_figures(user) if is_field else {}
    cards = [
        Card(entry=e, title=(FIELD_TITLES.get(e.key) if is_field else None) or e.label,
             figure=figures.get(e.key, ""), primary=is_field and e.key in FIELD_TITLES)
        for e in entries
    ]
    stats: list[Stat] = []
    if not is_field and has_perm_anywhere(user, "geo.view_region"):
        stats = _region_stats(user)
    if has_perm_anywhere(user, "core.view_auditevent"):
        stats += _audit_stats(now)

    return render(request, "home.html", {
        "greeting": _greeting(now),
        "scopes": [{"role": a.get_role_display(), "where": _scope_label(a)} for a in assignments],
        "is_field": is_field,
        "field": _field_work(user) if is_field else {},
        "cards": cards,
        "stats": stats,
    })
