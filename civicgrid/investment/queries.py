"""Reads about projects, investment reports, leads and funds in place. Everything starts scoped
(`visible_to(user, perm)`, the chokepoint in civicgrid.core.scoping): a project outside the reader's reach
is NotFound. The sums here (`investment_completed`, `projects_started`, `funds_in_place_between`) are what
the pages, the API, the board and figures 10-12 all use.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth

from civicgrid.core.scoping import Scope, filter_for, get_visible, grant_for
from civicgrid.enterprises.choices import Currency
from civicgrid.investment import growth
from civicgrid.investment.choices import FundsOrigin, LeadSource, LeadStage, ProjectStage, ReportStatus
from civicgrid.investment.models import (
    SMALL_PROJECT_LIMIT,
    VIEW_ATTRACTION,
    VIEW_PROJECT,
    FundsInPlace,
    InvestmentReport,
    Lead,
    Project,
)

MAX_QUERY = 50
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """A sum as yuan with 2 decimals (SQLite's SUM of decimals comes back with float noise)."""
    return Decimal(value or 0).quantize(CENT)


def today() -> date:
    from civicgrid.enterprises.queries import today as zone_today

    return zone_today()


# --- projects --------------------------------------------------------------------------------------


def projects_visible(user, *, q: str = "", stage: str = "", park: str = "", key: bool = False,
                     started_year: int | None = None, enterprise_id: int | None = None):
    qs = Project.objects.visible_to(user, VIEW_PROJECT).select_related("enterprise", "park")
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q.upper()) | Q(enterprise__name__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    if park:
        qs = qs.filter(park__code=park)
    if key:
        qs = qs.filter(is_key=True)
    if started_year:
        qs = qs.filter(actual_start_on__year=started_year)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs.order_by("-signed_on", "id")


def project_visible(user, project_id: int) -> Project:
    return get_visible(Project.objects.select_related("enterprise", "park", "review_department"), user,
                       VIEW_PROJECT, pk=project_id)


def milestones_of(project: Project):
    return project.milestones.select_related("recorded_by").order_by("happened_on", "id")


def projects_to_report(user) -> list[Project]:
    """The projects in reach that the user reports monthly (an enterprise contact's, or an officer's), each
    with its reports newest first as `by_month`: one query for the projects and one for their reports,
    however many projects."""
    return list(projects_visible(user).filter(filter_for(user, "investment.report_investment", Project))
                .prefetch_related(Prefetch("reports", queryset=InvestmentReport.objects.order_by("-month"),
                                           to_attr="by_month")))


def reports_of(project: Project):
    return project.reports.select_related("reported_by", "reviewed_by").order_by("-month")


def approvals_of(project: Project):
    return project.approvals.select_related("item", "item__department").order_by("item__code")


def projects_started(user, since: date, until: date, *, min_total: Decimal = SMALL_PROJECT_LIMIT) -> int:
    """Projects in yuan of at least `min_total` whose construction started (开工) in [since, until]."""
    return (Project.objects.visible_to(user, VIEW_PROJECT).started_between(since, until)
            .filter(currency=Currency.CNY, total_investment__gte=min_total).count())


def investment_completed(user, since: date, until: date) -> Decimal:
    """Fixed-asset investment completed (元) in the months from `since` to `until`, from accepted reports."""
    return _money(_accepted(user).filter(month__gte=since.replace(day=1), month__lte=until)
                  .aggregate(s=Sum("amount"))["s"])


def _accepted(user):
    return InvestmentReport.objects.visible_to(user, VIEW_PROJECT).filter(status=ReportStatus.ACCEPTED)


def investment_by_month(user, year: int) -> list[dict]:
    rows = dict(_accepted(user).filter(month__year=year).order_by().values("month").annotate(s=Sum("amount"))
                .values_list("month", "s"))
    return [{"month": f"{year}-{m:02d}", "yuan": float(rows.get(date(year, m, 1), ZERO))} for m in range(1, 13)]


def reports_to_review(user):
    """Submitted reports the user may review: in reach, and of projects reviewed by the user's department
    (or naming none)."""
    grant = grant_for(user, "investment.review_report")
    if not grant:
        return InvestmentReport.objects.none()
    qs = (InvestmentReport.objects.visible_to(user, "investment.review_report")
          .filter(status=ReportStatus.SUBMITTED).select_related("project", "project__enterprise", "reported_by"))
    reviewers = filter_for(user, "investment.review_report", Scope(department="project__review_department_id"))
    return qs.filter(Q(project__review_department__isnull=True) | reviewers).order_by("month", "id")


def report_visible(user, report_id: int) -> InvestmentReport:
    return get_visible(InvestmentReport.objects.select_related("project"), user, VIEW_PROJECT, pk=report_id)


def board(user) -> list[Project]:
    """The investment board: key projects above 27 亿元, biggest first."""
    return list(Project.objects.visible_to(user, VIEW_PROJECT).on_board().select_related("enterprise", "park")
                .annotate(reported=Sum("reports__amount", filter=Q(reports__status=ReportStatus.ACCEPTED)))
                .order_by("-total_investment", "id"))


def stage_counts(user) -> list[dict]:
    counts = dict(Project.objects.visible_to(user, VIEW_PROJECT).order_by().values("stage").annotate(n=Count("id"))
                  .values_list("stage", "n"))
    return [{"stage": s.value, "name": str(s.label), "count": counts.get(s.value, 0)} for s in ProjectStage]


# --- leads and funds -------------------------------------------------------------------------------


def leads_visible(user, *, stage: str = "", source: str = "", q: str = ""):
    qs = Lead.objects.visible_to(user, VIEW_ATTRACTION).select_related("owner", "park", "project")
    if stage:
        qs = qs.filter(stage=stage)
    if source:
        qs = qs.filter(source=source)
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(investor__icontains=q))
    return qs.order_by("-found_on", "id")


