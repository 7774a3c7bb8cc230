"""Reads over police–grid joint work (四联): referrals both ways, joint records, the shared view of a
community's cases, and the monthly joint-work summary per community."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from civicgrid.accounts.models import Department, DepartmentKind, RoleAssignment
from civicgrid.cases.models import Case
from civicgrid.core.scoping import grant_for
from civicgrid.geo.choices import CODE_LENGTH, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.choices import JointKind, ReferralDirection, ReferralStatus
from civicgrid.gridops.fieldwork.models import JointRecord, KeyPersonFollowUp, Referral
from civicgrid.gridops.fieldwork.periods import day_bounds, month
from civicgrid.gridops.fieldwork.queries.key_persons import key_person_counts

VIEW = "fieldwork.view_joint_work"
RECORD = "fieldwork.record_joint_work"
COMMUNITY_LEN = CODE_LENGTH[RegionLevel.COMMUNITY]


def referrals_visible(user, *, direction: str = "", status: str = "", region: str = "") -> QuerySet[Referral]:
    qs = Referral.objects.visible_to(user).select_related("case__region", "police_department", "referred_by",
                                                         "replied_by")
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if region.strip():
        qs = qs.filter(case__region__code__startswith=region.strip())
    return qs.order_by("-referred_at", "-id")


def joint_records_visible(user, *, kind: str = "", region: str = "", since: date | None = None,
                          until: date | None = None) -> QuerySet[JointRecord]:
    qs = JointRecord.objects.visible_to(user).select_related("region", "recorded_by").prefetch_related(
        "police_participants", "grid_participants")
    if kind:
        qs = qs.filter(kind=kind)
    if region.strip():
        qs = qs.filter(region__code__startswith=region.strip())
    if since or until:
        lo, hi = day_bounds(since or date(2000, 1, 1), until or date(2999, 12, 30))
        qs = qs.filter(started_at__gte=lo, started_at__lt=hi)
    return qs.order_by("-started_at", "-id")


def community_cases(user, *, region: str = "", open_only: bool = True) -> QuerySet[Case]:
    """The shared view: cases of the user's communities (what cases.view_case lets them see)."""
    qs = Case.objects.visible_to(user, "cases.view_case").select_related("region", "department", "category",
                                                                        "workflow")
    if open_only:
        qs = qs.filter(is_open=True)
    if region.strip():
        qs = qs.filter(region__code__startswith=region.strip())
    return qs.order_by("-created_at", "-id")


def police_department_for(region_code: str) -> Department | None:
    """The police unit for a place: the active police department whose region contains it most closely
    (a 派出所 over its street, else the 公安分局 of the district)."""
    prefixes = [region_code[:n] for n in range(1, len(region_code) + 1)]
    return (Department.objects.filter(kind=DepartmentKind.POLICE, is_active=True, region__code__in=prefixes)
            .annotate(depth=Length("region__code")).order_by("-depth", "code").first())


def police_departments() -> QuerySet[Department]:
    return Department.objects.filter(kind=DepartmentKind.POLICE, is_active=True).order_by("code")


def police_liaison_ids(region_code: str) -> list[int]:
    """Active police liaisons whose community contains `region_code`."""
    prefixes = [region_code[:n] for n in range(1, len(region_code) + 1)]
    return list(RoleAssignment.objects.filter(role="police_liaison", is_active=True, user__is_active=True,
                                              region__code__in=prefixes).values_list("user_id", flat=True))


def communities_for(user, perm: str = VIEW) -> list[Region]:
    """The communities the user's reach for `perm` touches: the communities under a street or district
    grant, the community holding a grid or micro-grid grant."""
    grant = grant_for(user, perm)
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True).defer("boundary")
    if grant.unrestricted:
        return list(qs.order_by("code"))
    codes = [c for c in grant.region_codes]
    if not codes:
        return []
    q = Q()
    for code in codes:
        q |= Q(code=code[:COMMUNITY_LEN]) if len(code) >= COMMUNITY_LEN else Q(code__startswith=code)
    return list(qs.filter(q).order_by("code"))


