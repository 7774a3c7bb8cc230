"""Volunteers (always masked, every profile read audit-logged), service records and certificates."""

from datetime import date, datetime, time

from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id, Latitude, Longitude, RequiredText
from civicgrid.core.masking import mask_id_number, mask_name, mask_phone
from civicgrid.volunteers import actions, certificates
from civicgrid.volunteers.api.common import ERRORS, TAGS, Blank, Cents, RecordOut
from civicgrid.volunteers.choices import VolunteerStatus
from civicgrid.volunteers.queries import certificates as certificate_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries

router = Router(tags=TAGS)


class VolunteerOut(Schema):
    id: int
    name: str
    id_number: str = Field(..., description="脱敏显示,只留首末各一位,如 2****************3")
    phone: str = Field(..., description="脱敏显示,只留后四位,如 *******0000")
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    skills: list[str]
    status: str
    service_radius_km: float
    registered_at: datetime

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class QualificationOut(Schema):
    kind: str
    number: str
    issued_by: str
    valid_until: date | None


class SlotOut(Schema):
    weekday: int = Field(..., description="0 为星期一")
    start: time
    end: time


class MembershipOut(Schema):
    team: str = Field(..., alias="team.code")
    team_name: str = Field(..., alias="team.name")
    is_leader: bool
    is_active: bool


class VolunteerDetailOut(VolunteerOut):
    qualifications: list[QualificationOut]
    availability: list[SlotOut]
    teams: list[MembershipOut]
    confirmed_hours: Cents = Field(..., description="经实践站确认的累计服务时长")
    stars: int = Field(..., description="星级(按确认时长:≥100、300、600、1000、1500 小时)")

    @staticmethod
    def resolve_qualifications(obj):
        return list(obj.qualifications.all())

    @staticmethod
    def resolve_availability(obj):
        return list(obj.availability.all())

    @staticmethod
    def resolve_teams(obj):
        return list(obj.memberships.all())

    @staticmethod
    def resolve_confirmed_hours(obj):
        return volunteer_queries.confirmed_hours(obj)

    @staticmethod
    def resolve_stars(obj):
        return certificates.stars(volunteer_queries.confirmed_hours(obj))


class MyRecordOut(RecordOut):
    order_number: str | None
    team: str = Field(..., alias="team.name")

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.case.number if obj.order_id else None


class CertificateOut(Schema):
    number: str
    volunteer_id: int
    volunteer_name: str = Field(..., alias="volunteer.name")
    issuer: str = Field(..., alias="issuer.code")
    issuer_name: str = Field(..., alias="issuer.name")
    total_hours: Cents
    record_count: int
    first_date: date | None
    last_date: date | None
    issued_at: datetime
    verify_url: str = Field(..., description="公开验证页(证明上的二维码即此地址)")
    pdf_url: str

    @staticmethod
    def resolve_verify_url(obj, context):
        return _verify_url(context["request"], obj)

    @staticmethod
    def resolve_pdf_url(obj, context):
        return context["request"].build_absolute_uri(
            reverse("api-v1:volunteer_certificate_pdf", kwargs={"number": obj.number}))


class MeOut(VolunteerDetailOut):
    records: list[MyRecordOut]
    certificates: list[CertificateOut]

    @staticmethod
    def resolve_records(obj):
        return list(volunteer_queries.volunteer_records(obj))

    @staticmethod
    def resolve_certificates(obj):
        return list(obj.certificates.select_related("volunteer", "issuer"))


def _verify_url(request, cert) -> str:
    return request.build_absolute_uri(f"/volunteers/certificates/{cert.token}/")


class QualificationIn(Schema):
    kind: str = Field(..., max_length=30, description="证书类别,见 GET /volunteers/services 的 certificate_kinds")
    number: str = Field("", max_length=60)
    issued_by: str = Field("", max_length=100)
    valid_until: date | None = Field(None, description="有效期至;不填为长期有效")


class SlotIn(Schema):
    weekday: int = Field(..., description="0 为星期一 … 6 为星期日")
    start: time
    end: time


class VolunteerIn(Schema):
    name: RequiredText = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32, description="18位公民身份号码,校验位须正确")
    phone: str = Field("", max_length=20)
    region: str = Field(..., max_length=20, description="居住/服务所在区域编码")
    skills: list[str] = Field(..., description="能提供的服务类别编码(7001–7008)")
    qualifications: list[QualificationIn] = []
    availability: list[SlotIn] = []
    service_radius_km: float = Field(5, gt=0, le=100)
    lat: Latitude | None = Field(None)
    lng: Longitude | None = Field(None)
    for_self: bool = Field(False, description="本人注册为志愿者(关联当前账号);否则为工作人员代为登记")


class VolunteerFilter(FilterSchema):
    q: Blank = Field(None, description="姓名(模糊)")
    status: VolunteerStatus | None = None
    team: Blank = Field(None, description="队伍编码(在队成员)")

    def filter_q(self, value) -> Q:
        return volunteer_queries.name_matches(value)

    def filter_team(self, value) -> Q:
        return volunteer_queries.in_team(value)


@router.get("/volunteers", response=list[VolunteerOut])
@paginate(CountItemsNext)
def list_volunteers(request, filters: Query[VolunteerFilter]):
    """本人可见范围内的志愿者(身份证号和电话脱敏)。q 按姓名模糊查询;team 为队伍编码。"""
    return filters.filter(volunteer_queries.volunteers_visible(request.auth))


