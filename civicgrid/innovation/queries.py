"""Reads of the innovation app. Everything starts scoped (civicgrid.core.scoping): platforms and teams are
zone-wide for holders of `innovation.view_innovation`; agreements and a challenge's private parts follow the
enterprise; the board shows every published summary (`PUBLIC_STATUSES`) zone-wide plus the reader's own
enterprises' challenges in any state. Suggestions build the pure matching's inputs from the records."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from civicgrid.core import errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.scoping import can, get_visible, grant_for, has_perm_anywhere
from civicgrid.enterprises.queries import today
from civicgrid.innovation import matching, workflow
from civicgrid.innovation.choices import (
    PUBLIC_STATUSES,
    AgreementStatus,
    ChallengeStatus,
    Field,
    PlatformKind,
)
from civicgrid.innovation.models import (
    VIEW,
    VIEW_AGREEMENT,
    VIEW_CHALLENGE,
    Agreement,
    Challenge,
    InnovationOffice,
    Platform,
    ResearchTeam,
)

REVIEW = "innovation.review_challenge"
POST = "innovation.post_challenge"
REVIEW_WORK_DAYS = 5  # the 科技创新部 reviews a posted need within 5 working days
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAX_QUERY = 50
FIELD_NAMES = dict(Field.choices)


def field_names(codes) -> list[str]:
    return [str(FIELD_NAMES.get(c, c)) for c in codes]


def day_words(day: date, on: date | None = None) -> str:
    """“12月10日(周四)”, with the year when it is not this year's (“2025年11月12日(周三)”)."""
    year = "" if day.year == (on or today()).year else f"{day.year}年"
    return f"{year}{day.month}月{day.day}日({WEEKDAYS[day.weekday()]})"


# --- platforms and teams --------------------------------------------------------------------------------

def platforms(user, *, kind: str = "", field: str = "", q: str = ""):
    qs = Platform.objects.visible_to(user, VIEW).select_related("host_enterprise", "qualification__kind")
    if kind:
        qs = qs.filter(kind=kind)
    if field:
        qs = with_field(qs, field)
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(host_organisation__icontains=q))
    kinds = Case(*(When(kind=kind, then=Value(i)) for i, kind in enumerate(PlatformKind.values)),
                 default=Value(99), output_field=IntegerField())
    return qs.order_by(kinds, "code")


def with_field(qs, field: str):
    """Rows whose `fields` list holds `field`: JSON containment on PostgreSQL, the quoted code in the JSON
    text on SQLite (which has no containment lookup); codes are from the vocabulary, so neither matches
    a part of another code."""
    from django.db import connection

    if field not in Field.values:
        return qs.none()
    if connection.vendor == "postgresql":
        return qs.filter(fields__contains=[field])
    return qs.filter(fields__icontains=f'"{field}"')


def platform_visible(user, platform_id: int) -> Platform:
    return get_visible(Platform.objects.select_related("host_enterprise"), user, VIEW, pk=platform_id)


def teams(user, *, field: str = ""):
    qs = ResearchTeam.objects.visible_to(user, VIEW).select_related("platform")
    if field:
        qs = with_field(qs, field)
    return qs.order_by("name", "id")


def team_visible(user, team_id: int) -> ResearchTeam:
    return get_visible(ResearchTeam.objects.select_related("platform"), user, VIEW, pk=team_id)


# --- agreements ------------------------------------------------------------------------------------------

def agreements(user, *, enterprise_id: int | None = None, status: str = "", field: str = ""):
    qs = Agreement.objects.visible_to(user, VIEW_AGREEMENT).select_related("enterprise", "platform")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if status:
        qs = qs.filter(status=status)
    if field:
        qs = qs.filter(field=field)
    return qs.prefetch_related("outputs").order_by("-signed_on", "-id")


def agreement_visible(user, agreement_id: int) -> Agreement:
    return get_visible(Agreement.objects.select_related("enterprise", "platform"), user, VIEW_AGREEMENT,
                       pk=agreement_id)


