"""The effects registry (cases/flows/effects.py) covers exactly the vocabulary's effects, and the dispute effects
do what they declare: a mediation that fails at the community escalates to the street, whose leaders are
notified; sessions and agreements are typed records counted in the dispute KPIs."""

import pytest

from civicgrid.cases import kpis
from civicgrid.cases.flows import effects
from civicgrid.cases.models import Case, MediationAgreement, MediationSession, Notification
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.workflow import vocabulary
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db


def test_the_registry_implements_exactly_the_declared_effects():
    assert list(effects.EFFECTS) and set(effects.EFFECTS) == set(vocabulary.EFFECTS)


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def step(client, actor, cid, action, comment="", **facts):
    client.force_login(actor)
    return post(client, f"/api/v1/cases/{cid}/transitions", {"action": action, "comment": comment, "facts": facts})


@pytest.fixture
def dispute(client, world):
    """A neighbours' dispute at POINT_A (street A), assigned to its community and being mediated there."""
    client.force_login(world.resident)
    created = post(client, "/api/v1/cases", {"description": "楼上漏水引发邻里纠纷", "category": "2002",
                                             "channel": "resident", **POINT_A})
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    for actor, action, facts in [(world.grid_a, "screen", {"risk_level": "yellow", "complexity": "complex"}),
                                 (world.dispatcher, "assign", {"tier": "community"}),
                                 (world.grid_a, "accept", {})]:
        assert step(client, actor, cid, action, **facts).status_code == 200, action
    return cid


def test_a_dispute_that_fails_mediation_escalates_to_the_street_with_a_notification(client, world, tree, dispute):
    street_admin = make_user("sa_a", "street_admin", tree.street_a)
    other_street = make_user("sa_b", "street_admin", tree.street_b)
    mediated = step(client, world.grid_a, dispute, "record_mediation", "双方各执一词,未能达成一致",
                    parties="张三、李四")
    assert mediated.status_code == 200, mediated.content
    escalated = step(client, world.grid_a, dispute, "escalate", tier="street", reason="社区调解不成,双方分歧较大")
    assert escalated.status_code == 200, escalated.content
    case = Case.objects.get(pk=dispute)
    assert case.state == "assigned" and case.routing["tier"] == "street"
    assert case.routing["escalations"][-1] | {"at": None} == {
        "from": "community", "to": "street", "reason": "社区调解不成,双方分歧较大", "at": None, "by": str(world.grid_a)}
    assert escalated.json()["case"]["events"][-1]["data"]["escalated"] == {"from": "community", "to": "street"}
    heard = Notification.objects.filter(case=case, kind="escalated")
    assert list(heard.values_list("user_id", flat=True)) == [street_admin.pk]
    assert other_street.pk not in heard.values_list("user_id", flat=True)
    assert "街道" in heard.get().text and "分歧较大" in heard.get().text
    session = MediationSession.objects.get(case=case)
    assert (session.parties, session.tier, session.mediator) == (["张三", "李四"], "community", world.grid_a)
    # not back down, nor to the same tier
    again = step(client, street_admin, dispute, "escalate", tier="street", reason="再次提级")
    assert again.status_code == 422 and again.json()["code"] == "escalation_not_higher"
    # the street mediates and settles it in writing
    assert step(client, street_admin, dispute, "accept").status_code == 200
    assert step(client, street_admin, dispute, "record_mediation", "街道调解", parties="张三、李四").status_code == 200
    resolved = step(client, street_admin, dispute, "resolve", agreement_form="written",
                    agreement_text="李四修复管道并赔偿张三损失两千元")
    assert resolved.status_code == 200, resolved.content
    agreement = MediationAgreement.objects.get(case=case)
    assert (agreement.form, agreement.parties, agreement.recorded_by) == ("written", ["张三", "李四"], street_admin)
    assert list(case.mediation_sessions.values_list("tier", flat=True)) == ["community", "street"]
    figures = kpis.kpis(case_type="dispute")
    assert figures["counts"]["dispute_mediated"] == 1 and figures["counts"]["dispute_written"] == 1
    assert figures["mediation_record_rate"] == 1.0 and figures["written_agreement_rate"] == 1.0
    assert kpis.kpis(case_type="dispute")["counts"] == kpis.kpis_from_cases(case_type="dispute")["counts"]
    assert kpis.rollup_differences() == []


def test_escalating_to_the_district_hands_the_case_to_the_configured_department(client, world, tree, dispute,
                                                                                 settings):
    centre = make_department("MTZX", "矛调中心")
    officer = make_user("mt", "department_handler", department=centre)
    settings.CASE_DISPUTE_DEPARTMENT = "MTZX"
    response = step(client, world.grid_a, dispute, "escalate", tier="district", reason="涉及多方,需区级调处")
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=dispute)
    assert case.department == centre and case.routing["tier"] == "district"
    assert set(Notification.objects.filter(case=case, kind="escalated").values_list("user_id", flat=True)) == {
        world.dispatcher.pk, world.leader.pk, officer.pk}


def test_an_oral_agreement_without_a_session_is_kept_and_counted_as_not_written(client, world, dispute):
    response = step(client, world.grid_a, dispute, "resolve", agreement_form="oral", agreement_text="双方口头和解")
    assert response.status_code == 200, response.content
    agreement = MediationAgreement.objects.get(case_id=dispute)
    assert (agreement.form, agreement.parties) == ("oral", [])
    counts = kpis.kpis(case_type="dispute")["counts"]
    assert (counts["dispute_resolved"], counts["dispute_mediated"], counts["dispute_written"]) == (1, 0, 0)
