"""Our workflow states on Open311's vocabulary (docs/open311.md): the core `status` is `open` or `closed`;
the extended state (mySociety's list) travels in `extended_attributes` and in service request updates.

Pure data: one table per published workflow, keyed by state. A test holds every state of every workflow
whose case types are published (settings.OPEN311_CASE_TYPES) to a row here."""

from __future__ import annotations

# mySociety / FixMyStreet extended states
FOR_TRIAGE = "FOR_TRIAGE"
OPEN = "OPEN"
INVESTIGATING = "INVESTIGATING"
IN_PROGRESS = "IN_PROGRESS"
ACTION_SCHEDULED = "ACTION_SCHEDULED"
FIXED = "FIXED"
CLOSED = "CLOSED"
DUPLICATE = "DUPLICATE"
NOT_COUNCILS_RESPONSIBILITY = "NOT_COUNCILS_RESPONSIBILITY"
NO_FURTHER_ACTION = "NO_FURTHER_ACTION"
CANCELLED = "CANCELLED"
REOPEN = "REOPEN"

KNOWN = frozenset({FOR_TRIAGE, OPEN, INVESTIGATING, IN_PROGRESS, ACTION_SCHEDULED, FIXED, CLOSED, DUPLICATE,
                   NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION, CANCELLED, REOPEN})

# the extended states that close a request (core status `closed`)
CLOSING = frozenset({CLOSED, DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION, CANCELLED})

STATES: dict[str, dict[str, str]] = {
    "urban_event": {
        "reported": FOR_TRIAGE,  # 已上报: awaiting 立案
        "verifying": INVESTIGATING,  # 待核实: the field verifier goes to look (version 2)
        "confirmed": INVESTIGATING,  # 核实属实, awaiting 立案
        "unfounded": INVESTIGATING,  # 核实不属实, awaiting the centre's decision
        "filed": OPEN,  # 已立案
        "dispatched": ACTION_SCHEDULED,  # 已派遣 to a department
        "processing": IN_PROGRESS,  # 处置中
        "checking": FIXED,  # 待核查: the department reports it fixed
        "verified": FIXED,  # 核查通过
        "closed": CLOSED,  # 已结案
        "evaluated": CLOSED,  # 已评价
        "rejected": NO_FURTHER_ACTION,  # 不予立案
        "merged": DUPLICATE,  # 已合并
    },
    "citizen_request": {
        "received": FOR_TRIAGE,  # 已受理
        "dispatched": ACTION_SCHEDULED,  # 已派单
        "signed": ACTION_SCHEDULED,  # 已签收
        "handling": IN_PROGRESS,  # 办理中
        "suspended": INVESTIGATING,  # 已挂起
        "replied": FIXED,  # 已反馈, awaiting the call-back
        "closed": CLOSED,  # 已办结
        "answered_directly": CLOSED,  # 直接答复
        "merged": DUPLICATE,  # 已合并
    },
    "safety_hazard": {
        "found": FOR_TRIAGE,  # 已发现
        "notified": ACTION_SCHEDULED,  # 已下达整改通知
        "rectifying": IN_PROGRESS,  # 整改中
        "reviewing": FIXED,  # 待复查
        "closed": CLOSED,  # 已销号
        "dismissed": NO_FURTHER_ACTION,  # 不构成隐患
    },
}

# transitions whose update reads differently from the state they lead to
ACTIONS: dict[str, str] = {"rework": REOPEN, "return": ACTION_SCHEDULED, "unmerge": REOPEN}


def extended_state(case_type: str, state: str) -> str:
    return STATES.get(case_type, {}).get(state, OPEN)


def status(case_type: str, state: str) -> str:
    return "closed" if extended_state(case_type, state) in CLOSING else "open"


def update_state(case_type: str, action: str, to_state: str) -> str:
    """The extended state an update (one case event) announces."""
    return ACTIONS.get(action) or extended_state(case_type, to_state)


# Open311 attribute datatypes for our question types (cases.choices.QuestionType)
DATATYPES = {"text": "string", "number": "number", "date": "datetime", "choice": "singlevaluelist",
             "multi": "multivaluelist", "boolean": "singlevaluelist"}
