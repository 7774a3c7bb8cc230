"""Police–grid joint work (四联): referrals both ways and joint patrol/check records.

A grid case referred to the police is a `Referral` (status 待接收 → 已接收/已退回) plus inbox notices to the
community's police liaisons and the handlers of the police unit; the case itself stays in its workflow
(no shipped workflow lets a co-handling department be added mid-way, and only case actions change a
case). A police referral becomes a case through `submit_case` (channel `police`) and a `Referral` linked
to it in the same transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from civicgrid.accounts.models import Department, DepartmentKind, RoleAssignment
from civicgrid.cases.actions import submit_case
from civicgrid.cases.choices import Channel
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.cases.notify import department_handler_ids, notify_ids
from civicgrid.cases.queries import case_roles
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.actions import _common
from civicgrid.gridops.fieldwork.choices import JointKind, ReferralDirection, ReferralStatus
from civicgrid.gridops.fieldwork.models import JointRecord, Referral
from civicgrid.gridops.fieldwork.queries import joint as q

VIEW, RECORD = q.VIEW, q.RECORD
# who may hand a case they work on to the police: the grid side and the police liaison (leaders only read)
REFERRER_ROLES = frozenset({"grid_worker", "micro_grid_worker", "community_admin", "street_admin", "police_liaison"})
GRID_SIDE_ROLES = ("grid_worker", "micro_grid_worker", "community_admin", "street_admin")


def _police_department(department: Department | None, region_code: str) -> Department | None:
    if department is None:
        return q.police_department_for(region_code)
    if department.kind != DepartmentKind.POLICE or not department.is_active:
        raise errors.ValidationFailed("请选择公安单位", code="department_not_police")
    return department


def refer_case_to_police(*, actor, case: Case, reason: str, department: Department | None = None,
                         idempotency_key: str | None = None) -> Referral:
    """Hand a grid case to the police (移交公安). The actor must work the case (a grid-side role or the
    police liaison over its place); one pending referral per case."""
    require(actor, VIEW, Referral(case=case))
    if not case_roles(actor, case) & REFERRER_ROLES:
        audit.record(actor=actor, action="fieldwork.refer_case_to_police", obj=case, result="denied",
                     reason="forbidden")
        raise errors.Forbidden("只有办理该案件的网格员、社区或社区民警可以移交公安", code="not_a_case_worker")
    if not case.is_open:
        raise errors.ValidationFailed("案件已办结,不能移交", code="case_closed")
    reason = _common.text(reason, label="移交事由", code="reason", max_length=1000, required=True)
    department = _police_department(department, case.region.code)
    now = clock.now()

    def create() -> Referral:
        if Referral.objects.filter(case=case, direction=ReferralDirection.TO_POLICE,
                                   status=ReferralStatus.PENDING).exists():
            raise errors.Conflict("该案件已移交公安,正在等待接收", code="referral_pending")
        referral = Referral(direction=ReferralDirection.TO_POLICE, case=case, police_department=department,
                            reason=reason, status=ReferralStatus.PENDING, referred_by=actor, referred_at=now)
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:
            raise errors.Conflict("该案件已移交公安,正在等待接收", code="referral_pending") from None
        handlers = department_handler_ids([department.pk]) if department else []
        notify_ids(q.police_liaison_ids(case.region.code) + handlers, case, "police_referral",
                   f"案件 {case.number} 移交公安:{reason[:60]}", skip=actor)
        audit.record(actor=actor, action="fieldwork.refer_case_to_police", obj=referral,
                     details={"case": case.number, "department": department.code if department else None})
        return referral

    with transaction.atomic():
        referral, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.refer_case_to_police",
                               model=Referral, create=create,
                               body={"case": case, "reason": reason, "department": department})
    return referral


def answer_referral(*, actor, referral: Referral, accept: bool, reply: str = "") -> Referral:
    """The police liaison accepts (已接收) or declines (已退回, with a reply) a referral to the police."""
    require(actor, RECORD, referral)
    reply = _common.text(reply, label="退回说明" if not accept else "回复", code="reply", max_length=1000,
                         required=not accept)
    now = clock.now()
    with transaction.atomic():
        locked = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
        if locked.direction != ReferralDirection.TO_POLICE or locked.status != ReferralStatus.PENDING:
            raise errors.Conflict("该移交已处理", code="referral_answered")
        locked.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
        locked.reply, locked.replied_by, locked.replied_at = reply, actor, now
        locked.save(update_fields=["status", "reply", "replied_by", "replied_at"])
        notify_ids([locked.referred_by_id], locked.case, "police_referral_answered",
                   f"案件 {locked.case.number} 公安{'已接收' if accept else '已退回'}{(':' + reply[:60]) if reply else ''}",
                   skip=actor)
        audit.record(actor=actor, action="fieldwork.answer_referral", obj=locked,
                     details={"case": locked.case.number, "status": locked.status})
    return locked


def receive_police_referral(
    *, actor, region: Region, description: str, category_code: str, police_reference: str = "",
    department: Department | None = None, address: str = "", urgency: str = "", idempotency_key: str | None = None,
) -> Referral:
    """A police referral (警情移交) becomes a grid case: `submit_case` with channel `police`, the police
    unit as the reporting party, and a Referral linked to the case in the same transaction."""
    require(actor, RECORD, Referral(case=Case(region=region)))
    require(actor, "cases.create_case")
    description = _common.text(description, label="移交内容", code="description", max_length=4000, required=True)
    police_reference = _common.text(police_reference, label="警情编号", code="police_reference", max_length=40)
    department = _police_department(department, region.code)

    def create() -> Referral:
        data = IntakeInput(description=description, channel=Channel.POLICE, category_code=category_code,
                           region_code=region.code, address=address.strip()[:200], urgency=urgency,
                           reporter_name=(department.name if department else "公安机关")[:50],
                           contact_preference="none")
        case = submit_case(actor=actor, data=data).case
        referral = Referral.objects.create(
            direction=ReferralDirection.FROM_POLICE, case=case, police_department=department,
            police_reference=police_reference, reason=description, status=ReferralStatus.ACCEPTED,
            referred_by=actor, referred_at=case.created_at)
        audit.record(actor=actor, action="fieldwork.receive_police_referral", obj=referral,
                     details={"case": case.number, "police_reference": police_reference})
        return referral

    with transaction.atomic():
        referral, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.receive_police_referral",
                               model=Referral, create=create,
                               body={"region": region, "description": description, "category_code": category_code,
                                     "police_reference": police_reference, "department": department,
                                     "address": address, "urgency": urgency})
    return referral


def _side(users, roles, region: Region, *, label: str, code: str) -> list:
    users = list(dict.fromkeys(users))
    if not users:
        raise errors.ValidationFailed(f"请选择{label}", code=f"{code}_required")
    prefixes = [region.code[:n] for n in range(1, len(region.code) + 1)]
    # serving the place: over it (a community) or inside it (a micro-grid of the grid)
    within = Q(region__code__in=prefixes) | Q(region__code__startswith=region.code)
    allowed = set(RoleAssignment.objects.filter(within, user__in=users, role__in=list(roles), is_active=True)
                  .values_list("user_id", flat=True))
    outside = [str(u) for u in users if u.pk not in allowed]
    if outside:
        raise errors.ValidationFailed(f"{label}须在本网格履职:{'、'.join(outside)}", code=f"{code}_not_in_scope")
    return users


def record_joint_work(
    *, actor, kind: str, region: Region, summary: str, police_participants, grid_participants, started_at=None,
    ended_at=None, place: str = "", other_participants: str = "", idempotency_key: str | None = None,
) -> JointRecord:
    """Record a joint patrol/check/mediation/visit in a grid, with at least one police liaison and one
    grid-side worker of that place among the participants."""
    require(actor, RECORD, JointRecord(region=region))
    sent = {"kind": kind, "region": region, "summary": summary, "started_at": started_at, "ended_at": ended_at,
            "place": place, "other_participants": other_participants}  # the idempotency body
    _common.field_region(region)
    kind = _common.choice(kind, JointKind, label="联动类型", code="kind")
    summary = _common.text(summary, label="工作情况", code="summary", max_length=4000, required=True)
    place = _common.text(place, label="地点", code="place", max_length=200)
    other_participants = _common.text(other_participants, label="其他参与人员", code="other_participants",
                                      max_length=200)
    now = clock.now()
    started_at = _common.moment(started_at, now, label="开始时间", code="started_at")
    if ended_at is not None:
        ended_at = _common.moment(ended_at, now, label="结束时间", code="ended_at")
    if ended_at is not None and ended_at < started_at:
        raise errors.ValidationFailed("结束时间不能早于开始时间", code="ended_before_started")
    police = _side(police_participants, ("police_liaison",), region, label="参与民警", code="police_participants")
    grid = _side(grid_participants, GRID_SIDE_ROLES, region, label="参与网格员", code="grid_participants")

    def create() -> JointRecord:
        record = JointRecord.objects.create(kind=kind, region=region, started_at=started_at, ended_at=ended_at,
                                            place=place, summary=summary, other_participants=other_participants,
                                            recorded_by=actor, created_at=now)
        record.police_participants.set(police)
        record.grid_participants.set(grid)
        audit.record(actor=actor, action="fieldwork.record_joint_work", obj=record,
                     details={"kind": kind, "region": region.code, "police": [u.pk for u in police],
                              "grid": [u.pk for u in grid]})
        return record

    with transaction.atomic():
        record, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.record_joint_work",
                             model=JointRecord, create=create,
                             body={**sent, "police": sorted(u.pk for u in police), "grid": sorted(u.pk for u in grid)})
    return record
