"""Reads over cases: scoping, the actor's roles on one case, worklists, what the actor may do next."""

from __future__ import annotations

import operator
from datetime import date, datetime, time, timedelta
from functools import lru_cache, reduce

from django.db.models import BooleanField, Count, Max, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_noop

from civicgrid.accounts.models import Department
from civicgrid.accounts.roles import ROLE_SPECS, Role
from civicgrid.cases.choices import SlaStatus
from civicgrid.cases.intake import channels_for
from civicgrid.cases.models import Case, CaseDepartment, Category, FollowUp, Notification
from civicgrid.cases.routing import display_names
from civicgrid.cases.workflow import engine, registry
from civicgrid.cases.workflow.vocabulary import CASE_ROLE_LABELS, FACT_LABELS, FACT_VALUE_LABELS
from civicgrid.cases.workflows import spec_for
from civicgrid.core import clock, confcache, scoping
from civicgrid.core.masking import mask_phone
from civicgrid.core.scoping import grant_for

VIEW = "cases.view_case"


def case_roles(user, case: Case) -> set[str]:
    """The roles `user` plays on this case: each active assignment the chokepoint finds reaching it (its
    region prefix, or a main/co-handling department: `scoping.assignments_on`), plus "reporter" for the
    person who reported it."""
    roles: set[str] = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return roles
    for assignment, how in scoping.assignments_on(user, case):
        if assignment.role not in ROLE_SPECS:
            continue
        roles.add(assignment.role)
        if how == "department" and _uses_unit_roles(case):  # 主办/协办 staff, for workflows that tell them apart
            roles.add("lead_unit" if assignment.department_id == case.department_id else "co_unit")
    if case.reporter_id and case.reporter_id == user.pk:
        roles.add("reporter")
    return roles


UNIT_ROLES = frozenset({"lead_unit", "co_unit"})


def _uses_unit_roles(case: Case) -> bool:
    spec = spec_for(case.workflow)
    return any(t.roles & UNIT_ROLES for t in spec.transitions)


def case_conditions(case: Case) -> set[str]:
    """What holds for the case beyond its state, for the engine's allowed moves (engine.EFFECT_NEEDS)."""
    return {"extension_pending"} if case.pending_extension_until else set()


def action_initial(case: Case, transition) -> dict:
    """A transition form's starting values: 派遣 offers the department routing chose (the rule's, or the
    category's default) until someone decides otherwise."""
    initial = {"expected_event_count": case.event_count}
    if "department" in transition.requires and case.department_id:
        initial["department"] = case.department.code
    return initial


def allowed_actions(user, case: Case):
    """Transitions the engine allows this user on this case now (the buttons to show)."""
    return engine.allowed(spec_for(case.workflow), case.state, case_roles(user, case), case_conditions(case))


def cases_visible(user) -> QuerySet:
    return Case.objects.visible_to(user, VIEW)


WORKLISTS = {
    # key: (label, filter at a moment: the SLA tabs compare deadlines with the clock at read time)
    "open": ("全部在办", lambda now: Q(is_open=True)),
    "due_soon": ("即将超期", Case.due_soon_q),
    "overdue": ("已超期", Case.overdue_q),
    "supervised": ("督办件", lambda now: Q(is_open=True, is_supervised=True)),
    "unassigned": ("待派遣", lambda now: Q(is_open=True, department__isnull=True)),
    "closed": ("已办结", lambda now: Q(is_open=False)),
}


def worklist_q(key: str, now=None) -> Q:
    """The filter of one WORKLISTS tab at `now` (the clock by default)."""
    return WORKLISTS[key][1](now or clock.now())


