"""Every write of the good-people board: a nomination and its steps (the pure machine in `flow`), the
nominee's consent, supporting materials, objections during the public notice, the yearly listing.

Each action checks its input before it writes anything, runs in one transaction with its audit event and
locks the nomination row for a step, so an objection lodged in the same instant as a listing is either
in before it (and blocks it) or refused after it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from civicgrid.core import audit, clock, crypto, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.inputs import is_blank
from civicgrid.core.scoping import can, get_visible, grant_for, require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.recognition import flow
from civicgrid.recognition.choices import (
    Category,
    ConsentSource,
    ObjectionOutcome,
    ObjectionStatus,
    Period,
    Source,
    State,
)
from civicgrid.recognition.models import (
    ConsentRecord,
    Honoree,
    Listing,
    Material,
    Nomination,
    NominationEvent,
    Objection,
)

VIEW, NOMINATE = "recognition.view_nomination", "recognition.nominate"
VERIFY, REVIEW = "recognition.verify_nomination", "recognition.review_nomination"
PHONE = re.compile(r"^1[3-9]\d{9}$")
MAX_MATERIALS = 6
PDF = "application/pdf"


def today() -> date:
    return timezone.localtime(clock.now()).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def phone_hash(value: str) -> str:
    return crypto.lookup_hash(value, purpose="phone")


def _text(value: str, *, limit: int, code: str, label: str) -> str:
    value = (value or "").strip()
    if is_blank(value):
        raise errors.ValidationFailed(f"请填写{label}", code=code)
    if len(value) > limit:
        raise errors.ValidationFailed(f"{label}最多 {limit} 个字", code=f"{code.removesuffix('_required')}_too_long")
    return value


def _phone(value: str, code: str = "phone_invalid") -> str:
    value = (value or "").strip()
    if not PHONE.match(value):
        raise errors.ValidationFailed("手机号码应为 11 位数字,以 1 开头", code=code)
    return value


# --- uploads ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def clean_material(data: bytes) -> CleanFile:
    """A photo (re-encoded by the case photo helper: type from the bytes, metadata stripped) or a PDF
    (type from its header, size limited); anything else is 422 `material_type_unsupported`."""
    from civicgrid.cases.uploads import photos

    if photos.sniff(data[:16]):
        photo = photos.clean(data)
        return CleanFile(photo.content, photo.content_type, photo.extension, photo.sha256)
    if data[:5] == b"%PDF-":
        limit = settings.RECOGNITION_MAX_MATERIAL_BYTES
        if len(data) > limit:
            raise errors.ValidationFailed(f"材料过大(最大 {limit // (1024 * 1024)} MB)", code="material_too_large")
        return CleanFile(bytes(data), PDF, "pdf", hashlib.sha256(data).hexdigest())
    raise errors.ValidationFailed("证明材料只能是照片(JPEG、PNG、WebP)或 PDF 文件", code="material_type_unsupported")


def _store_material(nomination: Nomination, item: CleanFile, actor) -> Material:
    material = Material(nomination=nomination, content_type=item.content_type, size=len(item.content),
                        sha256=item.sha256, uploaded_by=actor)
    material.file.save(f"{item.sha256[:16]}.{item.extension}", ContentFile(item.content), save=False)
    material.save()
    return material


def _event(nomination: Nomination, *, action: str, from_state: str, actor, comment: str = "") -> NominationEvent:
    seq = nomination.events.count() + 1  # the nomination row is locked (or new) in this transaction
    return NominationEvent.objects.create(nomination=nomination, seq=seq, action=action, from_state=from_state,
                                          to_state=nomination.state, actor=actor, comment=comment[:300],
                                          at=clock.now())


# --- submitting -----------------------------------------------------------------------------------------

@dataclass
class NominationInput:
    source: str  # Source: self or other
    nominee_name: str
    nominee_phone: str
    region_code: str  # the community (社区) where the deeds were done or the nominee lives
    category: str
    title: str
    story: str
    consent_name: bool = False
    consent_photo: bool = False
    consent_story: bool = False
    relation: str = ""
    photo: bytes | None = None
    materials: list[bytes] = field(default_factory=list)


def _community(actor, code: str) -> Region:
    region = Region.objects.filter(code=code, level=RegionLevel.COMMUNITY, is_active=True).first()
    if region is None:
        raise errors.ValidationFailed("请选择所在社区", code="region_unknown")
    grant = grant_for(actor, NOMINATE)
    if grant.region_codes and not grant.unrestricted and not grant.covers_code(region.code):
        raise errors.NotFound("社区不存在或不在您的工作范围内", code="region_out_of_scope")
    return region


def submit_nomination(*, actor, data: NominationInput, idempotency_key: str | None = None) -> Nomination:
    """A nomination by others or by oneself. The nominee's consent to publish the story is required
    (422 `consent_required`); name and photo are published only with their own consent."""
    require(actor, NOMINATE)
    if data.source not in Source.values:
        raise errors.ValidationFailed("请选择自荐或推荐他人", code="source_invalid")
    if data.category not in Category.values:
        raise errors.ValidationFailed("请选择类别:助人为乐、见义勇为、诚实守信、敬业奉献或孝老爱亲", code="category_invalid")
    if not data.consent_story:
        raise errors.ValidationFailed("须取得被推荐人本人同意公开其事迹,才能推荐", code="consent_required")
    name = _text(data.nominee_name, limit=50, code="nominee_name_required", label="被推荐人姓名")
    phone = _phone(data.nominee_phone)
    title = _text(data.title, limit=60, code="title_required", label="事迹标题")
    story = _text(data.story, limit=3000, code="story_required", label="事迹")
    region = _community(actor, data.region_code)
    if len(data.materials) > MAX_MATERIALS:
        raise errors.ValidationFailed(f"证明材料最多 {MAX_MATERIALS} 份", code="too_many_materials")
    materials = [clean_material(raw) for raw in data.materials]  # every file checked before anything is written
    portrait = None
    if data.photo:
        from civicgrid.cases.uploads import photos

        portrait = photos.clean(data.photo)
    nominator_name = (getattr(actor, "display_name", "") or actor.get_username())[:50]
    consent_source = ConsentSource.NOMINEE if data.source == Source.SELF else ConsentSource.NOMINATOR

    def create() -> Nomination:
        key = phone_hash(phone)
        honoree = Honoree.objects.select_for_update().filter(phone_hash=key).first()
        if honoree is None:
            honoree = Honoree.objects.create(name=name, phone=phone, phone_hash=key,
                                             user=actor if data.source == Source.SELF else None)
        elif data.source == Source.SELF and honoree.user_id not in (None, actor.pk):
            raise errors.Conflict("该手机号已属于另一位被推荐人", code="nominee_phone_taken")
        else:
            honoree.name = name
            if data.source == Source.SELF:
                honoree.user = actor
            honoree.save(update_fields=["name", "user"])
        if data.source == Source.SELF and Nomination.objects.filter(
                honoree=honoree, state__in=[State.SUBMITTED, State.VERIFIED, State.NOTICE]).exists():
            raise errors.Conflict("您已有一份正在办理的自荐,请等待结果", code="nomination_open")
        now = clock.now()
        nomination = Nomination(
            honoree=honoree, source=data.source, nominator=actor, nominator_name=nominator_name,
            relation=(data.relation or "").strip()[:30], region=region, category=data.category, title=title,
            story=story, consent_name=bool(data.consent_name), consent_photo=bool(data.consent_photo),
            consent_story=True, consent_source=consent_source, created_at=now, updated_at=now)
        if portrait is not None:
            nomination.photo_type = portrait.content_type
            nomination.photo.save(f"{portrait.sha256[:16]}.{portrait.extension}", ContentFile(portrait.content),
                                  save=False)
        nomination.save()
        ConsentRecord.objects.create(nomination=nomination, name=nomination.consent_name,
                                     photo=nomination.consent_photo, story=True, source=consent_source,
                                     recorded_by=actor, recorded_at=now)
        for item in materials:
            _store_material(nomination, item, actor)
        _event(nomination, action="submit", from_state="", actor=actor)
        audit.record(actor=actor, action="recognition.submit_nomination", obj=nomination,
                     details={"source": data.source, "category": data.category, "region": region.code,
                              "materials": len(materials)})
        return nomination

    with transaction.atomic():
        nomination, _ = run_once(key=idempotency_key, actor=actor, action="recognition.submit_nomination",
                                 model=Nomination, create=create, body=data)
    return nomination


def add_material(*, actor, nomination_id: int, data: bytes) -> Material:
    """Add a supporting material while the nomination is still being verified."""
    nomination = get_visible(Nomination.objects, actor, VIEW, pk=nomination_id)
    if not (nomination.nominator_id == actor.pk or can(actor, VERIFY, nomination) or can(actor, REVIEW, nomination)):
        require(actor, VERIFY, nomination)
    item = clean_material(data)
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.state not in (State.SUBMITTED, State.VERIFIED):
            raise errors.Conflict("审核通过后不能再补充材料", code="materials_closed")
        if nomination.materials.count() >= MAX_MATERIALS:
            raise errors.ValidationFailed(f"证明材料最多 {MAX_MATERIALS} 份", code="too_many_materials")
        material = _store_material(nomination, item, actor)
        audit.record(actor=actor, action="recognition.add_material", obj=material,
                     details={"nomination": nomination.pk, "type": item.content_type})
    return material


# --- steps ----------------------------------------------------------------------------------------------

def roles_of(actor, nomination: Nomination) -> frozenset[str]:
    roles = set()
    if can(actor, VERIFY, nomination):
        roles.add(flow.COMMUNITY)
    if can(actor, REVIEW, nomination):
        roles.add(flow.OFFICE)
    if nomination.nominator_id == getattr(actor, "pk", None):
        roles.add(flow.NOMINATOR)
    return frozenset(roles)


def _facts(nomination: Nomination) -> flow.Facts:
    over = nomination.notice_end is not None and today() > nomination.notice_end
    open_count = nomination.objections.filter(status=ObjectionStatus.OPEN).count()
    return flow.Facts(notice_over=over, open_objections=open_count)


def _apply(nomination: Nomination, action: str, roles) -> flow.Transition:
    try:
        return flow.apply(nomination.state, action, roles, _facts(nomination))
    except flow.FlowError as exc:
        if exc.kind == "role":
            raise errors.Forbidden(exc.message, code=exc.code) from None
        if exc.code == "unknown_action":
            raise errors.ValidationFailed(exc.message, code=exc.code) from None
        raise errors.Conflict(exc.message, code=exc.code, details={"state": nomination.state}) from None


@dataclass(frozen=True)
class Consent:
    name: bool
    photo: bool
    story: bool


def _set_consent(nomination: Nomination, consent: Consent, *, source: str, actor) -> None:
    nomination.consent_name, nomination.consent_photo = consent.name, consent.photo
    nomination.consent_story = consent.story
    nomination.consent_source = source
    ConsentRecord.objects.create(nomination=nomination, name=consent.name, photo=consent.photo,
                                 story=consent.story, source=source, recorded_by=actor, recorded_at=clock.now())


def transition_nomination(*, actor, nomination_id: int, action: str, comment: str = "",
                          consent: Consent | None = None, month: date | None = None) -> Nomination:
    """One step of the nomination machine. `verify` of a nomination by others records the consent the
    community confirmed with the nominee (`consent`, story required); `reject` needs a reason; `list`
    puts it on the board of `month` (default: this month)."""
    nomination = get_visible(Nomination.objects.select_related("honoree", "region"), actor, VIEW, pk=nomination_id)
    roles = roles_of(actor, nomination)
    _apply(nomination, action, roles)  # refuse early, before any input check; repeated under the lock
    comment = (comment or "").strip()
    if action == "reject" and is_blank(comment):
        raise errors.ValidationFailed("请填写未通过的原因", code="reason_required")
    if action == "verify":
        if consent is None and nomination.consent_source == ConsentSource.NOMINATOR:
            raise errors.ValidationFailed("请与被推荐人当面确认同意公开的内容(姓名、照片、事迹)",
                                          code="consent_confirmation_required")
        if consent is not None and not consent.story:
            raise errors.ValidationFailed("被推荐人不同意公开事迹,不能继续推荐", code="consent_required")
    listed_month = month_start(month or today())
    if action == "list" and listed_month > month_start(today()):
        raise errors.ValidationFailed("不能上未来月份的榜", code="month_in_future")
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().select_related("honoree", "region").get(pk=nomination.pk)
        before = nomination.state
        transition = _apply(nomination, action, roles)
        nomination.state = transition.target
        nomination.updated_at = clock.now()
        details: dict = {"from": before, "to": transition.target}
        if action == "verify" and consent is not None:
            _set_consent(nomination, consent, source=ConsentSource.COMMUNITY, actor=actor)
            details["consent"] = {"name": consent.name, "photo": consent.photo, "story": consent.story}
        if action == "approve":
            nomination.notice_start = today()
            nomination.notice_end = today() + timedelta(days=settings.RECOGNITION_NOTICE_DAYS - 1)
            details["notice_end"] = nomination.notice_end.isoformat()
        if action == "reject":
            nomination.decision_note = comment[:300]
        if action == "list":
            nomination.listed_month = listed_month
            Listing.objects.create(nomination=nomination, period=Period.MONTH, period_start=listed_month,
                                   listed_by=actor, listed_at=clock.now())
            details["month"] = listed_month.isoformat()[:7]
        nomination.save()
        _event(nomination, action=action, from_state=before, actor=actor, comment=comment)
        audit.record(actor=actor, action=f"recognition.{action}_nomination", obj=nomination, details=details)
    return nomination


def change_consent(*, actor, nomination_id: int, consent: Consent) -> Nomination:
    """The nominee changes what may be published (on their own account, or as told to the community);
    a public page follows at once. Without consent to the story a nomination not yet listed is withdrawn
    from the process: 422 `consent_required` asks to withdraw or reject it instead."""
    nomination = get_visible(Nomination.objects.select_related("honoree"), actor, VIEW, pk=nomination_id)
    own = nomination.honoree.user_id is not None and nomination.honoree.user_id == actor.pk
    if not own and not (can(actor, VERIFY, nomination) or can(actor, REVIEW, nomination)):
        require(actor, VERIFY, nomination)
    if not consent.story and nomination.state != State.LISTED:
        raise errors.ValidationFailed("不同意公开事迹的推荐不能继续,请撤回或由社区退回", code="consent_required")
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.state in (State.REJECTED, State.WITHDRAWN):
            raise errors.Conflict("该推荐已结束", code="nomination_closed")
        _set_consent(nomination, consent, source=ConsentSource.NOMINEE if own else ConsentSource.COMMUNITY,
                     actor=actor)
        nomination.updated_at = clock.now()
        nomination.save()
        audit.record(actor=actor, action="recognition.change_consent", obj=nomination,
                     details={"name": consent.name, "photo": consent.photo, "story": consent.story})
    return nomination


# --- objections -----------------------------------------------------------------------------------------

def lodge_objection(*, actor, nomination_id: int, contact_name: str, contact_phone: str, body: str) -> Objection:
    """Anyone, signed in or not, may object to a nomination in public notice, with a contact; after the
    notice's last day 422 `notice_period_over`. A nomination never in notice is 404."""
    nomination = Nomination.objects.filter(pk=nomination_id, notice_start__isnull=False).first()
    if nomination is None:
        raise errors.NotFound("公示不存在", code="not_found")
    name = _text(contact_name, limit=50, code="contact_name_required", label="联系人姓名")
    phone = _phone(contact_phone, code="contact_phone_invalid")
    text = _text(body, limit=2000, code="objection_required", label="异议内容")
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.state != State.NOTICE or today() > nomination.notice_end:
            raise errors.ValidationFailed("公示期已结束,不再受理异议", code="notice_period_over",
                                          details={"notice_end": nomination.notice_end.isoformat()})
        if nomination.objections.filter(contact_phone_hash=phone_hash(phone), status=ObjectionStatus.OPEN).exists():
            raise errors.Conflict("您对该候选人的异议已受理,请等待答复", code="objection_duplicate")
        signed_in = actor is not None and getattr(actor, "is_authenticated", False)
        objection = Objection.objects.create(nomination=nomination, contact_name=name, contact_phone=phone,
                                             contact_phone_hash=phone_hash(phone), body=text,
                                             lodged_by=actor if signed_in else None, lodged_at=clock.now())
        audit.record(actor=actor if signed_in else None, action="recognition.lodge_objection", obj=objection,
                     details={"nomination": nomination.pk})
    return objection


