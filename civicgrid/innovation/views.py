"""Innovation pages: the 揭榜挂帅 board (published summaries zone-wide, own enterprises' needs in any
state), one challenge (summary, or in reach: applications, both sides' choices, suggestions with their
score parts, milestones and the moves the reader may make), the phone-first posting page for the
enterprise contact, platforms and teams, agreements.

Adapters only: parse, call one action or query, render. Reads start scoped; a challenge out of reach that
is not published is 404; a refused action changes nothing and its Chinese message and code come back on
the page with the action's status (422, 409, 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.enterprises.models import Enterprise
from civicgrid.innovation import actions, forms, queries
from civicgrid.innovation.choices import AgreementStatus, ChallengeStatus, Field, PlatformKind

VIEW = "innovation.view_innovation"
POST = "innovation.post_challenge"
CHANGE_AGREEMENT = "innovation.change_agreement"
PAGE_SIZE = 20
STATUS_NAMES = dict(ChallengeStatus.choices)


def _card(challenge, on) -> dict:
    return {"c": challenge, "fields": queries.field_names(challenge.fields),
            "deadline": queries.deadline_words(challenge, on), "budget_wan": challenge.budget / 10000}


@permission_page(VIEW)
def board(request):
    """揭榜挂帅榜单."""
    form = forms.BoardFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    mine = request.GET.get("mine") == "1"
    qs = queries.board(request.user, mine=mine, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    on = queries.today()
    return render(request, "innovation/board.html", {
        "form": form, "page": page, "cards": [_card(c, on) for c in page], "mine": mine,
        "can_post": bool(_postable(request.user)), "office": queries.innovation_office()})


def _detail_context(request, challenge, full: bool, **extra) -> dict:
    on = queries.today()
    context = {"card": _card(challenge, on), "c": challenge, "full": full, "error": extra.pop("error", None)}
    if full:
        moves = queries.moves_for(request.user, challenge)
        applications = list(queries.applications_of(challenge))
        for application in applications:
            application.field_names = queries.field_names(application.fields)
            application.quote_wan = application.quoted_budget / 10000 if application.quoted_budget else None
        milestones = list(queries.milestones_of(challenge))
        for milestone in milestones:
            milestone.late = milestone.is_late(on)
        context.update({
            "moves": moves, "applications": applications, "milestones": milestones,
            "suggestions": queries.suggestions(request.user, challenge),
            "review": queries.review_words(challenge) if challenge.status == ChallengeStatus.SUBMITTED else "",
            "application_form": extra.pop("application_form", None) or (
                forms.ApplicationForm(teams=queries.teams(request.user)) if moves["department"]
                and challenge.status == ChallengeStatus.PUBLISHED else None),
            "milestone_form": extra.pop("milestone_form", None) or (
                forms.MilestoneForm() if moves["milestones"] else None),
            "achieved_form": forms.AchievedForm(initial={"achieved_on": on}) if moves["milestones"] else None,
        })
    context.update(extra)
    return context


@permission_page(None)
def detail(request, pk: int):
    challenge, full = queries.challenge_for(request.user, pk)
    return render(request, "innovation/detail.html", _detail_context(request, challenge, full))


def _failed(request, pk: int, exc: errors.DomainError, **extra):
    challenge, full = queries.challenge_for(request.user, pk)
    return render(request, "innovation/detail.html",
                  _detail_context(request, challenge, full, error=exc, **extra), status=exc.status)


@require_POST
@permission_page(None)
def move(request, pk: int):
    """One transition from the page (the same action the API's transitions endpoint calls)."""
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        return _failed(request, pk, errors.ValidationFailed("操作参数有误", code="invalid_input"))
    data = form.cleaned_data
    try:
        challenge = actions.transition_challenge(actor=request.user, challenge_id=pk, action=data["action"],
                                                 reason=data["reason"], application_id=data["application"])
    except (errors.ValidationFailed, errors.Conflict) as exc:
        return _failed(request, pk, exc)
    except errors.Forbidden as exc:
        if exc.code == "forbidden":
            raise
        return _failed(request, pk, exc)
    messages.success(request, gettext("已办理。当前状态:%(status)s") % {"status": STATUS_NAMES[challenge.status]})
    return redirect("innovation:detail", pk=pk)


@require_POST
@permission_page(None)
def add_application(request, pk: int):
    challenge, _ = queries.challenge_for(request.user, pk)
    form = forms.ApplicationForm(request.POST, teams=queries.teams(request.user))
    if form.is_valid():
        try:
            actions.record_application(actor=request.user, challenge_id=challenge.pk, team_id=form.cleaned_data["team"],
                                       plan=form.cleaned_data["plan"], quoted_budget=form.cleaned_data["quoted_budget"],
                                       idempotency_key=form.key())
        except (errors.ValidationFailed, errors.Conflict) as exc:
            return _failed(request, pk, exc, application_form=form)
        messages.success(request, gettext("已登记揭榜申报。"))
        return redirect("innovation:detail", pk=pk)
    return _failed(request, pk, errors.ValidationFailed("请检查申报内容", code="invalid_input"), application_form=form)


@require_POST
@permission_page(None)
def add_milestone(request, pk: int):
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        try:
            actions.plan_milestone(actor=request.user, challenge_id=pk, title=form.cleaned_data["title"],
                                   planned_on=form.cleaned_data["planned_on"], idempotency_key=form.key())
        except (errors.ValidationFailed, errors.Conflict) as exc:
            return _failed(request, pk, exc, milestone_form=form)
        messages.success(request, gettext("已安排里程碑。"))
        return redirect("innovation:detail", pk=pk)
    return _failed(request, pk, errors.ValidationFailed("请检查里程碑内容", code="invalid_input"), milestone_form=form)


@require_POST
@permission_page(None)
def milestone_achieved(request, pk: int, milestone: int):
    form = forms.AchievedForm(request.POST)
    if form.is_valid():
        try:
            actions.record_milestone(actor=request.user, milestone_id=milestone, achieved_on=form.cleaned_data["achieved_on"],
                                     evidence=form.cleaned_data["evidence"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            return _failed(request, pk, exc)
        messages.success(request, gettext("已记录里程碑完成。"))
        return redirect("innovation:detail", pk=pk)
    return _failed(request, pk, errors.ValidationFailed("请填写实际完成日期和依据", code="invalid_input"))


def _postable(user, only: int | None = None):
    """The enterprises the user may post needs for (the contact's own; an officer's reach)."""
    qs = Enterprise.objects.visible_to(user, POST).order_by("name")
    return list(qs.filter(pk=only) if only else qs[:1000])


@require_http_methods(["GET", "POST"])
@permission_page(POST)
def post_need(request):
    """发布技术需求: phone-first, for the enterprise contact (or an officer for an enterprise)."""
    only = request.GET.get("enterprise")
    enterprises = _postable(request.user, int(only) if only and only.isdigit() else None)
    if not enterprises:
        raise errors.NotFound()
    form = forms.ChallengeForm(request.POST or None, enterprises=enterprises)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                challenge = actions.post_challenge(
                    actor=request.user, enterprise_id=data["enterprise"], idempotency_key=form.key(),
                    data=actions.ChallengeInput(title=data["title"], fields=data["fields"], goal=data["goal"],
                                                budget=data["budget"], deadline=data["deadline"],
                                                complete_by=data["complete_by"]))
            except errors.ValidationFailed as exc:
                form.add_domain_error(exc)
            except errors.Conflict as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(request, gettext("需求 %(number)s 已提交,等待科技创新部审核发布。")
                                 % {"number": challenge.number})
                return redirect("innovation:detail", pk=challenge.pk)
    return render(request, "innovation/post.html", {"form": form}, status=status)


@permission_page(VIEW)
def platforms(request):
    kind = request.GET.get("kind", "")
    field = request.GET.get("field", "")
    kind = kind if kind in PlatformKind.values else ""
    field = field if field in Field.values else ""
    rows = [{"p": p, "fields": queries.field_names(p.fields)} for p in queries.platforms(request.user, kind=kind,
                                                                                         field=field)]
    teams = [{"t": t, "fields": queries.field_names(t.fields)} for t in queries.teams(request.user, field=field)]
    return render(request, "innovation/platforms.html", {
        "rows": rows, "teams": teams, "kinds": PlatformKind.choices, "field_choices": Field.choices, "kind": kind,
        "field": field})


@require_http_methods(["GET", "POST"])
@permission_page("innovation.view_agreement")
def agreements(request):
    """The agreements in reach; an officer records a new one on the same page."""
    status = request.GET.get("status", "")
    status = status if status in AgreementStatus.values else ""
    qs = queries.agreements(request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form, code = None, 200
    if has_perm_anywhere(request.user, CHANGE_AGREEMENT):
        enterprises = list(Enterprise.objects.visible_to(request.user, CHANGE_AGREEMENT).order_by("name")[:1000])
        form = forms.AgreementForm(request.POST or None, enterprises=enterprises,
                                   platforms=queries.platforms(request.user).filter(host_enterprise__isnull=True))
        if request.method == "POST":
            code = 422
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k not in ("idempotency_key", "enterprise",
                                                                                  "platform")}
                try:
                    actions.record_agreement(actor=request.user, idempotency_key=form.key(), data=actions.AgreementInput(
                        enterprise_id=form.cleaned_data["enterprise"], platform_id=form.cleaned_data["platform"],
                        **data))
                except errors.ValidationFailed as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(request, gettext("已登记产学研合作协议。"))
                    return redirect("innovation:agreements")
    elif request.method == "POST":
        raise errors.Forbidden()
    return render(request, "innovation/agreements.html", {
        "page": page, "status": status, "statuses": AgreementStatus.choices, "field_names": dict(Field.choices),
        "form": form}, status=code)
