"""Asking for a report or long export, and building it (the task worker's side)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from civicgrid.core import audit, errors
from civicgrid.core.scoping import require
from civicgrid.dashboard import periods
from civicgrid.reports.choices import RunStatus
from civicgrid.reports.kinds import KINDS, region_scope, today
from civicgrid.reports.models import ReportRun


def clean_params(actor, kind, raw: dict) -> dict:
    """The kind's parameters, checked: a known format, a month that has begun, a region in reach (else 404)."""
    fmt = raw.get("format") or kind.formats[0]
    if fmt not in kind.formats:
        raise errors.ValidationFailed("不支持的文件格式", code="format_invalid")
    params = {"format": fmt, "region": (raw.get("region") or "").strip()}
    if kind.clean is not None:
        params = {"format": fmt, **kind.clean(actor, raw)}
    if kind.monthly:
        month = periods.parse_month(raw.get("month"), today())
        if month is None or month > periods.first_of(today()):
            raise errors.ValidationFailed("月份应为 YYYY-MM,且不晚于本月", code="month_invalid")
        params["month"] = f"{month:%Y-%m}"
        region_scope(actor, params)  # NotFound outside the actor's reach
    return params


def request_report(*, actor, kind: str, params: dict) -> ReportRun:
    """Queue a report or export for the task worker; the run's page shows its progress."""
    spec = KINDS.get(kind)
    if spec is None:
        raise errors.NotFound()
    require(actor, spec.perm)
    params = clean_params(actor, spec, params)
    with transaction.atomic():
        run = ReportRun.objects.create(kind=kind, params=params, region_code=params["region"], requested_by=actor,
                                       is_personal=spec.personal)
        audit.record(actor=actor, action="reports.request_report", obj=run, details={"kind": kind, **params})
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from civicgrid.reports import tasks

    tasks.build_report.enqueue(run_id)


def _progress(run_id: int, percent: int, message: str) -> None:
    ReportRun.objects.filter(pk=run_id).update(progress=max(0, min(percent, 99)), message=message[:300])


def run_report(*, run_id: int) -> ReportRun:
    """Build one queued run's file (the task body). Runs as its requester; a scheduled run as the whole
    district. A failure is kept on the run with its message, never lost."""
    from civicgrid.figures.registry import WHOLE_DISTRICT

    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1)
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run  # another worker has it, or it is finished
    user = run.requested_by or WHOLE_DISTRICT
    spec = KINDS[run.kind]
    try:
        output = spec.build(user, dict(run.params), lambda pct, msg: _progress(run_id, pct, msg))
    except Exception as exc:  # noqa: BLE001 - any failure ends the run as failed, with its message
        message = exc.message if isinstance(exc, errors.DomainError) else f"生成失败:{type(exc).__name__}"
        ReportRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, message=message,
                                                   finished_at=timezone.now())
        run.refresh_from_db()
        return run
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        run.file.save(output.filename, ContentFile(output.content), save=False)
        run.filename, run.rows = output.filename, output.rows
        run.status, run.progress, run.message, run.finished_at = RunStatus.DONE, 100, "", timezone.now()
        run.save()
        audit.record(actor=run.requested_by, action="reports.build_report", obj=run,
                     details={"kind": run.kind, "bytes": len(output.content), "file": output.filename})
    return run


def schedule_monthly_reports(*, on=None) -> list[ReportRun]:
    """The 1st of each month: last month's district reports (monthly report as Excel and PDF, department
    ranking, patrol compliance), made for the archive as the whole district. Idempotent per month."""
    from civicgrid.geo.models import Region

    day = on or today()
    month = f"{periods.shift(periods.first_of(day), -1):%Y-%m}"
    runs = []
    for district in Region.objects.filter(level="district", is_active=True).order_by("code"):
        for kind, fmt in (("monthly", "xlsx"), ("monthly", "pdf"), ("department_ranking", "xlsx"),
                          ("patrol_compliance", "xlsx")):
            params = {"format": fmt, "region": district.code, "month": month}
            with transaction.atomic():
                run, created = ReportRun.objects.get_or_create(
                    kind=kind, params=params, requested_by=None,
                    defaults={"region_code": district.code, "is_personal": False})
                if created:
                    audit.record(actor=None, action="reports.schedule_report", obj=run, details={"kind": kind, **params})
                    transaction.on_commit(lambda pk=run.pk: _enqueue(pk))
            runs.append(run)
    return runs
