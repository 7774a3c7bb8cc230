"""Which role may report through which channel (cases.intake.CHANNEL_ROLES), through the API and the actions
alike: a channel the caller may not use is 403 channel_not_allowed and writes nothing; without a channel the
caller's own is taken, and a resident's case is always theirs (channel resident, they are its reporter)."""

import pytest

from civicgrid.cases import actions
from civicgrid.cases.intake import CHANNEL_ROLES, IntakeInput, channels_for
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

CHANNELS = ["resident", "grid", "patrol", "visit", "hotline", "police", "api", "open311", "enterprise", "officer"]
# role → the channels it may report through, written out (not read from the table under test)
ALLOWED = {
    "resident": {"resident"},
    "micro_grid_worker": {"grid", "patrol", "visit"},
    "grid_worker": {"grid", "patrol", "visit"},
    "community_admin": {"grid", "patrol", "visit"},
    "street_admin": {"grid", "patrol", "visit"},
    "dispatcher": {"hotline"},
    "centre_admin": {"hotline"},
    "police_liaison": {"police"},
}
DEFAULT = {"resident": "resident", "micro_grid_worker": "grid", "grid_worker": "grid", "community_admin": "grid",
           "street_admin": "grid", "dispatcher": "hotline", "centre_admin": "hotline", "police_liaison": "police"}
PLACE = {"micro_grid_worker": "micro_a", "grid_worker": "grid_a", "community_admin": "community_a",
         "street_admin": "street_a", "dispatcher": "district", "centre_admin": "district",
         "police_liaison": "community_a"}


def user_with(world, role):
    place = PLACE.get(role)
    return make_user(f"u_{role}", role, getattr(world.tree, place) if place else None)


def post_case(client, user, **extra):
    client.force_login(user)
    body = {"description": "路边井盖丢失", "category": "0601", "reporter_name": "张三", **POINT_A, **extra}
    return client.post("/api/v1/cases", body, content_type="application/json")


def test_the_table_names_every_channel():
    assert sorted(CHANNEL_ROLES) == sorted(CHANNELS)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_may_use_exactly_its_channels_through_the_api(client, world, role):
    user = user_with(world, role)
    assert channels_for(user)[0] == DEFAULT[role] and set(channels_for(user)) == ALLOWED[role]
    for channel in CHANNELS:
        before = (Case.objects.count(), AuditEvent.objects.filter(action="cases.submit_case").count())
        response = post_case(client, user, channel=channel)
        if channel in ALLOWED[role]:
            assert response.status_code == 201, (channel, response.content)
            assert response.json()["channel"] == channel
        else:
            assert response.status_code == 403, (channel, response.content)
            assert response.json()["code"] == "channel_not_allowed"
            assert response.json()["details"] == {"allowed": channels_for(user)}
            assert (Case.objects.count(), AuditEvent.objects.filter(action="cases.submit_case").count()) == before


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_without_a_channel_the_callers_own_is_taken(client, world, role):
    user = user_with(world, role)
    response = post_case(client, user)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.channel == DEFAULT[role]
    assert case.reporter == (user if DEFAULT[role] in ("resident", "grid") else None)


def test_a_resident_cannot_record_a_police_referral_and_always_sees_their_own_case(client, world):
    refused = post_case(client, world.resident, channel="police")
    assert refused.status_code == 403 and refused.json()["code"] == "channel_not_allowed"
    assert Case.objects.count() == 0
    created = post_case(client, world.resident)
    assert created.status_code == 201 and created.json()["channel"] == "resident"
    case = Case.objects.get()
    assert case.reporter == world.resident
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    mine = client.get("/api/v1/cases").json()
    assert [c["id"] for c in mine["items"]] == [case.pk]


def test_the_action_refuses_a_channel_outside_the_role(world):
    for user, channel in ((world.resident, "hotline"), (world.grid_a, "police"), (world.dispatcher, "resident")):
        with pytest.raises(errors.Forbidden) as exc:
            actions.submit_case(actor=user, data=IntakeInput(description="井盖丢失", channel=channel,
                                                             category_code="0601", **POINT_A))
        assert exc.value.code == "channel_not_allowed"
    assert Case.objects.count() == 0


def test_an_unknown_channel_is_still_invalid_input(client, world):
    response = post_case(client, world.resident, channel="fax")
    assert response.status_code == 422 and Case.objects.count() == 0



def test_enterprise_channels_take_only_enterprise_case_types(world):
    """企业自报/专员代报 belong to the enterprise contact and officer, and carry relief cases and blockers only."""
    contact = make_user("u_contact", "enterprise_contact")
    officer = make_user("u_officer", "enterprise_officer", department=world.cg)
    assert channels_for(contact) == ["enterprise"] and channels_for(officer) == ["officer"]
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_case(actor=officer, data=IntakeInput(description="井盖丢失", category_code="0601", **POINT_A))
    assert exc.value.code == "case_type_not_for_channel"
    assert Case.objects.count() == 0
