"""Data-subject rights: a copy of one's data, and anonymisation when retention ends (PIPL arts. 45, 47)."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicgrid.core import audit, errors
from civicgrid.core.scoping import require
from civicgrid.privacy import subject

ANONYMOUS_NAME = "已注销用户"


def export_own_data(*, actor) -> dict:
    if not getattr(actor, "is_authenticated", False):
        raise errors.Unauthenticated()
    data = subject.gather(actor)
    audit.record(actor=actor, action="privacy.export_own", obj=actor, fields="all")
    return data


def export_subject_data(*, actor, subject_id: int, reason: str) -> dict:
    """Staff prepare the copy for a resident who asked in person or in writing; the reason is logged."""
    require(actor, "privacy.export_subject_data")
    if len(reason.strip()) < 4:
        raise errors.ValidationFailed("请填写导出事由(如:居民本人书面申请及编号)", code="reason_required")
    user = apps.get_model("accounts", "User").objects.filter(pk=subject_id).first()
    if user is None:
        raise errors.NotFound("没有这个账号")
    data = subject.gather(user)
    audit.record(actor=actor, action="privacy.export_subject", obj=user, fields="all", reason=reason.strip())
    return data


def _days(rule: str) -> timedelta:
    return timedelta(days=settings.PRIVACY_RETENTION_DAYS[rule])


def anonymise_expired(*, now=None, limit: int = 500) -> dict[str, int]:
    """Anonymise in place what has passed its retention (settings.PRIVACY_RETENTION_DAYS); at most `limit`
    records per rule a run, so a daily job catches up in steps. Case records themselves are kept (legal
    retention): only the reporter's identity goes."""
    from civicgrid.cases import actions as case_actions

    now = now or timezone.now()
    done = {"cases": 0, "accounts": 0, "bookings": 0, "requests": 0}
    Case = apps.get_model("cases", "Case")
    due = (Case.objects.filter(is_open=False, closed_at__lt=now - _days("cases"))
           .exclude(reporter__isnull=True, reporter_name="", reporter_phone="").values_list("pk", flat=True))
    for pk in list(due[:limit]):
        done["cases"] += case_actions.anonymise_reporter(case_id=pk, reason="retention", now=now)
    done["accounts"] = _anonymise_accounts(now - _days("accounts"), limit)
    Booking = apps.get_model("publicservice", "Booking")
    with transaction.atomic():
        stale = Booking.objects.filter(created_at__lt=now - _days("bookings")).exclude(name="", phone="")
        pks = list(stale.values_list("pk", flat=True)[:limit])
        done["bookings"] = Booking.objects.filter(pk__in=pks).update(name="", phone="")
    ServiceRequest = apps.get_model("publicservice", "ServiceRequest")
    with transaction.atomic():
        stale = (ServiceRequest.objects.filter(case__closed_at__lt=now - _days("requests"))
                 .exclude(applicant_name="", phone="", mail_address=""))
        pks = list(stale.values_list("pk", flat=True)[:limit])
        done["requests"] = ServiceRequest.objects.filter(pk__in=pks).update(applicant_name="", phone="",
                                                                            mail_address="")
    if any(done.values()):
        audit.record(actor=None, action="privacy.anonymise_expired", object_type="privacy.retention",
                     details=done)
    return done


def _anonymise_accounts(before, limit: int) -> int:
    """Resident accounts switched off before `before` (and not used since) lose name, phone and e-mail;
    the row stays, since cases and audit entries refer to it."""
    User = apps.get_model("accounts", "User")
    staff = User.objects.filter(assignments__is_active=True).exclude(assignments__role="resident")
    stale = (User.objects.filter(is_active=False, date_joined__lt=before)
             .exclude(last_login__gte=before).exclude(pk__in=staff.values("pk"))
             .exclude(username__startswith="anon-"))
    count = 0
    for user in stale[:limit]:
        with transaction.atomic():
            user.username = f"anon-{user.pk}"
            user.display_name, user.first_name, user.last_name, user.email = ANONYMOUS_NAME, "", "", ""
            user.phone, user.phone_hash = "", ""
            user.set_unusable_password()
            user.save()
            audit.record(actor=None, action="privacy.anonymise_account", obj=user, reason="retention",
                         fields=["username", "display_name", "email", "phone"])
        count += 1
    return count