def filter_cases(qs: QuerySet, *, worklist: str = "", case_type: str = "", state: str = "", category: str = "",
                 region: str = "", department: str = "", q: str = "", since=None, until=None,
                 sla_status: str = "", family: str = "") -> QuerySet:
    if worklist in WORKLISTS:
        qs = qs.filter(worklist_q(worklist))
    if sla_status in SlaStatus.values:
        qs = qs.filter(is_open=True).filter(Case.sla_status_q(sla_status, clock.now()))
    if case_type:
        qs = qs.filter(case_type=case_type)
    if family and family != "all":  # the KPI families (kpis.FAMILIES): a dashboard figure's cases
        from civicgrid.cases.kpis import FAMILIES

        qs = qs.filter(case_type__in=FAMILIES.get(family, ()))
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category__code__startswith=category)
    if region:
        qs = qs.filter(region__code__startswith=region)
    if department:
        qs = qs.filter(department__code=department)
    if q:
        q = q.strip()[:50]
        qs = qs.filter(Q(number=q) | Q(title__icontains=q) | Q(description__icontains=q))
    # local days as a range of instants, not `created_at::date`: the range reads the (region, created_at) index,
    # so a month of a district costs the same whatever the years of history before it
    if since:
        qs = qs.filter(created_at__gte=_local_midnight(since))
    if until:
        qs = qs.filter(created_at__lt=_local_midnight(until, days_after=1))
    return qs


def _local_midnight(day, *, days_after: int = 0) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    day = day.date() if isinstance(day, datetime) else day
    return timezone.make_aware(datetime.combine(day + timedelta(days=days_after), time.min))


def worklist_counts(user) -> dict[str, int]:
    qs = cases_visible(user)
    now = clock.now()
    agg = qs.aggregate(**{key: Count("id", filter=worklist_q(key, now)) for key in WORKLISTS})
    return {key: agg[key] or 0 for key in WORKLISTS}


# ---- web UI reads (cases/views.py) -------------------------------------------------------------------
# Appended for the case pages: labels, "待我处理", the dispatcher board, the report form's places, the
# inbox. Everything starts from cases_visible(user) (or the user's own rows).




# The workflow package's labels are Chinese data (marked for translation in workflow_messages.py); the
# helpers below translate them into the request's language when they are shown.

# Oversight moves that every watcher may take on every case in handling (催办/督办): they do not make a
# case "mine to handle", so the 待我处理 list ignores them.
_OVERSIGHT_EFFECTS = frozenset({"remind", "supervise"})


def state_label(case_type: str, state: str, spec=None) -> str:
    spec = spec or registry.SPECS.get(case_type)
    return gettext(spec.state(state).label) if spec is not None and spec.has_state(state) else state


def type_label(case_type: str) -> str:
    spec = registry.SPECS.get(case_type)
    return gettext(spec.label) if spec is not None else case_type


# events that are not workflow moves
OTHER_ACTIONS = {"submit": "上报", "attach": "补充照片", "unmerge": "撤销合并"}


def action_label(spec, action: str) -> str:
    if action in OTHER_ACTIONS:
        return gettext(OTHER_ACTIONS[action])
    try:
        return transition_label(spec.transition(action))
    except KeyError:
        return action


def transition_label(transition) -> str:
    """A transition's (button) label in the request's language."""
    return gettext(transition.label)


# every role's label: the account roles' own (accounts.Role), then the roles a user holds on one case
ROLE_LABELS = {**{role.value: role.label for role in Role}, **CASE_ROLE_LABELS}


def role_label(codes: str) -> str:
    return "、".join(gettext(str(ROLE_LABELS[c])) if c in ROLE_LABELS else c for c in codes.split(",") if c)


def type_choices() -> list[tuple[str, str]]:
    return [(key, gettext(spec.label)) for key, spec in registry.SPECS.items()]


def state_choices(case_type: str = "") -> list[tuple[str, str]]:
    """(state key, label) of one workflow, or of all of them (labels joined where keys repeat)."""
    specs = [registry.SPECS[case_type]] if case_type in registry.SPECS else list(registry.SPECS.values())
    labels: dict[str, list[str]] = {}
    for spec in specs:
        for st in spec.states:
            labels.setdefault(st.key, [])
            label = gettext(st.label)
            if label not in labels[st.key]:
                labels[st.key].append(label)
    return [(key, "/".join(names)) for key, names in labels.items()]