def answer_objection(*, actor, objection_id: int, outcome: str, answer: str) -> Objection:
    """The civilisation office answers an objection. Upheld: the nomination is turned down."""
    objection = get_visible(Objection.objects.select_related("nomination"), actor, VIEW, pk=objection_id)
    require(actor, REVIEW, objection.nomination)
    if outcome not in ObjectionOutcome.values:
        raise errors.ValidationFailed("请选择异议成立或不成立", code="outcome_invalid")
    text = _text(answer, limit=2000, code="answer_required", label="答复内容")
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=objection.nomination_id)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise errors.Conflict("该异议已答复", code="objection_already_answered")
        objection.status, objection.outcome, objection.answer = ObjectionStatus.ANSWERED, outcome, text
        objection.answered_by, objection.answered_at = actor, clock.now()
        objection.save()
        if outcome == ObjectionOutcome.UPHELD and nomination.state == State.NOTICE:
            before = nomination.state
            nomination.state = _apply(nomination, "reject", roles_of(actor, nomination)).target
            nomination.decision_note = f"异议成立:{text}"[:300]
            nomination.updated_at = clock.now()
            nomination.save()
            _event(nomination, action="reject", from_state=before, actor=actor, comment=nomination.decision_note)
        audit.record(actor=actor, action="recognition.answer_objection", obj=objection,
                     details={"nomination": nomination.pk, "outcome": outcome})
    return objection