# --- the board and one challenge -------------------------------------------------------------------------

def board(user, *, status: str = "", field: str = "", q: str = "", mine: bool = False):
    """Published summaries zone-wide (holders of innovation.view_innovation) and, in any state, the
    challenges of the enterprises the user reaches (innovation.view_challenge)."""
    own = Challenge.objects.visible_to(user, VIEW_CHALLENGE).values("id")
    if has_perm_anywhere(user, VIEW) and not mine:
        qs = Challenge.objects.filter(Q(status__in=PUBLIC_STATUSES) | Q(id__in=own))
    else:
        qs = Challenge.objects.filter(id__in=own)
    if status:
        qs = qs.filter(status=status)
    if field:
        qs = with_field(qs, field)
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q) | Q(enterprise__name__icontains=q))
    return qs.select_related("enterprise").order_by("-posted_at", "-id")


def challenge_for(user, challenge_id: int) -> tuple[Challenge, bool]:
    """(challenge, full): full when the user reaches its enterprise (applications, choices, milestones);
    a published summary only otherwise; NotFound when neither."""
    challenge = Challenge.objects.select_related("enterprise", "enterprise__park", "department").filter(
        pk=challenge_id).first()
    if challenge is None:
        raise errors.NotFound()
    if can(user, VIEW_CHALLENGE, challenge):
        return challenge, True
    if challenge.status in PUBLIC_STATUSES and has_perm_anywhere(user, VIEW):
        return challenge, False
    raise errors.NotFound()


def applications_of(challenge: Challenge):
    return challenge.applications.select_related("team", "team__platform").order_by("applied_at", "id")


def milestones_of(challenge: Challenge):
    return challenge.milestones.order_by("seq")


def is_department(user, challenge: Challenge) -> bool:
    grant = grant_for(user, REVIEW)
    return grant.unrestricted or challenge.department_id in grant.department_ids


def moves_for(user, challenge: Challenge) -> dict:
    """What the user may do on the challenge now: the workflow moves per side, and the sides."""
    department = is_department(user, challenge)
    enterprise = can(user, POST, challenge)
    allowed = []
    for name in workflow.available(challenge.status):
        sides = workflow.MOVES[name].sides
        if name == "enterprise_choose":
            ok = enterprise and not department and challenge.department_chosen_by_id != user.pk
        elif name == "department_choose":
            ok = department and challenge.enterprise_chosen_by_id != user.pk
        else:
            ok = (department and workflow.DEPARTMENT in sides) or (enterprise and workflow.ENTERPRISE in sides)
        if name == "complete":
            ok = ok and challenge.milestones.exists() and not challenge.milestones.filter(
                achieved_on__isnull=True).exists()
        if ok:
            allowed.append(name)
    return {"moves": allowed, "department": department, "enterprise": enterprise,
            "milestones": challenge.status == ChallengeStatus.SELECTED and (department or enterprise)}


def deadline_words(challenge: Challenge, on: date | None = None) -> str:
    on = on or today()
    if challenge.status != ChallengeStatus.PUBLISHED:
        return f"揭榜截止 {day_words(challenge.deadline)}"
    left = (challenge.deadline - on).days
    if left < 0:
        return f"揭榜已于 {day_words(challenge.deadline)} 截止"
    if left == 0:
        return f"今天({day_words(challenge.deadline)})揭榜截止"
    return f"揭榜截止 {day_words(challenge.deadline)},还有 {left} 天"


def review_due(challenge: Challenge) -> datetime:
    """When the 科技创新部 should have reviewed a posted need: REVIEW_WORK_DAYS working days on."""
    return load_calendar().add(challenge.posted_at, REVIEW_WORK_DAYS, "work_days")