def is_self_scoped(user) -> bool:
    """True when the user sees cases only as their reporter (a resident): no region or department reach."""
    grant = grant_for(user, VIEW)
    return bool(grant) and not (grant.unrestricted or grant.region_codes or grant.department_ids)


@lru_cache(maxsize=64)
def _role_moves(role: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per current workflow: (states where `role` may move the case on, states where it may only decide a
    pending extension request)."""
    out = {}
    for key, spec in registry.SPECS.items():
        plain: set[str] = set()
        extension: set[str] = set()
        for t in spec.transitions:
            if role not in t.roles or t.effects & _OVERSIGHT_EFFECTS:
                continue
            decides_extension = ("deny_extension" in t.effects
                                 or ("grant_extension" in t.effects and "request_extension" not in t.effects))
            (extension if decides_extension else plain).update(t.sources)
        if plain or extension:
            out[key] = (frozenset(plain), frozenset(extension - plain))
    return out


def _moves_q(role: str) -> Q | None:
    parts = []
    for case_type, (plain, extension) in _role_moves(role).items():
        if plain:
            parts.append(Q(case_type=case_type, state__in=sorted(plain)))
        if extension:
            parts.append(Q(case_type=case_type, state__in=sorted(extension), pending_extension_until__isnull=False))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def actionable_q(user) -> Q:
    """待我处理: open cases in a state where one of the user's roles *on that case* has a next step.

    Mirrors case_roles(): each active assignment contributes (its reach) AND (the states its role can move
    on); the reporter contributes their own cases in the states where the reporter rates. Oversight moves
    (催办/督办) are left out, and 同意/不同意延期 count only while an extension request is pending. Uses the
    current workflow versions (a case pinned to an older version may differ; the detail page is exact).
    """
    parts: list[Q] = []
    if user is not None and getattr(user, "is_authenticated", False):
        for assignment in user.active_assignments():
            moves = _moves_q(assignment.role) if assignment.role in ROLE_SPECS else None
            if moves is None:
                continue
            if assignment.region_id:
                parts.append(Q(region__code__startswith=assignment.region.code) & moves)
            elif assignment.department_id:
                reach = Q(department_id=assignment.department_id) | Q(id__in=CaseDepartment.objects.filter(
                    department_id=assignment.department_id).values("case_id"))
                parts.append(reach & moves)
        reporter_moves = _moves_q("reporter")
        if reporter_moves is not None:
            parts.append(Q(reporter_id=user.pk) & reporter_moves)
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return Q(is_open=True) & q


def worklist_tabs(user) -> list[dict]:
    """The list page's tabs with counts: 待我处理 first, then WORKLISTS, then 全部."""
    counts = worklist_counts(user)
    visible = cases_visible(user)
    tabs = [{"key": "todo", "label": gettext("待我处理"), "count": visible.filter(actionable_q(user)).count()}]
    tabs += [{"key": key, "label": gettext(label), "count": counts[key]} for key, (label, _) in WORKLISTS.items()]
    tabs.append({"key": "all", "label": gettext("全部"), "count": None})
    return tabs


def list_cases(user, *, worklist: str = "", **filters) -> QuerySet:
    """The list page and its export: visible cases of one tab, filtered, newest first — a field worker's
    on-site steps (核实, 核查) ahead of the rest."""
    qs = cases_visible(user)
    if worklist == "todo":
        qs = qs.filter(actionable_q(user))
    qs = filter_cases(qs, worklist=worklist, **filters)
    onsite = onsite_q(user)
    if onsite is not None:
        qs = qs.annotate(onsite=CaseWhen(When(onsite & Q(is_open=True), then=Value(True)), default=Value(False),
                                      output_field=BooleanField())).order_by("-onsite", "-created_at", "-id")
    # not the workflow's spec (a large JSON decoded per row: most of a worklist's time) nor the region's
    # boundary: rows name them, and spec_for() reads a spec once per process by id (bench/city.py)
    return (qs.select_related("workflow", "category", "region", "department")
            .defer("workflow__spec", "region__boundary"))


FIELD_ROLES = ("micro_grid_worker", "grid_worker")


@lru_cache(maxsize=8)
def _onsite_states(role: str) -> dict[str, frozenset[str]]:
    """Per current workflow: the states where `role` takes an on-site step (a move that takes evidence)."""
    return {key: frozenset(s for t in spec.transitions if role in t.roles and t.evidence_kinds for s in t.sources)
            for key, spec in registry.SPECS.items()}


def onsite_q(user) -> Q | None:
    """Cases waiting for the user's on-site step in their own micro-grid or grid; None for other roles."""
    parts = []
    for assignment in user.active_assignments() if getattr(user, "is_authenticated", False) else ():
        if assignment.role not in FIELD_ROLES or not assignment.region_id:
            continue
        for case_type, states in _onsite_states(assignment.role).items():
            if states:
                parts.append(Q(region__code__startswith=assignment.region.code, case_type=case_type,
                               state__in=sorted(states)))
    return reduce(operator.or_, parts) if parts else None


def present_row(case: Case) -> dict:
    """One case as a list row / card."""
    return {
        "id": case.pk, "number": case.number, "title": case.title, "case_type": case.case_type,
        "type_label": type_label(case.case_type), "state": case.state,
        "state_label": state_label(case.case_type, case.state, spec_for(case.workflow)),
        "is_open": case.is_open, "category": case.category.name if case.category_id else "",
        "region": case.region.name, "region_code": case.region.code,
        "department": case.department.name if case.department_id else "", "due_at": case.due_at,
        "sla_status": case.sla_status, "sla_label": case.sla_label,
        "is_supervised": case.is_supervised, "urgency": case.urgency, "urgency_label": case.get_urgency_display(),
        "created_at": case.created_at, "channel_label": case.get_channel_display(),
        "onsite": getattr(case, "onsite", False),  # waits for the viewer's on-site step (list_cases)
    }


# The comments a reporter sees on their own case: answers addressed to them, not internal instructions
# (派单意见, 督办意见, 退单原因 stay with the staff).
PUBLIC_COMMENT_ACTIONS = frozenset({
    "answer_directly", "reply", "feedback", "conclude", "callback", "rework", "evaluate", "follow_up",
    "resolve", "fail", "dismiss", "reject", "transfer", "pass_review", "close",
})


def _as_list(value) -> list:
    if value in (None, "", []):
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _region_codes() -> dict[int, str]:
    """{region id: code} of the active regions, once per configuration snapshot."""
    from civicgrid.geo.models import Region

    return confcache.current().get("region_codes_by_id", lambda: dict(
        Region.objects.filter(is_active=True).values_list("id", "code")))


def visible_candidates(user, cases) -> set[int]:
    """Which of these cases (read with region, department and reporter ids, as the duplicate search does)
    `user` may see, worked out without a read: the intake's answer names only those. A case seen only as a
    co-handling department's is left out (that would take a read)."""
    grant = grant_for(user, VIEW)
    if grant.unrestricted:
        return {c.pk for c in cases}
    codes = _region_codes()
    return {c.pk for c in cases
            if grant.covers_code(codes.get(c.region_id)) or (c.department_id and c.department_id in grant.department_ids)
            or (grant.own_user_id and c.reporter_id == grant.own_user_id)}


def present_routing(case: Case, user, *, staff: bool | None = None) -> dict:
    """Why the case went where it did, as `user` may see it. Case.routing is an internal record (it keeps
    login names and every likely duplicate); here staff on the case see the workers by display name, the
    matching rule and the leader, others (the reporter) only the place, the reason and the workers' roles;
    everyone sees only the likely duplicates they may see themselves."""
    routing = case.routing or {}
    if staff is None:
        staff = bool(case_roles(user, case) - {"reporter"})
    workers = routing.get("workers") or {}
    out = {
        "region": routing.get("region"), "grid": routing.get("grid"), "reason": routing.get("reason", ""),
        "workers": worker_names(workers) if staff else {role: [] for role in workers},
        "duplicates": _visible_duplicates(case, user, routing.get("duplicates") or []),
    }
    if staff and routing.get("rule"):
        out["rule"] = routing["rule"]
    leader = routing.get("leader")
    if staff and leader:  # its stored name is the login name when the leader has no display name
        out["leader"] = {"name": leader.get("name", "") if leader.get("name") != leader.get("username") else ""}
    if routing.get("tier"):
        out["tier"] = routing["tier"]
    return out


def labelled_workers(workers: dict[str, list[str]]) -> list[dict]:
    """{role: names} as the pages list them: the role's label and its names, roles without names left out."""
    return [{"role": gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role, "names": names}
            for role, names in workers.items() if names]


def worker_names(workers: dict[str, list[str]]) -> dict[str, list[str]]:
    """A routing record's {role: usernames} as {role: display names}: people are never shown by login."""
    names = display_names()
    return {role: [names[u] for u in usernames if u in names] for role, usernames in workers.items()}


def public_to_reporter(user, ev) -> bool:
    """Whether the reporter `user` reads this event's comment and reason: their own, or an answer to them."""
    return ev.actor_id == user.pk or ev.action in PUBLIC_COMMENT_ACTIONS


def events_as_seen(user, case: Case, events: list) -> list:
    """The case's events for `user`, as the case page shows them: the reporter, who is not staff on the case,
    sees their own events whole; of the others, no staff name, no internal comment or reason (only answers
    addressed to them) and only the labelled facts (`shown_*` attributes, not saved)."""
    if not case_roles(user, case) - {"reporter"}:
        for ev in events:
            public = public_to_reporter(user, ev)
            if ev.actor_id and ev.actor_id != user.pk:
                ev.shown_actor = ""
            ev.shown_comment = ev.comment if public else ""
            if ev.actor_id != user.pk:
                ev.shown_data = {key: value for key, value in (ev.data or {}).items()
                                 if key in FACT_LABELS and (public or key not in ("comment", "reason"))}
    return events


def _visible_duplicates(case: Case, user, duplicates: list[dict]) -> list[dict]:
    if not duplicates:
        return []
    known = getattr(case, "visible_duplicates", None)  # set by the intake that just found them
    if known is None:
        known = set(cases_visible(user).filter(id__in=[d["id"] for d in duplicates]).values_list("id", flat=True))
    return [d for d in duplicates if d["id"] in known]


# a fact whose general label misnames it in one case type: a volunteer order's deadline is when the service
# is due, not a rectification deadline
FACT_LABEL_BY_TYPE = {("volunteer_order", "deadline"): gettext_noop("服务期限")}


def shown_time(value) -> str:
    """A stored ISO date or time as the page shows it: a date as is, a time in local time to the minute."""
    text = str(value)
    if len(text) <= 10:
        return text
    moment = parse_datetime(text)
    if moment is None:
        return text[:10]
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _event_department_names(rows) -> dict[str, str]:
    """The names of the departments the events' facts name by code (one query)."""
    codes = set()
    for ev in rows:
        codes.update(_as_list((ev.data or {}).get("department")) + _as_list((ev.data or {}).get("co_departments"))
                     + [t.get("department") for t in _as_list((ev.data or {}).get("tasks")) if isinstance(t, dict)])
    return dict(Department.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def present_events(case: Case, user, rows: list, *, staff: bool, names: dict[str, str] | None = None) -> list[dict]:
    """The case's events `rows` (in order) as its page's timeline shows them to `user`."""
    spec = spec_for(case.workflow)
    if names is None:
        names = _event_department_names(rows)
    events = []
    for ev in rows:
        data = ev.data or {}
        extra = []
        for key, label in FACT_LABELS.items():
            value = data.get(key)
            if key == "comment" or value in (None, "", []):
                continue
            if key in FACT_VALUE_LABELS:
                value = FACT_VALUE_LABELS[key].get(str(value), value)
                value = gettext(value) if isinstance(value, str) and value else value
            elif key == "satisfaction":
                value = dict(FollowUp._meta.get_field("satisfaction").choices).get(value, value)
            elif key == "resolved":
                value = gettext("已解决") if value else gettext("未解决")
            elif key in ("extension_until", "deadline", "follow_up_date"):
                value = shown_time(value)
            elif key in ("department", "co_departments"):
                value = "、".join(names.get(str(v), str(v)) for v in _as_list(value))
            elif key == "tasks":  # 协办任务: each department and what it is asked to do
                value = ";".join(f"{names.get(t.get('department'), t.get('department'))}:{t.get('task')}"
                                  for t in _as_list(value) if isinstance(t, dict))
            elif key == "attachments":  # the files themselves are shown beside the timeline
                value = gettext("%(n)s 个") % {"n": len(_as_list(value))}
            elif key == "on_behalf_of":  # an officer recorded this step for an external department
                value = value.get("name", "") if isinstance(value, dict) else value
            elif isinstance(value, list):
                value = "、".join(str(v) for v in value)
            if not staff and key == "reason" and not public_to_reporter(user, ev):
                continue
            extra.append({"label": gettext(FACT_LABEL_BY_TYPE.get((case.case_type, key), label)), "value": value})
        public = staff or public_to_reporter(user, ev)
        events.append({
            "seq": ev.seq, "actor": ev.actor_name if staff or not ev.actor_id or ev.actor_id == user.pk else "",
            "role": role_label(ev.actor_role), "action": ev.action, "action_label": action_label(spec, ev.action),
            "from_label": state_label(case.case_type, ev.from_state, spec) if ev.from_state else "",
            "to_label": state_label(case.case_type, ev.to_state, spec), "moved": ev.from_state != ev.to_state,
            "comment": ev.comment if public else "", "extra": extra, "created_at": ev.created_at,
            "to_state": ev.to_state,
        })
    return events


def timelines(cases: list[Case], user) -> dict[int, list[dict]]:
    """`present_events` of many cases in two queries whatever their number (a resident's orders page)."""
    from civicgrid.cases.models import CaseEvent

    rows: dict[int, list] = {case.pk: [] for case in cases}
    for ev in CaseEvent.objects.filter(case__in=[case.pk for case in cases]).order_by("case_id", "seq"):
        rows[ev.case_id].append(ev)
    names = _event_department_names([ev for evs in rows.values() for ev in evs])
    return {case.pk: present_events(case, user, rows[case.pk], staff=bool(case_roles(user, case) - {"reporter"}),
                                    names=names) for case in cases}


def present_case(case: Case, user) -> dict:
    """Everything the detail page shows, with labels. `staff` is False for a user who is only the case's
    reporter: they do not see worker names, routing internals or the reporter's own contact details."""
    spec = spec_for(case.workflow)
    roles = case_roles(user, case)
    staff = bool(roles - {"reporter"})
    questions = {q["key"]: q for q in (case.category.questions if case.category_id else [])}
    answers = []
    for key, value in (case.answers or {}).items():
        q = questions.get(key, {})
        if isinstance(value, bool):
            value = gettext("是") if value else gettext("否")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        answers.append({"label": q.get("label", key), "value": value})
    departments = [
        {"name": cd.department.name, "code": cd.department.code, "role": cd.role, "role_label": cd.get_role_display()}
        for cd in case.case_departments.select_related("department").order_by("-role", "department__code")
    ]
    if case.department_id and not any(d["code"] == case.department.code for d in departments):
        departments.insert(0, {"name": case.department.name, "code": case.department.code, "role": "main",
                               "role_label": gettext("主办")})
    routing = present_routing(case, user, staff=staff)
    workers = labelled_workers(routing["workers"])
    events = present_events(case, user, list(case.events.order_by("seq")), staff=staff)
    follow_ups = [
        {"method": f.get_method_display(), "satisfaction": f.get_satisfaction_display() if f.satisfaction else "",
         "resolved": f.resolved, "comment": f.comment, "created_at": f.created_at}
        for f in case.follow_ups.order_by("created_at")
    ]
    boundary = case.region.boundary
    return {
        **present_row(case), "description": case.description, "answers": answers, "address": case.address,
        "lat": case.lat, "lng": case.lng, "boundary": boundary, "staff": staff, "roles": sorted(roles),
        "reporter": (gettext("匿名") if case.is_anonymous
                     else (case.reporter_name or (str(case.reporter) if case.reporter_id else ""))),
        "reporter_phone": mask_phone(case.reporter_phone) if staff and not case.is_anonymous else "",
        "contact_label": case.get_contact_preference_display(), "is_anonymous": case.is_anonymous,
        "routing_reason": routing.get("reason", ""), "workers": workers if staff else [],
        "departments": departments, "events": events, "follow_ups": follow_ups,
        "mediation": mediation_record(case) if staff and case.case_type == "dispute" else None,
        "event_count": case.event_count, "satisfaction": case.get_satisfaction_display() if case.satisfaction else "",
        "pending_extension_until": case.pending_extension_until, "closed_at": case.closed_at,
        "merged_into": case.merged_into.number if case.merged_into_id else "",
        "is_terminal": spec.state(case.state).terminal if spec.has_state(case.state) else not case.is_open,
    }


def mediation_record(case: Case) -> dict:
    """A dispute's 调解记录 for its staff: the tier mediating now, escalations with their reasons, every
    session (parties, notes, mediator) and the agreements reached."""
    from civicgrid.cases.choices import DisputeTier

    tiers = dict(DisputeTier.choices)
    return {
        "tier": tiers.get(case.routing.get("tier") or DisputeTier.COMMUNITY, ""),
        "escalations": [{**e, "from": tiers.get(e.get("from"), ""), "to": tiers.get(e.get("to"), "")}
                        for e in case.routing.get("escalations", [])],
        "sessions": [{"held_at": s.held_at, "tier": s.get_tier_display(), "parties": "、".join(s.parties),
                      "notes": s.notes, "mediator": s.mediator_name} for s in case.mediation_sessions.all()],
        "agreements": [{"reached_at": a.reached_at, "form": a.get_form_display(), "text": a.text,
                        "parties": "、".join(a.parties)} for a in case.mediation_agreements.all()],
    }


def my_requests(user) -> QuerySet:
    """The cases the user reported (a resident's 我的诉求), newest first."""
    return (cases_visible(user).filter(reporter_id=user.pk)
            .select_related("workflow", "category", "region", "department").order_by("-created_at", "-id"))


def last_events(case_ids) -> dict[int, object]:
    """The latest CaseEvent of each case (one query)."""
    from civicgrid.cases.models import CaseEvent

    latest = (CaseEvent.objects.filter(case_id__in=list(case_ids)).values("case_id")
              .annotate(seq=Max("seq")).values_list("case_id", "seq"))
    pairs = Q(pk__in=[])
    for case_id, seq in latest:
        pairs |= Q(case_id=case_id, seq=seq)
    return {ev.case_id: ev for ev in CaseEvent.objects.filter(pairs)}


def board_counts(user, now=None) -> dict[str, int]:
    """The board's tiles from the KPI module (every family, the caller's KPI reach), as the dashboards
    count them: open / due soon / overdue now, under 督办, awaiting dispatch, and closed."""
    from civicgrid.cases import kpis

    filters = {"family": "all", "reach": grant_for(user, "cases.view_kpis")}
    closed = kpis.kpis(now=now, **filters)["counts"]["closed"]
    return {**kpis.open_counts(now=now, **filters), **kpis.oversight_counts(**filters), "closed": closed}


def board_summary(user) -> dict:
    """The dispatcher board: open cases by type and state, by department (with overdue), the 待派遣 and
    overdue lists — aggregate queries over the user's visible cases."""
    visible = cases_visible(user)
    open_cases = visible.filter(is_open=True)
    now = clock.now()
    overdue, due_soon = Case.overdue_q(now), Case.due_soon_q(now)
    by_state = []
    for row in (open_cases.values("case_type", "state").annotate(n=Count("id"),
                overdue=Count("id", filter=overdue)).order_by("case_type", "state")):
        by_state.append({**row, "type_label": type_label(row["case_type"]),
                         "state_label": state_label(row["case_type"], row["state"])})
    by_department = list(
        open_cases.values("department__code", "department__name")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue),
                  due_soon=Count("id", filter=due_soon),
                  supervised=Count("id", filter=Q(is_supervised=True)))
        .order_by("-n", "department__code")
    )
    related = ("workflow", "category", "region", "department")
    return {
        "counts": board_counts(user, now),
        "by_state": by_state,
        "by_department": by_department,
        "unassigned": [present_row(c) for c in open_cases.filter(worklist_q("unassigned", now))
                       .select_related(*related).order_by("created_at")[:20]],
        "overdue": [present_row(c) for c in open_cases.filter(overdue)
                    .select_related(*related).order_by("due_at")[:20]],
    }


