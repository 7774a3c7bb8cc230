"""Import and export of the enterprise registry as one sheet, declared once (`COLUMNS`).

Import is all or nothing, in the people import's style: every row is checked first (with the same
`actions.registry.clean` the form and the API use) and every problem goes into a report
`[{row, column, code, message}]` (Excel row numbers, the header being row 1). If the report is not empty
nothing is written and ValidationFailed(code="import_rows_invalid", details=report) is raised; otherwise
new enterprises are created and existing ones (same USCC, in the actor's reach) updated in one
transaction with one audit record. Export writes every user-entered value as a text cell, so a name
starting with "=" stays text in the spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation

from civicgrid.core import audit, clock, errors, xlsx
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import can, require
from civicgrid.enterprises.actions.registry import CHANGE, EnterpriseInput, clean
from civicgrid.enterprises.choices import (
    Currency,
    EnterpriseStatus,
    Exchange,
    HighTechField,
    ListingBoard,
    Ownership,
)
from civicgrid.enterprises.models import Enterprise, Park

IMPORT = "enterprises.import_enterprises"
EXPORT = "enterprises.export_enterprises"
MAX_ROWS = 5000
SHEET_TITLE = "企业名录"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", True, "18位,校验码须正确;已登记的代码更新该企业", "91211004MA0QX0X00Q"),
    Column("name", "企业名称", True, "营业执照上的名称", "辽阳示例精细化工有限公司"),
    Column("park", "园区编码", True, "见园区列表", "P01"),
    Column("industry_code", "行业代码", True, "国民经济行业分类(GB/T 4754-2017)代码,如 C2614", "C2614"),
    Column("legal_rep", "法定代表人", False, "", "张三"),
    Column("registered_on", "成立日期", False, "YYYY-MM-DD", "2015-06-18"),
    Column("registered_capital", "注册资本", False, "按币种计的金额(元)", "50000000"),
    Column("currency", "币种", False, "人民币、美元、欧元、日元、港元;空为人民币", "人民币"),
    Column("ownership", "企业类型", False, "内资、合资、外资;空为内资", "内资"),
    Column("address", "地址", False, "", "高新区芳烃路8号"),
    Column("hightech_field", "高新技术领域", False, "国家重点支持的八大领域之一,可空", "新材料"),
    Column("is_above_size", "规上企业", False, "是/否", "否"),
    Column("listing_board", "上市板块", False, "主板、创业板、科创板、北交所、新三板,可空", ""),
    Column("exchange", "交易所", False, "上海证券交易所、深圳证券交易所……,可空", ""),
    Column("stock_code", "证券代码", False, "上市或挂牌时必填", ""),
    Column("status", "经营状态", False, "存续、迁出、注销;空为存续", "存续"),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
CHOICES = {"currency": Currency, "ownership": Ownership, "hightech_field": HighTechField,
           "listing_board": ListingBoard, "exchange": Exchange, "status": EnterpriseStatus}
DEFAULTS = {"currency": Currency.CNY, "ownership": Ownership.DOMESTIC, "status": EnterpriseStatus.OPERATING}


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    dry_run: bool


def read_rows(file) -> list[tuple[int, dict[str, str]]]:
    return xlsx.read_rows(file, COLUMNS, MAX_ROWS)


def _choice(key: str, value: str) -> str:
    if not value:
        return DEFAULTS.get(key, "")
    choices = CHOICES[key]
    for member in choices:
        if value in (member.value, str(member.label)):
            return member.value
    raise errors.ValidationFailed(f"“{value}”不是可选值", code=f"{key}_invalid")


def _input(cells: dict[str, str]) -> EnterpriseInput:
    """The row as the action's input; a malformed date, number or choice raises ValidationFailed."""
    values: dict[str, Any] = {k: cells.get(k, "") for k in ("uscc", "name", "park", "industry_code", "legal_rep",
                                                           "address", "stock_code")}
    for key in CHOICES:
        try:
            values[key] = _choice(key, cells.get(key, ""))
        except errors.ValidationFailed as exc:
            exc.details = {"field": key}
            raise
    day = cells.get("registered_on", "")
    try:
        values["registered_on"] = date.fromisoformat(day[:10]) if day else None
    except ValueError:
        raise errors.ValidationFailed("日期格式应为 YYYY-MM-DD", code="date_invalid",
                                      details={"field": "registered_on"}) from None
    values["registered_capital"] = cells.get("registered_capital") or None
    flag = cells.get("is_above_size", "")
    if flag not in ("", "是", "否", "1", "0", "true", "false", "TRUE", "FALSE"):
        raise errors.ValidationFailed("规上企业应填“是”或“否”", code="boolean_invalid", details={"field": "is_above_size"})
    values["is_above_size"] = flag in ("是", "1", "true", "TRUE")
    return EnterpriseInput(**values)


