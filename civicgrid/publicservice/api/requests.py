"""Online service requests: apply, read, and every workflow step as a transition."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Base64Bytes

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id
from civicgrid.core import errors
from civicgrid.core.scoping import get_visible
from civicgrid.publicservice import queries
from civicgrid.publicservice.actions import requests
from civicgrid.publicservice.api.common import ERRORS, TAGS

router = Router(tags=TAGS)


class DocumentOut(Schema):
    id: int
    document: str
    to_department: str = Field(..., alias="to_department.name")
    status: str
    due_at: datetime | None
    provided_at: datetime | None


class RequestOut(Schema):
    id: int
    number: str = Field(..., alias="case.number")
    item: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    office: str = Field(..., alias="office.name")
    state: str = Field(..., alias="case.state")
    state_label: str
    delivery: str
    mail_city: str
    tracking_number: str
    correction_note: str
    correction_due_at: datetime | None
    promised_at: datetime | None
    promised_text: str
    satisfaction: int | None = Field(None, alias="case.satisfaction")
    documents: list[DocumentOut]

    @staticmethod
    def resolve_state_label(obj) -> str:
        return queries.state_label(obj.case.state)

    @staticmethod
    def resolve_promised_text(obj) -> str:
        return queries.plain_deadline(obj.promised_at) if obj.case.is_open else ""

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())  # prefetched with their departments (queries.requests_visible)


class ApplyIn(Schema):
    item: str = Field(..., max_length=30)
    office: str = Field(..., max_length=30)
    applicant_name: str = Field(..., max_length=50)
    phone: str = Field("", max_length=20)
    answers: dict[str, str] = {}
    materials: dict[str, Base64Bytes] = Field({}, description="材料:键为事项材料 key,值为文件内容(base64)")
    delivery: str = Field("counter", description="counter | mail | electronic")
    mail_address: str = Field("", max_length=200)
    mail_city: str = Field("", max_length=40)


class TransitionIn(Schema):
    action: str = Field(..., description="accept, request_correction, supplement, approve, reject, "
                                         "request_document, conclude, deliver, rate, call_back, rectified, close, withdraw")
    comment: str = Field("", max_length=2000)
    reason: str = Field("", max_length=500)
    department: str = Field("", max_length=20)
    document: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=40)
    satisfaction: int | None = Field(None, ge=1, le=5)
    method: str = Field("", max_length=10)
    materials: dict[str, Base64Bytes] = {}


class ProvideIn(Schema):
    reply: str = Field("", max_length=300)


@router.get("/requests", response=list[RequestOut])
@paginate(CountItemsNext)
def list_requests(request):
    """本人的网上办事申请(居民),或本机构受理的申请(窗口)。"""
    return queries.requests_visible(request.auth).order_by("-id")


@router.post("/requests", response={201: RequestOut, 200: RequestOut, **ERRORS})
def apply(request, payload: ApplyIn):
    """网上申请。材料按内容识别类型(PDF 扫描件或 JPEG/PNG/WebP 照片),超限 422 `material_too_large`,
    类型不符 422 `material_type_unsupported`。请带 `Idempotency-Key` 请求头(重放返回 200)。"""
    data = requests.RequestInput(
        item_code=payload.item, office_code=payload.office, applicant_name=payload.applicant_name,
        phone=payload.phone, answers=payload.answers, uploads=dict(payload.materials), delivery=payload.delivery,
        mail_address=payload.mail_address, mail_city=payload.mail_city)
    sr, created = requests.apply(actor=request.auth, data=data, idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201 if created else 200, sr)


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS})
def get_request(request, request_id: Id):
    return get_visible(queries.requests_visible(request.auth), request.auth, "publicservice.view_request",
                       pk=request_id)


def _run(actor, request_id: int, p: TransitionIn):
    steps = {
        "accept": lambda: requests.accept(actor=actor, request_id=request_id),
        "request_correction": lambda: requests.request_correction(actor=actor, request_id=request_id, note=p.comment),
        "supplement": lambda: requests.supplement(actor=actor, request_id=request_id, uploads=dict(p.materials),
                                                  comment=p.comment),
        "approve": lambda: requests.approve(actor=actor, request_id=request_id, comment=p.comment),
        "reject": lambda: requests.reject(actor=actor, request_id=request_id, reason=p.reason),
        "request_document": lambda: requests.request_document(actor=actor, request_id=request_id,
                                                              department_code=p.department, document=p.document),
        "conclude": lambda: requests.conclude(actor=actor, request_id=request_id, result=p.comment),
        "deliver": lambda: requests.deliver(actor=actor, request_id=request_id, tracking_number=p.tracking_number),
        "rate": lambda: requests.rate(actor=actor, request_id=request_id, satisfaction=p.satisfaction or 0,
                                      comment=p.comment),
        "call_back": lambda: requests.call_back(actor=actor, request_id=request_id, method=p.method,
                                                comment=p.comment),
        "rectified": lambda: requests.finish_rectification(actor=actor, request_id=request_id, comment=p.comment),
        "close": lambda: requests.archive(actor=actor, request_id=request_id),
        "withdraw": lambda: requests.withdraw(actor=actor, request_id=request_id, reason=p.reason),
    }
    if p.action not in steps:
        raise errors.ValidationFailed("未知的操作", code="unknown_action")
    return steps[p.action]()


@router.post("/requests/{request_id}/transitions", response={200: RequestOut, **ERRORS})
def request_transition(request, request_id: Id, payload: TransitionIn):
    """办理步骤(受理、补正、审核、公对公、办结、送达、好差评、回访整改、撤回)。"""
    sr = _run(request.auth, request_id, payload)
    return queries.requests_visible(request.auth).get(pk=sr.pk)


@router.post("/documents/{document_id}/transitions", response={200: DocumentOut, **ERRORS})
def provide_document(request, document_id: Id, payload: ProvideIn):
    """公对公:被协查单位出具证明(仅该单位窗口)。"""
    return requests.provide_document(actor=request.auth, document_id=document_id, reply=payload.reply)
