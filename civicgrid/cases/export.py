"""Excel export of a case list (the list page's current tab and filters).

The rows are whatever the caller's scoped query returns (queries.list_cases); the reporter's phone is
always masked and an anonymous reporter stays anonymous. Each export is audit-logged with its row count.
"""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import queries
from civicgrid.core import audit, masking, xlsx
from civicgrid.core.scoping import require

MAX_ROWS = 20000
# lazy: the headers are written in the language active when the export is made (export only, never re-imported)
HEADERS = (_("案件编号"), _("标题"), _("案件类型"), _("问题类别"), _("状态"), _("时限状态"), _("办理期限"), _("督办"),
           _("紧急程度"), _("渠道"), _("区域编码"), _("区域"), _("地址"), _("主办单位"), _("报告人"), _("联系电话"),
           _("上报时间"), _("办结时间"), _("满意度"))


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_cases_xlsx(*, actor, qs, filters: dict | None = None, progress=None) -> bytes:
    """An .xlsx of the cases in `qs` (already scoped to `actor`), at most MAX_ROWS rows. `progress(done,
    total)` is told every 500 rows (the background export's progress bar)."""
    from openpyxl import Workbook

    require(actor, queries.VIEW)
    total = min(qs.count(), MAX_ROWS) if progress else 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("案件"))
    xlsx.write_row(sheet, [str(header) for header in HEADERS])
    yes = gettext("是")
    count = 0
    # no workflow row (its spec is a large JSON parsed per row) and no boundaries: the labels come from the
    # registry, so a month of a district exports in seconds
    rows = (qs.select_related(None).select_related("category", "region", "department")
            .defer("answers", "routing", "region__boundary").order_by("-created_at", "-id"))
    for case in rows[:MAX_ROWS].iterator(chunk_size=1000):
        reporter = gettext("匿名") if case.is_anonymous else case.reporter_name
        phone = "" if case.is_anonymous else masking.mask_phone(case.reporter_phone)
        xlsx.write_row(sheet, [
            case.number, case.title, queries.type_label(case.case_type), case.category.name if case.category_id else "",
            queries.state_label(case.case_type, case.state), str(case.sla_label) if case.is_open else "", _dt(case.due_at),
            yes if case.is_supervised else "", str(case.get_urgency_display()), str(case.get_channel_display()),
            case.region.code, case.region.name, case.address, case.department.name if case.department_id else "",
            reporter, phone, _dt(case.created_at), _dt(case.closed_at),
            str(case.get_satisfaction_display()) if case.satisfaction else "",
        ])
        count += 1
        if progress and count % 500 == 0:
            progress(count, total)
    if progress:
        progress(count, count)
    with transaction.atomic():
        audit.record(actor=actor, action="cases.export_cases", object_type="cases.case",
                     details={"rows": count, "filters": {k: str(v) for k, v in (filters or {}).items()}})
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