def _check(actor, rows) -> tuple[list[dict], list[dict], list[dict]]:
    """(report, new rows' values, [existing enterprise, values])."""
    parks = {p.code: p for p in Park.objects.all()}
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[c.get("uscc", "").strip().upper()
                                                                       for _, c in rows]).select_related("park")}
    report, new, updates, seen = [], [], [], {}
    today = clock.now().date()
    for number, cells in rows:
        try:
            values = clean(_input(cells), parks=parks, today=today)
        except errors.ValidationFailed as exc:
            field = (exc.details or {}).get("field", "uscc") if isinstance(exc.details, dict) else "uscc"
            header = BY_KEY[field].header if field in BY_KEY else field
            report.append({"row": number, "column": header, "code": exc.code, "message": exc.message})
            continue
        uscc = values["uscc"]
        if uscc in seen:
            report.append({"row": number, "column": BY_KEY["uscc"].header, "code": "uscc_duplicate_in_file",
                           "message": f"与第{seen[uscc]}行的统一社会信用代码重复"})
            continue
        seen[uscc] = number
        if not can(actor, CHANGE, Enterprise(park=values["park"])):
            report.append({"row": number, "column": BY_KEY["park"].header, "code": "park_out_of_scope",
                           "message": "该园区不在您的服务范围内"})
            continue
        current = existing.get(uscc)
        if current is None:
            new.append(values)
        elif can(actor, CHANGE, current):
            updates.append({"enterprise": current, "values": values})
        else:
            report.append({"row": number, "column": BY_KEY["uscc"].header, "code": "uscc_taken",
                           "message": "该统一社会信用代码已由其他园区登记"})
    return report, new, updates


def import_enterprises_xlsx(*, actor, file, dry_run: bool = False) -> ImportResult:
    require(actor, IMPORT)
    rows = read_rows(file)
    report, new, updates = _check(actor, rows)
    if report:
        report.sort(key=lambda e: (e["row"], HEADERS.index(e["column"]) if e["column"] in HEADERS else 99))
        with transaction.atomic():
            audit.record(actor=actor, action="enterprises.import_enterprises", object_type="enterprises.enterprise",
                         result=AuditResult.FAILED, details={"rows": len(rows), "errors": len(report)})
        raise errors.ValidationFailed(f"导入文件中有{len(report)}处错误,未导入任何数据,请修改后重新上传",
                                      code="import_rows_invalid", details=report)
    result = ImportResult(rows=len(rows), created=len(new), updated=len(updates), dry_run=dry_run)
    if dry_run:
        return result
    now = clock.now()
    try:
        with transaction.atomic():
            Enterprise.objects.bulk_create([Enterprise(**values, created_at=now, updated_at=now) for values in new],
                                           batch_size=500)
            for update in updates:
                enterprise = update["enterprise"]
                for key, value in update["values"].items():
                    setattr(enterprise, key, value)
                enterprise.updated_at = now
                enterprise.save()
            audit.record(actor=actor, action="enterprises.import_enterprises", object_type="enterprises.enterprise",
                         details={"rows": len(rows), "created": len(new), "updated": len(updates)})
    except IntegrityError:
        raise errors.Conflict("导入期间数据已被他人修改(统一社会信用代码重复),请重新导入", code="import_conflict") from None
    return result


def _rows(enterprise: Enterprise) -> dict[str, str]:
    return {
        "uscc": enterprise.uscc, "name": enterprise.name, "park": enterprise.park.code,
        "industry_code": enterprise.industry_code, "legal_rep": enterprise.legal_rep,
        "registered_on": enterprise.registered_on.isoformat() if enterprise.registered_on else "",
        "registered_capital": f"{enterprise.registered_capital:f}" if enterprise.registered_capital is not None else "",
        "currency": str(enterprise.get_currency_display()), "ownership": str(enterprise.get_ownership_display()),
        "address": enterprise.address,
        "hightech_field": str(enterprise.get_hightech_field_display()) if enterprise.hightech_field else "",
        "is_above_size": "是" if enterprise.is_above_size else "否",
        "listing_board": str(enterprise.get_listing_board_display()) if enterprise.listing_board else "",
        "exchange": str(enterprise.get_exchange_display()) if enterprise.exchange else "",
        "stock_code": enterprise.stock_code, "status": str(enterprise.get_status_display()),
    }


@translation.override("zh-hans")  # the sheet round-trips through import, which reads Chinese labels
def export_enterprises_xlsx(*, actor, filters: dict | None = None, progress=None) -> bytes:
    """The registry data of the enterprises the actor may export (no metrics, no credit flags), in the
    import format, with the list's filters (queries.filter_enterprises). `progress(done, total)` is told
    every 500 rows (the background export's progress bar)."""
    from openpyxl import Workbook

    from civicgrid.enterprises.queries import filter_enterprises

    require(actor, EXPORT)
    filters = filters or {}
    qs = filter_enterprises(Enterprise.objects.visible_to(actor, EXPORT).select_related("park"), **filters)
    qs = qs.order_by("park__code", "name", "id")
    total = qs.count() if progress else 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    xlsx.write_row(sheet, HEADERS)  # a name starting with "=" stays text, never a formula
    count = 0
    for enterprise in qs.iterator(chunk_size=1000):
        row = _rows(enterprise)
        xlsx.write_row(sheet, [row[c.key] for c in COLUMNS])
        count += 1
        if progress and count % 500 == 0:
            progress(count, total)
    if progress:
        progress(count, count)
    with transaction.atomic():
        audit.record(actor=actor, action="enterprises.export_enterprises", object_type="enterprises.enterprise",
                     details={"filters": {k: str(v) for k, v in filters.items()}, "enterprises": count})
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@translation.override("zh-hans")
def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    xlsx.write_row(sheet, HEADERS)
    xlsx.write_row(sheet, [c.example for c in COLUMNS])
    notes = workbook.create_sheet("说明")
    xlsx.write_row(notes, ["列名", "是否必填", "说明", "示例"])
    for column in COLUMNS:
        xlsx.write_row(notes, [column.header, "必填" if column.required else "选填", column.help, column.example])
    xlsx.write_row(notes, ["园区编码", "、".join(f"{p.code}({p.name})" for p in Park.objects.filter(is_active=True))])
    xlsx.write_row(notes, ["注意", "示例行请在导入前删除;任一行有误时整个文件不会导入,请按错误报告修改后重新上传。"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
