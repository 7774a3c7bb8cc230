"""What a case's routing record shows whom (issue 13, finding 6a): staff on the case see the workers by
display name, the reporter only their roles, never a login name; nobody sees a likely duplicate they may not
see themselves — in the API's detail, its create answer and the case page alike."""

import json

import pytest
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(world):
    """The grid worker of point A has a display name; the routing record keeps the login name gw_a."""
    User.objects.filter(pk=world.grid_a.pk).update(display_name="王网格")
    return world


def reported(actor, description="路边井盖丢失"):
    return actions.submit_case(actor=actor, data=IntakeInput(description=description, category_code="0601",
                                                             **POINT_A)).case


def routing_of(client, user, case) -> dict:
    client.force_login(user)
    response = client.get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200
    return response.json()["routing"]


def test_the_record_keeps_login_names_but_staff_see_display_names(client, named):
    case = reported(named.resident)
    assert case.routing["workers"] == {"grid_worker": ["gw_a"]}  # the internal record
    routing = routing_of(client, named.dispatcher, case)
    assert routing["workers"] == {"grid_worker": ["王网格"]}
    assert "gw_a" not in json.dumps(routing, ensure_ascii=False)


def test_the_reporter_sees_roles_and_the_reason_never_a_name_or_the_rule(client, named):
    case = reported(named.resident)
    routing = routing_of(client, named.resident, case)
    assert routing["workers"] == {"grid_worker": []}
    assert routing["reason"] == case.routing["reason"] and routing["region"] == case.routing["region"]
    assert "rule" not in routing and "leader" not in routing
    text = json.dumps(routing, ensure_ascii=False)
    assert "gw_a" not in text and "王网格" not in text


def test_a_worker_without_a_display_name_is_shown_by_role_only(client, world):
    User.objects.filter(pk=world.grid_a.pk).update(display_name="")
    case = reported(world.resident)
    assert routing_of(client, world.dispatcher, case)["workers"] == {"grid_worker": []}


def test_only_duplicates_the_caller_may_see_are_listed(client, named):
    other = reported(named.resident_b, "小区门口井盖丢失了")  # another resident's case nearby
    client.force_login(named.resident)
    created = client.post("/api/v1/cases", {"description": "路边井盖丢失", "category": "0601", **POINT_A},
                          content_type="application/json")
    assert created.status_code == 201
    case = Case.objects.get(pk=created.json()["id"])
    assert [d["id"] for d in case.routing["duplicates"]] == [other.pk]  # found, and kept on the record
    assert created.json()["routing"]["duplicates"] == []  # the create answer
    assert routing_of(client, named.resident, case)["duplicates"] == []  # the detail
    assert str(other.number) not in client.get(f"/api/v1/cases/{case.pk}").content.decode()
    staff = routing_of(client, named.dispatcher, case)["duplicates"]
    assert [d["id"] for d in staff] == [other.pk]


def test_the_create_answer_lists_the_callers_own_duplicates(client, named):
    mine = reported(named.resident, "小区门口井盖丢失了")
    client.force_login(named.resident)
    created = client.post("/api/v1/cases", {"description": "路边井盖丢失", "category": "0601", **POINT_A},
                          content_type="application/json")
    assert [d["id"] for d in created.json()["routing"]["duplicates"]] == [mine.pk]
    assert created.json()["routing"] == routing_of(client, named.resident, Case.objects.get(pk=created.json()["id"]))


def test_the_case_page_shows_staff_the_display_name_and_the_reporter_no_worker(client, named):
    case = reported(named.resident)
    client.force_login(named.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "王网格" in page and "gw_a" not in page
    client.force_login(named.resident)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "王网格" not in page and "gw_a" not in page


def test_the_reporter_sees_no_staff_name_on_the_events(client, named):
    case = reported(named.resident)
    actions.transition_case(actor=named.dispatcher, case_id=case.pk, action="file")
    client.force_login(named.resident)
    for events in (client.get(f"/api/v1/cases/{case.pk}").json()["events"],
                   client.get(f"/api/v1/cases/{case.pk}/events").json()):
        assert [(e["action"], e["actor"]) for e in events] == [("submit", "res"), ("file", "")]
    client.force_login(named.dispatcher)
    events = client.get(f"/api/v1/cases/{case.pk}/events").json()
    assert [e["actor"] for e in events] == ["res", "disp"]


def test_the_reporter_reads_no_internal_comment_or_unlabelled_fact_on_the_events(client, named):
    case = reported(named.resident)
    actions.transition_case(actor=named.dispatcher, case_id=case.pk, action="file",
                            comment="内部:此人多次重复投诉,先核实", facts={"reason": "内部原因", "note": "内部备注"})
    client.force_login(named.resident)
    for events in (client.get(f"/api/v1/cases/{case.pk}").json()["events"],
                   client.get(f"/api/v1/cases/{case.pk}/events").json()):
        filed = events[1]
        assert (filed["action"], filed["comment"], filed["data"]) == ("file", "", {})
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "此人多次" not in page and "内部原因" not in page
    client.force_login(named.dispatcher)
    filed = client.get(f"/api/v1/cases/{case.pk}/events").json()[1]
    assert filed["comment"] == "内部:此人多次重复投诉,先核实"
    assert filed["data"] == {"reason": "内部原因"}  # the workflow keeps only declared facts
