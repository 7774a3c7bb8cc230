"""Under a city root the figures are counted per district or for the city: a district's figures equal the
figures of a city holding that district alone, and a city leader chooses; a district leader sees theirs."""

import pytest

from civicgrid.figures import registry
from civicgrid.figures.queries import figures
from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.testing import make_city, make_user

pytestmark = pytest.mark.django_db


def _values(region_code=""):
    return {item["key"]: item["values"] for item in figures(region_code=region_code)["items"]}


def _grow(district: Region, grids: int, workers: int, tag: str) -> None:
    """More grids and micro-grids in `district` (under its first community), with micro-grid workers."""
    community = Region.objects.get(code=district.code + "001001")
    for i in range(grids):
        grid = Region.objects.create(code=f"{community.code}{i + 2:03d}", name=f"{tag}网格{i}", level=RegionLevel.GRID,
                                     parent=community, kind=RegionKind.COMPREHENSIVE)
        micro = Region.objects.create(code=f"{grid.code}001", name=f"{tag}微网格{i}", level=RegionLevel.MICRO_GRID,
                                      parent=grid)
        if i < workers:
            make_user(f"{tag}_mgw{i}", "micro_grid_worker", micro)


def _drop(district: Region) -> None:
    for region in sorted(Region.objects.filter(code__startswith=district.code), key=lambda r: -len(r.code)):
        region.delete()


def test_a_districts_figures_equal_a_city_of_that_district_alone():
    city = make_city()
    a, b = city.district_a, city.district_b
    _grow(a, grids=3, workers=2, tag="a")
    b_code, b_name = b.code, b.name
    _drop(b)  # the city with district A alone
    alone = _values()
    assert alone["base_grids"] == {"grids": 4} and alone["micro_grid_workers"] == {"workers": 2, "micro_grids": 3}
    b = Region.objects.create(code=b_code, name=b_name, level=RegionLevel.DISTRICT, parent=city.city)
    street = Region.objects.create(code=b_code + "001", name="街道", level=RegionLevel.STREET, parent=b)
    Region.objects.create(code=street.code + "001", name="社区", level=RegionLevel.COMMUNITY, parent=street)
    _grow(b, grids=5, workers=4, tag="b")
    assert _values(a.code) == alone  # district B's records change nothing of A's
    by_b = _values(b.code)
    assert by_b["base_grids"] == {"grids": 5} and by_b["micro_grid_workers"] == {"workers": 4, "micro_grids": 5}
    whole = _values()
    assert whole["base_grids"] == {"grids": 9} and whole["micro_grid_workers"] == {"workers": 6, "micro_grids": 8}
    assert _values() == _values("")  # outside counting_for the reader reaches everything again
    assert registry.WHOLE_DISTRICT.grant_for("geo.view_region").unrestricted


def test_the_city_leader_picks_a_district_and_a_district_leader_sees_theirs(client):
    city = make_city()
    _grow(city.district_b, grids=2, workers=1, tag="b")
    client.force_login(make_user("city_leader", "leader", city.city))
    page = client.get("/figures/")
    assert page.status_code == 200 and page.context["district"] == ""
    assert [code for code, _ in page.context["district_choices"]] == ["", "211004", "211011"]
    grids = {r["key"]: r for r in page.context["rows"]}["base_grids"]["pairs"]
    assert [value for _, value in grids] == [4]
    page = client.get("/figures/?district=211011")
    assert [v for _, v in {r["key"]: r for r in page.context["rows"]}["base_grids"]["pairs"]] == [3]
    assert "太子河区 · " in page.content.decode()
    api = client.get("/api/v1/figures?district=211004").json()
    assert api["region_code"] == "211004"
    assert {i["key"]: i["values"] for i in api["items"]}["base_grids"] == {"grids": 1}

    client.force_login(make_user("leader_a", "leader", city.district_a))
    page = client.get("/figures/")
    assert page.context["district"] == "211004" and page.context["district_choices"] == []
    assert [v for _, v in {r["key"]: r for r in page.context["rows"]}["base_grids"]["pairs"]] == [1]
    assert client.get("/figures/?district=211011").status_code == 403
    assert client.get("/figures/?district=").status_code == 403
    denied = client.get("/api/v1/figures?district=211011")
    assert denied.status_code == 403 and denied.json()["code"] == "district_out_of_reach"
