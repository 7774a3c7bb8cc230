"""A volunteer order is a case: its channel follows the same table (cases.intake.CHANNEL_ROLES)."""

import pytest

from civicgrid.cases.models import Case
from civicgrid.volunteers.models import Order
from civicgrid.volunteers.tests.test_api import order_body, post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, channel", [("resident", "hotline"), ("resident", "police"), ("resident", "grid"),
                                          ("centre_admin", "resident")])
def test_an_order_through_a_channel_outside_the_role_is_refused(client, vworld, who, channel):
    response = post(client, getattr(vworld, who), "/orders", order_body(channel=channel))
    assert response.status_code == 403 and response.json()["code"] == "channel_not_allowed"
    assert Order.objects.count() == 0 and Case.objects.count() == 0


def test_without_a_channel_a_resident_orders_as_themselves(client, vworld):
    body = order_body()
    del body["channel"]
    response = post(client, vworld.resident, "/orders", body)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert (case.channel, case.reporter) == ("resident", vworld.resident)