def monthly_summary(user, *, day: date, today: date) -> dict:
    """The joint-work summary of the month holding `day`, one row per community the user reaches, each
    figure counted over what the user may see (a grid worker's row covers their grid only)."""
    first, last = month(day)
    lo, hi = day_bounds(first, last)
    referrals = referrals_visible(user).filter(referred_at__gte=lo, referred_at__lt=hi)
    records = JointRecord.objects.visible_to(user).filter(started_at__gte=lo, started_at__lt=hi)
    follow_ups = KeyPersonFollowUp.objects.visible_to(user).filter(contacted_at__gte=lo, contacted_at__lt=hi,
                                                                    with_police=True)
    sees_key_persons = bool(grant_for(user, "fieldwork.view_key_person"))
    rows = []
    for community in communities_for(user):
        code = community.code
        mine = referrals.filter(case__region__code__startswith=code)
        to_police = dict(mine.filter(direction=ReferralDirection.TO_POLICE).values_list("status")
                         .annotate(n=Count("id")).order_by())
        from_police = mine.filter(direction=ReferralDirection.FROM_POLICE)
        kinds = dict(records.filter(region__code__startswith=code).values_list("kind").annotate(n=Count("id"))
                     .order_by())
        row = {
            "community_code": code, "community_name": community.name,
            "to_police": sum(to_police.values()),
            "to_police_accepted": to_police.get(ReferralStatus.ACCEPTED, 0),
            "to_police_declined": to_police.get(ReferralStatus.DECLINED, 0),
            "to_police_pending": to_police.get(ReferralStatus.PENDING, 0),
            "from_police": from_police.count(),
            "from_police_closed": from_police.filter(case__is_open=False).count(),
            "joint_total": sum(kinds.values()),
            **{f"joint_{kind}": kinds.get(kind, 0) for kind in JointKind.values},
            "key_persons": None, "key_persons_overdue": None, "follow_ups_with_police": None,
        }
        if sees_key_persons:
            counts = key_person_counts(user, today=today, region=code)
            row.update(key_persons=counts["total"], key_persons_overdue=counts["overdue"],
                       follow_ups_with_police=follow_ups.filter(
                           assignment__resident__region__code__startswith=code).count())
        rows.append(row)
    numeric = [k for k in (rows[0] if rows else {}) if k not in ("community_code", "community_name")]
    totals = {k: (None if any(r[k] is None for r in rows) else sum(r[k] for r in rows)) for k in numeric}
    return {"month": first, "month_end": last, "rows": rows, "totals": totals,
            "sees_key_persons": sees_key_persons}


def present_referral(r: Referral) -> dict:
    return {
        "id": r.pk, "direction": r.direction, "direction_label": str(r.get_direction_display()),
        "case_id": r.case_id, "case_number": r.case.number, "case_title": r.case.title,
        "region_code": r.case.region.code, "region_name": r.case.region.name,
        "police_department": r.police_department.name if r.police_department_id else "",
        "police_reference": r.police_reference, "reason": r.reason, "status": r.status,
        "status_label": str(r.get_status_display()), "referred_by": str(r.referred_by) if r.referred_by_id else "",
        "referred_at": r.referred_at, "reply": r.reply, "replied_by": str(r.replied_by) if r.replied_by_id else "",
        "replied_at": r.replied_at,
    }


def present_joint_record(r: JointRecord) -> dict:
    return {
        "id": r.pk, "kind": r.kind, "kind_label": str(r.get_kind_display()), "region_code": r.region.code,
        "region_name": r.region.name, "started_at": r.started_at, "ended_at": r.ended_at, "place": r.place,
        "summary": r.summary, "police_participants": [str(u) for u in r.police_participants.all()],
        "grid_participants": [str(u) for u in r.grid_participants.all()],
        "other_participants": r.other_participants, "recorded_by": str(r.recorded_by) if r.recorded_by_id else "",
    }