# --- the yearly board -----------------------------------------------------------------------------------

def list_yearly(*, actor, year: int, nomination_ids: list[int]) -> list[Listing]:
    """Put nominations listed in `year`'s monthly boards on that year's board (年度榜); listing one twice
    changes nothing."""
    require(actor, REVIEW)
    if not 2000 <= year <= today().year:
        raise errors.ValidationFailed("年份无效", code="year_invalid")
    ids = sorted(set(nomination_ids))
    if not ids:
        raise errors.ValidationFailed("请选择上榜的推荐", code="nominations_required")
    visible = Nomination.objects.visible_to(actor, REVIEW).filter(pk__in=ids)
    found = {n.pk: n for n in visible}
    missing = [i for i in ids if i not in found]
    if missing:
        raise errors.NotFound(details={"missing": missing})
    wrong = [n.pk for n in found.values() if n.state != State.LISTED or n.listed_month.year != year]
    if wrong:
        raise errors.ValidationFailed(f"只有 {year} 年月度榜上的推荐可以上年度榜", code="not_listed_that_year",
                                      details={"nominations": wrong})
    start = date(year, 1, 1)
    with transaction.atomic():
        rows = []
        for pk in ids:
            row, created = Listing.objects.get_or_create(nomination_id=pk, period=Period.YEAR, period_start=start,
                                                         defaults={"listed_by": actor, "listed_at": clock.now()})
            if created:
                audit.record(actor=actor, action="recognition.list_yearly", obj=row, details={"year": year})
            rows.append(row)
    return rows
