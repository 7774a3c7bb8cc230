"""Retention (PIPL): a closed case's reporter identity blanked when its retention has ended."""

from __future__ import annotations

from django.db import transaction

from civicgrid.cases import chain
from civicgrid.cases.actions._common import _append_event
from civicgrid.cases.models import Case
from civicgrid.core import audit


def anonymise_reporter(*, case_id: int, reason: str, now=None) -> bool:
    """Blank the reporter's identity on a closed case whose retention has ended (PIPL), keeping the case:
    the case row's reporter fields, and the name and words on the reporter's own events. The events are
    changed in place, so a tombstone event naming them goes on the chain and `chain.check_case` accepts
    them. False when there was nothing left to blank."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.is_open or not (case.reporter_id or case.reporter_name or case.reporter_phone):
            return False
        mine = case.events.filter(actor_id=case.reporter_id) if case.reporter_id else case.events.none()
        redacted = sorted(mine.values_list("seq", flat=True))
        mine.update(actor=None, actor_name="已匿名", comment="")
        case.reporter, case.reporter_name, case.reporter_phone = None, "", ""
        _append_event(case, actor=None, role="system", action=chain.ANONYMISE, source=case.state,
                      target=case.state, comment="保存期满,报告人信息已匿名化", now=now,
                      data={"redacted": redacted, "fields": ["reporter", "reporter_name", "reporter_phone"],
                            "reason": reason})
        case.save(update_fields=["reporter", "reporter_name", "reporter_phone", "event_count", "last_event_hash"])
        audit.record(actor=None, action="cases.anonymise_reporter", obj=case,
                     fields=["reporter", "reporter_name", "reporter_phone"], reason=reason)
    return True
