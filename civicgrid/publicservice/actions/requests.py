"""Online service requests (一站式网上办) on the `service_request` workflow: every step is a case transition
made in the same transaction as the request's own rows (materials, 公对公 document requests, delivery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from civicgrid.accounts.models import Department
from civicgrid.cases import notify
from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import audit, clock, errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.scoping import grant_for, require
from civicgrid.publicservice import materials
from civicgrid.publicservice.actions._common import _request, _step, handler_ids
from civicgrid.publicservice.choices import Delivery, DocumentStatus
from civicgrid.publicservice.models import DocumentRequest, Material, Office, ServiceItem, ServiceRequest

HANDLE = "publicservice.handle_request"


@dataclass
class RequestInput:
    item_code: str
    office_code: str
    applicant_name: str
    phone: str = ""
    answers: dict = field(default_factory=dict)
    uploads: dict = field(default_factory=dict)  # material key -> raw bytes
    delivery: str = Delivery.COUNTER
    mail_address: str = ""
    mail_city: str = ""


def _check(data: RequestInput) -> tuple[ServiceItem, Office, dict]:
    item = ServiceItem.objects.filter(code=str(data.item_code), is_active=True, is_online=True).first()
    if item is None:
        raise errors.ValidationFailed("该事项不能网上办理", code="item_not_online")
    office = Office.objects.select_related("department", "region").filter(code=str(data.office_code),
                                                                          is_active=True).first()
    if office is None or not office.windows.filter(items=item, is_active=True).exists():
        raise errors.ValidationFailed("该机构不办理此事项", code="item_not_at_office")
    if not data.applicant_name.strip():
        raise errors.ValidationFailed("请填写申请人姓名", code="applicant_required")
    answers = {}
    for f in item.fields:
        value = str((data.answers or {}).get(f["key"], "")).strip()
        if f.get("required") and not value:
            raise errors.ValidationFailed(f"请填写:{f['label']}", code="field_required", details={"key": f["key"]})
        answers[f["key"]] = value[:300]
    unknown = sorted(set(data.answers or {}) - {f["key"] for f in item.fields})
    if unknown:
        raise errors.ValidationFailed(f"未知的填写项:{'、'.join(unknown)}", code="field_unknown")
    if data.delivery not in Delivery.values:
        raise errors.ValidationFailed("请选择结果送达方式", code="delivery_invalid")
    if data.delivery == Delivery.MAIL and not (data.mail_address.strip() and data.mail_city.strip()):
        raise errors.ValidationFailed("邮寄送达须填写收件城市和详细地址", code="mail_address_required")
    return item, office, answers


def _store(sr: ServiceRequest, cleaned, actor, *, correction: bool) -> None:
    for m in cleaned:
        row = Material(request=sr, key=m.key, content_type=m.content_type, size=len(m.content), sha256=m.sha256,
                       is_correction=correction, uploaded_by=actor)
        row.file.save(f"{m.sha256[:16]}.{m.extension}", ContentFile(m.content), save=False)
        row.save()


def apply(*, actor, data: RequestInput, idempotency_key: str | None = None) -> tuple[ServiceRequest, bool]:
    """A resident applies online. Everything is checked (fields, materials by content and size) before
    anything is written; the case goes straight to the office's window."""
    require(actor, "publicservice.apply")
    item, office, answers = _check(data)
    cleaned = materials.check_set(item, data.uploads)
    intake = IntakeInput(description=f"网上申请:{item.name}", case_type="service_request", title=item.name,
                         region_code=office.region.code, reporter_name=data.applicant_name.strip(),
                         reporter_phone=data.phone.strip(), contact_preference="online", channel="")
    with transaction.atomic():
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key, body=data)
        if not result.created:
            return result.case.service_request, False
        sr = ServiceRequest.objects.create(
            case=result.case, item=item, office=office, applicant=actor, applicant_name=data.applicant_name.strip(),
            phone=data.phone.strip(), answers=answers, delivery=data.delivery,
            mail_address=data.mail_address.strip(), mail_city=data.mail_city.strip())
        _step(actor, sr, "assign_office", facts={"department": office.department.code}, system=True)
        _store(sr, cleaned, actor, correction=False)
        audit.record(actor=actor, action="publicservice.apply", obj=sr,
                     details={"case": result.case.number, "item": item.code})
    return sr, True


def _staff(actor, request_id: int) -> ServiceRequest:
    require(actor, HANDLE)
    return _request(actor, request_id, HANDLE)


def accept(*, actor, request_id: int) -> ServiceRequest:
    """受理: the promised deadline (承诺时限, the item's working days) starts now."""
    sr = _staff(actor, request_id)
    now = clock.now()
    promised = load_calendar().add(now, sr.item.promised_days, "work_days")
    with transaction.atomic():
        _step(actor, sr, "accept", facts={"deadline": promised})
        sr.promised_at = promised
        sr.save(update_fields=["promised_at"])
    return sr


