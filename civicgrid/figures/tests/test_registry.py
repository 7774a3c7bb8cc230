"""The figures registry is declared once: every handler is a declared key, in the declared order, and
answers exactly the declared value names; the API needs the leader's or an officer's permission."""

from datetime import date

import pytest

from civicgrid.figures import registry
from civicgrid.testing import make_user

HANDLED_NOW = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}  # later issues add 10–12 and 15–20


def test_handlers_are_the_declared_keys():
    declared = [d.key for d in registry.DECLARED]
    assert [d.number for d in registry.DECLARED] == list(range(1, 21))
    assert len(set(declared)) == 20
    assert set(registry.HANDLERS) <= set(declared)
    assert {registry.BY_KEY[k].number for k in registry.HANDLERS} == HANDLED_NOW


@pytest.mark.django_db
def test_every_handler_answers_its_declared_values_in_order(tree):
    items = registry.compute(date(2026, 6, 30))
    assert [i["number"] for i in items] == sorted(HANDLED_NOW)
    for item in items:
        assert set(item["values"]) == set(registry.BY_KEY[item["key"]].values), item["key"]
    assert next(i for i in items if i["key"] == "base_grids")["values"] == {"grids": 2}  # the test tree's


@pytest.mark.django_db
def test_api_permission(client, tree):
    client.force_login(make_user("gw", "grid_worker", tree.grid_a))
    assert client.get("/api/v1/figures").status_code == 403
    client.force_login(make_user("boss", "leader", tree.district))
    body = client.get("/api/v1/figures").json()
    assert set(body) == {"as_of", "region_code", "items"} and len(body["items"]) == len(HANDLED_NOW)
    client.logout()
    assert client.get("/api/v1/figures").status_code == 401
