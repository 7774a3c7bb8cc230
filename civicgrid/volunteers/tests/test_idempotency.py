"""A volunteer create's Idempotency-Key stands for its body: the same key with another order (another time
window too, which the case itself does not hold), volunteer or donation is 422 `idempotency_key_reused`."""

import pytest

from civicgrid.cases.models import Case
from civicgrid.volunteers.models import Donation, Order, Volunteer
from civicgrid.volunteers.tests.conftest import id_number, tomorrow_at
from civicgrid.volunteers.tests.test_api import order_body, post

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    return response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("change", ["description", "window", "people_needed"])
def test_another_order_under_the_same_key_is_refused(client, vworld, change):
    body = order_body()
    first = post(client, vworld.resident, "/orders", body, **{"Idempotency-Key": "o"})
    assert first.status_code == 201, first.content
    assert post(client, vworld.resident, "/orders", body, **{"Idempotency-Key": "o"}).status_code == 200
    if change == "description":
        other = {**body, "description": "家里需要打扫卫生"}
    elif change == "people_needed":
        other = {**body, "people_needed": 2}
    else:  # only the order row holds the window: the case's own fields are the same
        start, end = tomorrow_at(10)
        other = {**body, "window_start": start.isoformat(), "window_end": end.isoformat()}
    assert refused(post(client, vworld.resident, "/orders", other, **{"Idempotency-Key": "o"}))
    assert Order.objects.count() == 1 and Case.objects.count() == 1


def test_another_volunteer_or_donation_under_the_same_key_is_refused(client, vworld):
    body = {"name": "孙悦", "id_number": id_number(77), "phone": "13700001234", "region": vworld.tree.micro_a.code,
            "skills": ["7003"]}
    assert post(client, vworld.centre_admin, "/volunteers", body, **{"Idempotency-Key": "r"}).status_code == 201
    other = {**body, "name": "孙月", "id_number": id_number(78)}
    assert refused(post(client, vworld.centre_admin, "/volunteers", other, **{"Idempotency-Key": "r"}))
    assert Volunteer.objects.filter(name="孙月").count() == 0
    gift = {"site": "S1-1", "donor": "爱心企业", "kind": "money", "amount": "500.00"}
    assert post(client, vworld.station_admin, "/donations", gift, **{"Idempotency-Key": "d"}).status_code == 201
    assert refused(post(client, vworld.station_admin, "/donations", {**gift, "amount": "5000.00"},
                        **{"Idempotency-Key": "d"}))
    assert Donation.objects.count() == 1
