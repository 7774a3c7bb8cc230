"""Validating an intake before anything is written: channel, category and case type, place, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from civicgrid.accounts.roles import Role
from civicgrid.cases.choices import Channel, ContactPreference, QuestionType, Urgency
from civicgrid.cases.models import Category
from civicgrid.cases.workflow import registry
from civicgrid.core import confcache, errors
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Region

MAX_DESCRIPTION = 4000

_FIELD_ROLES = frozenset({Role.MICRO_GRID_WORKER.value, Role.GRID_WORKER.value, Role.COMMUNITY_ADMIN.value,
                          Role.STREET_ADMIN.value})

# Which roles may report through which channel: the one table for the API, the report page and every action
# that opens a case. A user's default channel is the first one here they may use. A resident reports only as
# a resident (so is always the case's reporter); a channel the caller may not use is 403 channel_not_allowed.
CHANNEL_ROLES: dict[str, frozenset[str]] = {
    Channel.HOTLINE.value: frozenset({Role.DISPATCHER.value, Role.CENTRE_ADMIN.value}),  # a call taken by staff
    Channel.GRID.value: _FIELD_ROLES,
    Channel.PATROL.value: _FIELD_ROLES,
    Channel.VISIT.value: _FIELD_ROLES,
    Channel.POLICE.value: frozenset({Role.POLICE_LIAISON.value}),
    Channel.RESIDENT.value: frozenset({Role.RESIDENT.value}),
    Channel.API.value: frozenset(),  # another system: no role relays one yet
    Channel.ENTERPRISE.value: frozenset({Role.ENTERPRISE_CONTACT.value}),  # for their own enterprise
    Channel.OFFICER.value: frozenset({Role.ENTERPRISE_OFFICER.value}),
    Channel.OPEN311.value: frozenset({Role.API_CLIENT.value}),  # a client application holding an Open311 key
}


# the enterprise channels take only the enterprise case types (whose intake is civicgrid.relief's: it links
# the case to its enterprise or project in the same transaction)
ENTERPRISE_CHANNELS = frozenset({Channel.ENTERPRISE.value, Channel.OFFICER.value})
ENTERPRISE_CASE_TYPES = frozenset({"enterprise_relief", "project_blocker"})


def channels_for(user) -> list[str]:
    """The channels `user` may report through, the default first (see CHANNEL_ROLES)."""
    roles = {a.role for a in user.active_assignments()} if getattr(user, "is_authenticated", False) else set()
    return [channel for channel, allowed in CHANNEL_ROLES.items() if roles & allowed]


@dataclass
class IntakeInput:
    description: str
    channel: str = ""  # blank: the caller's default channel (channels_for)
    category_code: str = ""
    case_type: str = ""
    title: str = ""
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    region_code: str = ""
    urgency: str = ""
    answers: dict = field(default_factory=dict)
    reporter_name: str = ""
    reporter_phone: str = ""
    is_anonymous: bool = False
    contact_preference: str = ContactPreference.ONLINE
    photos: list[bytes] = field(default_factory=list)  # raw uploads; checked and stripped by cases.uploads.photos


@dataclass
class CheckedIntake:
    channel: str
    case_type: str
    category: Category | None
    region: Region
    title: str
    urgency: str
    answers: dict


def _fail(message: str, code: str, **details):
    raise errors.ValidationFailed(message, code=code, details=details or None)


def _active_regions() -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(is_active=True).defer("boundary")}


def _region(snapshot: confcache.Snapshot, code: str) -> Region | None:
    """An active region by code from the configuration snapshot (regions change rarely; read all at once,
    without their boundaries)."""
    return snapshot.get("active_regions", _active_regions).get(code)


def _place(data: IntakeInput, snapshot: confcache.Snapshot) -> Region:
    if data.lat is not None or data.lng is not None:
        if data.lat is None or data.lng is None or not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180):
            _fail("坐标无效:须同时提供纬度(-90–90)和经度(-180–180)", "location_invalid")
        code = get_locator().locate_code(data.lng, data.lat)
        if code is None:
            _fail("该位置不在本区范围内", "location_outside_district")
        region = _region(snapshot, code)
        if region is None:
            _fail("该位置不在本区范围内", "location_outside_district")
        return region
    if data.region_code:
        region = _region(snapshot, data.region_code.strip())
        if region is None:
            _fail("区域编码不存在", "region_unknown")
        return region
    _fail("请在地图上选点,或选择所在网格", "location_required")


def _answers(category: Category | None, answers: dict) -> dict:
    questions = category.questions if category is not None else []
    known = {q["key"]: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        _fail(f"未知的附加问题:{'、'.join(unknown)}", "answers_unknown", keys=unknown)
    clean = {}
    for key, q in known.items():
        value = answers.get(key)
        if value in (None, "", []):
            if q.get("required"):
                _fail(f"请回答:{q['label']}", "answer_required", key=key)
            continue
        kind = q.get("type", QuestionType.TEXT)
        try:
            if kind == QuestionType.NUMBER:
                value = float(value)
            elif kind == QuestionType.BOOLEAN:
                value = value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "是"}
            elif kind == QuestionType.DATE:
                value = date.fromisoformat(str(value)).isoformat()
            elif kind == QuestionType.CHOICE and value not in q.get("choices", []):
                raise ValueError
            elif kind == QuestionType.MULTI:
                value = [value] if isinstance(value, str) else list(value)
                if not set(value) <= set(q.get("choices", [])):
                    raise ValueError
            else:
                value = str(value)[:500]
        except (TypeError, ValueError):
            _fail(f"“{q['label']}”的回答格式不正确", "answer_invalid", key=key)
        clean[key] = value
    return clean


def _category(snapshot: confcache.Snapshot, code: str) -> Category | None:
    return snapshot.get(("category", code), lambda: Category.objects.select_related("default_department__region")
                        .filter(code=code, is_active=True).first())


# Choices' `.values` builds a new list on every access; every intake checks three of them
_CHANNELS, _CONTACT_PREFERENCES, _URGENCIES = (frozenset(c.values) for c in (Channel, ContactPreference, Urgency))


def check_channel(actor, channel: str) -> str:
    """The channel the case comes through: the one asked for if the actor's roles may use it, else 403
    channel_not_allowed; none asked for, the actor's default."""
    if channel and channel not in _CHANNELS:
        _fail(f"未知的渠道:{channel}", "channel_unknown")
    allowed = channels_for(actor)
    if not allowed or (channel and channel not in allowed):
        label = Channel(channel).label if channel else ""
        raise errors.Forbidden(f"您的岗位不能以“{label}”渠道上报" if label else "您的岗位不能上报案件",
                               code="channel_not_allowed", details={"allowed": allowed})
    return channel or allowed[0]


