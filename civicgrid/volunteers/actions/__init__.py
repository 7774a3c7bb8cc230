"""Every write of the volunteer platform. An order's steps are case transitions (cases.actions) made in
the same transaction as the order's own rows, so the engine decides who may do what, and the order, the
case and its hash-chained events never disagree."""

from civicgrid.volunteers.actions.activities import record_activity_service
from civicgrid.volunteers.actions.batch import Outcome, Pick, accept_batch, centre_assign
from civicgrid.volunteers.actions.donations import distribute_donation, record_donation
from civicgrid.volunteers.actions.orders import (
    OrderInput,
    RecordInput,
    accept_order,
    assign_team,
    cancel_order,
    complete_order,
    decline_order,
    dispatch_order,
    log_contact,
    place_order,
    rate_order,
    return_overdue_dispatches,
    review_order,
)
from civicgrid.volunteers.actions.records import confirm_records, correct_record, issue_certificate
from civicgrid.volunteers.actions.steps import StepResult, take_step
from civicgrid.volunteers.actions.structure import (
    VolunteerInput,
    add_member,
    create_site,
    create_team,
    join_team,
    leave_team,
    register_volunteer,
    set_volunteer_status,
)

__all__ = [
    "OrderInput", "Outcome", "Pick", "RecordInput", "VolunteerInput", "accept_batch", "accept_order", "add_member",
    "assign_team", "cancel_order", "centre_assign",
    "complete_order", "confirm_records", "correct_record", "create_site", "create_team", "decline_order",
    "dispatch_order", "distribute_donation", "issue_certificate", "join_team", "leave_team", "log_contact", "place_order", "rate_order",
    "record_activity_service", "record_donation", "register_volunteer", "return_overdue_dispatches", "review_order", "set_volunteer_status",
    "StepResult", "take_step",
]
