"""A team's own service activity (文明实践活动: a weekly visit to the elderly, a clean-up, a lecture) outside
any resident order. 谁组织谁记录、谁记录谁证明: the station that organised it records who served and for how
long, and its record is the confirmation — the hours count towards stars and certificates at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import require
from civicgrid.volunteers.actions.orders import _hours
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import Membership, ServiceRecord, Team

MAX_ACTIVITY = timedelta(hours=12)
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead


def _check_times(started_at: datetime, ended_at: datetime, now: datetime) -> None:
    if timezone.is_naive(started_at) or timezone.is_naive(ended_at):
        raise errors.ValidationFailed("服务时间须带时区", code="time_naive")
    for wrong, message, code in (
        (ended_at <= started_at, "服务结束时间须晚于开始时间", "record_reversed"),
        (ended_at - started_at > MAX_ACTIVITY, "一次活动的服务时长不超过12小时", "record_too_long"),
        (ended_at > now + CLOCK_SKEW, "活动尚未结束,不能记录服务时长", "record_in_future"),
    ):
        if wrong:
            raise errors.ValidationFailed(message, code=code)


def record_activity_service(*, actor, team_code: str, started_at: datetime, ended_at: datetime, content: str,
                            volunteer_ids: list[int]) -> list[ServiceRecord]:
    """Record and confirm the service of the team's members who took part in one activity: one record each,
    the same times. The activity is over (not in the future), lasts at most 12 hours, every volunteer is
    an active member, and no one's record overlaps another of theirs; nothing is written when one is wrong."""
    team = Team.objects.select_related("site").filter(code=(team_code or "").strip(), is_active=True).first()
    if team is None:
        raise errors.ValidationFailed("服务队不存在或已停用", code="team_unknown")
    require(actor, "volunteers.confirm_service", team)
    content = (content or "").strip()
    if not content:
        raise errors.ValidationFailed("请填写活动内容", code="content_required")
    now = clock.now()
    _check_times(started_at, ended_at, now)
    ids = list(dict.fromkeys(volunteer_ids or ()))
    if not ids:
        raise errors.ValidationFailed("请选择参加活动的志愿者", code="records_required")
    members = set(Membership.objects.filter(team=team, is_active=True, volunteer_id__in=ids)
                  .values_list("volunteer_id", flat=True))
    outsiders = [v for v in ids if v not in members]
    if outsiders:
        raise errors.ValidationFailed("只能为本队在册志愿者记录时长", code="record_volunteer_not_member",
                                      details={"volunteer_ids": outsiders})
    with transaction.atomic():
        clash = (ServiceRecord.objects.filter(volunteer_id__in=ids, started_at__lt=ended_at, ended_at__gt=started_at)
                 .exclude(status=RecordStatus.DISPUTED).values_list("volunteer_id", flat=True).first())
        if clash is not None:
            raise errors.ValidationFailed("该志愿者在这段时间已有服务记录(时间重叠)", code="record_overlap",
                                          details={"volunteer_id": clash})
        hours = _hours(started_at, ended_at)
        records = ServiceRecord.objects.bulk_create([
            ServiceRecord(volunteer_id=v, order=None, team=team, started_at=started_at, ended_at=ended_at, hours=hours,
                          content=content[:300], status=RecordStatus.CONFIRMED, recorded_by=actor, recorded_at=now,
                          confirmed_by=actor, confirmed_at=now)
            for v in ids])
        audit.record(actor=actor, action="volunteers.record_activity_service", obj=team,
                     details={"volunteers": ids, "started_at": started_at.isoformat(), "hours": str(hours),
                              "content": content[:100]})
    return records
