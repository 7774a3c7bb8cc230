"""The nomination machine, without a database."""

import ast
from pathlib import Path

import pytest

from civicgrid.recognition import flow
from civicgrid.recognition.flow import COMMUNITY, NOMINATOR, OFFICE, Facts, FlowError


def test_the_happy_path():
    state = flow.SUBMITTED
    for action, role in (("verify", COMMUNITY), ("approve", OFFICE)):
        state = flow.apply(state, action, {role}).target
    assert state == flow.NOTICE
    assert flow.apply(state, "list", {OFFICE}, Facts(notice_over=True)).target == flow.LISTED


@pytest.mark.parametrize(("state", "action", "roles", "facts", "code"), [
    (flow.SUBMITTED, "approve", {OFFICE}, Facts(), "transition_not_allowed"),
    (flow.SUBMITTED, "verify", {OFFICE}, Facts(), "role_not_allowed"),
    (flow.VERIFIED, "approve", {COMMUNITY}, Facts(), "role_not_allowed"),
    (flow.NOTICE, "list", {OFFICE}, Facts(notice_over=False), "notice_not_over"),
    (flow.NOTICE, "list", {OFFICE}, Facts(notice_over=True, open_objections=1), "objection_unanswered"),
    (flow.NOTICE, "withdraw", {NOMINATOR}, Facts(), "transition_not_allowed"),
    (flow.LISTED, "reject", {OFFICE}, Facts(), "transition_not_allowed"),
    (flow.SUBMITTED, "publish", {OFFICE}, Facts(), "unknown_action"),
])
def test_refusals(state, action, roles, facts, code):
    with pytest.raises(FlowError) as exc:
        flow.apply(state, action, roles, facts)
    assert exc.value.code == code


def test_who_may_reject_depends_on_the_state():
    assert flow.apply(flow.SUBMITTED, "reject", {COMMUNITY}).target == flow.REJECTED
    assert flow.apply(flow.NOTICE, "reject", {OFFICE}).target == flow.REJECTED
    with pytest.raises(FlowError):
        flow.apply(flow.VERIFIED, "reject", {COMMUNITY})


def test_final_states_have_no_way_out_and_every_state_is_reachable():
    assert {t.source for t in flow.TRANSITIONS} & flow.FINAL == set()
    assert {t.target for t in flow.TRANSITIONS} | {flow.SUBMITTED} == set(flow.STATES)
    assert [t.action for t in flow.available(flow.SUBMITTED, {COMMUNITY, NOMINATOR})] == ["verify", "reject", "withdraw"]


def test_the_machine_imports_no_django():
    tree = ast.parse(Path(flow.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m.startswith(("django", "civicgrid"))}
