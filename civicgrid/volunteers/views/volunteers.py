"""Volunteers: one's own tasks and registration; for staff the list, a profile and team membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.masking import mask_id_number, mask_phone
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import certificates as certificate_queries
from civicgrid.volunteers.queries import services as service_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries
from civicgrid.volunteers.views.common import TASKS, gate, row
from civicgrid.volunteers.views.stepforms import step_form


def render_tasks(request, failed=None, error="", status=200):
    volunteer = gate(request.user, TASKS)
    tasks = volunteer_queries.volunteer_tasks(request.user, volunteer)
    rows = []
    for o in tasks["open"]:
        case = o.case
        rows.append(row(o, phone=case.reporter_phone if not case.is_anonymous else "",
                         requester=o.on_behalf_of or case.reporter_name,
                         contact=step_form("contact", o, failed) if case.state == "assigned" else None,
                         complete=step_form("complete", o, failed) if case.state == "in_service" else None))
    figures = volunteer_queries.volunteer_figures(volunteer)
    return render(request, "volunteers/tasks.html", {
        "volunteer": volunteer, "rows": rows, "done": [row(o) for o in tasks["done"]], "figures": figures,
        "star_marks": "★" * figures["stars"], "teams": [m.team for m in volunteer.memberships.filter(is_active=True)
                                                       .select_related("team")],
        "error": error, "failed": failed}, status=status)


@login_required
def tasks(request):
    if volunteer_queries.own_volunteer(request.user) is None:
        messages.info(request, gettext("您还不是注册志愿者,请先注册。"))
        return redirect("volunteers:register")
    return render_tasks(request)


@require_http_methods(["GET", "POST"])
@login_required
def register(request):
    """实名注册: a signed-in person registers themself as a volunteer."""
    user = request.user
    if volunteer_queries.own_volunteer(user) is not None:
        messages.info(request, gettext("您已是注册志愿者。"))
        return redirect("volunteers:tasks")
    services = [(code, s["name"]) for s in service_queries.service_catalogue() for code in [s["code"]]]
    form = vforms.RegisterForm(request.POST if request.method == "POST" else None, services=services,
                               grids=volunteer_queries.registration_places(), name=user.display_name,
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


@permission_page("volunteers.view_volunteer")
def volunteer_list(request):
    q = request.GET.get("q", "")[:50]
    rows = list(volunteer_queries.volunteers_visible(request.user, q=q)[:200])
    return render(request, "volunteers/volunteer_list.html", {"rows": rows, "q": q})


def render_volunteer(request, pk: int, form=None, error="", status=200, team_form=None):
    volunteer = volunteer_queries.read_volunteer(request.user, pk)
    figures = volunteer_queries.volunteer_figures(volunteer)
    sites = certificate_queries.issuer_sites(request.user)
    can_issue = has_perm_anywhere(request.user, "volunteers.issue_certificate") and bool(sites)
    can_manage = can(request.user, "volunteers.change_volunteer", volunteer)
    if can_manage and team_form is None:
        team_form = vforms.JoinTeamForm(teams=volunteer_queries.joinable_teams(request.user, volunteer))
    return render(request, "volunteers/volunteer_detail.html", {
        "can_manage": can_manage, "team_form": team_form if can_manage else None,
        "memberships": [m for m in volunteer.memberships.all() if m.is_active],
        "volunteer": volunteer, "id_masked": mask_id_number(volunteer.id_number), "phone": mask_phone(volunteer.phone),
        "figures": figures, "star_marks": "★" * figures["stars"],
        "records": list(volunteer_queries.volunteer_records(volunteer)[:50]),
        "skills": [service_queries.service_names().get(code, code) for code in volunteer.skills],
        "form": form or (vforms.IssueForm(sites=sites) if can_issue else None), "error": error,
        "availability": [(vforms.WEEKDAYS[a.weekday], a.start, a.end) for a in volunteer.availability.all()]},
        status=status)


@permission_page("volunteers.view_volunteer")
def volunteer_detail(request, pk: int):
    return render_volunteer(request, pk)


@require_POST
@permission_page("volunteers.change_volunteer")
def join_team(request, pk: int):
    """The centre (or a station, for members of its teams) puts the volunteer into a team."""
    volunteer = volunteer_queries.read_volunteer(request.user, pk)  # 404 before anything else
    form = vforms.JoinTeamForm(request.POST, teams=volunteer_queries.joinable_teams(request.user, volunteer))
    if not form.is_valid():
        return render_volunteer(request, pk, error=gettext("未加入:请选择队伍"), status=422, team_form=form)
    try:
        membership, _joined = actions.join_team(actor=request.user, volunteer_id=pk, team_code=form.cleaned_data["team"],
                                                is_leader=form.cleaned_data["is_leader"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return render_volunteer(request, pk, error=exc.message, status=exc.status, team_form=form)
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
        return render_volunteer(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("已移出%(team)s") % {"team": membership.team.name})
    return redirect("volunteers:volunteer", pk=pk)
