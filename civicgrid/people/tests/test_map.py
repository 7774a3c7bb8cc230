"""The report map's buildings: footprints in a box and the typeahead search. Public geography only: no
household or resident data leaves these answers."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from civicgrid.people.models import Building
from civicgrid.people.tests.factories import make_household, make_resident
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def resident(tree) -> Client:
    client = Client()
    client.force_login(make_user("res", "resident"))
    return client


@pytest.fixture
def buildings(tree):
    def building(region, seq, name, lng, lat, floors=6, units=3):
        return Building.objects.create(region=region, code=f"{region.code}{seq:03d}", name=name, floors=floors,
                                       units=units, address=f"辽阳市宏伟区文圣路{seq}号{name}", lng=lng, lat=lat)

    made = [building(tree.micro_a, 1, "幸福家园1号楼", 123.1210, 41.1210),
            building(tree.micro_a, 2, "幸福家园2号楼", 123.1230, 41.1230),
            building(tree.micro_b, 1, "光明小区5号楼", 123.2210, 41.1210)]
    Building.objects.create(region=tree.micro_b, code=tree.micro_b.code + "009", name="无坐标楼")
    household = make_household(tree.micro_a, "HA-1", made[0], "辽阳市宏伟区文圣路1号幸福家园1号楼1单元101")
    make_resident(household, "张三", ID_NUMBER, phone="13812345678")
    return made


def test_buildings_in_a_box_come_as_footprints_with_estate_labels(buildings, resident):
    response = resident.get("/api/v1/people/map/buildings?bbox=123.11,41.11,123.13,41.13")
    assert (response.status_code, response["Cache-Control"]) == (200, "private, max-age=600")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    assert body["bbox"] == [123.11, 41.11, 123.13, 41.13]
    assert [f["properties"]["name"] for f in body["features"]] == ["幸福家园1号楼", "幸福家园2号楼"]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert feature["properties"] == {"code": buildings[0].code, "name": "幸福家园1号楼", "floors": 6,
                                     "address": "辽阳市宏伟区文圣路1号幸福家园1号楼", "point": [123.121, 41.121]}
    assert body["estates"] == [{"name": "幸福家园", "lng": 123.122, "lat": 41.122, "buildings": 2}]


def test_no_household_or_resident_data_leaves_the_map(buildings, resident):
    text = resident.get("/api/v1/people/map/buildings?bbox=123.11,41.11,123.13,41.13").content.decode()
    text += resident.get("/api/v1/people/map/search?q=幸福").content.decode()
    for secret in ("张三", ID_NUMBER, "13812345678", "1单元101", "HA-1", "household", "resident"):
        assert secret not in text


@pytest.mark.parametrize(("bbox", "code"), [("1,2,3", "invalid_bbox"), ("123.2,41.2,123.1,41.3", "invalid_bbox"),
                                            ("123.0,41.0,123.3,41.3", "bbox_too_large")])
def test_a_bad_box_is_422_with_a_code(buildings, resident, bbox, code):
    response = resident.get(f"/api/v1/people/map/buildings?bbox={bbox}")
    assert response.status_code == 422 and response.json()["code"] == code


def test_search_finds_buildings_by_name_or_address_then_communities_and_grids(buildings, resident, tree):
    tree.community_a.name = "幸福社区"
    tree.community_a.center_lng, tree.community_a.center_lat = 123.15, 41.15
    tree.community_a.save()
    hits = resident.get("/api/v1/people/map/search", {"q": "幸福"}).json()
    assert [(h["kind"], h["name"]) for h in hits] == [
        ("building", "幸福家园1号楼"), ("building", "幸福家园2号楼"), ("community", "幸福社区")]
    assert hits[0] == {"kind": "building", "code": buildings[0].code, "name": "幸福家园1号楼",
                       "address": "辽阳市宏伟区文圣路1号幸福家园1号楼", "area": "幸福社区",
                       "lng": 123.121, "lat": 41.121}
    by_address = resident.get("/api/v1/people/map/search", {"q": "文圣路3号"}).json()
    assert [h["name"] for h in by_address] == []  # building 3 does not exist; 文圣路1号 ≠ 文圣路3号
    assert [h["name"] for h in resident.get("/api/v1/people/map/search", {"q": "文圣路1号"}).json()] == [
        "幸福家园1号楼", "光明小区5号楼"]
    assert resident.get("/api/v1/people/map/search", {"q": "  "}).json() == []
    assert resident.get("/api/v1/people/map/search", {"q": "无坐标"}).json() == []  # nothing to pan to


def test_map_reads_need_a_signed_in_caller(buildings):
    anonymous = Client()
    assert anonymous.get("/api/v1/people/map/buildings?bbox=123.11,41.11,123.13,41.13").status_code == 401
    assert anonymous.get("/api/v1/people/map/search?q=幸福").status_code == 401
    assert json.loads(anonymous.get("/api/v1/people/map/search?q=幸福").content)["code"]
