"""Service records (谁组织谁记录、谁记录谁证明) and the certificates issued over them."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from civicgrid.core import audit, clock, errors, timecheck
from civicgrid.core.scoping import get_visible, require
from civicgrid.volunteers.actions._common import _order
from civicgrid.volunteers.actions.orders import _hours, check_record_times
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import (
    PracticeSite,
    RecordCorrection,
    ServiceCertificate,
    ServiceRecord,
    Volunteer,
)

# --- service records ----------------------------------------------------------------------------------

def confirm_records(*, actor, order_id: int) -> int:
    """谁记录谁证明: the station confirms the team's records of one order; confirmed hours count. A record
    ending in the future (entered before the check existed) is refused, all records stay unconfirmed."""
    order = _order(actor, order_id)
    require(actor, "volunteers.confirm_service", order)
    now = clock.now()
    with transaction.atomic():
        pending = order.records.filter(status=RecordStatus.RECORDED)
        for record in pending.filter(ended_at__gt=timecheck.latest(now)).order_by("ended_at")[:1]:
            timecheck.not_future(record.ended_at, field="ended_at", label="服务结束时间", now=now)
        n = pending.update(status=RecordStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now)
        audit.record(actor=actor, action="volunteers.confirm_records", obj=order, details={"records": n})
    return n


def correct_record(*, actor, record_id: int, started_at: datetime, ended_at: datetime, content: str,
                   reason: str) -> ServiceRecord:
    """A correction keeps the record's previous values and the reason; the record returns to 已记录 and
    must be confirmed again."""
    record = ServiceRecord.objects.select_related("order").filter(pk=record_id).first()
    if record is None or record.order is None:
        raise errors.NotFound()
    order = _order(actor, record.order_id)
    require(actor, "volunteers.confirm_service", order)
    if not (reason or "").strip():
        raise errors.ValidationFailed("请说明更正原因", code="reason_required")
    check_record_times(order, started_at, ended_at, now=clock.now())
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().get(pk=record_id)
        before = {"started_at": record.started_at.isoformat(), "ended_at": record.ended_at.isoformat(),
                  "hours": str(record.hours), "content": record.content, "status": record.status}
        record.started_at, record.ended_at, record.content = started_at, ended_at, content[:300]
        record.hours = _hours(started_at, ended_at)
        record.status, record.confirmed_by, record.confirmed_at = RecordStatus.RECORDED, None, None
        record.save()
        after = {"started_at": started_at.isoformat(), "ended_at": ended_at.isoformat(), "hours": str(record.hours),
                 "content": record.content, "status": record.status}
        RecordCorrection.objects.create(record=record, before=before, after=after, reason=reason.strip()[:200],
                                        corrected_by=actor)
        audit.record(actor=actor, action="volunteers.correct_record", obj=record, details={"reason": reason})
    return record


def issue_certificate(*, actor, volunteer_id: int, site_code: str) -> ServiceCertificate:
    """志愿服务证明 over the volunteer's confirmed records; its number and token make it checkable."""
    require(actor, "volunteers.issue_certificate")
    volunteer = get_visible(Volunteer.objects, actor, "volunteers.view_volunteer", pk=volunteer_id)
    site = PracticeSite.objects.filter(code=site_code, is_active=True).first()
    if site is None:
        raise errors.ValidationFailed("出具单位不存在", code="site_unknown")
    require(actor, "volunteers.issue_certificate", site)  # a station issues in its own name only
    records = volunteer.records.filter(status=RecordStatus.CONFIRMED)
    figures = records.aggregate(h=Sum("hours"))
    if not figures["h"]:
        raise errors.ValidationFailed("该志愿者还没有经确认的服务记录", code="no_confirmed_hours")
    from civicgrid.volunteers.certificates import NUMBER_PREFIX, certificate_number

    # the number takes the issuer's code in ASCII letters and digits only ("S1-1" -> "S11")
    issuer_code = "".join(ch for ch in site.code if ch.isascii() and ch.isalnum()) or str(site.pk)
    today = timezone.localtime(clock.now()).date()
    with transaction.atomic():
        serial = ServiceCertificate.objects.filter(
            number__startswith=f"{NUMBER_PREFIX}-{issuer_code}-{today:%Y%m%d}-").count() + 1
        cert = ServiceCertificate.objects.create(
            number=certificate_number(issuer_code, today, serial), token=secrets.token_urlsafe(24), volunteer=volunteer,
            issuer=site, total_hours=figures["h"], record_count=records.count(),
            first_date=timezone.localtime(records.order_by("started_at").first().started_at).date(),
            last_date=timezone.localtime(records.order_by("-started_at").first().started_at).date(), issued_by=actor)
        audit.record(actor=actor, action="volunteers.issue_certificate", obj=cert,
                     details={"volunteer": volunteer.pk, "hours": str(cert.total_hours)})
    return cert