def report_categories() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active reportable categories grouped by top-level category: [(group name, [(code, name)])]."""
    rows = list(Category.objects.filter(is_active=True).order_by("code"))
    tops = {c.code: c for c in rows if c.parent_id is None}
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in rows:
        top = tops.get(c.code[:2])
        if c.parent_id is None:
            continue
        groups.setdefault(top.name if top else "其他", []).append((c.code, c.name))
    # a top-level category without children is reportable as itself
    for code, top in tops.items():
        if not any(c.code.startswith(code) and c.code != code for c in rows):
            groups.setdefault(top.name, []).append((code, top.name))
    return list(groups.items())


def category_questions(code: str) -> list[dict]:
    category = Category.objects.filter(code=code, is_active=True).only("questions").first() if code else None
    return list(category.questions) if category is not None else []


def report_places() -> dict:
    """Where a report can be placed without a map pin: active grids grouped by community. Grid names are
    public administrative geography (no people data), so this read is deliberately unscoped: a resident
    needs them to report. The map under the form draws itself from the geo base-map endpoints."""
    from civicgrid.geo.choices import RegionLevel
    from civicgrid.geo.models import Region

    active = Region.objects.filter(is_active=True)
    communities = dict(active.filter(level=RegionLevel.COMMUNITY).values_list("code", "name"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in active.filter(level=RegionLevel.GRID).order_by("code").values_list("code", "name"):
        groups.setdefault(communities.get(code[:12], code[:12]), []).append((code, name))
    return {"grids": list(groups.items())}


def intake_channel(user) -> str:
    """The channel a web report comes through by default: the first the user's roles may use
    (intake.CHANNEL_ROLES: hotline operators enter calls, field workers report as 网格员上报, police
    liaisons refer, residents report for themselves)."""
    return intake_channels(user)[0]


def intake_channels(user) -> list[str]:
    """The channels `user` may choose on the report page, the default first (intake.CHANNEL_ROLES, the same
    table the API and the actions use): field workers say how they came across the problem; hotline
    operators, police liaisons and residents have just their one channel."""
    return channels_for(user) or ["resident"]  # nobody without a reporting role reaches the page


def notifications_for(user) -> QuerySet:
    return Notification.objects.filter(user=user).select_related("case").order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def evidence_sides(case: Case) -> dict[str, list[dict]]:
    """The case's photos and files in two columns: 处置前 (the report and the steps before the hand-off,
    such as the on-site 核实) and 处置后 (handling, 核查, rework); uploads for a step not yet taken are left out."""
    from civicgrid.cases.kpis import pre_dispatch_states
    from civicgrid.cases.models import Attachment

    spec = spec_for(case.workflow)
    before_states = pre_dispatch_states(spec)
    sides: dict[str, list[dict]] = {"before": [], "after": []}
    for a in Attachment.objects.filter(case=case, pending=False).select_related("event").order_by("created_at", "pk"):
        ev = a.event
        early = ev is None or ev.seq == 1 or ev.from_state in before_states
        sides["before" if early else "after"].append({
            "pk": a.pk, "is_photo": a.is_photo, "name": a.name or gettext("PDF 文件"),
            "step": action_label(spec, ev.action) if ev is not None else gettext("上报"),
            "created_at": a.created_at,
        })
    return sides
