"""批量派单, the read half: for the pending orders (待派单) a centre reaches, one assignment of the
volunteers of the teams it reaches, solved together by `matching.assign_batch` with a per-volunteer cap,
and presented as a preview: each order with its team, volunteers and the score parts, and the orders
left unmatched with why. Nothing is written here; the centre accepts lines through
`actions.accept_batch`, which runs the normal `centre_assign` action per order.

An order needing n volunteers is n slots of the same window, so one volunteer never takes two slots of
one order (the matcher never gives one volunteer overlapping windows)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from civicgrid.cases.workflows import spec_for
from civicgrid.core import clock
from civicgrid.volunteers import catalogue, matching
from civicgrid.volunteers.choices import VolunteerStatus
from civicgrid.volunteers.models import Membership, Order, Team, Volunteer
from civicgrid.volunteers.queries import labels as label_queries
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.queries import services as service_queries
from civicgrid.volunteers.queries import suggestions as suggestion_queries

PENDING = "reviewed"
MAX_ORDERS = 200  # one preview; the rest wait for the next round (urgent and earliest first)
MAX_CAP = 5


@dataclass
class Problem:
    """What the matcher is given: the orders, their slots, the volunteers' matching view, the day."""

    orders: list[Order]  # the pending orders that may be sent straight to a team
    old: list[Order]  # pending orders pinned to a workflow version without 中心直派
    slots: list[matching.Order]
    views: list[matching.Volunteer]
    volunteers: dict[int, Volunteer]
    teams_of: dict[int, list[Team]]
    today: date
    cap: int
    left_out: int = 0


@dataclass
class Proposed:
    volunteer: Volunteer
    score: float
    parts: dict[str, float]


@dataclass
class Reason:
    code: str
    count: int
    message: str


@dataclass
class Line:
    order: Order
    team: Team | None = None
    volunteers: list[Proposed] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def needed(self) -> int:
        return self.order.people_needed

    @property
    def score(self) -> float:
        return sum(p.score for p in self.volunteers)


@dataclass
class Preview:
    cap: int
    lines: list[Line]
    left_out: int  # pending orders beyond MAX_ORDERS, for the next round

    @property
    def matched(self) -> list[Line]:
        return [line for line in self.lines if line.volunteers]

    @property
    def unmatched(self) -> list[Line]:
        return [line for line in self.lines if not line.volunteers]

    @property
    def total_score(self) -> float:
        return sum(line.score for line in self.lines)


def pending_orders(user):
    """The orders waiting for the centre to dispatch, urgent and earliest first."""
    return (order_queries.orders_visible(user).filter(case__state=PENDING)
            .order_by("-is_urgent", "window_start", "id"))


def clamp_cap(cap) -> int:
    try:
        return min(max(int(cap), 1), MAX_CAP)
    except (TypeError, ValueError):
        return 1


def problem(user, *, cap: int = 1, today: date | None = None) -> Problem:
    """The matcher's input for `user`'s pending orders and the active members of the teams they reach."""
    pending = pending_orders(user).select_related("case__workflow")
    listed = list(pending[:MAX_ORDERS])
    left_out = max(pending.count() - len(listed), 0) if len(listed) == MAX_ORDERS else 0
    direct = [o for o in listed if "centre_assign" in spec_for(o.case.workflow).actions()]
    orders, old = direct, [o for o in listed if o not in direct]
    today = today or timezone.localtime(clock.now()).date()
    teams = {t.pk: t for t in Team.objects.visible_to(user, "volunteers.view_team").filter(is_active=True)
             .select_related("site", "site__region", "site__department", "department")}
    teams_of: dict[int, list[Team]] = defaultdict(list)
    for vid, tid in (Membership.objects.filter(team_id__in=teams, is_active=True)
                     .order_by("team__code").values_list("volunteer_id", "team_id")):
        teams_of[vid].append(teams[tid])
    volunteers = {v.pk: v for v in Volunteer.objects.visible_to(user, "volunteers.view_volunteer")
                  .filter(pk__in=list(teams_of), status=VolunteerStatus.ACTIVE)}
    slots, views = [], []
    if orders and volunteers:
        span = Order(window_start=min(o.window_start for o in orders),
                     window_end=max(o.window_end for o in orders), case=orders[0].case)
        views = suggestion_queries.match_volunteers(Volunteer.objects.filter(pk__in=list(volunteers)), span)
    for order in orders:
        base = suggestion_queries.match_order(order)
        slots.extend(dataclasses.replace(base, id=(order.pk, k)) for k in range(order.people_needed))
    return Problem(orders, old, slots, views, volunteers, {v: teams_of[v] for v in volunteers}, today, cap,
                   left_out)


