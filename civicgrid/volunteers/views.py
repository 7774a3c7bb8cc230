"""Volunteer service pages (新时代文明实践): the public catalogue and certificate check, the resident's
ordering and orders, the centre's and the station's boards, the volunteer's tasks, registration,
certificates, statistics and donations.

Adapters only: parse, call one action or query, render. Reads start scoped (`queries.orders_visible`, the
chokepoints), so an order or volunteer out of reach is 404; a refused action changes nothing and its
Chinese message comes back on the page (422 for bad input, 409 when someone acted first).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.cases import queries as case_queries
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors
from civicgrid.core.masking import mask_id_number, mask_name, mask_phone
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions, batching, catalogue, certificates, queries
from civicgrid.volunteers import forms as vforms

VIEW = "volunteers.view_order"
ORDER_TYPE = "volunteer_order"

# the board each step belongs to, and who may use that board
CENTRE, STATION, TASKS, MINE = "centre", "station", "tasks", "mine"
STEPS = {
    "review": (CENTRE, vforms.ReviewForm), "dispatch": (CENTRE, vforms.DispatchForm),
    "accept": (STATION, vforms.AcceptForm), "decline": (STATION, vforms.DeclineForm),
    "assign": (STATION, vforms.AssignForm), "confirm": (STATION, vforms.ConfirmForm),
    "contact": (TASKS, vforms.ContactForm), "complete": (TASKS, vforms.CompleteForm),
    "rate": (MINE, vforms.RateForm), "cancel": (MINE, vforms.CancelForm),
}


def _gate(user, board: str):
    """Who may use a board: the centre and station by their workflow role, volunteers by their profile."""
    if board == CENTRE and not queries.works_as(user, "centre_admin"):
        raise PermissionDenied
    if board == STATION and not queries.works_as(user, "station_admin"):
        raise PermissionDenied
    if board == TASKS:
        volunteer = queries.own_volunteer(user)
        if volunteer is None:
            raise PermissionDenied
        return volunteer
    return None


def _state_label(state: str) -> str:
    return case_queries.state_label(ORDER_TYPE, state)


def _row(order, **extra) -> dict:
    """What every board shows of one order."""
    case = order.case
    return {"order": order, "case": case, "state_label": _state_label(case.state),
            "service": case.category.name if case.category_id else "", **extra}


# ---- public ------------------------------------------------------------------------------------------

def services(request):
    """The public service catalogue: the 8 services, their items and what serving them needs."""
    rows = queries.service_catalogue()
    for service in rows:
        service["needs"] = [(name, catalogue.QUALIFICATIONS.get(name, "")) for name in service["required_certificates"]]
    return render(request, "volunteers/services.html", {
        "services": rows, "emergency_notice": catalogue.EMERGENCY_NOTICE,
        "can_order": has_perm_anywhere(request.user, "volunteers.create_order")})


def verify_certificate(request, token: str):
    """The public check a certificate's QR code opens: masked name and ID, hours, issuer, date."""
    try:
        cert = queries.certificate_by_token(token)
    except errors.NotFound:
        return render(request, "volunteers/verify.html", {"cert": None}, status=404)
    return render(request, "volunteers/verify.html", {
        "cert": cert, "name": mask_name(cert.volunteer.name), "id_masked": mask_id_number(cert.volunteer.id_number),
        "issued_on": timezone.localtime(cert.issued_at).date()})


# ---- hub ---------------------------------------------------------------------------------------------

@login_required
def hub(request):
    user = request.user
    can = {key: has_perm_anywhere(user, perm) for key, perm in (
        ("order", "volunteers.create_order"), ("view", VIEW), ("volunteers", "volunteers.view_volunteer"),
        ("stats", "volunteers.view_stats"), ("donations", "volunteers.view_donation"))}
    return render(request, "volunteers/hub.html", {
        "can": can, "is_centre": queries.works_as(user, "centre_admin"),
        "is_station": queries.works_as(user, "station_admin"), "volunteer": queries.own_volunteer(user)})


# ---- ordering ----------------------------------------------------------------------------------------

def _order_form(request, data=None):
    user = request.user
    return vforms.OrderForm(data, channel=queries.order_channel(user), services=queries.service_choices(),
                            grids=queries.registration_places(), service=request.GET.get("service", ""),
                            phone=getattr(user, "phone", "") or "")


