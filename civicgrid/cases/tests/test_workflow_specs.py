"""The shipped workflow specs: valid against the vocabulary, stable as data, documented. No database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicgrid.cases.workflow import docs, engine, registry, vocabulary
from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

SPECS = list(registry.SPECS.values())
IDS = [spec.key for spec in SPECS]
REPO = Path(__file__).resolve().parents[3]


def problems(spec: Spec) -> list[str]:
    return engine.validate(spec, set(vocabulary.ROLES), set(vocabulary.FACTS), set(vocabulary.EFFECTS))


# the frozen checksums of versions that cases may still be pinned to: these must never change
PINNED = {("urban_event", 1): "d9757d43c6a89c20ea7c7a5a943d66d8b309c66db6d7a6230007f0e5b7a7403b",
          ("safety_hazard", 1): "830d07ae4bb7689f2a176c6b4a78bc15688a47a59fb1ec6ad3f0b83e8cbd7ae1",
          ("volunteer_order", 1): "2628cf3352382adce2b1042f8ed980a6beb410fad981260943181ab853d729c0"}


def test_the_case_types_are_registered_with_their_earlier_versions():
    assert sorted(registry.SPECS) == ["citizen_request", "dispute", "enterprise_relief", "hard_case",
                                      "project_blocker", "safety_hazard", "service_request", "urban_event",
                                      "volunteer_order"]
    assert {s.key: s.version for s in SPECS if s.version != 1} == {
        "urban_event": 2, "safety_hazard": 2, "volunteer_order": 2}
    for (key, version), checksum in PINNED.items():
        old = registry.get(key, version)
        assert old.checksum() == checksum and problems(old) == []
    assert registry.get("urban_event", 2) is registry.SPECS["urban_event"]
    first = registry.get("volunteer_order", 1)
    assert "centre_assign" not in first.actions() and "centre_assign" in registry.get("volunteer_order").actions()
    assert registry.get("dispute") is registry.SPECS["dispute"]
    assert registry.get("dispute", 1) is registry.SPECS["dispute"]
    with pytest.raises(KeyError):
        registry.get("nope")
    with pytest.raises(KeyError):
        registry.get("dispute", 99)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_shipped_spec_is_valid(spec):
    assert problems(spec) == []


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_move_into_a_terminal_state_closes_the_case(spec):
    terminal = set(spec.terminal_states())
    for t in spec.transitions:
        if t.target in terminal:
            assert "close" in t.effects, t.action


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_labels_are_chinese_and_states_with_a_running_clock_have_limits(spec):
    for item in (*spec.states, *spec.transitions):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item.label), item
    for s in spec.states:
        assert s.terminal or not s.clock or s.sla is not None, s.key
        assert not s.terminal or s.sla is None, s.key


def test_the_account_roles_are_those_of_accounts_and_their_labels_come_from_there():
    from civicgrid.accounts.roles import Role
    from civicgrid.cases.queries import ROLE_LABELS

    assert vocabulary.ACCOUNT_ROLES == set(Role.values) - {Role.API_CLIENT}
    assert {code: str(label) for code, label in ROLE_LABELS.items() if code in vocabulary.ACCOUNT_ROLES} == {
        role.value: str(role.label) for role in Role if role != Role.API_CLIENT}
    assert set(ROLE_LABELS) >= vocabulary.ROLES


def test_vocabulary_is_complete_and_every_effect_is_used():
    assert set(vocabulary.FACT_LABELS) == set(vocabulary.FACTS)
    assert set(vocabulary.FACT_CHOICES) <= set(vocabulary.FACTS)
    assert {"reporter", "system", "resident", "audit_admin"} <= vocabulary.ROLES
    used = set().union(*(t.effects for spec in SPECS for t in spec.transitions))
    assert used == set(vocabulary.EFFECTS)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_to_dict_round_trips_through_json_with_a_stable_checksum(spec):
    data = json.loads(json.dumps(spec.to_dict()))
    again = Spec.from_dict(data)
    assert again == spec
    assert again.to_dict() == spec.to_dict()
    assert again.checksum() == spec.checksum()
    assert len(spec.checksum()) == 64
    assert Spec.from_dict(spec.to_dict()).checksum() == spec.checksum()


def test_checksum_changes_with_content_and_ignores_int_versus_float_limits():
    def make(label="已上报", value=2):
        return Spec("t", 1, "测试", "a", (State("a", label, sla=Limit(value, "work_hours")), State("b", "完", True)),
                    (Transition("go", "走", ("a",), "b", {"dispatcher"}, effects={"close"}),))

    assert make().checksum() == make(value=2.0).checksum()
    assert make().checksum() != make(label="已受理").checksum()
    assert make().to_dict()["states"][0]["sla"] == {"value": 2.0, "unit": "work_hours"}


def test_limit_rejects_unknown_units_and_non_positive_values():
    for bad in ((1, "weeks"), (0, "days"), (-1, "hours"), (True, "days")):
        with pytest.raises(ValueError):
            Limit(*bad)


def test_validate_reports_each_structural_problem():
    states = (State("a", "甲"), State("b", "乙"), State("c", "丙", terminal=True), State("d", "丁"),
              State("a", "重复"))
    transitions = (
        Transition("go", "走", ("a",), "b", {"nobody"}, requires={"vibe"}, effects={"explode"}),
        Transition("go", "又走", ("b",), "b", {"dispatcher"}),
        Transition("out", "出", ("c",), "x", {"dispatcher"}),
        Transition("none", "无", ("q",), "a", set()),
    )
    found = "\n".join(engine.validate(Spec("t", 1, "测试", "z", states, transitions),
                                      set(vocabulary.ROLES), set(vocabulary.FACTS), set(vocabulary.EFFECTS)))
    for expected in ("duplicate state key 'a'", "duplicate action key 'go'", "initial state 'z' is not a state",
                     "unknown role 'nobody'", "unknown fact 'vibe'", "unknown effect 'explode'",
                     "enters unknown state 'x'", "leaves unknown state 'q'", "allows no role",
                     "terminal state 'c' has exits", "non-terminal state 'b' has no exit"):
        assert expected in found
    unreachable = Spec("t", 1, "测试", "a", states[:4], transitions[:1] + (
        Transition("end", "终", ("b",), "c", {"dispatcher"}),))
    found = engine.validate(unreachable, set(vocabulary.ROLES), set(vocabulary.FACTS), {"explode"})
    assert "state 'd' is unreachable from 'a'" in found


def test_validate_finds_a_trap_that_never_reaches_a_terminal_state():
    states = (State("a", "甲"), State("b", "乙"), State("c", "丙"), State("z", "终", terminal=True))
    transitions = (Transition("ab", "甲乙", ("a",), "b", {"dispatcher"}),
                   Transition("bc", "乙丙", ("b",), "c", {"dispatcher"}),
                   Transition("cb", "丙乙", ("c",), "b", {"dispatcher"}),
                   Transition("az", "甲终", ("a",), "z", {"dispatcher"}))
    found = engine.validate(Spec("t", 1, "测试", "a", states, transitions), {"dispatcher"}, set(), set())
    assert found == ["state 'b' cannot reach a terminal state", "state 'c' cannot reach a terminal state"]


def test_docs_match_the_specs():
    directory = REPO / "docs" / "workflows"
    expected = docs.rendered(SPECS, docs.earlier_versions())
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.md")}
    assert sorted(on_disk) == sorted(expected), "regenerate: python -m civicgrid.cases.workflow.docs"
    for name, text in expected.items():
        assert on_disk[name] == text, f"docs/workflows/{name} is stale: python -m civicgrid.cases.workflow.docs"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_rendered_page_lists_every_state_and_action(spec):
    page = docs.render(spec)
    assert "stateDiagram-v2" in page
    for s in spec.states:
        assert f"| `{s.key}` | {s.label} |" in page
    for t in spec.transitions:
        assert f"| `{t.action}` | {t.label} |" in page


def test_workflow_package_imports_nothing_from_django_or_the_project():
    code = (
        "import sys, pkgutil, importlib, civicgrid.cases.workflow as w\n"
        "import civicgrid.cases.workflow.registry, civicgrid.cases.workflow.docs\n"
        "for m in pkgutil.walk_packages(w.__path__, w.__name__ + '.'): importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django'"
        " or (m.startswith('civicgrid.') and not m.startswith('civicgrid.cases')))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_limit_since_another_state_round_trips_and_must_name_a_state():
    spec = registry.SPECS["enterprise_relief"]
    assert spec.state("handling").since == "assigned"
    assert spec.to_dict()["states"][3]["since"] == "assigned"
    assert "since" not in registry.SPECS["dispute"].to_dict()["states"][0]  # older specs keep their checksum
    bad = Spec("t", 1, "测试", "a", (State("a", "开始", sla=Limit(1, "work_days"), since="nowhere"),
                                     State("b", "完", True)),
               (Transition("go", "走", ("a",), "b", {"dispatcher"}, effects={"close"}),))
    assert "state 'a' counts its limit since unknown state 'nowhere'" in problems(bad)


def test_evidence_kinds_are_data_written_only_when_set():
    plain = Transition("a", "甲", ("x",), "y", {"dispatcher"}, requires={"attachments"})
    assert "evidence" not in plain.to_dict() and plain.evidence_kinds == ("photo",)
    assert Transition("b", "乙", ("x",), "y", {"dispatcher"}).evidence_kinds == ()
    docs_too = Transition("c", "丙", ("x",), "y", {"dispatcher"}, evidence=("photo", "pdf"))
    assert Transition.from_dict(docs_too.to_dict()) == docs_too and docs_too.to_dict()["evidence"] == ["photo", "pdf"]
    states = (State("x", "甲"), State("y", "乙", terminal=True))
    bad = Spec("t", 1, "测试", "x", states, (Transition("c", "丙", ("x",), "y", {"dispatcher"}, evidence=("video",)),))
    assert engine.validate(bad, {"dispatcher"}, set(), set()) == ["transition 'c' takes unknown evidence 'video'"]


def test_the_field_verifier_has_steps_before_filing_and_before_closing():
    spec = registry.SPECS["urban_event"]
    field = {"micro_grid_worker", "grid_worker"}
    for action in ("confirm", "refute", "verify"):
        t = spec.transition(action)
        assert t.roles == field and "attachments" in t.requires, action
    assert set(spec.transition("file").sources) == {"reported", "confirmed", "unfounded"}
    assert "dispatcher" not in spec.transition("verify").roles
