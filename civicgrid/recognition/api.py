"""Good-people board API (/api/v1/recognition): nominations and their steps for signed-in users (scoped:
out of reach is 404), and without login the public board, the notices, a person's history and lodging
an objection. Public answers carry only what the nominee consented to; never a phone or an ID number."""

from datetime import date, datetime

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id, Month, RequiredText
from civicgrid.core import errors
from civicgrid.core.masking import mask_phone
from civicgrid.recognition import actions, queries
from civicgrid.recognition.choices import Category, ObjectionOutcome, Period, Source, State

router = Router(tags=["好人榜 recognition"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ConsentIn(Schema):
    name: bool = Field(..., description="同意公开姓名")
    photo: bool = Field(..., description="同意公开照片")
    story: bool = Field(..., description="同意公开事迹")


class NominationIn(Schema):
    source: Source
    nominee_name: str = Field(..., max_length=50)
    nominee_phone: str = Field(..., max_length=20, description="被推荐人手机号(加密保存,从不公开)")
    region_code: str = Field(..., max_length=20, description="所在社区编码")
    category: Category
    title: str = Field(..., max_length=60)
    story: str = Field(..., max_length=3000)
    relation: str = Field("", max_length=30)
    consent: ConsentIn


class NominationOut(Schema):
    id: int
    state: str
    state_label: str
    source: str
    category: str
    category_label: str
    title: str
    story: str
    nominee_name: str = Field(..., alias="honoree.name")
    nominee_phone: str
    nominator_name: str
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    consent: ConsentIn
    notice_start: date | None
    notice_end: date | None
    listed_month: str | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_state_label(obj):
        return str(queries.STATE_LABELS[obj.state])

    @staticmethod
    def resolve_category_label(obj):
        return str(queries.CATEGORY_LABELS[obj.category])

    @staticmethod
    def resolve_nominee_phone(obj):
        return mask_phone(obj.honoree.phone)

    @staticmethod
    def resolve_consent(obj):
        return {"name": obj.consent_name, "photo": obj.consent_photo, "story": obj.consent_story}

    @staticmethod
    def resolve_listed_month(obj):
        return obj.listed_month.isoformat()[:7] if obj.listed_month else None


class TransitionIn(Schema):
    action: str = Field(..., max_length=20, description="verify | approve | reject | list | withdraw")
    comment: str = Field("", max_length=300)
    consent: ConsentIn | None = Field(None, description="verify:社区与本人确认的公开范围")
    month: Month | None = Field(None, description="list:上榜月份,默认本月")


class MaterialOut(Schema):
    id: int
    content_type: str
    size: int
    sha256: str


class ObjectionIn(Schema):
    contact_name: RequiredText = Field(..., max_length=50)
    contact_phone: str = Field(..., max_length=20)
    body: RequiredText = Field(..., max_length=2000)


class ObjectionReceipt(Schema):
    id: int
    lodged_at: datetime
    message: str = "异议已受理,文明办将在上榜前答复"


class ObjectionOut(Schema):
    id: int
    nomination_id: int
    contact_name: str
    contact_phone: str
    body: str
    status: str
    outcome: str
    answer: str
    lodged_at: datetime
    answered_at: datetime | None

    @staticmethod
    def resolve_contact_phone(obj):
        return mask_phone(obj.contact_phone)


class AnswerIn(Schema):
    outcome: ObjectionOutcome
    answer: RequiredText = Field(..., max_length=2000)


class YearlyIn(Schema):
    year: int = Field(..., ge=2000, le=2099)
    nomination_ids: list[Id] = Field(..., max_length=500)


class PublicItem(Schema):
    id: int
    name: str = Field(..., description="未同意公开姓名时为“某某同志”")
    category: str
    category_label: str
    title: str
    story: str = Field(..., description="未同意公开事迹时为空")
    photo_url: str | None
    community: str
    month: str | None
    person_url: str | None


class PublicBoard(Schema):
    period: str
    start: str
    items: list[PublicItem]


class PublicNotice(PublicItem):
    notice_start: date
    notice_end: date


class PersonOut(Schema):
    name: str
    items: list[dict]


# --- signed in ------------------------------------------------------------------------------------------

@router.get("/nominations", response=list[NominationOut])
@paginate(CountItemsNext)
def list_nominations(request, state: State | None = None, category: Category | None = None):
    """本人可见范围内的推荐(居民:本人提交的;社区、文明办:辖区内的)。"""
    return queries.nominations_visible(request.auth, state=state or "", category=category or "")


@router.post("/nominations", response={201: NominationOut, **ERRORS})
def submit_nomination(request, payload: NominationIn):
    """推荐他人或自荐。必须取得被推荐人同意公开事迹(否则 422 `consent_required`)。请带 `Idempotency-Key`。"""
    data = actions.NominationInput(
        source=payload.source, nominee_name=payload.nominee_name, nominee_phone=payload.nominee_phone,
        region_code=payload.region_code, category=payload.category, title=payload.title, story=payload.story,
        relation=payload.relation, consent_name=payload.consent.name, consent_photo=payload.consent.photo,
        consent_story=payload.consent.story)
    nomination = actions.submit_nomination(actor=request.auth, data=data,
                                           idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, queries.nomination_visible(request.auth, nomination.pk))


@router.get("/nominations/{nomination_id}", response={200: NominationOut, **ERRORS})
def get_nomination(request, nomination_id: Id):
    return queries.nomination_visible(request.auth, nomination_id)


@router.post("/nominations/{nomination_id}/transitions", response={200: NominationOut, **ERRORS})
def transition(request, nomination_id: Id, payload: TransitionIn):
    """社区核实(verify)、文明办审核开始公示(approve)、未通过(reject,须填原因)、公示期满上榜(list)、撤回
    (withdraw)。有未答复异议时上榜为 409 `objection_unanswered`,公示期未满 409 `notice_not_over`。"""
    consent = actions.Consent(**payload.consent.model_dump()) if payload.consent else None
    actions.transition_nomination(actor=request.auth, nomination_id=nomination_id, action=payload.action,
                                  comment=payload.comment, consent=consent, month=payload.month)
    return queries.nomination_visible(request.auth, nomination_id)


@router.put("/nominations/{nomination_id}/consent", response={200: NominationOut, **ERRORS})
def change_consent(request, nomination_id: Id, payload: ConsentIn):
    """被推荐人本人(或社区按本人意见)更改公开范围,公开页面即时生效。"""
    actions.change_consent(actor=request.auth, nomination_id=nomination_id,
                           consent=actions.Consent(**payload.model_dump()))
    return queries.nomination_visible(request.auth, nomination_id)


@router.post("/nominations/{nomination_id}/materials", response={201: MaterialOut, **ERRORS})
def add_material(request, nomination_id: Id, file: UploadedFile = File(...)):
    """补充证明材料:照片(JPEG/PNG/WebP,去除元数据)或 PDF,按文件内容判断类型。"""
    return Status(201, actions.add_material(actor=request.auth, nomination_id=nomination_id, data=file.read()))


@router.get("/nominations/{nomination_id}/objections", response={200: list[ObjectionOut], **ERRORS})
def list_objections(request, nomination_id: Id):
    nomination = queries.nomination_visible(request.auth, nomination_id)
    return list(queries.objections_of(request.auth, nomination))


@router.post("/objections/{objection_id}/answer", response={200: ObjectionOut, **ERRORS})
def answer_objection(request, objection_id: Id, payload: AnswerIn):
    """文明办答复异议:成立(upheld,推荐不通过)或不成立(dismissed)。"""
    return actions.answer_objection(actor=request.auth, objection_id=objection_id, outcome=payload.outcome,
                                    answer=payload.answer)


@router.post("/yearly", response={200: list[dict], **ERRORS})
def list_yearly(request, payload: YearlyIn):
    """把当年月度榜上的推荐列入年度榜(重复提交不重复上榜)。"""
    rows = actions.list_yearly(actor=request.auth, year=payload.year, nomination_ids=payload.nomination_ids)
    return [{"nomination_id": r.nomination_id, "year": r.period_start.year} for r in rows]


# --- public (no login) ------------------------------------------------------------------------------------

@router.get("/public/board", response={200: PublicBoard, 422: ErrorOut}, auth=None)
def public_board(request, month: Month | None = None, year: int | None = None):
    """公开榜单:`month=YYYY-MM` 月度榜,`year=YYYY` 年度榜;都不给时为最近一期月度榜。"""
    if month and year:
        raise errors.ValidationFailed("month 与 year 只能给一个", code="period_ambiguous")
    if year is not None:
        if not 2000 <= year <= 2099:
            raise errors.ValidationFailed("年份无效", code="year_invalid")
        start, period = date(year, 1, 1), Period.YEAR
    else:
        start, period = month or queries.latest_month() or actions.month_start(actions.today()), Period.MONTH
    return {"period": period, "start": start.isoformat()[: 7 if period == Period.MONTH else 4],
            "items": queries.listing(period, start)}


@router.get("/public/notices", response=list[PublicNotice], auth=None)
def public_notices(request):
    """正在公示的推荐及公示截止日;公示期内任何人可提出异议。"""
    return queries.notices()


@router.post("/public/notices/{nomination_id}/objections", response={201: ObjectionReceipt, 404: ErrorOut,
                                                                      409: ErrorOut, 422: ErrorOut}, auth=None)
def lodge_objection(request, nomination_id: Id, payload: ObjectionIn):
    """对公示中的推荐提出异议(无需登录,须留联系方式);公示期结束后 422 `notice_period_over`。"""
    user = getattr(request, "user", None)
    objection = actions.lodge_objection(actor=user, nomination_id=nomination_id, contact_name=payload.contact_name,
                                        contact_phone=payload.contact_phone, body=payload.body)
    return Status(201, {"id": objection.pk, "lodged_at": objection.lodged_at})


@router.get("/public/people/{public_id}", response={200: PersonOut, 404: ErrorOut}, auth=None)
def public_person(request, public_id: str):
    """某人历次上榜(仅其同意公开姓名的各次)。"""
    if len(public_id) > 20:
        raise errors.NotFound()
    return queries.person_history(public_id)