def lead_visible(user, lead_id: int) -> Lead:
    return get_visible(Lead.objects.select_related("owner", "park", "project", "zone"), user, VIEW_ATTRACTION,
                       pk=lead_id)


def pipeline(user, *, per_stage: int = 30) -> list[dict]:
    """The leads board: one column per stage with its count, amount (CNY) and the newest cards."""
    qs = leads_visible(user)
    totals = {row["stage"]: row for row in qs.order_by().values("stage").annotate(
        n=Count("id"), yuan=Sum("amount", filter=Q(currency=Currency.CNY)))}
    columns = []
    for stage in LeadStage:
        row = totals.get(stage.value, {})
        columns.append({"stage": stage.value, "name": str(stage.label), "count": row.get("n", 0),
                        "yuan": row.get("yuan") or ZERO, "leads": list(qs.filter(stage=stage)[:per_stage])})
    return columns


def funds_visible(user, *, since: date | None = None, until: date | None = None, origin: str = ""):
    qs = FundsInPlace.objects.visible_to(user, VIEW_ATTRACTION).select_related("project", "lead")
    if since:
        qs = qs.filter(received_on__gte=since)
    if until:
        qs = qs.filter(received_on__lte=until)
    if origin:
        qs = qs.filter(origin=origin)
    return qs.order_by("-received_on", "-id")


def funds_in_place_between(user, since: date, until: date, *, origin: str = FundsOrigin.DOMESTIC,
                           currency: str = Currency.CNY) -> Decimal:
    """Funds in place received in [since, until] (default: domestic, in yuan: 国内到位资金)."""
    return _money(FundsInPlace.objects.visible_to(user, VIEW_ATTRACTION).between(since, until)
                  .filter(origin=origin, currency=currency).aggregate(s=Sum("amount"))["s"])


def funds_growth(user, since: date, until: date, **kwargs) -> growth.Growth:
    """Year-on-year growth of funds in place over [since, until] against the same days a year earlier."""
    base_since, base_until = growth.same_period_last_year(since, until)
    return growth.yoy(funds_in_place_between(user, since, until, **kwargs),
                      funds_in_place_between(user, base_since, base_until, **kwargs))


def funds_chart(user, year: int, *, currency: str = Currency.CNY) -> dict:
    """Funds in place of `year` in `currency`: per month and origin, and per lead source (未关联线索 when
    the money came for a project without a lead), with last year's monthly totals for comparison."""
    qs = FundsInPlace.objects.visible_to(user, VIEW_ATTRACTION).filter(currency=currency)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    series: dict[str, list[float]] = OrderedDict((o.value, [0.0] * 12) for o in FundsOrigin)
    for row in (qs.filter(received_on__year=year).order_by().annotate(m=TruncMonth("received_on")).values("m", "origin")
                .annotate(s=Sum("amount"))):
        series[row["origin"]][row["m"].month - 1] = float(row["s"])
    last_year = [0.0] * 12
    for row in (qs.filter(received_on__year=year - 1).order_by().annotate(m=TruncMonth("received_on")).values("m")
                .annotate(s=Sum("amount"))):
        last_year[row["m"].month - 1] = float(row["s"])
    labels = dict(LeadSource.choices)
    by_source = []
    for row in (qs.filter(received_on__year=year).order_by().values("lead__source").annotate(s=Sum("amount"))
                .order_by("-s")):
        key = row["lead__source"] or ""
        by_source.append({"source": key, "name": str(labels.get(key, "未关联线索")), "yuan": float(row["s"])})
    return {"year": year, "currency": currency, "months": months,
            "series": [{"origin": k, "name": str(FundsOrigin(k).label), "data": v} for k, v in series.items()],
            "last_year": last_year, "by_source": by_source}



def board_summary(user, on: date) -> dict:
    """The investment board's parts (the board page and the zone overview): key projects over 27 亿元, this
    year's projects started and investment completed, investment by month and the funds chart."""
    year_start = date(on.year, 1, 1)
    by_month = investment_by_month(user, on.year)
    return {
        "board": board(user), "on": on,
        "started": projects_started(user, year_start, on),
        "completed_yuan": investment_completed(user, year_start, on),
        "investment_chart": {"months": [r["month"] for r in by_month], "yuan": [r["yuan"] for r in by_month]},
        "funds_chart": funds_chart(user, on.year),
    }


def enterprise_projects(user, enterprise) -> dict | None:
    """The projects section of the enterprise 360° page: the enterprise's projects the user may see, with
    the accepted investment of each (None when the user may see no projects at all)."""
    if not grant_for(user, VIEW_PROJECT):
        return None
    rows = list(projects_visible(user, enterprise_id=enterprise.pk).annotate(
        reported=Sum("reports__amount", filter=Q(reports__status=ReportStatus.ACCEPTED))))
    return {"items": rows, "total": sum((p.total_investment for p in rows if p.currency == Currency.CNY), ZERO)}
