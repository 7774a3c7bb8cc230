"""What the case pages offer and say agrees with what the engine and the actions accept (issue 18, item 8):
no 同意延期 without a pending request, a comment box that says when it is required, 派遣 starting on
the routed department, times shown local, the report form and the routing test in plain Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from civicgrid.cases import actions, queries
from civicgrid.cases.forms import TransitionForm
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.workflow import engine, registry
from civicgrid.cases.workflows import spec_for
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def step(actor, case, action, **facts):
    comment = facts.pop("comment", "")
    return actions.transition_case(actor=actor, case_id=case.pk, action=action, comment=comment, facts=facts).case


def handling(world):
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="家里停水两天了", channel="resident", category_code="3001", **POINT_A)).case
    case = step(world.dispatcher, case, "dispatch", department="CGJ")
    case = step(world.handler, case, "sign")
    return step(world.handler, case, "contact", comment="已电话联系")


def test_extension_decisions_are_offered_only_while_one_is_pending(world, client):
    case = handling(world)
    offered = {t.action for t in queries.allowed_actions(world.dispatcher, case)}
    assert not offered & {"approve_extension", "deny_extension"}
    client.force_login(world.dispatcher)
    assert "同意延期" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    case = step(world.handler, case, "request_extension", extension_until=(case.due_at + timedelta(days=10)).isoformat(),
                reason="需更换管道")

    offered = {t.action for t in queries.allowed_actions(world.dispatcher, case)}
    assert {"approve_extension", "deny_extension"} <= offered
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "同意延期" in body and "不同意延期" in body


def test_the_engine_leaves_out_moves_whose_condition_does_not_hold():
    spec = registry.get("citizen_request")
    roles = {"dispatcher"}
    anyway = {t.action for t in engine.allowed(spec, "handling", roles)}
    none_pending = {t.action for t in engine.allowed(spec, "handling", roles, set())}
    pending = {t.action for t in engine.allowed(spec, "handling", roles, {"extension_pending"})}

    assert {"approve_extension", "deny_extension"} <= anyway
    assert not none_pending & {"approve_extension", "deny_extension"}
    assert pending == anyway


def test_a_closing_rating_says_the_explanation_is_required_when_unsatisfied(world):
    spec = spec_for(handling(world).workflow)
    callback = spec.transition("callback")

    form = TransitionForm(transition=callback, case_type="citizen_request", closes=True)
    assert "选填" not in form.fields["comment"].label and "不满意时必填" in form.fields["comment"].label

    unsatisfied = TransitionForm({"expected_event_count": 1, "satisfaction": "2", "resolved": "yes"},
                                 transition=callback, case_type="citizen_request", closes=True)
    assert not unsatisfied.is_valid() and "comment" in unsatisfied.errors
    explained = TransitionForm({"expected_event_count": 1, "satisfaction": "2", "resolved": "yes",
                                "comment": "已解释政策"}, transition=callback, case_type="citizen_request", closes=True)
    assert explained.is_valid()
    satisfied = TransitionForm({"expected_event_count": 1, "satisfaction": "4", "resolved": "yes"},
                               transition=callback, case_type="citizen_request", closes=True)
    assert satisfied.is_valid()

    rework = TransitionForm(transition=spec.transition("rework"), case_type="citizen_request", closes=False)
    assert rework.fields["comment"].label.endswith("(选填)")  # rework needs no explanation


def test_dispatch_starts_on_the_department_routing_chose(world, client):
    case = actions.submit_case(actor=world.grid_a, data=IntakeInput(
        description="小区门口有成堆垃圾", channel="grid", category_code="0102", **POINT_A)).case
    case = step(world.dispatcher, case, "file")
    assert case.department == world.cg

    client.force_login(world.dispatcher)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert '<option value="CGJ" selected>' in body


def test_timeline_times_are_local_and_named_for_the_case_type(world):
    case = handling(world)
    case = step(world.handler, case, "request_extension", extension_until="2099-12-08T03:00:00+00:00",
                reason="需更换管道")

    extra = [x for e in queries.present_case(case, world.dispatcher)["events"] for x in e["extra"]]

    assert {"label": "延期至", "value": "2099-12-08 11:00"} in extra  # Asia/Shanghai
    assert queries.shown_time("2026-12-08") == "2026-12-08"
    assert queries.FACT_LABEL_BY_TYPE[("volunteer_order", "deadline")] == "服务期限"


def test_the_report_form_shows_no_channel_code(world, client):
    client.force_login(world.resident)

    body = client.get(reverse("cases:report")).content.decode()

    assert "resident" not in body.replace('class="resident', "")


def test_the_routing_test_names_workers_by_display_name(world, client):
    worker = make_user("wang_gw", "grid_worker", world.tree.grid_a)
    worker.display_name = "王网格"
    worker.save()
    admin = make_user("sysadmin", "system_admin", world.tree.district)
    client.force_login(admin)

    body = client.get(reverse("cases:admin_routing_test"),
                      {"region": world.tree.micro_a.code, "category": "0102"}).content.decode()

    assert "王网格" in body and "wang_gw" not in body and "网格员" in body