@require_http_methods(["GET", "POST"])
@permission_page("volunteers.create_order")
def order(request):
    form = _order_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            placed, created = actions.place_order(actor=request.user, data=form.order_input(request.user.display_name),
                                                  idempotency_key=form.cleaned_data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            text = gettext("已下单") if created else gettext("此前已下单")
            messages.success(request, gettext("%(text)s,订单编号 %(number)s。志愿服务中心审核后会通知您。") % {
                "text": text, "number": placed.case.number})
            return redirect(f"{reverse('volunteers:mine')}#order-{placed.pk}")
    status = 422 if request.method == "POST" else 200
    return render(request, "volunteers/order.html", {
        "form": form, "emergency_notice": catalogue.EMERGENCY_NOTICE,
        "emergency_codes": [c for _group, items in queries.service_choices() for c, _name in items
                            if catalogue.service_of(c) == catalogue.EMERGENCY]}, status=status)


# the milestones a resident sees (the state labels say what is pending: 待派单 …)
PROGRESS_LABELS = {
    "ordered": _("已下单"), "reviewed": _("审核通过"), "dispatched": _("已派到实践站"), "station_accepted": _("站点已接单"),
    "assigned": _("已分配队伍"), "in_service": _("志愿者已联系"), "completed": _("服务完成"), "archived": _("已归档"),
}


def _progress(case, reached: set[str]) -> list[dict]:
    """The happy-path steps with done / current marks (a rejected or cancelled order stops where it was);
    `reached`: the states its events entered."""
    spec = spec_for(case.workflow)
    reached = reached | {case.state}
    return [{"label": PROGRESS_LABELS[state], "done": state in reached, "current": state == case.state}
            for state in queries.PROGRESS if spec.has_state(state)]


def _mine(request, failed=None, error="", status=200):
    orders = list(queries.my_orders(request.user)[:30])
    timelines = case_queries.timelines([o.case for o in orders], request.user)  # one query, not one per order
    rows = []
    for o in orders:
        allowed = {t.action for t in case_queries.allowed_actions(request.user, o.case)}
        events = timelines[o.case_id]
        rows.append(_row(o, progress=_progress(o.case, {e["to_state"] for e in events}), events=events,
                         rate=_step_form("rate", o, failed) if "rate" in allowed else None,
                         cancel=_step_form("cancel", o, failed) if "cancel" in allowed else None))
    return render(request, "volunteers/mine.html", {"rows": rows, "error": error, "failed": failed},
                  status=status)


@permission_page(VIEW)
def mine(request):
    return _mine(request)


# ---- step forms --------------------------------------------------------------------------------------

def _choices(step: str, order, user) -> dict:
    if step == "dispatch":
        return {"stations": [site for site, _suggestion in queries.station_suggestions(order)]}
    if step == "assign":
        teams = queries.assignable_teams(order)
        members = {v.pk: v for t in teams for v in queries.team_volunteers(t)}
        return {"teams": teams, "members": list(members.values())}
    if step == "complete":
        return {"volunteers": list(order.volunteers.order_by("pk"))}
    if step == "decline":
        return {"label": gettext("拒单原因")}
    if step == "cancel":
        return {"label": gettext("取消原因")}
    return {}


def _step_form(step: str, order, failed=None, user=None, **extra):
    """The form of one step on one order: the failed one comes back as posted, with its errors."""
    if failed and failed["order"] == order.pk and failed["step"] == step:
        return failed["form"]
    return STEPS[step][1](order=order, **_choices(step, order, user), **extra)


def _render_board(request, board: str, failed=None, error="", status=200):
    if board == CENTRE:
        return _centre(request, failed, error, status)
    if board == STATION:
        return _station(request, failed, error, status)
    if board == TASKS:
        return _tasks(request, failed, error, status)
    return _mine(request, failed, error, status)


def _run(step: str, order, form, user):
    data = form.cleaned_data
    count = data.get("expected_event_count")
    if step == "review":
        approve = data["decision"] == "approve"
        actions.review_order(actor=user, order_id=order.pk, approve=approve, reason=data["reason"].strip(),
                             expected_event_count=count)
        return gettext("已审核通过,请派单") if approve else gettext("已不予受理,群众会收到原因")
    if step == "dispatch":
        actions.dispatch_order(actor=user, order_id=order.pk, station_code=data["station"], expected_event_count=count)
        return gettext("已派单至实践站")
    if step == "accept":
        actions.accept_order(actor=user, order_id=order.pk, expected_event_count=count)
        return gettext("已接单,请分配服务队伍")
    if step == "decline":
        actions.decline_order(actor=user, order_id=order.pk, reason=data["reason"].strip(), expected_event_count=count)
        return gettext("已拒单,订单退回中心改派")
    if step == "assign":
        actions.assign_team(actor=user, order_id=order.pk, team_code=data["team"], volunteer_ids=data["volunteers"],
                            expected_event_count=count)
        return gettext("已分配服务队伍,志愿者会收到任务")
    if step == "confirm":
        n = actions.confirm_records(actor=user, order_id=order.pk)
        return gettext("已确认 %(n)s 条服务记录") % {"n": n}
    if step == "contact":
        actions.log_contact(actor=user, order_id=order.pk, comment=data["comment"].strip(), expected_event_count=count)
        return gettext("已记录联系情况")
    if step == "complete":
        actions.complete_order(actor=user, order_id=order.pk, report=data["report"].strip(), records=form.records(),
                               expected_event_count=count)
        return gettext("已提交服务完成,服务时长待实践站确认")
    if step == "rate":
        actions.rate_order(actor=user, order_id=order.pk, satisfaction=data["satisfaction"],
                           comment=data["comment"].strip(), expected_event_count=count)
        return gettext("感谢您的评价")
    actions.cancel_order(actor=user, order_id=order.pk, reason=data["reason"].strip(), expected_event_count=count)
    return gettext("订单已取消")


@require_POST
@permission_page(VIEW)
def order_step(request, pk: int, step: str):
    """Post one step on one order (its board's form): the action decides; errors come back on the board."""
    if step not in STEPS:
        raise Http404
    board, form_class = STEPS[step]
    _gate(request.user, board)
    order = queries.order_visible(request.user, pk)
    form = form_class(request.POST, order=order, **_choices(step, order, request.user))
    if not form.is_valid():
        return _render_board(request, board, failed={"order": order.pk, "step": step, "form": form},
                             error=gettext("未提交:请检查填写的内容"), status=422)
    try:
        text = _run(step, order, form, request.user)
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        if isinstance(exc, errors.Conflict):
            return _render_board(request, board, error=f"{exc.message}(订单可能已被他人处理,页面已刷新)",
                                 status=409)
        form.add_domain_error(exc)
        return _render_board(request, board, failed={"order": order.pk, "step": step, "form": form},
                             error=exc.message, status=exc.status)
    messages.success(request, f"{order.case.number}:{text}")
    return redirect(f"{reverse('volunteers:' + board)}#order-{order.pk}")


# ---- centre ------------------------------------------------------------------------------------------

def _centre(request, failed=None, error="", status=200):
    board = queries.centre_board(request.user)
    reasons = queries.suggestion_reason_label
    new = [_row(o, review=_step_form("review", o, failed)) for o in board["new"]]
    to_dispatch = [
        _row(o, suggestions=[{"site": s, "score": sug.score, "reasons": [reasons(r) for r in sug.reasons]}
                             for s, sug in suggestions],
             dispatch=_step_form("dispatch", o, failed))
        for o, suggestions in board["to_dispatch"]]
    return render(request, "volunteers/centre.html", {
        "board": board, "new": new, "to_dispatch": to_dispatch, "overdue": [_row(o) for o in board["overdue"]],
        "error": error, "failed": failed}, status=status)


@permission_page(VIEW)
def centre(request):
    _gate(request.user, CENTRE)
    return _centre(request)


def _batch_page(request, *, cap: int, outcomes=None, error: str = "", status: int = 200):
    preview = batching.preview(request.user, cap=cap)
    labels = queries.SCORE_PARTS
    lines = [{"line": line, "row": _row(line.order),
              "volunteer_ids": ",".join(str(p.volunteer.pk) for p in line.volunteers),
              "proposed": [{"volunteer": p.volunteer, "score": p.score,
                            "parts": [(labels.get(k, k), v) for k, v in p.parts.items()]} for p in line.volunteers]}
             for line in preview.matched]
    return render(request, "volunteers/batch.html", {
        "preview": preview, "lines": lines, "unmatched": [_row(x.order, reasons=x.reasons) for x in preview.unmatched],
        "caps": range(1, batching.MAX_CAP + 1), "outcomes": outcomes, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
@permission_page(VIEW)
def batch(request):
    """批量派单: the optimal batch for the centre's pending orders as a preview; the ticked lines are sent
    with 中心直派 one by one (a stale line is refused with its reason, the others go)."""
    _gate(request.user, CENTRE)
    cap = batching.clamp_cap(request.POST.get("cap") or request.GET.get("cap") or 1)
    if request.method == "GET":
        return _batch_page(request, cap=cap)
    try:
        outcomes = actions.accept_batch(actor=request.user, picks=vforms.batch_picks(request.POST))
    except errors.ValidationFailed as exc:
        return _batch_page(request, cap=cap, error=exc.message, status=422)
    numbers = {o.pk: o.case.number for o in queries.orders_visible(request.user)
               .filter(pk__in=[x.order_id for x in outcomes])}
    shown = [{"outcome": x, "number": numbers.get(x.order_id, x.order_id)} for x in outcomes]
    done = sum(x.ok for x in outcomes)
    if done:
        messages.success(request, gettext("已派单 %(n)s 个订单") % {"n": done})
    refused = len(outcomes) - done
    error = gettext("%(n)s 个订单未派出,原因见下") % {"n": refused} if refused else ""
    return _batch_page(request, cap=cap, outcomes=shown, error=error, status=409 if refused and not done else 200)


# ---- station -----------------------------------------------------------------------------------------

def _shortlist_for(order, team_code: str = ""):
    teams = queries.assignable_teams(order)
    team = next((t for t in teams if t.code == team_code), teams[0] if teams else None)
    return team, (queries.present_shortlist(order, team) if team else None)


def _station(request, failed=None, error="", status=200):
    board = queries.station_board(request.user)
    to_assign = []
    for o in board["to_assign"]:
        form = _step_form("assign", o, failed)
        chosen = (form.data.get("team") if form.is_bound else "") or request.GET.get(f"team_{o.pk}", "")
        team, shortlist = _shortlist_for(o, chosen)
        if not form.is_bound and team:
            form.initial.update({"team": team.code,
                                 "volunteers": [r["volunteer"].pk for r in shortlist["ranked"][:o.people_needed]]})
        picked = set(form.data.getlist("volunteers")) if form.is_bound else {
            str(v) for v in form.initial.get("volunteers", [])}
        to_assign.append(_row(o, assign=form, shortlist=shortlist, picked=picked))
    to_confirm = [_row(o, records=[r for r in o.records.all() if r.status == "recorded"],
                       confirm=_step_form("confirm", o, failed)) for o in board["to_confirm"]]
    return render(request, "volunteers/station.html", {
        "board": board, "error": error, "failed": failed, "to_assign": to_assign, "to_confirm": to_confirm,
        "dispatched": [_row(o, accept=_step_form("accept", o, failed), decline=_step_form("decline", o, failed))
                       for o in board["dispatched"]],
        "serving": [_row(o) for o in board["serving"]]}, status=status)


@permission_page(VIEW)
def station(request):
    _gate(request.user, STATION)
    return _station(request)


@permission_page(VIEW)
def shortlist(request, pk: int):
    """The chosen team's shortlist for one order (htmx fragment of the station board's assign form)."""
    _gate(request.user, STATION)
    order = queries.order_visible(request.user, pk)
    if order.case.state != "station_accepted":
        raise Http404
    team, data = _shortlist_for(order, request.GET.get("team", ""))
    picked = {str(r["volunteer"].pk) for r in data["ranked"][:order.people_needed]} if data else set()
    return render(request, "volunteers/_shortlist.html", {"order": order, "shortlist": data, "picked": picked})


# ---- volunteer ---------------------------------------------------------------------------------------

def _tasks(request, failed=None, error="", status=200):
    volunteer = _gate(request.user, TASKS)
    tasks = queries.volunteer_tasks(request.user, volunteer)
    rows = []
    for o in tasks["open"]:
        case = o.case
        rows.append(_row(o, phone=case.reporter_phone if not case.is_anonymous else "",
                         requester=o.on_behalf_of or case.reporter_name,
                         contact=_step_form("contact", o, failed) if case.state == "assigned" else None,
                         complete=_step_form("complete", o, failed) if case.state == "in_service" else None))
    figures = queries.volunteer_figures(volunteer)
    return render(request, "volunteers/tasks.html", {
        "volunteer": volunteer, "rows": rows, "done": [_row(o) for o in tasks["done"]], "figures": figures,
        "star_marks": "★" * figures["stars"], "teams": [m.team for m in volunteer.memberships.filter(is_active=True)
                                                       .select_related("team")],
        "error": error, "failed": failed}, status=status)


@login_required
def tasks(request):
    if queries.own_volunteer(request.user) is None:
        messages.info(request, gettext("您还不是注册志愿者,请先注册。"))
        return redirect("volunteers:register")
    return _tasks(request)


@require_http_methods(["GET", "POST"])
@login_required
def register(request):
    """实名注册: a signed-in person registers themself as a volunteer."""
    user = request.user
    if queries.own_volunteer(user) is not None:
        messages.info(request, gettext("您已是注册志愿者。"))
        return redirect("volunteers:tasks")
    services = [(code, s["name"]) for s in queries.service_catalogue() for code in [s["code"]]]
    form = vforms.RegisterForm(request.POST if request.method == "POST" else None, services=services,
                               grids=queries.registration_places(), name=user.display_name,
                               phone=getattr(user, "phone", "") or "")
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_volunteer(actor=user, user=user, data=form.volunteer_input(),
                                       idempotency_key=form.cleaned_data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict, errors.RateLimited) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("注册成功。文明实践中心将您编入服务队伍后,就能在这里接到服务任务。"))
            return redirect("volunteers:tasks")
    return render(request, "volunteers/register.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


# ---- volunteers and certificates (staff) -------------------------------------------------------------

@permission_page("volunteers.view_volunteer")
def volunteer_list(request):
    q = request.GET.get("q", "")[:50]
    rows = list(queries.volunteers_visible(request.user, q=q)[:200])
    return render(request, "volunteers/volunteer_list.html", {"rows": rows, "q": q})


def _volunteer_page(request, pk: int, form=None, error="", status=200, team_form=None):
    volunteer = queries.read_volunteer(request.user, pk)
    figures = queries.volunteer_figures(volunteer)
    sites = queries.issuer_sites(request.user)
    can_issue = has_perm_anywhere(request.user, "volunteers.issue_certificate") and bool(sites)
    can_manage = can(request.user, "volunteers.change_volunteer", volunteer)
    if can_manage and team_form is None:
        team_form = vforms.JoinTeamForm(teams=queries.joinable_teams(request.user, volunteer))
    return render(request, "volunteers/volunteer_detail.html", {
        "can_manage": can_manage, "team_form": team_form if can_manage else None,
        "memberships": [m for m in volunteer.memberships.all() if m.is_active],
        "volunteer": volunteer, "id_masked": mask_id_number(volunteer.id_number), "phone": mask_phone(volunteer.phone),
        "figures": figures, "star_marks": "★" * figures["stars"],
        "records": list(queries.volunteer_records(volunteer)[:50]),
        "skills": [queries.service_names().get(code, code) for code in volunteer.skills],
        "form": form or (vforms.IssueForm(sites=sites) if can_issue else None), "error": error,
        "availability": [(vforms.WEEKDAYS[a.weekday], a.start, a.end) for a in volunteer.availability.all()]},
        status=status)


@permission_page("volunteers.view_volunteer")
def volunteer_detail(request, pk: int):
    return _volunteer_page(request, pk)


@require_POST
@permission_page("volunteers.issue_certificate")
def issue_certificate(request, pk: int):
    queries.read_volunteer(request.user, pk)  # 404 before anything else
    form = vforms.IssueForm(request.POST, sites=queries.issuer_sites(request.user))
    if not form.is_valid():
        return _volunteer_page(request, pk, form=form, error=gettext("未出具:请选择出具单位"), status=422)
    try:
        cert = actions.issue_certificate(actor=request.user, volunteer_id=pk, site_code=form.cleaned_data["site"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _volunteer_page(request, pk, form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已出具志愿服务证明 %(number)s") % {"number": cert.number})
    return redirect("volunteers:volunteer", pk=pk)


@require_POST
@permission_page("volunteers.change_volunteer")
def join_team(request, pk: int):
    """The centre (or a station, for members of its teams) puts the volunteer into a team."""
    volunteer = queries.read_volunteer(request.user, pk)  # 404 before anything else
    form = vforms.JoinTeamForm(request.POST, teams=queries.joinable_teams(request.user, volunteer))
    if not form.is_valid():
        return _volunteer_page(request, pk, error=gettext("未加入:请选择队伍"), status=422, team_form=form)
    try:
        membership, _joined = actions.join_team(actor=request.user, volunteer_id=pk, team_code=form.cleaned_data["team"],
                                                is_leader=form.cleaned_data["is_leader"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _volunteer_page(request, pk, error=exc.message, status=exc.status, team_form=form)
    messages.success(request, gettext("已加入%(team)s") % {"team": membership.team.name})
    return redirect("volunteers:volunteer", pk=pk)


@require_POST
@permission_page("volunteers.change_volunteer")
def leave_team(request, pk: int, team: str):
    try:
        membership = actions.leave_team(actor=request.user, volunteer_id=pk, team_code=team)
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        return _volunteer_page(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("已移出%(team)s") % {"team": membership.team.name})
    return redirect("volunteers:volunteer", pk=pk)


@login_required
def certificate_pdf(request, number: str):
    """The certificate as issued (its volunteer, or staff who see the volunteer); 404 for anyone else."""
    try:
        cert = queries.certificate_visible(request.user, number)
    except errors.NotFound:
        raise Http404 from None
    url = request.build_absolute_uri(reverse("volunteers:verify_certificate", args=[cert.token]))
    pdf = certificates.render_pdf(queries.certificate_document(cert, url))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'志愿服务证明-{cert.number}.pdf')}"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- stats and donations -----------------------------------------------------------------------------

@permission_page("volunteers.view_stats")
def stats(request):
    form = vforms.StatsForm(request.GET or None)
    period = form.period()
    figures = queries.stats(request.user, **period)
    teams = queries.hours_by_team(request.user, **period)
    by_status = [(_state_label(state), n) for state, n in sorted(figures["by_status"].items(),
                                                                 key=lambda kv: -kv[1])]
    charts = {"category": [{"name": k, "value": v} for k, v in figures["by_category"].items()],
              "status": [{"name": k, "value": v} for k, v in by_status],
              "teams": [{"name": t["team"], "value": float(t["hours"] or 0)} for t in teams]}
    return render(request, "volunteers/stats.html", {
        "form": form, "figures": figures, "teams": teams, "by_status": by_status,
        "rate": None if figures["matching_rate"] is None else round(figures["matching_rate"] * 100, 1),
        "charts": charts})


def _donations(request, record_form=None, give_form=None, error="", status=200):
    user = request.user
    donations = queries.donations_visible(user)
    sites = queries.donation_sites(user)
    can_change = has_perm_anywhere(user, "volunteers.change_donation") and bool(sites)
    open_donations = [d for d in donations if (d.distributed or 0) < d.amount]
    return render(request, "volunteers/donations.html", {
        "donations": list(donations[:50]), "totals": queries.donation_totals(donations),
        "distributions": list(queries.recent_distributions(donations)), "can_change": can_change,
        "record_form": record_form or (vforms.DonationForm(sites=sites) if can_change else None),
        "give_form": give_form or (vforms.DistributionForm(donations=open_donations) if can_change else None),
        "error": error}, status=status)


@require_http_methods(["GET", "POST"])
@permission_page("volunteers.view_donation")
def donations(request):
    if request.method == "GET":
        return _donations(request)
    sites = queries.donation_sites(request.user)
    form = vforms.DonationForm(request.POST, sites=sites)
    if not form.is_valid():
        return _donations(request, record_form=form, error=gettext("未登记:请检查填写的内容"), status=422)
    data = form.cleaned_data
    site = next(s for s in sites if s.code == data["site"])
    try:
        actions.record_donation(actor=request.user, site=site, donor=data["donor"], kind=data["kind"],
                                amount=data["amount"], items=data["items"], idempotency_key=data["idempotency_key"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _donations(request, record_form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已登记捐赠:%(donor)s %(amount)s 元") % {"donor": data["donor"],
                                                                          "amount": data["amount"]})
    return redirect("volunteers:donations")


@require_POST
@permission_page("volunteers.change_donation")
def distribute(request):
    donations = [d for d in queries.donations_visible(request.user) if (d.distributed or 0) < d.amount]
    form = vforms.DistributionForm(request.POST, donations=donations)
    if not form.is_valid():
        return _donations(request, give_form=form, error=gettext("未发放:请检查填写的内容"), status=422)
    data = form.cleaned_data
    household = queries.household_id(data["household"])
    if household is None:
        form.add_error("household", gettext("没有这个户编号的家庭"))
        return _donations(request, give_form=form, error=gettext("未发放:受助家庭不存在"), status=422)
    try:
        actions.distribute_donation(actor=request.user, donation_id=data["donation"], household_id=household,
                                    amount=data["amount"], items=data["items"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _donations(request, give_form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已发放 %(amount)s 元给户 %(household)s") % {
        "amount": data["amount"], "household": data["household"]})
    return redirect("volunteers:donations")
