"""Payment batches from Excel (all or nothing) and the disbursement export, declared once (`COLUMNS`).

Every row is checked with the same `actions.payments.clean` a single payment goes through; every problem
goes into a report `[{row, column, code, message}]` (Excel row numbers, the header being row 1). If the
report is not empty nothing is written and ValidationFailed(code="import_rows_invalid", details=report) is
raised. The same payments imported twice for a programme (whatever the file) are 409 `batch_duplicate`,
and a voucher number already used in the programme is a row error. The export masks ID numbers
(the full number only through the audited reveal) and writes every text through core.xlsx (formula-safe).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from io import BytesIO

from django.db import IntegrityError, transaction

from civicgrid.core import audit, errors, masking, xlsx
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import require
from civicgrid.enterprises.models import Enterprise
from civicgrid.people.models import id_number_hash
from civicgrid.subsidies.actions.candidates import today
from civicgrid.subsidies.actions.payments import PAY, PaymentInput, beneficiaries_for, clean
from civicgrid.subsidies.actions.programmes import require_programme
from civicgrid.subsidies.choices import RecipientKind, Source
from civicgrid.subsidies.models import Beneficiary, Disbursement, PaymentBatch, Programme

EXPORT = "subsidies.export"
MAX_ROWS = 20000
SYNC_MAX_ROWS = 10000  # what GET /api/v1/subsidies/export answers at once; more runs in the background
SHEET_TITLE = "补贴发放明细"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    example: str = ""


PERSON = (
    Column("name", "姓名", True, "与身份证一致", "王某某"),
    Column("id_number", "身份证号", True, "18位,校验位须正确", "211004199001011236"),
)
ENTERPRISE = (Column("uscc", "统一社会信用代码", True, "18位,须为已登记企业", "91211004MA0QX0X00Q"),)
COMMON = (
    Column("amount", "金额", True, "大于0,最多两位小数", "1576.00"),
    Column("currency", "币种", True, "填“人民币”;不可留空", "人民币"),
    Column("paid_on", "发放日期", True, "YYYY-MM-DD,不晚于今天且在项目期限内", "2026-03-15"),
    Column("reference", "凭证号", False, "同一文件内不可重复", "PZ2026030001"),
    Column("basis", "发放依据", False, "如“2026年3月失业保险金”", ""),
)


def columns(programme: Programme) -> tuple[Column, ...]:
    return (*(PERSON if programme.recipient_kind == RecipientKind.PERSON else ENTERPRISE), *COMMON)


@dataclass
class BatchResult:
    batch: PaymentBatch | None
    rows: int
    recipients: int
    total: str


def _check(programme: Programme, rows) -> tuple[list[dict], list[dict]]:
    cols = {c.key: c for c in columns(programme)}
    enterprises = None
    if programme.recipient_kind == RecipientKind.ENTERPRISE:
        codes = [cells.get("uscc", "").strip().upper() for _, cells in rows]
        enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
    on = today()
    report, values, references = [], [], {}
    for number, cells in rows:
        data = PaymentInput(**{k: cells.get(k, "") for k in cols})
        try:
            row = clean(data, programme=programme, on=on, enterprises=enterprises)
        except errors.ValidationFailed as exc:
            field = (exc.details or {}).get("field", "amount") if isinstance(exc.details, dict) else "amount"
            report.append({"row": number, "column": cols[field].header if field in cols else field, "code": exc.code,
                           "message": exc.message})
            continue
        if row["reference"]:
            if row["reference"] in references:
                report.append({"row": number, "column": cols["reference"].header, "code": "reference_duplicate_in_file",
                               "message": f"与第{references[row['reference']]}行的凭证号重复"})
                continue
            references[row["reference"]] = number
        values.append({**row, "_row": number})
    names: dict[str, tuple[str, int]] = {}
    for row in values:  # one person, one name within the file
        if "id_number" in row:
            first = names.setdefault(row["id_number"], (row["name"], row["_row"]))
            if first[0] != row["name"]:
                report.append({"row": row["_row"], "column": cols["name"].header, "code": "name_mismatch_in_file",
                               "message": f"同一身份证号在第{first[1]}行的姓名不同"})
    taken = set(Disbursement.objects.filter(programme=programme, reference__in=list(references))
                .values_list("reference", flat=True)) if references else set()
    for reference in sorted(taken, key=lambda r: references[r]):
        report.append({"row": references[reference], "column": cols["reference"].header, "code": "reference_taken",
                       "message": f"凭证号 {reference} 已在本项目的发放记录中"})
    if names:  # a person already paid under another name
        hashes = {id_number_hash(number): number for number in names}
        for b in Beneficiary.objects.filter(id_number_hash__in=hashes):
            name, row_number = names[hashes[b.id_number_hash]]
            if b.name != name:
                report.append({"row": row_number, "column": cols["name"].header, "code": "beneficiary_name_mismatch",
                               "message": f"该身份证号已登记为他人姓名({b.name[0]}*)"})
    return report, values


def _digest(values: list[dict]) -> str:
    """The batch's content (not its file: a workbook saved again differs in its metadata): the same payments
    imported twice are one batch."""
    text = "\n".join("|".join((str(v.get("id_number") or v["enterprise"].uscc), f"{v['amount']:.2f}",
                                v["paid_on"].isoformat(), v["reference"])) for v in values)
    return hashlib.sha256(text.encode()).hexdigest()


def import_batch(*, actor, programme: Programme, file, file_name: str = "") -> BatchResult:
    """Import a payment batch for a programme: every row valid, or nothing written (a row report)."""
    require_programme(actor, PAY, programme)
    content = file.read() if hasattr(file, "read") else bytes(file)
    rows = xlsx.read_rows(BytesIO(content), columns(programme), MAX_ROWS)
    report, values = _check(programme, rows)
    digest = _digest(values)
    if len(values) == len(rows) and PaymentBatch.objects.filter(programme=programme, content_sha256=digest).exists():
        raise errors.Conflict("这批发放已导入过本项目,未重复导入", code="batch_duplicate")
    if report:
        report.sort(key=lambda e: e["row"])
        with transaction.atomic():
            audit.record(actor=actor, action="subsidies.import_batch", obj=programme, result=AuditResult.FAILED,
                         details={"rows": len(rows), "errors": len(report)})
        raise errors.ValidationFailed(f"导入文件中有{len(report)}处错误,未导入任何数据,请修改后重新上传",
                                      code="import_rows_invalid", details=report)
    total = sum((v["amount"] for v in values), start=type(values[0]["amount"])(0))
    try:
        with transaction.atomic():
            people = {v["id_number"]: v["name"] for v in values if "id_number" in v}
            paid = beneficiaries_for(people) if people else {}
            recipients = len(paid) if people else len({v["enterprise"].pk for v in values})
            batch = PaymentBatch.objects.create(programme=programme, file_name=(file_name or "批次.xlsx")[:200],
                                                content_sha256=digest, rows=len(values), recipients=recipients,
                                                total=total, imported_by=actor)
            Disbursement.objects.bulk_create([
                Disbursement(programme=programme, enterprise=v.get("enterprise"),
                             beneficiary=paid.get(v.get("id_number")), amount=v["amount"], currency=v["currency"],
                             paid_on=v["paid_on"], reference=v["reference"], basis=v["basis"], source=Source.BATCH,
                             batch=batch, created_by=actor)
                for v in values], batch_size=1000)
            audit.record(actor=actor, action="subsidies.import_batch", obj=batch,
                         details={"programme": programme.code, "rows": len(values), "recipients": recipients,
                                  "total": str(total)})
    except IntegrityError:
        raise errors.Conflict("该文件正由他人导入,请稍后查看批次列表", code="batch_duplicate") from None
    return BatchResult(batch=batch, rows=len(values), recipients=recipients, total=f"{total:.2f}")


def _recipient(d: Disbursement) -> tuple[str, str]:
    if d.enterprise_id:
        return d.enterprise.name, d.enterprise.uscc
    return masking.mask_name(d.beneficiary.name), masking.mask_id_number(d.beneficiary.id_number)


def export_disbursements(*, actor, queryset, max_rows: int | None = None, progress=None) -> bytes:
    """The disbursements given (already scoped by the caller's query) as a sheet; persons masked. More than
    `max_rows`: 422 `export_too_large`. `progress(done, total)` is told every 500 rows."""
    from openpyxl import Workbook

    require(actor, EXPORT)
    total = queryset.count() if max_rows is not None or progress else 0
    if max_rows is not None and total > max_rows:
        raise errors.ValidationFailed(
            f"共 {total} 笔,超过即时导出上限 {max_rows} 笔:请在发放明细页点“导出 Excel”(后台生成,带进度),"
            "或经接口 POST /api/v1/reports/runs 申请 disbursement_export", code="export_too_large",
            details={"rows": total, "max_rows": max_rows})
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    xlsx.write_row(sheet, ["补贴项目", "收款人", "证件号/信用代码", "金额", "币种", "发放日期", "凭证号", "来源", "发放依据"])
    count = 0
    for d in queryset.select_related("programme", "enterprise", "beneficiary").iterator(chunk_size=1000):
        name, code = _recipient(d)
        xlsx.write_row(sheet, [d.programme.name, name, code, float(d.amount), d.currency, d.paid_on, d.reference,
                               str(d.get_source_display()), d.basis])
        count += 1
        if progress and count % 500 == 0:
            progress(count, total)
    if progress:
        progress(count, count)
    with transaction.atomic():
        audit.record(actor=actor, action="subsidies.export", object_type="subsidies.disbursement",
                     details={"disbursements": count})
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(programme: Programme) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "发放批次"
    cols = columns(programme)
    xlsx.write_row(sheet, [c.header for c in cols])
    notes = workbook.create_sheet("说明")
    xlsx.write_row(notes, ["列名", "是否必填", "说明", "示例"])
    for c in cols:
        xlsx.write_row(notes, [c.header, "必填" if c.required else "选填", c.help, c.example])
    xlsx.write_row(notes, ["注意", f"本模板用于“{programme.name}”;任一行有误时整个文件不会导入,请按错误报告修改后重新上传。"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
