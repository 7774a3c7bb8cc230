"""The list filters of the volunteer API (ninja FilterSchemas): each parameter narrows the scoped list,
a parameter sent empty narrows nothing, and the lists stay scoped."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import DonationKind, VolunteerStatus
from civicgrid.volunteers.tests.conftest import id_number, order_input
from civicgrid.volunteers.tests.test_api import get, to_station

pytestmark = pytest.mark.django_db


def ids(client, path, **params) -> list[int]:
    response = get(client, None, path, **params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_orders_filter_by_each_parameter(client, vworld):
    w = vworld
    at_station = to_station(w)
    waiting, _ = actions.place_order(actor=w.resident, data=order_input(category="700301"))
    client.force_login(w.centre_admin)
    day = timezone.localdate(at_station.case.created_at)
    assert ids(client, "/orders") == [waiting.pk, at_station.pk]
    assert ids(client, "/orders", state="station_accepted") == [at_station.pk]
    assert ids(client, "/orders", category="7003") == [waiting.pk]
    assert ids(client, "/orders", category="700101") == [at_station.pk]
    assert ids(client, "/orders", station="S1-1") == [at_station.pk]
    assert ids(client, "/orders", station="S2-1") == []
    assert ids(client, "/orders", since=day.isoformat(), until=day.isoformat()) == [waiting.pk, at_station.pk]
    assert ids(client, "/orders", until=(day - timedelta(days=1)).isoformat()) == []
    assert ids(client, "/orders", since=(day + timedelta(days=1)).isoformat()) == []
    assert ids(client, "/orders", state="", category="", station="") == [waiting.pk, at_station.pk]
    bad = get(client, None, "/orders", since="1999-12-31")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_a_resident_filtering_orders_still_sees_only_their_own(client, vworld):
    mine, _ = actions.place_order(actor=vworld.resident, data=order_input())
    actions.place_order(actor=vworld.resident_b, data=order_input())
    client.force_login(vworld.resident)
    assert ids(client, "/orders", state="ordered") == [mine.pk]


def test_volunteers_filter_by_name_status_and_team(client, vworld):
    w = vworld
    actions.set_volunteer_status(actor=w.centre_admin, volunteer_id=w.helper.pk, status=VolunteerStatus.SUSPENDED,
                                 reason="外出务工")
    outsider = actions.register_volunteer(actor=w.centre_admin, user=None, data=actions.VolunteerInput(
        name="孙立", id_number=id_number(9), phone="13800000009", region_code=w.tree.micro_a.code, skills=["7003"]))
    client.force_login(w.centre_admin)
    team = [w.counsellor.pk, w.expired.pk, w.helper.pk]
    assert ids(client, "/volunteers") == [*team, outsider.pk]
    assert ids(client, "/volunteers", q=" 心怡 ") == [w.counsellor.pk]
    assert ids(client, "/volunteers", status="suspended") == [w.helper.pk]
    assert ids(client, "/volunteers", status="active", team="T1") == [w.counsellor.pk, w.expired.pk]
    assert ids(client, "/volunteers", team="T9") == []
    assert ids(client, "/volunteers", q="", team="") == [*team, outsider.pk]
    assert get(client, None, "/volunteers", status="retired").status_code == 422


def test_donations_filter_by_site_and_kind(client, vworld):
    w = vworld
    money = actions.record_donation(actor=w.centre_admin, site=w.station_a, donor="爱心企业", kind=DonationKind.MONEY,
                                    amount=Decimal("500"), items="")
    goods = actions.record_donation(actor=w.centre_admin, site=w.centre, donor="超市", kind=DonationKind.GOODS,
                                    amount=Decimal("80"), items="米面油")
    client.force_login(w.centre_admin)
    assert sorted(ids(client, "/donations")) == sorted([money.pk, goods.pk])
    assert ids(client, "/donations", site="S1-1") == [money.pk]
    assert ids(client, "/donations", kind="goods") == [goods.pk]
    assert ids(client, "/donations", site="S1-1", kind="goods") == []
    assert sorted(ids(client, "/donations", site="")) == sorted([money.pk, goods.pk])
    client.force_login(w.station_admin_b)
    assert ids(client, "/donations", site="S1-1") == []  # out of reach whatever the filter

