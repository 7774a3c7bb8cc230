"""The station's 派人 form starts on the community's own matching team, not the district's (issue 18), and
the rating form says when its comment is required."""

from __future__ import annotations

import pytest

from civicgrid.volunteers import actions
from civicgrid.volunteers.forms import RateForm
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.tests.conftest import order_input

pytestmark = pytest.mark.django_db


def test_the_nearest_matching_team_comes_first(vworld):
    w = vworld
    youth = actions.create_team(actor=w.centre_admin, code="A0", name="区青年志愿服务队", site=w.centre,
                                capabilities=["7001"], service_region=w.tree.district)
    order, _ = actions.place_order(actor=w.resident, data=order_input(), idempotency_key="k-team")
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    order.refresh_from_db()

    teams = board_queries.assignable_teams(order)

    assert teams[:2] == [w.team, youth]  # both can serve; the station's own first, whatever the codes say


def test_an_unsatisfied_rating_needs_a_comment(vworld):
    w = vworld
    order, _ = actions.place_order(actor=w.resident, data=order_input(), idempotency_key="k-rate")

    form = RateForm({"satisfaction": "1", "expected_event_count": order.case.event_count}, order=order)
    assert "不满意时必填" in form.fields["comment"].label
    assert not form.is_valid() and "comment" in form.errors
    form = RateForm({"satisfaction": "5", "expected_event_count": order.case.event_count}, order=order)
    assert form.is_valid()
