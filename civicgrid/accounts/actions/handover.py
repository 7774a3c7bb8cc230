"""Hand-over when a field worker leaves (人员交接): their micro-grid or grid, and with it every open case
there, and the key persons they look after, move to a successor; one audit entry says what moved.

A case reaches its field workers through their region assignment (cases.routing), so moving the assignment
moves the worker's cases; the key persons name their worker (gridops.fieldwork.KeyPersonAssignment). The
models of those apps are read through the app registry: accounts sits below them and imports neither."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import transaction
from django.db.models import Q

from civicgrid.accounts.actions.admin import set_user_active
from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import FIELD_ROLES
from civicgrid.core import audit, confcache, errors, sms
from civicgrid.core.scoping import grant_for, require

REASON_MAX = 200


@dataclass
class OpenTasks:
    assignments: list[RoleAssignment] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    key_person_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.case_ids) + len(self.key_person_ids)


def _cases():
    return apps.get_model("cases", "Case")


def _key_persons():
    return apps.get_model("fieldwork", "KeyPersonAssignment")


def open_tasks(user: User) -> OpenTasks:
    """What a leaving worker leaves behind: their field assignments, the open cases in those regions, the
    key persons they are responsible for."""
    assignments = list(RoleAssignment.objects.filter(user=user, is_active=True, role__in=FIELD_ROLES)
                       .select_related("region"))
    tasks = OpenTasks(assignments=assignments)
    codes = [a.region.code for a in assignments if a.region_id]
    if codes:
        where = reduce(or_, [Q(region__code__startswith=code) for code in codes])
        tasks.case_ids = list(_cases().objects.filter(where, is_open=True).order_by("id").values_list("id", flat=True))
    tasks.key_person_ids = list(_key_persons().objects.filter(responsible_worker=user, is_active=True)
                                .order_by("id").values_list("id", flat=True))
    return tasks


def open_tasks_for(users: list[User]) -> dict[int, OpenTasks]:
    """`open_tasks` of many workers in three queries, whatever their number (the hand-over list)."""
    tasks = {user.pk: OpenTasks() for user in users}
    for assignment in (RoleAssignment.objects.filter(user__in=users, is_active=True, role__in=FIELD_ROLES)
                       .select_related("region").order_by("pk")):
        tasks[assignment.user_id].assignments.append(assignment)
    holders: dict[str, set[int]] = {}  # region code -> the workers assigned there
    for user_id, t in tasks.items():
        for a in t.assignments:
            if a.region_id:
                holders.setdefault(a.region.code, set()).add(user_id)
    if holders:
        where = reduce(or_, [Q(region__code__startswith=code) for code in sorted(holders)])
        lengths = {len(code) for code in holders}
        open_cases = _cases().objects.filter(where, is_open=True).order_by("id").values_list("id", "region__code")
        for case_id, region_code in open_cases:  # a code's prefixes are its ancestors
            for user_id in set().union(*(holders.get(region_code[:n], set()) for n in lengths)):
                tasks[user_id].case_ids.append(case_id)
    for key_person_id, worker_id in (_key_persons().objects.filter(responsible_worker__in=users, is_active=True)
                                     .order_by("id").values_list("id", "responsible_worker_id")):
        tasks[worker_id].key_person_ids.append(key_person_id)
    return tasks


def hand_over(*, actor: User, leaver: User, successor: User, reason: str = "") -> OpenTasks:
    """Move `leaver`'s field assignments and key persons to `successor`. The actor (a grid worker for their
    grid's micro-grid workers, a community admin, or the system administrator) must reach the leaver, the
    successor and every region that moves; nobody hands work to themself."""
    require(actor, "accounts.hand_over", leaver)
    require(actor, "accounts.view_user", successor)
    reason = (reason or "").strip()[:REASON_MAX]
    if successor.pk == leaver.pk:
        raise errors.ValidationFailed("接替人不能是离岗人员本人", code="successor_is_leaver")
    if successor.pk == actor.pk:
        raise errors.Conflict("不能把任务交接给自己:请选择其他接替人", code="self_assignment")
    if not successor.is_active:
        raise errors.Conflict("接替人的账号已停用", code="successor_inactive")
    tasks = open_tasks(leaver)
    if not tasks.assignments and not tasks.key_person_ids:
        raise errors.Conflict("该人员没有需要交接的网格或任务", code="nothing_to_hand_over")
    grant = grant_for(actor, "accounts.hand_over")
    outside = [a.region.name for a in tasks.assignments if not grant.covers_code(a.region.code)]
    if outside:
        raise errors.NotFound("以下区域不在您的管辖范围内:" + "、".join(outside), code="region_out_of_scope")
    moved = []
    with transaction.atomic():
        for assignment in tasks.assignments:
            RoleAssignment.objects.update_or_create(user=successor, role=assignment.role, region=assignment.region,
                                                    department=None, defaults={"is_active": True})
            assignment.is_active = False
            assignment.save(update_fields=["is_active"])
            moved.append({"role": assignment.role, "region": assignment.region.code})
        _key_persons().objects.filter(pk__in=tasks.key_person_ids).update(responsible_worker=successor)
        confcache.bump()  # the workers of a place are cached
        audit.record(actor=actor, action="accounts.hand_over", obj=leaver, reason=reason, details={
            "successor": successor.username, "assignments": moved, "open_cases": len(tasks.case_ids),
            "case_ids": tasks.case_ids[:200], "key_persons": len(tasks.key_person_ids)})
        phone, name = successor.phone, leaver.display_name or leaver.username
        text = (f"【基层治理综合服务平台】您已接替{name}的工作:{len(moved)}个网格、{len(tasks.case_ids)}件在办案件、"
                f"{len(tasks.key_person_ids)}名重点人员,请登录查看。")
        transaction.on_commit(lambda: sms.send(phone, text))
    leaver.forget_grants()
    successor.forget_grants()
    return tasks


def deactivate(*, actor: User, user: User, successor: User | None = None, reason: str = "") -> OpenTasks:
    """The system administrator's deactivation: a worker with open tasks needs a successor, who takes them
    over in the same transaction (409 `open_tasks_need_successor` without one, nothing changed)."""
    require(actor, "accounts.change_user", user)
    tasks = open_tasks(user)
    if successor is None and tasks.count:
        raise errors.Conflict(
            f"该人员还有 {len(tasks.case_ids)} 件在办案件、{len(tasks.key_person_ids)} 名重点人员未交接,请先选择接替人",
            code="open_tasks_need_successor",
            details={"open_cases": len(tasks.case_ids), "key_persons": len(tasks.key_person_ids)})
    with transaction.atomic():
        if successor is not None and (tasks.assignments or tasks.key_person_ids):
            tasks = hand_over(actor=actor, leaver=user, successor=successor, reason=reason)
        set_user_active(actor=actor, user=user, is_active=False)
    return tasks