@router.post("/volunteers", response={201: VolunteerDetailOut, **ERRORS})
def register_volunteer(request, payload: VolunteerIn):
    """实名注册志愿者。身份证号校验位错误 422 `id_number_checksum`;本账号已是志愿者 409 `already_registered`
    (先于身份证号检查,不论填的是什么号码);该身份证号已注册 409 `volunteer_exists`(记入审计日志,
    计入每小时查找限次,超出 429 `lookup_rate_limited`)。
    请带 `Idempotency-Key` 请求头:重试同一请求返回同一名志愿者。"""
    data = actions.VolunteerInput(
        name=payload.name, id_number=payload.id_number, phone=payload.phone, region_code=payload.region,
        skills=payload.skills, qualifications=[q.model_dump() for q in payload.qualifications],
        availability=[s.model_dump() for s in payload.availability], service_radius_km=payload.service_radius_km,
        lat=payload.lat, lng=payload.lng)
    volunteer = actions.register_volunteer(actor=request.auth, data=data,
                                           user=request.auth if payload.for_self else None,
                                           idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, volunteer_queries.volunteer_as_registered(volunteer.pk))


@router.get("/volunteers/me", response={200: MeOut, **ERRORS})
def my_profile(request):
    """本人的志愿者档案、经确认的累计时长、星级、服务记录和已出具的证明。未注册为志愿者时 404
    `not_a_volunteer`。"""
    return volunteer_queries.read_own_volunteer(request.auth)


@router.get("/volunteers/{volunteer_id}", response={200: VolunteerDetailOut, **ERRORS})
def get_volunteer(request, volunteer_id: Id):
    """志愿者详情(身份证号和电话始终脱敏);每次查看都记入审计日志。"""
    return volunteer_queries.read_volunteer(request.auth, volunteer_id)


class CertificateIn(Schema):
    site: str = Field(..., max_length=30, description="出具单位(实践中心/所/站)编码")


@router.post("/volunteers/{volunteer_id}/certificates", response={201: CertificateOut, **ERRORS})
def issue_certificate(request, volunteer_id: Id, payload: CertificateIn):
    """出具志愿服务证明(按经确认的服务记录)。没有确认时长时 422 `no_confirmed_hours`。"""
    cert = actions.issue_certificate(actor=request.auth, volunteer_id=volunteer_id, site_code=payload.site)
    return Status(201, cert)


class JoinTeamIn(Schema):
    team: str = Field(..., max_length=30, description="服务队伍编码")
    is_leader: bool = Field(False, description="任队长")


@router.post("/volunteers/{volunteer_id}/teams", response={200: MembershipOut, 201: MembershipOut, **ERRORS})
def join_team(request, volunteer_id: Id, payload: JoinTeamIn):
    """把志愿者编入服务队伍(编入后队伍所属实践站才能为其派单):201 新加入,200 已在队中(只更新队长标记)。
    自行注册、尚无队伍的志愿者只有实践中心看得到;暂停服务的志愿者 422 `volunteer_suspended`。"""
    membership, joined = actions.join_team(actor=request.auth, volunteer_id=volunteer_id, team_code=payload.team,
                                           is_leader=payload.is_leader)
    return Status(201 if joined else 200, membership)


@router.delete("/volunteers/{volunteer_id}/teams/{team_code}", response={200: MembershipOut, **ERRORS})
def leave_team(request, volunteer_id: Id, team_code: str):
    """移出服务队伍(保留服务记录,不再为该队派单,账号失去该队的志愿者角色);不在队中 422 `not_a_member`。"""
    return actions.leave_team(actor=request.auth, volunteer_id=volunteer_id, team_code=team_code)


# --- records and certificates --------------------------------------------------------------------------

class CorrectIn(Schema):
    started_at: AwareDatetime
    ended_at: AwareDatetime
    content: RequiredText = Field(..., max_length=300)
    reason: RequiredText = Field(..., max_length=200)


@router.post("/records/{record_id}/correct", response={200: RecordOut, **ERRORS})
def correct_record(request, record_id: Id, payload: CorrectIn):
    """更正服务记录:保留更正前的值和原因,记录回到“已记录”,须重新确认。"""
    return actions.correct_record(actor=request.auth, record_id=record_id, started_at=payload.started_at,
                                  ended_at=payload.ended_at, content=payload.content, reason=payload.reason)


class MaskedPersonOut(Schema):
    name: str
    id_number: str


class VerifyOut(Schema):
    number: str
    volunteer: MaskedPersonOut
    total_hours: Cents
    record_count: int
    first_date: date | None
    last_date: date | None
    issuer: str
    issued_on: date
    valid: bool


@router.get("/certificates/verify/{token}", response={200: VerifyOut, 404: ErrorOut}, auth=None)
def verify_certificate(request, token: str):
    """验证志愿服务证明(公开,无需登录):证明二维码中的验证码对应的证明信息(姓名和身份证号脱敏)。"""
    cert = certificate_queries.certificate_by_token(token)
    return {"number": cert.number,
            "volunteer": {"name": mask_name(cert.volunteer.name), "id_number": mask_id_number(cert.volunteer.id_number)},
            "total_hours": cert.total_hours, "record_count": cert.record_count, "first_date": cert.first_date,
            "last_date": cert.last_date, "issuer": cert.issuer.name,
            "issued_on": timezone.localtime(cert.issued_at).date(), "valid": True}


@router.get("/certificates/{number}/pdf", response={200: None, **ERRORS}, url_name="volunteer_certificate_pdf")
def certificate_pdf(request, number: str):
    """证明的 PDF(A4,中文字体内嵌,含验证二维码)。志愿者本人或可查看该志愿者的工作人员可下载。"""
    cert = certificate_queries.certificate_visible(request.auth, number)
    content = certificates.render_pdf(certificate_queries.certificate_document(cert, _verify_url(request, cert)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response
