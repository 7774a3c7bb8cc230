"""Excel export of the daily compliance report: one sheet per worker, one per grid. Audit-logged."""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.core import audit, xlsx
from civicgrid.core.scoping import require
from civicgrid.gridops.patrols.compliance import PERM, DailyReport

WORKER_HEADERS = (_("日期"), _("网格编码"), _("网格"), _("负责区域"), _("姓名"), _("账号"), _("岗位"), _("适用制度"),
                  _("巡查次数"), _("时长(分钟)"), _("里程(公里)"), _("必巡点位"), _("已到点位"), _("未到点位"),
                  _("是否达标"), _("未达标原因"))
GRID_HEADERS = (_("日期"), _("网格编码"), _("网格"), _("应巡人数"), _("已巡人数"), _("达标"), _("未达标"),
                _("达标率(%)"), _("其他巡查人员"), _("时长(分钟)"), _("里程(公里)"), _("必巡点位"), _("已到点位"))


def compliance_xlsx(*, actor, report: DailyReport) -> bytes:
    from openpyxl import Workbook

    require(actor, PERM)
    grids = {g.grid.code: g.grid for g in report.grids}
    yes, no, na = gettext("是"), gettext("否"), "—"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("人员"))
    xlsx.write_row(sheet, [str(h) for h in WORKER_HEADERS])
    day = report.day.isoformat()
    for w in report.workers:
        grid = grids.get(w.grid_code)
        xlsx.write_row(sheet, [
            day, w.grid_code, grid.name if grid else "", w.region.name, w.name, w.username, w.role_label,
            yes if w.under_rule else no, w.patrols, w.minutes, w.km, len(w.required), len(w.covered),
            "、".join(w.missing), (no if w.missed else yes) if w.under_rule else na, "、".join(w.reason_labels),
        ])
    sheet = workbook.create_sheet(gettext("网格"))
    xlsx.write_row(sheet, [str(h) for h in GRID_HEADERS])
    for g in report.grids:
        xlsx.write_row(sheet, [day, g.grid.code, g.grid.name, g.workers, g.patrolled, g.met, g.missed,
                               "" if g.rate is None else g.rate, g.others, g.minutes, g.km, g.checkpoints_required,
                               g.checkpoints_covered])
    with transaction.atomic():
        audit.record(actor=actor, action="patrols.export_compliance", object_type="patrols.patrol",
                     details={"day": day, "region": report.region.code if report.region else "",
                              "rows": len(report.workers)})
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
