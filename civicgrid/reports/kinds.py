"""The reports and long exports that run in the background, declared once: each kind names its
permission, its formats and the function that builds its file. `build(user, params, progress)` returns an
`Output`; `progress(percent, message)` moves the run's progress bar. A new long export is one more entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from civicgrid.core import clock
from civicgrid.dashboard import periods
from civicgrid.dashboard import scope as scopes
from civicgrid.reports import render_pdf, render_xlsx
from civicgrid.reports.sections import Report, Section, dashboard_sections

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Output:
    filename: str
    content: bytes
    rows: int | None = None


Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    perm: str
    formats: tuple[str, ...]
    build: Callable[[object, dict, Progress], Output]
    monthly: bool = True  # takes a month
    personal: bool = False  # holds personal data: only its requester sees it
    # a list export's parameters from the request (its list's filters), checked when it is asked for:
    # clean(user, raw) -> a JSON-able dict; None: just the region
    clean: Callable[[object, dict], dict] | None = None


def today() -> date:
    return timezone.localtime(clock.now()).date()


def region_scope(user, params: dict):
    return scopes.region_scope(user, params["region"], month=params["month"], today=today())


def _render(report: Report, fmt: str, stem: str) -> Output:
    content = render_pdf.render(report) if fmt == "pdf" else render_xlsx.render(report)
    return Output(f"{stem}.{fmt}", content)


def monthly_report(user, params: dict, progress: Progress) -> Output:
    """The region's dashboard for the month: one section per panel."""
    scope = region_scope(user, params)
    progress(5, "读取驾驶舱数据")
    sections = dashboard_sections(scope, lambda i, n: progress(5 + 80 * i // n, f"第 {i}/{n} 部分"))
    progress(90, "生成文件")
    report = Report(f"{scope.title}{periods.label(scope.month)}运行月报",
                    f"统计期:{scope.since} 至 {scope.until};生成于 {timezone.localtime(clock.now()):%Y-%m-%d %H:%M}",
                    sections)
    return _render(report, params["format"], f"{scope.title}-{scope.month:%Y%m}-月报")


def _percent(result: dict, name: str):
    from civicgrid.dashboard import queries

    return queries.shown_value(result, name)


def department_ranking(user, params: dict, progress: Progress) -> Output:
    from civicgrid.dashboard import queries

    scope = region_scope(user, params)
    progress(10, "计算各部门指标")
    rows = queries.departments_ranking(scope)
    names = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_close_rate", "overdue_rate",
             "mean_handling_hours")
    section = Section("department_ranking", "部门绩效排名",
                      ("#", "部门", "报件", "结案", *(queries.KPI_LABELS[n] + ("(小时)" if n == "mean_handling_hours" else "%")
                                                     for n in names)),
                      [(i, r["name"], r["kpis"]["counts"]["created"], r["kpis"]["counts"]["closed"],
                        *(_percent(r["kpis"], n) for n in names)) for i, r in enumerate(rows, start=1)],
                      note="按按期结案率、满意率、超期率排序;指标口径见 docs/kpis.md")
    progress(80, "生成文件")
    report = Report(f"{scope.title}{periods.label(scope.month)}部门绩效排名", f"统计期:{scope.since} 至 {scope.until}",
                    [section])
    return _render(report, params["format"], f"{scope.title}-{scope.month:%Y%m}-部门排名")


def patrol_compliance(user, params: dict, progress: Progress) -> Output:
    from civicgrid.gridops.patrols.panels import days_of, month_summary

    scope = region_scope(user, params)
    days = days_of(scope.since, scope.until, scope.today)
    progress(10, f"汇总 {len(days)} 天的巡查日报")
    rows = month_summary(user, scope.region_code, scope.since, scope.until, scope.today)
    section = Section("patrol_compliance", "网格员巡查达标情况",
                      ("#", "网格员", "所在网格", "应巡天数", "达标天数", "达标率%", "巡查分钟", "里程km"),
                      [(i, r.name, r.region, r.days, r.met, r.rate, r.minutes, r.km) for i, r in enumerate(rows, start=1)],
                      note=f"{len(rows)} 名网格员;每日巡视制度见 docs/gridops/patrols.md")
    progress(80, "生成文件")
    period = f"{days[0]} 至 {days[-1]}" if days else "本月尚无已结束的日子"
    report = Report(f"{scope.title}{periods.label(scope.month)}网格员巡查达标月报", f"统计期:{period}", [section])
    output = _render(report, params["format"], f"{scope.title}-{scope.month:%Y%m}-巡查达标")
    return Output(output.filename, output.content, len(rows))


def people_export(user, params: dict, progress: Progress) -> Output:
    from civicgrid.people.excel.exporter import export_people_xlsx

    seen = [0]
    progress(5, "读取户和居民")
    content = export_people_xlsx(actor=user, region=params.get("region") or None,
                                 progress=_rows_progress(progress, "已写入居民", seen))
    return Output(f"户和居民-{params.get('region') or '全部'}-{today():%Y%m%d}.xlsx", content, seen[0])


def _rows_progress(progress: Progress, label: str, seen: list[int]):
    """A list export's progress(done, total) as the run's percentage (10-90 %), keeping the row count."""
    def told(done: int, total: int) -> None:
        seen[:] = [done]
        progress(10 + 80 * done // max(total, 1), f"{label} {done}/{total}")
    return told


CASE_TABS = ("todo", "all", "open", "due_soon", "overdue", "supervised", "unassigned", "closed")


def case_list_params(user, raw: dict) -> dict:
    """The case list's tab and filters as the list page reads them (its CaseFilterForm: invalid filters
    are ignored there too), refused when the list is more than the export holds."""
    from civicgrid.cases import queries as case_queries
    from civicgrid.cases.export import MAX_ROWS
    from civicgrid.core import errors

    if case_queries.is_self_scoped(user):
        raise errors.Forbidden()
    tab = raw.get("tab") if raw.get("tab") in CASE_TABS else "open"
    fields = ("q", "case_type", "family", "category", "state", "region", "department", "since", "until")
    # NUL cannot be stored (PostgreSQL); the list's form refuses it anyway
    params = {"tab": tab, "filters": {k: str(raw[k]).replace("\x00", "")[:50] for k in fields if raw.get(k)}}
    rows = _case_list(user, params).count()
    if rows > MAX_ROWS:
        raise errors.ValidationFailed(f"当前清单共 {rows} 件,超过单次导出上限 {MAX_ROWS} 件,请缩小筛选范围",
                                      code="export_too_large", details={"rows": rows, "max_rows": MAX_ROWS})
    return {**params, "region": params["filters"].get("region", "")[:20]}


def _case_list(user, params: dict):
    from civicgrid.cases import queries as case_queries
    from civicgrid.cases.forms import CaseFilterForm

    filters = CaseFilterForm(params["filters"] or None).filters()
    return case_queries.list_cases(user, worklist="" if params["tab"] == "all" else params["tab"], **filters)


def case_export(user, params: dict, progress: Progress) -> Output:
    from civicgrid.cases.export import export_cases_xlsx

    seen = [0]
    progress(5, "读取案件清单")
    content = export_cases_xlsx(actor=user, qs=_case_list(user, params), filters={"tab": params["tab"],
                                **params["filters"]}, progress=_rows_progress(progress, "已写入案件", seen))
    return Output(f"案件清单-{today():%Y%m%d}.xlsx", content, seen[0])


def enterprise_list_params(user, raw: dict) -> dict:
    """The enterprise list's filters as the list page reads them (its FilterForm and `listing`)."""
    from civicgrid.enterprises import forms as enterprise_forms

    filters = enterprise_forms.list_filters(enterprise_forms.filter_form(raw), raw)
    return {"filters": filters, "region": ""}


def enterprise_export(user, params: dict, progress: Progress) -> Output:
    from civicgrid.enterprises.excel import export_enterprises_xlsx

    seen = [0]
    progress(5, "读取企业名录")
    content = export_enterprises_xlsx(actor=user, filters=params["filters"],
                                      progress=_rows_progress(progress, "已写入企业", seen))
    return Output(f"企业名录-{today():%Y%m%d}.xlsx", content, seen[0])


def disbursement_list_params(user, raw: dict) -> dict:
    """The disbursement list's programme, period, search text and batch (subsidies/disbursements/)."""
    fields = ("programme", "since", "until", "q", "batch")
    return {"filters": {k: str(raw[k]).replace("\x00", "")[:40] for k in fields if raw.get(k)}, "region": ""}


def disbursement_export(user, params: dict, progress: Progress) -> Output:
    from civicgrid.subsidies import excel, queries
    from civicgrid.subsidies.forms import period_filters

    filters = params["filters"]
    batch = filters.get("batch", "")
    batch_id = int(batch) if batch.isdecimal() and 0 < int(batch) < 2**31 else None
    qs = queries.search(queries.disbursements_visible(user, batch_id=batch_id, **period_filters(filters)),
                        filters.get("q", ""))
    seen = [0]
    progress(5, "读取发放明细")
    content = excel.export_disbursements(actor=user, queryset=qs, progress=_rows_progress(progress, "已写入", seen))
    return Output(f"补贴发放明细-{today():%Y%m%d}.xlsx", content, seen[0])


KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind("monthly", "运行月报", scopes.KPI_PERM, ("xlsx", "pdf"), monthly_report),
    Kind("department_ranking", "部门绩效排名", scopes.KPI_PERM, ("xlsx", "pdf"), department_ranking),
    Kind("patrol_compliance", "网格员巡查达标月报", "patrols.view_compliance", ("xlsx", "pdf"), patrol_compliance),
    Kind("people_export", "户和居民导出", "people.export_people", ("xlsx",), people_export, monthly=False,
         personal=True),
    Kind("case_export", "案件清单导出", "cases.view_case", ("xlsx",), case_export, monthly=False, personal=True,
         clean=case_list_params),
    Kind("enterprise_export", "企业名录导出", "enterprises.export_enterprises", ("xlsx",), enterprise_export,
         monthly=False, personal=True, clean=enterprise_list_params),
    Kind("disbursement_export", "补贴发放明细导出", "subsidies.export", ("xlsx",), disbursement_export, monthly=False,
         personal=True, clean=disbursement_list_params),
)}
