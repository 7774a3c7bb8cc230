"""The nomination state machine (好人榜): pure data and one pure function, no Django.

    submitted --verify (community)--> verified --approve (office)--> notice --list (office)--> listed
    submitted --reject (community)--> rejected     verified/notice --reject (office)--> rejected
    submitted/verified --withdraw (nominator)--> withdrawn

`list` needs the notice period to be over and every objection answered. The actions
(`recognition.actions`) work out the roles and facts from the records and write the result.
"""

from __future__ import annotations

from dataclasses import dataclass

SUBMITTED, VERIFIED, NOTICE, LISTED, REJECTED, WITHDRAWN = (
    "submitted", "verified", "notice", "listed", "rejected", "withdrawn")
STATES = (SUBMITTED, VERIFIED, NOTICE, LISTED, REJECTED, WITHDRAWN)
FINAL = frozenset({LISTED, REJECTED, WITHDRAWN})

COMMUNITY = "community"  # the community (社区) of the nomination's place
OFFICE = "office"  # the civilisation office (文明办)
NOMINATOR = "nominator"  # who submitted the nomination


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: str


def _t(action, sources, target, role, label) -> list[Transition]:
    return [Transition(action, source, target, frozenset({role}), label) for source in sources]


TRANSITIONS: tuple[Transition, ...] = (
    *_t("verify", (SUBMITTED,), VERIFIED, COMMUNITY, "社区核实通过"),
    *_t("reject", (SUBMITTED,), REJECTED, COMMUNITY, "社区核实未通过"),
    *_t("approve", (VERIFIED,), NOTICE, OFFICE, "文明办审核通过,开始公示"),
    *_t("reject", (VERIFIED, NOTICE), REJECTED, OFFICE, "文明办审核未通过"),
    *_t("list", (NOTICE,), LISTED, OFFICE, "公示期满,上榜"),
    *_t("withdraw", (SUBMITTED, VERIFIED), WITHDRAWN, NOMINATOR, "撤回推荐"),
)
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
_BY_KEY = {(t.action, t.source): t for t in TRANSITIONS}


class FlowError(Exception):
    """A refused step: `kind` is "state" (not from this state), "role" (not by these roles) or "rule"."""

    def __init__(self, code: str, message: str, kind: str):
        self.code, self.message, self.kind = code, message, kind
        super().__init__(message)


@dataclass(frozen=True)
class Facts:
    notice_over: bool = False  # the notice period has ended (today is after its last day)
    open_objections: int = 0  # objections lodged and not yet answered


def available(state: str, roles: frozenset[str] | set[str]) -> list[Transition]:
    """The steps these roles may take from `state`, in declared order."""
    return [t for t in TRANSITIONS if t.source == state and t.roles & set(roles)]


def apply(state: str, action: str, roles: frozenset[str] | set[str], facts: Facts = Facts()) -> Transition:
    """The transition `action` takes from `state` for a user with `roles`, or FlowError."""
    if action not in ACTIONS:
        raise FlowError("unknown_action", f"未知操作:{action}", "state")
    transition = _BY_KEY.get((action, state))
    if transition is None:
        raise FlowError("transition_not_allowed", "当前状态下不能执行此操作", "state")
    if not transition.roles & set(roles):
        raise FlowError("role_not_allowed", "您的角色不能执行此操作", "role")
    if action == "list":
        if not facts.notice_over:
            raise FlowError("notice_not_over", "公示期未满,不能上榜", "rule")
        if facts.open_objections:
            raise FlowError("objection_unanswered", f"还有 {facts.open_objections} 条异议未答复,答复后才能上榜", "rule")
    return transition
