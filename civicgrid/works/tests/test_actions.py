"""The works register: typed quantities, dates, location inside the district, totals and the figures."""

from datetime import date
from decimal import Decimal

import pytest

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.figures import registry
from civicgrid.works import actions, queries
from civicgrid.works.models import Work, WorkQuantity
from civicgrid.works.tests.conftest import POLYGON_A, work_input

pytestmark = pytest.mark.django_db


def test_register_start_finish_and_count(wworld):
    w = wworld
    work = actions.create_work(actor=w.handler, data=work_input(geometry=POLYGON_A))
    assert (work.number, work.status, work.region.code) == ("CC-2026-0001", "planned", w.tree.street_a.code)
    actions.transition_work(actor=w.handler, work_id=work.pk, action="start")
    assert queries.totals(None)["road_repair_m2"] == 0  # not finished: not counted
    actions.transition_work(actor=w.handler, work_id=work.pk, action="finish", on=date(2026, 5, 20))
    assert queries.totals(None, since=date(2026, 1, 1), until=date(2026, 12, 31))["road_repair_m2"] == 5200.5
    assert queries.totals(None, since=date(2026, 6, 1))["road_repair_m2"] == 0
    assert queries.totals(None, street=w.tree.street_b.code)["road_repair_m2"] == 0
    assert [e["label"] for e in queries.totals_by(group="street")] == ["街道A"]
    assert AuditEvent.objects.filter(action="works.finish_work", object_id=str(work.pk)).count() == 1
    feature = queries.public_map()["features"][0]
    assert feature["geometry"]["type"] == "Polygon" and feature["properties"]["quantities"][0]["unit"] == "平方米"


@pytest.mark.parametrize(("change", "code"), [
    ({"quantities": {"road_repair_m2": "-5"}}, "quantity_negative"),
    ({"quantities": {}}, "quantity_required"),
    ({"quantities": {"road_repair_m2": "5", "plants": "3"}}, "measure_unknown"),
    ({"kind": "parking", "quantities": {"parking_spaces": "2.5"}}, "quantity_not_whole"),
    ({"end_date": date(2026, 2, 1)}, "dates_reversed"),
    ({"budget": "-1"}, "budget_negative"),
    ({"geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}, "outside_district"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[123.0, 41.0], [123.5, 41.0], [123.5, 41.5], [123.0, 41.0]]]}},
     "outside_district"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[123.1, 41.1], [123.2, 41.1], [123.1, 41.2]]]}},
     "ring_too_short"),
    ({"geometry": {"type": "LineString", "coordinates": [[123.1, 41.1], [123.2, 41.2]]}}, "geometry_invalid"),
    ({"department_code": "NOPE"}, "department_unknown"),
])
def test_bad_works_are_refused_whole(wworld, change, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.create_work(actor=wworld.handler, data=work_input(**change))
    assert exc.value.code == code
    assert (Work.objects.count(), WorkQuantity.objects.count()) == (0, 0)


def test_water_works_record_buildings_and_people(wworld):
    work = actions.create_work(actor=wworld.office, data=work_input(
        kind="water", quantities={"water_buildings": 2, "water_people": "2680"}))
    assert sorted((q["measure"], q["value"]) for q in queries.quantities_of(work)) == [
        ("water_buildings", 2), ("water_people", 2680)]


def test_scope_departments_and_denials(wworld):
    w = wworld
    with pytest.raises(errors.NotFound):  # a department records only its own works
        actions.create_work(actor=w.other_handler, data=work_input())
    work = actions.create_work(actor=w.handler, data=work_input())
    for user in (w.other_handler, w.street_b, w.resident):
        with pytest.raises((errors.NotFound, errors.Forbidden)):
            actions.transition_work(actor=user, work_id=work.pk, action="start")
    assert list(queries.works_visible(w.street_b)) == []
    assert [x.pk for x in queries.works_visible(w.office)] == [work.pk]
    work.refresh_from_db()
    assert work.status == "planned"


def test_finish_date_rules_and_closed_quantities(wworld):
    w = wworld
    work = actions.create_work(actor=w.handler, data=work_input())
    with pytest.raises(errors.ValidationFailed) as early:
        actions.transition_work(actor=w.handler, work_id=work.pk, action="finish", on=date(2026, 2, 1))
    assert early.value.code == "dates_reversed"
    with pytest.raises(errors.ValidationFailed) as cancel:
        actions.transition_work(actor=w.handler, work_id=work.pk, action="cancel")
    assert cancel.value.code == "reason_required"
    actions.set_quantities(actor=w.handler, work_id=work.pk, quantities={"road_repair_m2": "6000"})
    actions.transition_work(actor=w.handler, work_id=work.pk, action="finish", on=date(2026, 5, 1))
    with pytest.raises(errors.Conflict) as closed:
        actions.set_quantities(actor=w.handler, work_id=work.pk, quantities={"road_repair_m2": "7000"})
    assert closed.value.code == "work_closed"
    assert WorkQuantity.objects.get(work=work).value == Decimal("6000.00")


def test_figures_19_and_20_count_this_years_finished_works(wworld):
    w = wworld
    rows = [("road_repair", {"road_repair_m2": "34100"}), ("greening", {"plants": 600100}),
            ("parking", {"parking_spaces": 3000}), ("street_lights", {"street_lights": 1620}),
            ("water", {"water_buildings": 6, "water_people": 8100}), ("culture_wall", {"culture_wall_m2": "2050.5"})]
    for kind, quantities in rows:
        work = actions.create_work(actor=w.office, data=work_input(kind=kind, quantities=quantities))
        actions.transition_work(actor=w.office, work_id=work.pk, action="finish", on=date(2026, 6, 1))
    old = actions.create_work(actor=w.office, data=work_input(start_date=date(2025, 3, 1), end_date=date(2025, 4, 1)))
    actions.transition_work(actor=w.office, work_id=old.pk, action="finish", on=date(2025, 4, 1))
    items = {i["key"]: i for i in registry.compute(date(2026, 6, 30))}
    assert items["improvement_works"]["values"] == {
        "road_repair_m2": 34100, "plants": 600100, "parking_spaces": 3000, "street_lights": 1620,
        "water_buildings": 6, "water_people": 8100}
    assert items["culture_walls"]["values"] == {"m2": 2050.5}
    assert items["culture_walls"]["period"]["since"] == "2026-01-01"


def test_numbers_follow_the_start_year_and_never_repeat(wworld):
    numbers = {actions.create_work(actor=wworld.office, data=work_input()).number for _ in range(3)}
    assert numbers == {"CC-2026-0001", "CC-2026-0002", "CC-2026-0003"}