def request_correction(*, actor, request_id: int, note: str) -> ServiceRequest:
    """一次性告知补正: what is missing and by when; the clock stops meanwhile."""
    sr = _staff(actor, request_id)
    now = clock.now()
    due = load_calendar().add(now, settings.PUBLICSERVICE_CORRECTION_DAYS, "work_days")
    with transaction.atomic():
        _step(actor, sr, "request_correction", comment=note.strip())
        sr.correction_note, sr.correction_asked_at, sr.correction_due_at = note.strip(), now, due
        sr.save(update_fields=["correction_note", "correction_asked_at", "correction_due_at"])
        notify.notify_ids([sr.applicant_id], sr.case, "correction",
                          f"您申请的“{sr.item.name}”需补正:{note.strip()[:120]}")
    return sr


def supplement(*, actor, request_id: int, uploads: dict[str, bytes], comment: str = "") -> ServiceRequest:
    """The applicant uploads what was asked for, before the 补正 deadline; the promised deadline moves
    by the working time the request waited."""
    sr = _request(actor, request_id)
    if sr.applicant_id != actor.pk:
        raise errors.Forbidden("只有申请人本人可以补正", code="not_applicant")
    if sr.case.state != "correction":
        raise errors.Conflict("该申请当前无需补正", code="no_correction_pending")
    now = clock.now()
    if sr.correction_due_at is not None and now > sr.correction_due_at:
        raise errors.ValidationFailed("已超过补正期限,请重新申请", code="correction_overdue",
                                      details={"due": sr.correction_due_at.isoformat()})
    cleaned = materials.check_set(sr.item, uploads, correction=True)
    calendar = load_calendar()
    waited = calendar.working_seconds_between(sr.correction_asked_at or now, now) / 3600
    promised = calendar.add(sr.promised_at or now, waited, "work_hours") if waited else (sr.promised_at or now)
    promised = max(promised, calendar.add(now, 1, "work_days"))
    with transaction.atomic():
        _step(actor, sr, "supplement", comment=comment.strip(), facts={"deadline": promised})
        _store(sr, cleaned, actor, correction=True)
        sr.promised_at = promised
        sr.save(update_fields=["promised_at"])
    return sr


def lapse_corrections(*, now=None) -> int:
    """Requests whose 补正 deadline passed without the materials end as 逾期未补正 (the task, hourly)."""
    now = now or clock.now()
    count = 0
    for sr in ServiceRequest.objects.filter(case__state="correction", correction_due_at__lt=now).select_related("case"):
        with transaction.atomic():
            _step(None, sr, "correction_lapse", facts={"reason": "超过补正期限未提交材料"}, system=True)
        count += 1
    return count


def approve(*, actor, request_id: int, comment: str = "") -> ServiceRequest:
    sr = _staff(actor, request_id)
    with transaction.atomic():
        _step(actor, sr, "approve", comment=comment)
    return sr


def reject(*, actor, request_id: int, reason: str) -> ServiceRequest:
    sr = _staff(actor, request_id)
    with transaction.atomic():
        _step(actor, sr, "reject", facts={"reason": reason.strip()})
    return sr


def withdraw(*, actor, request_id: int, reason: str) -> ServiceRequest:
    sr = _request(actor, request_id)
    if sr.applicant_id != actor.pk:
        raise errors.Forbidden("只有申请人本人可以撤回", code="not_applicant")
    with transaction.atomic():
        _step(actor, sr, "withdraw", facts={"reason": reason.strip()})
    return sr


def request_document(*, actor, request_id: int, department_code: str, document: str) -> DocumentRequest:
    """公对公: the office asks another office for a document itself; that office becomes a co-handler of
    the case (it sees the request and answers it), with 3 working days to do so."""
    sr = _staff(actor, request_id)
    target = Department.objects.filter(code=str(department_code), is_active=True).first()
    if target is None or target.pk == sr.office.department_id:
        raise errors.ValidationFailed("请选择出具证明的其他单位", code="department_unknown")
    if not document.strip():
        raise errors.ValidationFailed("请填写需要协查的证明", code="document_required")
    now = clock.now()
    with transaction.atomic():
        _step(actor, sr, "request_document", comment=f"公对公协查:{document.strip()}",
              facts={"co_departments": [target.code]})
        doc = DocumentRequest.objects.create(request=sr, to_department=target, document=document.strip()[:100],
                                             requested_by=actor, requested_at=now,
                                             due_at=load_calendar().add(now, 3, "work_days"))
        notify.notify_ids(handler_ids([target.pk]), sr.case, "document_request",
                          f"公对公协查 {sr.case.number}:请出具“{doc.document}”", skip=actor)
        audit.record(actor=actor, action="publicservice.request_document", obj=doc)
    return doc


