"""Who hears about a case step: in-app notifications written with the change, SMS after commit."""

from __future__ import annotations

from django.db import transaction

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases import sql
from civicgrid.cases.models import Case, Notification
from civicgrid.core import sms


def department_handler_ids(department_ids) -> list[int]:
    return list(RoleAssignment.objects.filter(
        is_active=True, user__is_active=True, role="department_handler",
        department_id__in=list(department_ids)).values_list("user_id", flat=True))


def notify_ids(user_ids, case: Case, kind: str, text: str, *, skip=None) -> None:
    """One inbox entry per distinct user (None and the acting user left out)."""
    skip_id = getattr(skip, "pk", None)
    rows = [Notification(user_id=uid, case=case, kind=kind, text=text[:300])
            for uid in dict.fromkeys(user_ids) if uid is not None and uid != skip_id]
    sql.insert_notifications(rows)  # one statement, built once per row count


def notify_reporter(case: Case, kind: str, text: str) -> None:
    """The reporter hears about progress, and so do the reporters of cases merged into this one — on their
    own case, which is the one they may open."""
    notify_ids([case.reporter_id], case, kind, text)
    sms_reporter(case, text)
    for merged in sql.merged_cases(case.pk):
        if merged.reporter_id or merged.contact_preference == "sms":
            merged_text = f"(与 {case.number} 合并办理){text}"
            notify_ids([merged.reporter_id], merged, kind, merged_text)
            sms_reporter(merged, merged_text)


def sms_reporter(case: Case, text: str) -> None:
    if case.contact_preference == "sms" and case.reporter_phone and not case.is_anonymous:
        phone = case.reporter_phone
        transaction.on_commit(lambda: sms.send(phone, f"【基层治理】您反映的问题({case.number}){text}"))

