"""Every write of the Open311 interface: issuing and revoking client keys, and posting a service request
(which becomes a case through the one intake, `cases.actions.submit_case`, on channel `open311`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.cases import actions as case_actions
from civicgrid.cases.choices import Channel, ContactPreference, QuestionType
from civicgrid.cases.intake import MAX_DESCRIPTION, IntakeInput
from civicgrid.core import audit, clock, confcache, crypto, errors
from civicgrid.core.ratelimit import increment
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region
from civicgrid.open311 import mapping, queries, sql
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import ApiKey, ClientUpdate

MANAGE = "open311.manage_keys"
PREFIX = "o311_"
LAST_USED_STEP = timedelta(minutes=1)


def key_hash(raw: str) -> str:
    return crypto.keyed_hash(raw.encode(), purpose="open311_key")


def issue_key(*, actor, name: str, jurisdiction_code: str = "", contact: str = "",
              rate_per_minute: int = 60) -> tuple[str, ApiKey]:
    """A new key for a client application; the raw key is returned once, only its keyed hash is kept."""
    require(actor, MANAGE)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise errors.ValidationFailed("请填写应用名称(最多60个字)", code="name_required")
    if not 1 <= rate_per_minute <= 6000:
        raise errors.ValidationFailed("每分钟请求上限须在1–6000之间", code="rate_invalid")
    try:
        region = queries.jurisdiction(jurisdiction_code)
    except Open311Error:
        raise errors.ValidationFailed("辖区编码不存在(须为本区或街道编码)", code="jurisdiction_unknown") from None
    if not actor.grant_for(MANAGE).covers_code(region.code):
        raise errors.NotFound("辖区不在您的管辖范围内", code="jurisdiction_out_of_scope")
    raw = PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        user = User(username=f"open311-{raw[5:17]}", display_name=f"接口:{name}"[:50])
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.API_CLIENT, region=region)
        key = ApiKey.objects.create(name=name, contact=(contact or "")[:120], user=user, prefix=raw[5:13],
                                    key_hash=key_hash(raw), rate_per_minute=rate_per_minute, created_by=actor)
        audit.record(actor=actor, action="open311.issue_key", obj=key,
                     details={"name": name, "jurisdiction": region.code, "rate_per_minute": rate_per_minute})
    return raw, key


def revoke_key(*, actor, key_id: int) -> ApiKey:
    require(actor, MANAGE)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id, is_active=True).select_related("user").first()
        if key is None:
            raise errors.NotFound("密钥不存在或已撤销", code="key_not_found")
        key.is_active, key.revoked_at = False, timezone.now()
        key.save(update_fields=["is_active", "revoked_at"])
        User.objects.filter(pk=key.user_id).update(is_active=False)
        audit.record(actor=actor, action="open311.revoke_key", obj=key)
    return key


def authenticate(raw: str) -> ApiKey:
    """The active key for `raw`, counted against its per-minute budget: 403 for a missing or unknown key,
    429 with Retry-After once the minute's budget is spent."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        raise Open311Error(403, "api_key is missing or invalid")
    found = sql.active_key_with_user(key_hash(raw))
    if found is None:
        raise Open311Error(403, "api_key is missing or invalid")
    key, config_version = found
    confcache.adopt(config_version)
    now = int(clock.now().timestamp())
    used = increment(f"open311:key:{key.pk}:{now // 60}", 60)
    if used > key.rate_per_minute:
        raise Open311Error(429, f"rate limit of {key.rate_per_minute} requests per minute reached",
                           headers={"Retry-After": str(60 - now % 60)})
    # "last used" to the minute: a write per request would cost every POST a second write transaction
    if key.last_used_at is None or clock.now() - key.last_used_at >= LAST_USED_STEP:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    return key


@dataclass
class Posted:
    case: object
    created: bool


def _answers(service, form) -> dict:
    """`attribute[code]` and `attribute[code][]` form fields as the category's answers."""
    types = {q["key"]: q.get("type", QuestionType.TEXT) for q in service.questions}
    answers = {}
    for field in form:
        if not field.startswith("attribute[") or not field.endswith("]"):
            continue
        code = field[len("attribute["):].removesuffix("[]").removesuffix("]")
        values = [v for v in form.getlist(field) if v != ""]
        if not values:
            continue
        kind = types.get(code)
        if kind == QuestionType.MULTI or field.endswith("[]"):
            answers[code] = values
        elif kind == QuestionType.DATE:
            answers[code] = values[0][:10]  # an Open311 datetime answers a date question with its day
        else:
            answers[code] = values[0]
    return answers


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{name} must be a finite number")
    return number


