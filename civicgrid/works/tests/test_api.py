"""The works API and pages: public totals and map without login, the scoped register (out of reach 404,
denied 403 with nothing changed) and specific 4xx codes."""

from datetime import date

import pytest

from civicgrid.works import actions
from civicgrid.works.models import Work
from civicgrid.works.tests.conftest import POINT_B, POLYGON_A, work_input

pytestmark = pytest.mark.django_db
API = "/api/v1/works"
BODY = {"name": "光华路路灯维修", "kind": "street_lights", "department_code": "ZJ",
        "geometry": {"type": "Point", "coordinates": [123.12, 41.12]}, "start_date": "2026-04-01",
        "end_date": "2026-04-30", "budget": "380000.00", "quantities": {"street_lights": 120}}


def test_register_and_finish_through_the_api(client, wworld):
    w = wworld
    client.force_login(w.handler)
    r = client.post(API, BODY, content_type="application/json", headers={"Idempotency-Key": "w1"})
    assert r.status_code == 201, r.content
    work = r.json()
    assert (work["street_name"], work["quantities"][0]["unit"], work["status"]) == ("街道A", "盏", "planned")
    for change, code in (({"quantities": {"street_lights": -3}}, "quantity_negative"),
                         ({"end_date": "2026-03-01"}, "dates_reversed"),
                         ({"geometry": {"type": "Point", "coordinates": [121.0, 38.9]}}, "outside_district")):
        r = client.post(API, {**BODY, **change}, content_type="application/json")
        assert (r.status_code, r.json()["code"]) == (422, code)
    assert Work.objects.count() == 1
    client.force_login(w.other_handler)
    assert client.get(f"{API}/{work['id']}").status_code == 404
    r = client.post(f"{API}/{work['id']}/transitions", {"action": "start"}, content_type="application/json")
    assert r.status_code == 404 and Work.objects.get().status == "planned"
    client.force_login(w.handler)
    r = client.post(f"{API}/{work['id']}/transitions", {"action": "finish", "on": "2026-04-28"},
                    content_type="application/json")
    assert r.json()["status"] == "finished"
    r = client.post(f"{API}/{work['id']}/transitions", {"action": "start"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    client.logout()
    assert client.get(API).status_code == 401
    totals = client.get(f"{API}/public/totals?year=2026").json()
    assert totals["totals"]["street_lights"] == 120 and totals["units"]["street_lights"] == "盏"
    assert [s["label"] for s in totals["by_street"]] == ["街道A"]
    assert client.get(f"{API}/public/totals?year=2025").json()["totals"]["street_lights"] == 0
    features = client.get(f"{API}/public/map").json()["features"]
    assert [f["properties"]["name"] for f in features] == ["光华路路灯维修"]
    assert client.get(f"{API}/public/totals?year=1900").status_code == 422


def test_public_map_shows_only_finished_works(client, wworld):
    w = wworld
    actions.create_work(actor=w.office, data=work_input(name="计划中的项目", geometry=POLYGON_A))
    done = actions.create_work(actor=w.office, data=work_input(name="已完工的项目", geometry=POINT_B))
    actions.transition_work(actor=w.office, work_id=done.pk, action="finish", on=date(2026, 5, 1))
    page = client.get("/works/map/")
    assert page.status_code == 200
    assert [f["properties"]["name"] for f in client.get(f"{API}/public/map").json()["features"]] == ["已完工的项目"]
    assert '<span class="v">5200.5</span><span class="l">修补道路面积(平方米)</span>' in page.content.decode()


def test_pages_register_and_scope(client, wworld):
    w = wworld
    assert client.get("/works/").status_code == 302
    client.force_login(w.handler)
    r = client.post("/works/new/", {"name": "健康路修补", "kind": "road_repair", "department_code": "ZJ",
                                    "lng": "123.12", "lat": "41.12", "start_date": "2026-03-01",
                                    "end_date": "2026-02-01", "budget": "1000", "q_road_repair_m2": "300",
                                    "idempotency_key": "p1"})
    assert r.status_code == 422 and "计划完工日期不能早于开工日期" in r.content.decode()
    r = client.post("/works/new/", {"name": "健康路修补", "kind": "road_repair", "department_code": "ZJ",
                                    "lng": "123.12", "lat": "41.12", "start_date": "2026-03-01",
                                    "end_date": "2026-04-01", "budget": "1000", "q_road_repair_m2": "300",
                                    "idempotency_key": "p2"})
    assert r.status_code == 302
    work = Work.objects.get()
    assert client.get(f"/works/{work.pk}/").status_code == 200
    client.force_login(w.street_b)
    assert client.get(f"/works/{work.pk}/").status_code == 404
    assert client.post(f"/works/{work.pk}/start/").status_code == 404
    client.force_login(w.resident)
    assert client.get("/works/").status_code == 403
    work.refresh_from_db()
    assert work.status == "planned"