def review_words(challenge: Challenge, now: datetime | None = None) -> str:
    due = timezone.localtime(review_due(challenge))
    late = (now or timezone.now()) > due
    return f"{'审核已超期,应于' if late else '科技创新部预计'} {day_words(due.date())}前审核"


def innovation_office():
    return InnovationOffice.objects.select_related("department", "zone").order_by("id").first()


# --- suggestions -----------------------------------------------------------------------------------------

def _finished_and_active():
    """Per team: finished challenges by field and active (selected) challenges."""
    finished: dict[int, Counter] = defaultdict(Counter)
    active: Counter = Counter()
    rows = (Challenge.objects.filter(status__in=(ChallengeStatus.SELECTED, ChallengeStatus.COMPLETED),
                                     enterprise_choice__isnull=False, selected_at__isnull=False)
            .values_list("status", "fields", "enterprise_choice__team_id", "enterprise_choice__team__platform_id"))
    by_platform: dict[int, Counter] = defaultdict(Counter)
    platform_active: Counter = Counter()
    for status, fields, team_id, platform_id in rows:
        if status == ChallengeStatus.COMPLETED:
            finished[team_id].update(fields)
            if platform_id:
                by_platform[platform_id].update(fields)
        else:
            active[team_id] += 1
            if platform_id:
                platform_active[platform_id] += 1
    for platform_id, field, status in Agreement.objects.filter(platform__isnull=False).values_list(
            "platform_id", "field", "status"):
        if status == AgreementStatus.COMPLETED:
            by_platform[platform_id][field] += 1
        elif status == AgreementStatus.ACTIVE:
            platform_active[platform_id] += 1
    return finished, active, by_platform, platform_active


def suggestions(user, challenge: Challenge, limit: int = 5) -> dict:
    """Platforms and teams whose fields match the need, with each score's parts (matching.rank)."""
    need = matching.Need(challenge.pk, frozenset(challenge.fields), challenge.enterprise_id)
    finished, active, by_platform, platform_active = _finished_and_active()
    plats = {p.pk: p for p in platforms(user)}
    ranked_p, _ = matching.rank(need, [matching.Candidate(
        p.pk, frozenset(p.fields), p.level, dict(by_platform.get(p.pk, {})), platform_active.get(p.pk, 0), p.is_active,
        p.host_enterprise_id) for p in plats.values()], limit)
    applied = set(challenge.applications.values_list("team_id", flat=True))
    team_rows = {t.pk: t for t in teams(user)}
    ranked_t, _ = matching.rank(need, [matching.Candidate(
        t.pk, frozenset(t.fields), t.platform.level if t.platform else "", dict(finished.get(t.pk, {})),
        active.get(t.pk, 0), t.is_active) for t in team_rows.values()], limit)
    return {
        "platforms": [{"platform": plats[s.id], "score": s.score, "parts": s.parts, "common": field_names(s.common),
                       "common_codes": list(s.common)} for s in ranked_p],
        "teams": [{"team": team_rows[s.id], "score": s.score, "parts": s.parts, "common": field_names(s.common),
                   "common_codes": list(s.common), "applied": s.id in applied} for s in ranked_t],
    }


# --- the enterprise 360° page ----------------------------------------------------------------------------

def for_enterprise(user, enterprise) -> dict:
    """The innovation panel of the enterprise 360° page: its platforms, the agreements and challenges the
    user may see (scoped as everywhere else), and counts."""
    if not has_perm_anywhere(user, VIEW):
        return {"visible": False}
    hosted = list(Platform.objects.filter(host_enterprise=enterprise).order_by("kind", "code"))
    agreements_ = list(agreements(user, enterprise_id=enterprise.pk)[:10])
    challenges = list(Challenge.objects.visible_to(user, VIEW_CHALLENGE).filter(enterprise=enterprise)
                      .order_by("-posted_at")[:10])
    return {
        "visible": True, "platforms": hosted, "agreements": agreements_, "challenges": challenges,
        "can_post": can(user, POST, enterprise),
    }