def check_intake(actor, data: IntakeInput, snapshot: confcache.Snapshot | None = None) -> CheckedIntake:
    snapshot = snapshot or confcache.current()
    channel = check_channel(actor, data.channel)
    description = (data.description or "").strip()
    if not description:
        _fail("请描述问题", "description_required")
    if len(description) > MAX_DESCRIPTION:
        _fail(f"描述过长(最多{MAX_DESCRIPTION}字)", "description_too_long")
    if data.contact_preference and data.contact_preference not in _CONTACT_PREFERENCES:
        _fail("联系方式选项无效", "contact_preference_unknown")
    category = None
    if data.category_code:
        category = _category(snapshot, data.category_code.strip())
        if category is None:
            _fail("问题类别不存在", "category_unknown")
    case_type = category.case_type if category is not None else data.case_type
    if not case_type:
        _fail("请选择问题类别", "category_required")
    if data.case_type and category is not None and data.case_type != category.case_type:
        _fail("问题类别与案件类型不一致", "case_type_mismatch")
    if case_type not in registry.SPECS:
        _fail(f"未知的案件类型:{case_type}", "unknown_case_type")
    if channel in ENTERPRISE_CHANNELS and case_type not in ENTERPRISE_CASE_TYPES:
        _fail("企业渠道只受理助企纾困诉求和项目堵点", "case_type_not_for_channel")
    urgency = data.urgency or (category.urgency if category is not None else Urgency.NORMAL)
    if urgency not in _URGENCIES:
        _fail("紧急程度无效", "urgency_unknown")
    title = (data.title or "").strip()[:120] or (category.name if category else "") or description[:30]
    return CheckedIntake(channel=channel, case_type=case_type, category=category, region=_place(data, snapshot),
                         title=title, urgency=urgency, answers=_answers(category, data.answers or {}))
