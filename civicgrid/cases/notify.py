"""Who hears about a case step: in-app notifications written with the change, SMS after commit."""

from __future__ import annotations

from django.db import transaction

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, Notification
from civicgrid.core import sms


def department_handlers(department_ids) -> list[User]:
    return list(User.objects.filter(is_active=True, assignments__is_active=True,
                                    assignments__role="department_handler",
                                    assignments__department_id__in=list(department_ids)).distinct())


def notify_ids(user_ids, case: Case, kind: str, text: str, *, skip=None) -> None:
    skip_id = getattr(skip, "pk", None)
    Notification.objects.bulk_create([Notification(user_id=uid, case=case, kind=kind, text=text[:300])
                                      for uid in dict.fromkeys(user_ids) if uid != skip_id])


def notify(users, case: Case, kind: str, text: str, *, skip=None) -> None:
    seen = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or (skip is not None and user.pk == skip.pk):
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, case=case, kind=kind, text=text[:300]))
    Notification.objects.bulk_create(rows)


def notify_reporter(case: Case, kind: str, text: str) -> None:
    """The reporter (and the reporters of cases merged into this one) hear about progress."""
    reporters = [case.reporter] + [c.reporter for c in case.merged.select_related("reporter")]
    notify([r for r in reporters if r is not None], case, kind, text)
    if case.contact_preference == "sms" and case.reporter_phone and not case.is_anonymous:
        phone = case.reporter_phone
        transaction.on_commit(lambda: sms.send(phone, f"【基层治理】您反映的问题({case.number}){text}"))