def _team_for(order: Order, vids: list[int], teams_of: dict[int, list[Team]]) -> tuple[Team, list[int]]:
    """The team that takes the order: the one most of the proposed volunteers serve in, then the most
    local (its site's region contains the order's), then one offering the service, then by code."""
    region = order.case.region.code
    service = catalogue.service_of(order.case.category.code) if order.case.category_id else ""

    def rank(team: Team):
        members = sum(team in teams_of[v] for v in vids)
        site_region = team.site.region.code
        locality = len(site_region) if region.startswith(site_region) else 0
        return -members, -locality, service not in team.capabilities, team.code

    team = min({t.pk: t for v in vids for t in teams_of[v]}.values(), key=rank)
    return team, [v for v in vids if team in teams_of[v]]


def _reasons(line: Line, slot: matching.Order, problem_: Problem, got: int, dropped: int,
             names: dict[str, str]) -> list[Reason]:
    """Why a line got fewer volunteers than it needs (`names`: the service names, read once per batch)."""
    if got >= line.needed and not dropped:
        return []
    if not problem_.views:
        return [Reason("no_volunteers", 0, "本中心管辖的服务队伍中没有在册志愿者")]
    counts = matching.exclusion_counts(slot, problem_.views, problem_.today)
    eligible = len(problem_.views) - sum(counts.values())
    reasons = []
    if dropped:
        reasons.append(Reason("team_split", dropped, f"{dropped} 名拟派志愿者与其他人不在同一服务队伍,未列入"))
    if eligible > got + dropped:
        others = eligible - got - dropped
        reasons.append(Reason("taken", others, f"{'其余 ' if got + dropped else ''}{others} 名符合条件的志愿者"
                              f"已安排给其他订单(每人最多 {problem_.cap} 单,同一时段只接一单)"))
    elif eligible == 0:
        reasons.append(Reason("none_eligible", 0, "没有符合条件的志愿者"))
    for code, n in sorted(counts.items(), key=lambda item: -item[1]):
        reasons.append(Reason(code, n, f"{n} 人{label_queries.exclusion_label(code, names)}"))
    return reasons


def preview(user, *, cap: int = 1, today: date | None = None) -> Preview:
    """The batch the matcher proposes for `user`'s pending orders (see the module docstring)."""
    p = problem(user, cap=clamp_cap(cap), today=today)
    result = matching.assign_batch(p.slots, p.views, p.today, cap_per_volunteer=p.cap) if p.slots else None
    chosen: dict[int, list[int]] = defaultdict(list)
    for (order_id, _k), vid in (result.pairs.items() if result else ()):
        chosen[order_id].append(vid)
    views = {v.id: v for v in p.views}
    first_slot = {s.id[0]: s for s in reversed(p.slots)}
    names = service_queries.service_names()
    lines = []
    for order in p.orders:
        line, vids, dropped = Line(order), chosen.get(order.pk, []), 0
        if vids:
            line.team, kept = _team_for(order, vids, p.teams_of)
            dropped = len(vids) - len(kept)
            for vid in kept:
                candidate = matching.shortlist(first_slot[order.pk], [views[vid]], p.today, limit=1)[0]
                line.volunteers.append(Proposed(p.volunteers[vid], candidate.score, candidate.parts))
        line.reasons = _reasons(line, first_slot[order.pk], p, len(line.volunteers), dropped, names)
        lines.append(line)
    lines += [Line(order, reasons=[Reason("old_workflow", 0, "该订单按旧版流程办理,请在调度台派往实践站")])
              for order in p.old]
    return Preview(p.cap, lines, p.left_out)
