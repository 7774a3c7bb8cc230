"""The workflow package's Chinese labels reach the English catalogue through the generated
flows/messages.py, and the pages translate them when they show them (Chinese stays the default)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from civicgrid.cases import actions, queries
from civicgrid.cases.flows import labels
from civicgrid.cases.forms import TransitionForm
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.vocabulary import CASE_ROLE_LABELS, FACT_LABELS, FACT_VALUE_LABELS

STALE = "civicgrid/cases/flows/messages.py is stale: run `python -m civicgrid.cases.flows.labels`, then makemessages"


def test_generated_module_is_current():
    assert labels.PATH.read_text(encoding="utf-8") == labels.render(), STALE


def test_every_label_is_marked_once():
    marked = labels.labels()
    assert len(marked) == len(set(marked))
    wanted = set()
    for spec in registry.HISTORY.values():
        wanted |= {spec.label} | {s.label for s in spec.states} | {t.label for t in spec.transitions}
    wanted |= {*CASE_ROLE_LABELS.values(), *FACT_LABELS.values()}
    wanted |= {v for values in FACT_VALUE_LABELS.values() for v in values.values()}
    assert set(marked) == wanted
    text = labels.PATH.read_text(encoding="utf-8")
    assert all(f'gettext_noop("{label}")' in text for label in wanted)


def test_every_label_has_an_english_translation():
    with translation.override("en"):
        missing = [label for label in labels.labels() if translation.gettext(label) == label]
    assert missing == []


def test_helpers_translate_in_english_and_keep_chinese_by_default():
    spec = registry.SPECS["citizen_request"]
    assert queries.state_label("citizen_request", "received") == "已受理"
    assert queries.action_label(spec, "return") == "退单"
    assert queries.role_label("grid_worker,reporter") == "网格员、报告人(本案)"
    with translation.override("en"):
        assert queries.state_label("citizen_request", "received") == "Received"
        assert queries.type_label("dispute") == "Dispute"
        assert queries.action_label(spec, "return") == "Return"
        assert queries.action_label(spec, "submit") == "Report"
        assert queries.action_label(registry.SPECS["urban_event"], "verify") == "On-site check passed"
        assert queries.role_label("grid_worker,reporter") == "Grid worker、Reporter (this case)"
        assert ("received", "Received") in queries.state_choices("citizen_request")


def test_fact_choices_follow_the_language():
    transition = registry.SPECS["dispute"].transition("screen")
    assert {"risk_level", "complexity"} <= set(transition.requires)
    assert dict(TransitionForm(transition=transition).fields["risk_level"].choices)["red"] == "红"
    with translation.override("en"):
        form = TransitionForm(transition=transition)
        assert dict(form.fields["risk_level"].choices)["red"] == "Red"
        assert dict(form.fields["complexity"].choices)["difficult"] == "Difficult"


@pytest.mark.django_db
def test_english_case_detail_shows_english_states_and_actions(client, world):
    data = IntakeInput(description="家里停水两天了", channel="resident", category_code="3001", **POINT_A)
    case = actions.submit_case(actor=world.resident, data=data).case
    client.force_login(world.dispatcher)
    url = reverse("cases:detail", args=[case.pk])

    chinese = client.get(url).content.decode()
    assert "已受理" in chinese and "派单" in chinese and "直接答复" in chinese

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Received" in english and "12345 request" in english
    assert "Dispatch" in english and "Direct answer" in english and "Merge duplicate" in english
    assert "Report" in english  # the submit step on the timeline
    for chinese_label in ("已受理", "派单", "直接答复", "合并重复工单", "12345诉求"):
        assert chinese_label not in english
