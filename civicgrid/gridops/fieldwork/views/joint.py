"""Police–grid joint-work pages (四联): the shared view of a community's cases, referrals and joint
records; referring a case to the police; a police referral becoming a case; answering a referral;
recording a joint patrol/check; the monthly summary."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import Department
from civicgrid.cases import queries as case_queries
from civicgrid.cases.models import Case
from civicgrid.core import errors
from civicgrid.core.scoping import get_visible, has_perm_anywhere
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.choices import ReferralStatus
from civicgrid.gridops.fieldwork.forms import (
    AnswerForm,
    JointRecordForm,
    PoliceReferralForm,
    ReferToPoliceForm,
)
from civicgrid.gridops.fieldwork.models import Referral
from civicgrid.gridops.fieldwork.periods import parse_month
from civicgrid.gridops.fieldwork.queries import joint as q
from civicgrid.gridops.fieldwork.queries import key_persons as kq
from civicgrid.gridops.fieldwork.queries import places
from civicgrid.gridops.fieldwork.views.common import idempotency_key, page, show, today

SHARED_CASES = 30


@page(q.VIEW)
def joint_home(request):
    user = request.user
    pending = q.referrals_visible(user, status=ReferralStatus.PENDING)
    recent = q.referrals_visible(user).exclude(status=ReferralStatus.PENDING)[:20]
    cases = q.community_cases(user)
    sees_key_persons = has_perm_anywhere(user, kq.VIEW)
    return show(request, "joint_home.html", "joint",
                pending=[q.present_referral(r) for r in pending[:50]], recent=[q.present_referral(r) for r in recent],
                cases=[case_queries.present_row(c) for c in cases[:SHARED_CASES]], cases_count=cases.count(),
                records=[q.present_joint_record(r) for r in q.joint_records_visible(user)[:10]],
                key_person_counts=kq.key_person_counts(user, today=today()) if sees_key_persons else None,
                can_record=has_perm_anywhere(user, q.RECORD), answer_form=AnswerForm())


@require_http_methods(["GET", "POST"])
@page(q.VIEW)
def refer_case(request, case_id: int):
    case = get_visible(Case.objects.select_related("region", "category", "workflow"), request.user,
                       "cases.view_case", pk=case_id)
    form = ReferToPoliceForm(request.POST or None, departments=q.police_departments())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = Department.objects.filter(pk=data["department"]).first() if data["department"] else None
        try:
            actions.refer_case_to_police(actor=request.user, case=case, reason=data["reason"], department=department,
                                         idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"案件 {case.number} 已移交公安,等待社区民警接收")
            return redirect("fieldwork:joint_home")
    status = 422 if request.method == "POST" else 200
    return show(request, "refer_form.html", "joint", status=status, form=form, case=case_queries.present_row(case),
                key=uuid.uuid4().hex, suggested=q.police_department_for(case.region.code))


@require_http_methods(["GET", "POST"])
@page(q.RECORD)
def police_referral_create(request):
    form = PoliceReferralForm(request.POST or None, regions=places.field_regions(request.user, q.RECORD),
                              categories=places.case_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = get_visible(Region.objects.defer("boundary"), request.user, q.RECORD, pk=data["region"])
        try:
            referral = actions.receive_police_referral(
                actor=request.user, region=region, description=data["description"], category_code=data["category"],
                police_reference=data["police_reference"], address=data["address"],
                idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"已生成案件 {referral.case.number}")
            return redirect("cases:detail", pk=referral.case_id)
    status = 422 if request.method == "POST" else 200
    return show(request, "police_referral_form.html", "joint", status=status, form=form, key=uuid.uuid4().hex)


@require_POST
@page(q.RECORD)
def referral_answer(request, pk: int):
    referral = get_visible(Referral.objects.select_related("case__region"), request.user, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.answer_referral(actor=request.user, referral=referral,
                                    accept=form.cleaned_data["decision"] == "accept", reply=form.cleaned_data["reply"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已处理移交")
    else:
        messages.error(request, "请选择接收或退回")
    return redirect("fieldwork:joint_home")


@require_http_methods(["GET", "POST"])
@page(q.RECORD)
def joint_record_create(request):
    regions = places.field_regions(request.user, q.RECORD)
    police, workers = places.joint_people(regions)
    form = JointRecordForm(request.POST or None, regions=regions, police=police, workers=workers,
                           initial={"police_participants": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = get_visible(Region.objects.defer("boundary"), request.user, q.RECORD, pk=data["region"])
        chosen = {u.pk: u for u in [*police, *workers]}
        try:
            actions.record_joint_work(
                actor=request.user, kind=data["kind"], region=region, summary=data["summary"],
                police_participants=[chosen[i] for i in data["police_participants"]],
                grid_participants=[chosen[i] for i in data["grid_participants"]], started_at=data["started_at"],
                ended_at=data["ended_at"], place=data["place"], other_participants=data["other_participants"],
                idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "已登记联动记录")
            return redirect("fieldwork:joint_home")
    status = 422 if request.method == "POST" else 200
    return show(request, "joint_record_form.html", "joint", status=status, form=form, key=uuid.uuid4().hex)


@page(q.VIEW)
def joint_summary(request):
    day = today()
    summary = q.monthly_summary(request.user, day=parse_month(request.GET.get("month", ""), day), today=day)
    return show(request, "joint_summary.html", "joint", summary=summary, month_value=f"{summary['month']:%Y-%m}")