def post_request(*, key: ApiKey, form, files=(), idempotency_key: str | None = None) -> Posted:
    """POST Service Request: validated as the spec says, then one intake like every channel's."""
    region = queries.jurisdiction(form.get("jurisdiction_id", ""))
    reach = key.user.grant_for("cases.create_case")
    if not reach.covers_code(region.code):
        raise Open311Error(403, "this api_key may not post in that jurisdiction")
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    service = queries.service(code)
    lat, lng = form.get("lat", "").strip(), form.get("long", "").strip()
    address = form.get("address_string", "").strip() or form.get("address_id", "").strip()
    if bool(lat) != bool(lng):
        raise Open311Error(400, "lat and long must be given together")
    if not lat and not address:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    description = form.get("description", "").strip() or service.name
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    media_url = form.get("media_url", "").strip()
    if media_url:
        description = f"{description}\n附件链接:{media_url[:500]}"
    name = " ".join(p for p in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if p)
    phone = form.get("phone", "").strip()
    data = IntakeInput(
        description=description, channel=Channel.OPEN311, category_code=service.code,
        lat=_float("lat", lat) if lat else None, lng=_float("long", lng) if lng else None,
        address=form.get("address_string", "").strip()[:200], region_code="" if lat else region.code,
        answers=_answers(service, form), reporter_name=name[:50], reporter_phone=phone[:30],
        contact_preference=ContactPreference.PHONE if phone else ContactPreference.NONE,
        photos=[f.read() for f in files],
    )
    if data.lat is not None and not _inside(data.lng, data.lat, region):
        raise Open311Error(400, "the location is outside the jurisdiction")
    try:
        result = case_actions.submit_case(actor=key.user, data=data, idempotency_key=idempotency_key)
    except errors.NotFound as exc:
        raise Open311Error(404, str(exc), code=exc.code) from None
    except errors.Forbidden as exc:
        raise Open311Error(403, str(exc), code=exc.code) from None
    except errors.DomainError as exc:
        raise Open311Error(400, str(exc), code=exc.code) from None
    return Posted(case=result.case, created=result.created)


def _inside(lng: float, lat: float, region: Region) -> bool:
    from civicgrid.geo.locator import get_locator

    found = get_locator().locate_code(lng, lat) if -90 <= lat <= 90 and -180 <= lng <= 180 else None
    return bool(found) and found.startswith(region.code)


def post_update(*, key: ApiKey, form) -> tuple[ClientUpdate, bool]:
    """POST servicerequestupdates: a client's update on a published request, kept once per client
    `update_id` (a retry answers the first) and told to the departments handling the case."""
    from civicgrid.cases import notify

    region = queries.jurisdiction(form.get("jurisdiction_id", ""))
    client_id = form.get("update_id", "").strip()
    if not client_id or len(client_id) > 64:
        raise Open311Error(400, "update_id is required (at most 64 characters)")
    number = form.get("service_request_id", "").strip()
    if not number:
        raise Open311Error(400, "service_request_id is required")
    description = form.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    status = form.get("status", "").strip().upper().replace(" ", "_")[:40]
    if status and status not in mapping.KNOWN:
        raise Open311Error(400, f"status {status!r} is not an Open311 extended state")
    when = queries.parse_datetime("updated_datetime", form.get("updated_datetime", ""))
    with transaction.atomic():
        case = queries.public_cases(region).select_for_update(of=("self",)).filter(number=number).first()
        if case is None:
            raise Open311Error(404, f"service_request_id {number!r} not found")
        update, created = ClientUpdate.objects.get_or_create(key=key, client_update_id=client_id, defaults={
            "case": case, "status": status, "description": description, "updated_at": when,
            "media_url": form.get("media_url", "").strip()[:500]})
        if created:
            departments = [case.department_id, *case.case_departments.values_list("department_id", flat=True)]
            notify.notify_ids(notify.department_handler_ids([d for d in departments if d]), case, "open311_update",
                              f"{case.number} 收到 {key.name} 的更新:{description[:120] or status}")
            audit.record(actor=key.user, action="open311.post_update", obj=update,
                         details={"case": case.number, "status": status})
    return update, created
