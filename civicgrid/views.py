"""The role-aware home page: each role sees the entries it can use, field work or overview first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
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


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    assignments = user.active_assignments()
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
        "cards": cards,
        "stats": stats,
    })
