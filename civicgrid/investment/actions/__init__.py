"""Every write about projects, investment reports, leads and funds in place. Each function checks
permission with `require()` (NotFound outside the actor's reach, Forbidden for a reader such as the
leader) before its transaction, writes its audit record inside it, and takes an idempotency key where a
phone or a client may retry a create; a denied or invalid call changes nothing."""

from civicgrid.investment.actions.attraction import (
    FundsInput,
    LeadInput,
    advance_lead,
    create_lead,
    record_funds,
)
from civicgrid.investment.actions.projects import (
    ProjectInput,
    advance_stage,
    record_approval,
    register_project,
)
from civicgrid.investment.actions.reports import may_review, review_report, submit_report

__all__ = [
    "FundsInput", "LeadInput", "ProjectInput", "advance_lead", "advance_stage", "create_lead", "may_review",
    "record_approval", "record_funds", "register_project", "review_report", "submit_report",
]