def provide_document(*, actor, document_id: int, reply: str) -> DocumentRequest:
    """The other office answers a 公对公 request (only that office's staff)."""
    require(actor, HANDLE)
    doc = DocumentRequest.objects.select_related("request__case", "request__item").filter(pk=document_id).first()
    if doc is None or doc.to_department_id not in grant_for(actor, HANDLE).department_ids:
        raise errors.NotFound()
    if doc.status != DocumentStatus.REQUESTED:
        raise errors.Conflict("该协查已答复", code="document_already_provided")
    now = clock.now()
    with transaction.atomic():
        _step(actor, doc.request, "provide_document", comment=f"已出具:{doc.document}。{reply.strip()}")
        doc.status, doc.provided_by, doc.provided_at, doc.reply = DocumentStatus.PROVIDED, actor, now, reply[:300]
        doc.save(update_fields=["status", "provided_by", "provided_at", "reply"])
        notify.notify_ids(handler_ids([doc.request.office.department_id]), doc.request.case, "document_provided",
                          f"{doc.request.case.number} 协查证明已出具:{doc.document}", skip=actor)
    return doc


def conclude(*, actor, request_id: int, result: str) -> ServiceRequest:
    """办结: the result is ready (every 公对公 document must have come back)."""
    sr = _staff(actor, request_id)
    if sr.documents.filter(status=DocumentStatus.REQUESTED).exists():
        raise errors.Conflict("还有公对公协查未答复", code="documents_pending")
    with transaction.atomic():
        _step(actor, sr, "conclude", comment=result.strip())
        sr.result_note = result.strip()[:300]
        sr.save(update_fields=["result_note"])
    return sr


def deliver(*, actor, request_id: int, tracking_number: str = "") -> ServiceRequest:
    """送达 as the applicant chose: collected at the counter, mailed (tracking number) or electronic."""
    sr = _staff(actor, request_id)
    tracking = tracking_number.strip()
    if sr.delivery == Delivery.MAIL and not tracking:
        raise errors.ValidationFailed("邮寄送达须填写运单号", code="tracking_number_required")
    text = {Delivery.MAIL: f"已邮寄至{sr.mail_city},运单号 {tracking}", Delivery.COUNTER: "已在窗口领取",
            Delivery.ELECTRONIC: "电子证照已发送"}[sr.delivery]
    with transaction.atomic():
        _step(actor, sr, "deliver", comment=text)
        sr.tracking_number, sr.delivered_at = tracking[:40], clock.now()
        sr.save(update_fields=["tracking_number", "delivered_at"])
    return sr


def rate(*, actor, request_id: int, satisfaction: int, comment: str = "") -> ServiceRequest:
    """好差评 by the applicant. Satisfied (3–5): archived at once. Unsatisfied (1–2): the office must call
    back and rectify (差评回访整改), so the request stays open on its worklist."""
    sr = _request(actor, request_id)
    with transaction.atomic():
        _step(actor, sr, "rate", comment=comment.strip(), facts={"satisfaction": satisfaction, "method": "online"})
        if int(satisfaction) >= 3:
            _step(None, sr, "close", comment="好评自动归档", system=True)
        else:
            notify.notify_ids(handler_ids([sr.office.department_id]), sr.case, "bad_rating",
                              f"差评 {sr.case.number}:须回访并在15个工作日内整改")
    return sr


def call_back(*, actor, request_id: int, method: str, comment: str) -> ServiceRequest:
    """差评回访: the office calls the applicant back and starts rectification (15 working days)."""
    sr = _staff(actor, request_id)
    with transaction.atomic():
        _step(actor, sr, "call_back", comment=comment.strip(), facts={"method": method})
    return sr


def finish_rectification(*, actor, request_id: int, comment: str) -> ServiceRequest:
    sr = _staff(actor, request_id)
    with transaction.atomic():
        _step(actor, sr, "rectified", comment=comment.strip())
    return sr


def archive(*, actor, request_id: int) -> ServiceRequest:
    """The office archives a rated (satisfied) or unrated completed request; never a bad rating."""
    sr = _staff(actor, request_id)
    if sr.case.state == "rated" and (sr.case.satisfaction or 5) <= 2:
        raise errors.Conflict("差评须先回访整改,不能直接归档", code="bad_rating_needs_call_back")
    if sr.case.state == "completed" and sr.delivered_at and clock.now() - sr.delivered_at < timedelta(days=7):
        raise errors.Conflict("送达7天内等待申请人评价", code="rating_window_open")
    with transaction.atomic():
        _step(actor, sr, "close", comment="归档")
    return sr
