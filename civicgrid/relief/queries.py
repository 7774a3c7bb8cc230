"""Reads of the relief app, every one starting scoped (`visible_to(user, "relief.view_relief")`): an enterprise
contact sees only their own enterprise's relief cases and blockers, anything out of reach is NotFound.

Deadlines are shown in plain words from the case engine's own limits and calendar (`deadline_words`): the
lead department's contact, plan and close deadlines, and each co-handler's task deadline. KPIs are the case
engine's (`cases.kpis`) filtered to these case types — never computed a second time here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from civicgrid.cases import kpis, sla
from civicgrid.cases.models import Case, CaseDepartment, CaseEvent, Category
from civicgrid.cases.workflows import spec_for
from civicgrid.core import clock
from civicgrid.core.scoping import get_visible, grant_for
from civicgrid.relief.choices import BLOCKER_ROOT, BLOCKER_TYPE, RELIEF_ROOT, RELIEF_TYPE, OutcomeKind
from civicgrid.relief.models import VIEW, Blocker, Outcome, ReliefCase

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# the lead department's deadlines: (state whose limit sets it, the step that meets it, what must be done)
MILESTONES = {
    RELIEF_TYPE: (("assigned", "contact", "联系企业"), ("planning", "submit_plan", "制定方案"),
                  ("handling", "conclude", "办结")),
    BLOCKER_TYPE: (("assigned", "plan", "制定方案"), ("handling", "resolve", "解决堵点")),
}


def today() -> date:
    return timezone.localtime(clock.now()).date()


def when_words(moment: datetime) -> str:
    """12月8日(周二)17:00 — local time, weekday in Chinese."""
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日({WEEKDAYS[local.weekday()]}){local:%H:%M}"


def deadline_words(moment: datetime | None, what: str, *, done_at: datetime | None = None,
                   now: datetime | None = None) -> dict:
    """A deadline in plain words: “须于 12月8日(周二)17:00前联系企业”, with whether it was met or is missed."""
    now = now or clock.now()
    if moment is None:
        return {"text": f"{what}:无期限", "status": "none", "due_at": None, "done_at": done_at}
    if done_at is not None:
        on_time = done_at <= moment
        text = f"已于 {when_words(done_at)}{what}" + ("" if on_time else f"(超期,期限 {when_words(moment)})")
        return {"text": text, "status": "done" if on_time else "done_late", "due_at": moment, "done_at": done_at}
    late = now > moment
    text = f"须于 {when_words(moment)}前{what}" + ("(已超期)" if late else "")
    return {"text": text, "status": "overdue" if late else "pending", "due_at": moment, "done_at": None}


# --- lists and one case ---------------------------------------------------------------------------

def reliefs_visible(user, *, state: str = "", category: str = "", enterprise_id: int | None = None,
                    worklist: str = "", tailored: bool | None = None):
    qs = (ReliefCase.objects.visible_to(user, VIEW)
          .select_related("case", "case__category", "case__department", "case__workflow", "case__region",
                          "enterprise"))
    if state:
        qs = qs.filter(case__state=state)
    if category:
        qs = qs.filter(case__category__code=category)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if tailored is not None:
        qs = qs.filter(is_tailored=tailored)
    return _worklist(qs, worklist).order_by("-case__created_at", "-id")


def blockers_visible(user, *, state: str = "", project_id: int | None = None, worklist: str = ""):
    qs = (Blocker.objects.visible_to(user, VIEW)
          .select_related("case", "case__category", "case__department", "case__workflow", "case__region", "project",
                          "enterprise"))
    if state:
        qs = qs.filter(case__state=state)
    if project_id:
        qs = qs.filter(project_id=project_id)
    return _worklist(qs, worklist).order_by("-case__created_at", "-id")


def _worklist(qs, worklist: str):
    now = clock.now()
    if worklist == "open":
        return qs.filter(case__is_open=True)
    if worklist == "overdue":
        return qs.filter(case__is_open=True, case__due_at__lt=now)
    if worklist == "closed":
        return qs.filter(case__is_open=False)
    return qs


def relief_visible(user, pk: int) -> ReliefCase:
    return get_visible(ReliefCase.objects.select_related(
        "case", "case__category", "case__department", "case__workflow", "case__region", "enterprise__park"),
        user, VIEW, pk=pk)


def blocker_visible(user, pk: int) -> Blocker:
    return get_visible(Blocker.objects.select_related(
        "case", "case__category", "case__department", "case__workflow", "case__region", "project",
        "enterprise__park"), user, VIEW, pk=pk)


def open_blockers(user, project) -> list[Blocker]:
    """The open blockers of one project the user may see (the project page's panel)."""
    return list(blockers_visible(user, project_id=project.pk, worklist="open"))


def categories(root: str) -> list[Category]:
    return list(Category.objects.filter(code__startswith=root, is_active=True).exclude(code=root).order_by("code"))


def relief_categories() -> list[Category]:
    return categories(RELIEF_ROOT)


def blocker_categories() -> list[Category]:
    return categories(BLOCKER_ROOT)


# --- deadlines in plain words ---------------------------------------------------------------------

def case_events(case_ids) -> dict[int, list[tuple]]:
    """(seq, action, to_state, created_at) of each case's events in order, for many cases in one query."""
    events: dict[int, list[tuple]] = {case_id: [] for case_id in case_ids}
    for case_id, *event in (CaseEvent.objects.filter(case_id__in=list(events)).order_by("case_id", "seq")
                            .values_list("case_id", "seq", "action", "to_state", "created_at")):
        events[case_id].append(tuple(event))
    return events


def lead_deadlines(case: Case, *, now: datetime | None = None, events: list[tuple] | None = None) -> list[dict]:
    """The lead department's deadlines, in order: each computed with the case engine's limits (category
    overrides included) from when the case was assigned, the current one from the case's own deadline
    (which carries extensions and agreed deadlines). `events`: the case's `case_events`, when a list has
    read them for all its rows."""
    now = now or clock.now()
    spec = spec_for(case.workflow)
    if events is None:
        events = case_events([case.pk])[case.pk]
    assigned_at = next((at for _seq, _action, to_state, at in reversed(events) if to_state == "assigned"), None)
    if assigned_at is None:
        return []
    done = {}
    for _seq, action, _to_state, at in events:
        if at >= assigned_at:
            done.setdefault(action, at)
    out = []
    for state, action, what in MILESTONES.get(case.case_type, ()):
        if case.state == state and case.is_open:
            due = case.due_at
        else:
            limit = sla.limit_for(spec, state, case.category, case.urgency)
            start = assigned_at if (spec.state(state).since or state == "assigned") else None
            due = sla.due_at(start, limit) if start is not None and limit is not None else None
        if due is None and done.get(action) is None:
            continue
        out.append({"state": state, "what": what, **deadline_words(due, what, done_at=done.get(action), now=now)})
    return out


def tasks_of(case: Case, *, now: datetime | None = None) -> list[dict]:
    """Each co-handling department's task and deadline in plain words (external ones marked)."""
    now = now or clock.now()
    rows = (CaseDepartment.objects.filter(case=case).exclude(task="")
            .select_related("department", "done_by").order_by("id"))
    out = []
    for row in rows:
        words = deadline_words(row.due_at, "反馈", done_at=row.done_at, now=now)
        out.append({"department": row.department, "is_external": row.department.kind == "external",
                    "task": row.task, "result": row.result, "done_by": row.done_by, **words})
    return out


# --- outcomes -------------------------------------------------------------------------------------

def outcomes_of(relief: ReliefCase) -> list[Outcome]:
    return list(relief.outcomes.select_related("department").order_by("id"))


def outcome_words(outcome: Outcome) -> str:
    """增资 7,200,000.00 美元 · 稳岗 120 人 · 审批打通:…"""
    if outcome.amount is not None:
        currency = outcome.get_currency_display()
        text = f"{outcome.get_kind_display()} {outcome.amount:,.2f} {currency}"
    elif outcome.jobs is not None:
        text = f"{outcome.get_kind_display()} {outcome.jobs} 人"
    else:
        text = outcome.get_kind_display()
    return f"{text}:{outcome.note}" if outcome.note else text


def outcome_totals(qs) -> list[dict]:
    """Sums of outcomes by kind and currency (money), jobs summed, other kinds counted."""
    rows = qs.values("kind", "currency").annotate(amount=Sum("amount"), jobs=Sum("jobs"), n=Count("id")).order_by(
        "kind", "currency")
    labels = dict(OutcomeKind.choices)
    return [{"kind": r["kind"], "label": labels.get(r["kind"], r["kind"]), "currency": r["currency"],
             "amount": r["amount"] or Decimal("0"), "jobs": r["jobs"] or 0, "count": r["n"]} for r in rows]


# --- the enterprise 360° panel --------------------------------------------------------------------

def enterprise_panel(user, enterprise) -> dict:
    """The relief cases and blockers of one enterprise the user may see, with outcome totals (the partial
    relief/_enterprise_panel.html on the enterprise page)."""
    reliefs = list(reliefs_visible(user, enterprise_id=enterprise.pk)[:20])
    blockers = list(Blocker.objects.visible_to(user, VIEW).filter(enterprise=enterprise)
                    .select_related("case", "case__workflow", "case__category", "project").order_by("-created_at")[:20])
    outcomes = Outcome.objects.visible_to(user, VIEW).filter(relief__enterprise=enterprise)
    return {"reliefs": reliefs, "blockers": blockers, "totals": outcome_totals(outcomes),
            "open_count": sum(1 for r in reliefs if r.case.is_open) + sum(1 for b in blockers if b.case.is_open)}


# --- KPIs: the case engine's, for these case types ------------------------------------------------

def relief_kpis(user, *, since: date | None = None, until: date | None = None,
                case_type: str = RELIEF_TYPE) -> dict | None:
    """响应率 (the lead contacted the enterprise within 1 working hour), 按期结案率 (every step within its
    working-hour/working-day limit), 满意率 … of the cases created in [since, until]: cases.kpis with the
    caller's KPI reach, for this case type — the same counters every case type uses. None without reach."""
    reach = grant_for(user, "cases.view_kpis")
    if not reach:
        return None
    return kpis.kpis(case_type=case_type, since=since, until=until, reach=None if reach.unrestricted else reach)


def counts(user) -> dict:
    now = clock.now()
    qs = ReliefCase.objects.visible_to(user, VIEW)
    return {
        "open": qs.filter(case__is_open=True).count(),
        "overdue": qs.filter(case__is_open=True, case__due_at__lt=now).count(),
        "closed": qs.filter(case__is_open=False).count(),
        "tailored": qs.filter(is_tailored=True).count(),
        "blockers_open": Blocker.objects.visible_to(user, VIEW).filter(case__is_open=True).count(),
    }


def tailored_outcomes(user, since: date, until: date):
    """Outcomes of the closed 一企一策 relief cases (flagged `is_tailored`) closed in [since, until] (local
    dates): the rule behind figure 18."""
    from civicgrid.cases.kpis import KPI_TZ

    start = datetime.combine(since, datetime.min.time(), tzinfo=KPI_TZ)
    end = datetime.combine(until, datetime.max.time(), tzinfo=KPI_TZ)
    return Outcome.objects.visible_to(user, VIEW).filter(
        relief__is_tailored=True, relief__case__case_type=RELIEF_TYPE, relief__case__is_open=False,
        relief__case__closed_at__gte=start, relief__case__closed_at__lte=end)


def outcome_sum(qs, kind: str, currency: str) -> Decimal:
    return qs.filter(kind=kind, currency=currency).aggregate(total=Sum("amount"))["total"] or Decimal("0")
