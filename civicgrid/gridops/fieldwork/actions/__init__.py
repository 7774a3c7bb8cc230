"""Every write of field work, one module per topic; each action checks `require()` before its transaction,
writes its audit record inside it, and accepts an idempotency key where a phone may retry a create.

Import from here: `from civicgrid.gridops.fieldwork import actions; actions.record_visit(...)`.
"""

from civicgrid.gridops.fieldwork.actions.activities import record_activity
from civicgrid.gridops.fieldwork.actions.joint import (
    answer_referral,
    receive_police_referral,
    record_joint_work,
    refer_case_to_police,
)
from civicgrid.gridops.fieldwork.actions.key_persons import (
    assign_key_person,
    end_key_person,
    read_key_person,
    read_key_person_list,
    record_follow_up,
)
from civicgrid.gridops.fieldwork.actions.screening import FindingInput, record_screening
from civicgrid.gridops.fieldwork.actions.visits import OpinionInput, raise_case_from_opinion, record_visit

__all__ = [
    "FindingInput", "OpinionInput", "answer_referral", "assign_key_person", "end_key_person", "raise_case_from_opinion",
    "read_key_person", "read_key_person_list", "receive_police_referral", "record_activity", "record_follow_up",
    "record_joint_work", "record_screening", "record_visit", "refer_case_to_police",
]
