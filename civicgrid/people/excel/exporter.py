"""Export households and residents in the import format (columns.py), and the blank import template.

The export is scoped to the actor's people.export_people reach. ID numbers and phones are masked
unless the actor holds people.unmask_personal over the resident; an export that contains any unmasked
value is audit-logged as a read of sensitive fields. Sensitive tags appear only for a viewer holding
people.view_sensitive_tags over the resident.
"""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.db.models import Prefetch
from django.utils import translation

from civicgrid.core import audit, errors, masking, xlsx
from civicgrid.core.scoping import grant_for, require
from civicgrid.geo.models import Region
from civicgrid.people.choices import Relation, ResidenceType
from civicgrid.people.excel.columns import COLUMNS, HEADERS, SHEET_TITLE
from civicgrid.people.models import Resident, ResidentTag, Tag


def _workbook_bytes(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# what a synchronous request (the API's GET /people/export, /people/export/) may export: about a second
# of work; more runs in the background (reports kind people_export, POST /api/v1/reports/runs)
SYNC_MAX_ROWS = 5000


@translation.override("zh-hans")  # the sheet round-trips through import, which reads Chinese labels
def export_people_xlsx(*, actor, region: str | Region | None = None, max_rows: int | None = None,
                       progress=None) -> bytes:
    """An .xlsx of the active residents (with their households) the actor may export, optionally within
    one region (a code prefix inside the actor's reach). More than `max_rows` residents: 422
    `export_too_large`. `progress(done, total)` is told every 500 rows."""
    from openpyxl import Workbook

    require(actor, "people.export_people")
    code = region.code if isinstance(region, Region) else (region or "").strip()
    export_grant = grant_for(actor, "people.export_people")
    if code and not (Region.objects.filter(code=code).exists() and export_grant.covers_code(code)):
        raise errors.NotFound("区域不存在或不在您的管辖范围内", code="region_out_of_scope")
    unmask = grant_for(actor, "people.unmask_personal")
    sensitive = grant_for(actor, "people.view_sensitive_tags")

    qs = Resident.objects.visible_to(actor, "people.export_people").filter(is_active=True)
    if code:
        qs = qs.filter(region__code__startswith=code)
    qs = qs.select_related("region", "household", "household__building").prefetch_related(
        Prefetch("tags", queryset=ResidentTag.objects.select_related("tag").order_by("tag__code"))
    ).order_by("household__number", "id")
    total = qs.count() if max_rows is not None or progress else 0
    if max_rows is not None and total > max_rows:
        raise errors.ValidationFailed(
            f"共 {total} 名居民,超过即时导出上限 {max_rows} 名:请在人口页面点“导出”(后台生成,带进度),"
            "或经接口 POST /api/v1/reports/runs 申请 people_export", code="export_too_large",
            details={"rows": total, "max_rows": max_rows})

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    xlsx.write_row(sheet, list(HEADERS))
    count = unmasked = 0
    for resident in qs.iterator(chunk_size=1000):
        show = unmask.covers_code(resident.region.code)
        tags_ok = sensitive.covers_code(resident.region.code)
        household = resident.household
        row = {
            "household_number": household.number if household else "",
            "region_code": resident.region.code,
            "building_code": household.building.code if household and household.building_id else "",
            "room": household.room if household else "",
            "address": household.address if household else "",
            "name": resident.name,
            "id_number": resident.id_number if show else masking.mask_id_number(resident.id_number),
            "phone": resident.phone if show else masking.mask_phone(resident.phone),
            "relation": str(resident.get_relation_display()),
            "residence_type": str(resident.get_residence_type_display()),
            "ethnicity": resident.ethnicity,
            "tags": "、".join(link.tag.code for link in resident.tags.all() if tags_ok or not link.tag.is_sensitive),
        }
        xlsx.write_row(sheet, [row[c.key] for c in COLUMNS])
        count += 1
        unmasked += show
        if progress and count % 500 == 0:
            progress(count, total)
    if progress:
        progress(count, count)
    with transaction.atomic():
        audit.record(actor=actor, action="people.export_people", object_type="people.resident",
                     fields=["id_number", "phone"] if unmasked else "",
                     details={"region": code or None, "residents": count, "unmasked": unmasked})
    return _workbook_bytes(workbook)


@translation.override("zh-hans")
def template_xlsx(*, user=None) -> bytes:
    """The blank import template: the header row with one example row, and a 说明 sheet that explains
    every column and lists the accepted values (tags: those `user` may use)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    xlsx.write_row(sheet, list(HEADERS))
    xlsx.write_row(sheet, [c.example for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 24 if column.key in {"household_number", "region_code", "id_number",
                                                                      "address", "building_code"} else 12
        for row in (1, 2):
            sheet.cell(row=row, column=index).number_format = "@"  # text, so ID numbers keep every digit

    notes = workbook.create_sheet("说明")
    xlsx.write_row(notes, ["列名", "是否必填", "说明", "示例"])
    for column in COLUMNS:
        xlsx.write_row(notes, [column.header, "必填" if column.required else "选填", column.help, column.example])
    xlsx.write_row(notes, [])
    xlsx.write_row(notes, ["与户主关系可选值", "、".join(str(c.label) for c in Relation)])
    xlsx.write_row(notes, ["人口类型可选值", "、".join(str(c.label) for c in ResidenceType)])
    tags = Tag.objects.all()
    if user is None or not grant_for(user, "people.view_sensitive_tags"):
        tags = tags.filter(is_sensitive=False)
    xlsx.write_row(notes, ["标签编码", "、".join(f"{t.code}({t.name})" for t in tags)])
    xlsx.write_row(notes, ["注意", "示例行请在导入前删除;任一行有误时整个文件不会导入,请按错误报告修改后重新上传。"])
    return _workbook_bytes(workbook)
