"""Every write to a case: intake and workflow transitions. Only these actions (and the same-day unmerge
in cases/merging.py) write Case.state.

Each action: require() before the transaction; inside it the case row is locked (select_for_update;
SQLite's IMMEDIATE transactions serialise writers), the pure engine decides, the event is appended to
the case's hash chain, the audit log is written; SMS goes out after commit.

Callers use `from civicgrid.cases import actions` and `actions.submit_case(...)`; the modules are
intake (submit_case), transitions (transition_case, the SLA sweep), attachments (photos after intake),
categories (the shipped catalogue), inbox (read marks) and retention (PIPL anonymisation).
"""

from civicgrid.cases.actions.attachments import add_photo
from civicgrid.cases.actions.categories import sync_categories
from civicgrid.cases.actions.inbox import mark_notifications_read
from civicgrid.cases.actions.intake import INTAKE_BY_APP, SELF_REPORTED, SubmitResult, submit_case
from civicgrid.cases.actions.retention import anonymise_reporter
from civicgrid.cases.actions.transitions import MANAGED_BY_APP, TransitionResult, check_sla, transition_case

__all__ = [
    "INTAKE_BY_APP", "MANAGED_BY_APP", "SELF_REPORTED", "SubmitResult", "TransitionResult", "add_photo",
    "anonymise_reporter", "check_sla", "mark_notifications_read", "submit_case", "sync_categories",
    "transition_case",
]
