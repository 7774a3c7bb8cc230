"""Monthly fixed-asset investment reports: the enterprise contact (on a phone) or an officer submits a
month's completed investment and the cumulative since the start; the project's reviewing department
accepts it or returns it with a reason, and a returned month is submitted again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, grant_for, require
from civicgrid.enterprises.actions._common import text
from civicgrid.investment.actions._common import amount, project_for, today
from civicgrid.investment.choices import ReportStatus
from civicgrid.investment.models import VIEW_PROJECT, InvestmentReport, Project

REPORT = "investment.report_investment"
REVIEW = "investment.review_report"


def _first_of_month(month: date) -> date:
    return month.replace(day=1)


def _check_cumulative(project: Project, month: date, value: Decimal, cumulative) -> Decimal:
    """The month's cumulative: given or worked out from the previous month's; never below an earlier
    month's cumulative nor above a later month's (422 `report_cumulative_falls`)."""
    earlier = project.reports.filter(month__lt=month).order_by("-month").first()
    later = project.reports.filter(month__gt=month).order_by("month").first()
    if cumulative is None or cumulative == "":
        total = (earlier.cumulative if earlier else Decimal("0")) + value
    else:
        total = amount(cumulative, "cumulative", code="report_cumulative_invalid",
                       message="累计完成投资须为非负数(最多两位小数)", allow_zero=True)
    if earlier is not None and total < earlier.cumulative + value:
        raise errors.ValidationFailed(
            f"累计完成投资不能低于上期累计({earlier.month:%Y年%m月} {earlier.cumulative} 元)加本月完成额",
            code="report_cumulative_falls", details={"field": "cumulative", "previous": str(earlier.cumulative)})
    if earlier is None and total < value:
        raise errors.ValidationFailed("累计完成投资不能小于本月完成额", code="report_cumulative_falls",
                                      details={"field": "cumulative"})
    if later is not None and total > later.cumulative:
        raise errors.ValidationFailed(
            f"累计完成投资不能高于下期({later.month:%Y年%m月})已报累计 {later.cumulative} 元",
            code="report_cumulative_falls", details={"field": "cumulative", "next": str(later.cumulative)})
    return total


def submit_report(*, actor, project_id: int, month: date, amount_yuan, cumulative=None, note: str = "",
                  idempotency_key: str | None = None) -> InvestmentReport:
    """Submit (or resubmit, while not accepted) one month's report of a project (元)."""
    project = project_for(actor, project_id)
    require(actor, REPORT, project)
    month = _first_of_month(month)
    on = today()
    if month > _first_of_month(on):
        raise errors.ValidationFailed("不能填报未来月份的投资", code="report_month_future", details={"field": "month"})
    if month < _first_of_month(project.signed_on):
        raise errors.ValidationFailed("填报月份早于项目签约月份", code="report_month_before_signing",
                                      details={"field": "month"})
    value = amount(amount_yuan, "amount", code="report_amount_invalid", message="本月完成投资须为非负数(最多两位小数)",
                   allow_zero=True)
    body = {"project": project.pk, "month": month, "amount": value, "cumulative": cumulative, "note": note}

    def create() -> InvestmentReport:
        locked = Project.objects.select_for_update().get(pk=project.pk)  # one report at a time per project
        total = _check_cumulative(locked, month, value, cumulative)
        row = InvestmentReport.objects.filter(project=locked, month=month).first()
        if row is not None and row.status == ReportStatus.ACCEPTED:
            raise errors.Conflict("该月报表已审核通过,不能再修改", code="report_already_accepted")
        created = row is None
        row = row or InvestmentReport(project=locked, month=month)
        row.amount, row.cumulative, row.note = value, total, text(note, 200)
        row.status, row.reported_by, row.reported_at = ReportStatus.SUBMITTED, actor, clock.now()
        row.reviewed_by, row.reviewed_at = None, None
        row.save()
        audit.record(actor=actor, action="investment.submit_report", obj=row,
                     details={"project": locked.code, "month": f"{month:%Y-%m}", "amount": str(value),
                              "cumulative": str(total), "created": created})
        return row

    with transaction.atomic():
        report, _ = run_once(key=idempotency_key, actor=actor, action="investment.submit_report",
                             model=InvestmentReport, create=create, body=body)
    return report


def may_review(actor, report: InvestmentReport) -> bool:
    """The reviewer holds investment.review_report over the project and, when the project names a
    reviewing department, is assigned to it."""
    grant = grant_for(actor, REVIEW)
    department = report.project.review_department_id
    return grant.unrestricted or department is None or department in grant.department_ids


def review_report(*, actor, report_id: int, accept: bool, note: str = "") -> InvestmentReport:
    """Accept the report (it then counts in figure 11) or return it to the reporter with a reason."""
    report = get_visible(InvestmentReport.objects.select_related("project", "project__enterprise"), actor,
                         VIEW_PROJECT, pk=report_id)
    require(actor, REVIEW, report.project)
    if not may_review(actor, report):
        audit.record(actor=actor, action=REVIEW, obj=report, result="denied", reason="report_not_your_department")
        raise errors.Forbidden("该项目的报表由其审核部门审核", code="report_not_your_department")
    note = text(note, 200)
    if not accept and not note:
        raise errors.ValidationFailed("退回须说明原因", code="review_note_required", details={"field": "note"})
    with transaction.atomic():
        report = InvestmentReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise errors.Conflict("该报表不在待审核状态", code="report_not_submitted",
                                  details={"status": report.status})
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.reviewed_by, report.reviewed_at, report.review_note = actor, clock.now(), note
        report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(actor=actor, action="investment.review_report", obj=report,
                     details={"decision": report.status, "month": f"{report.month:%Y-%m}"})
    return report
