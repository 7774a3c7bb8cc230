"""The report map a resident can aim with (phone, no tile server): the demo district's streets, communities,
grid blocks, buildings and names drawn from its own records; a building found by the search box pins the
report there and the page names the place (street, community, grid); a tap outside the district says so; the
submitted case lands in the building's micro-grid. With a GCJ-02 tile provider the same WGS84 data is drawn
shifted onto the tiles and a tap still yields WGS84. Screenshots: test-output/report-map-*.png."""

from __future__ import annotations

import random

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case
from civicgrid.geo import queries as geo_queries
from civicgrid.geo.models import Region
from civicgrid.people.models import Building
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import OUTPUT, login, settle, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20260601
PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP88P/PfwAJ4wPZ7GQfYAAAAABJRU5ErkJggg=="


@pytest.fixture
def district(settings):
    """The demo district's regions (all 5,684 micro-grids, with boundaries) and the buildings of its first
    street, as the demo builder makes them."""
    from civicgrid.core import confcache
    from civicgrid.demo import builder, people, population, tree
    from civicgrid.geo.choices import RegionLevel

    settings.MAP_TILE_URL = ""
    levels = tree.by_level(tree.plan(SEED))
    region_ids = builder._create_regions(levels)
    street = levels[RegionLevel.STREET][0].code
    micro = [m for m in levels[RegionLevel.MICRO_GRID] if m.code.startswith(street)]
    population.write(seed=SEED, micro_grids=micro, scale=0.3, region_ids=region_ids, tag_ids=builder._create_tags(),
                     registry=people.Registry(random.Random(SEED)))
    builder.bump_boundary_version()
    confcache.bump()
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    make_user("res", "resident")


def _settled(page) -> None:
    wait_until(page, "!document.querySelector('#report-map').classList.contains('leaflet-zoom-anim')")
    page.wait_for_timeout(400)


def _map_shot(page, name: str) -> None:
    page.evaluate("document.querySelector('[data-pick-map]').scrollIntoView({block: 'center'})")
    page.locator("[data-pick-map]").screenshot(path=str(OUTPUT / f"{name}.png"))


def test_resident_finds_their_building_and_the_place_is_named(phone_page, live_server, district):
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, "res", next_path="/cases/report/")
    page.wait_for_selector("#report-map[data-layers='ready']", timeout=20_000)
    _settled(page)

    # the whole district: street names over grid blocks, no coordinates anywhere
    streets = Region.objects.filter(level="street").order_by("code").values_list("name", flat=True)
    assert sorted(page.locator(".map-label.street").all_text_contents()) == sorted(streets)
    assert page.locator(".map-label.street:not(.is-crowded)").count() >= 4  # overlapping labels wait for a zoom
    assert page.locator("#report-map path.leaflet-interactive").count() == 279  # the grid blocks
    OUTPUT.mkdir(parents=True, exist_ok=True)
    _map_shot(page, "report-map-district")

    # search: the building's name, then the hit in the list pans there and pins it
    building = Building.objects.filter(name__endswith="号楼").order_by("code").first()
    page.fill("#map-search", building.name)
    hit = page.locator("#map-search-results li").filter(has_text=building.address).first
    hit.wait_for()
    assert page.locator("#map-search-results .hit-kind").first.inner_text() == "楼栋"
    hit.click()
    _settled(page)
    assert float(page.input_value("input[name=lat]")) == pytest.approx(building.lat, abs=1e-6)
    assert float(page.input_value("input[name=lng]")) == pytest.approx(building.lng, abs=1e-6)
    place = geo_queries.place_names(building.lng, building.lat)
    assert place["found"]
    wait_until(page, "Number(document.querySelector('#report-map').dataset.buildings) > 0")
    page.wait_for_selector(f"#picked:has-text('{place['label']}')")
    assert page.locator("#picked").inner_text().startswith(f"已选点:{place['label']}")
    assert page.locator(".map-label.building").count() >= 1

    # a view a resident aims in: blocks, buildings, estate, grid and building names
    page.evaluate("civicgrid.pickMap.map.setZoom(15.5)")
    _settled(page)
    assert page.locator(".map-label.estate").count() >= 1 and page.locator(".map-label.grid").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _map_shot(page, "report-map-phone")
    page.evaluate("civicgrid.pickMap.map.setZoom(17.5)")
    _settled(page)
    assert page.locator(".map-label.building").count() >= 1
    _map_shot(page, "report-map-buildings")

    # a tap outside the district is named as such
    page.evaluate("civicgrid.pickMap.map.setView([41.15, 123.0], 15, {animate: false})")
    _settled(page)
    page.locator("#report-map").click(position={"x": 195, "y": 170})
    page.wait_for_selector("#picked.is-outside")
    assert "不在本区网格范围内" in page.locator("#picked").inner_text()

    # back to the building (Enter takes the first hit and must not submit the form) and report
    page.fill("#map-search", building.name)
    page.wait_for_selector("#map-search-results li[role=option]:not(.hit-empty)")
    page.press("#map-search", "Enter")
    page.wait_for_selector(f"#picked:has-text('{place['label']}')")
    assert Case.objects.count() == 0
    page.select_option("select[name=category]", "0102")
    page.fill("textarea[name=description]", "楼下垃圾桶满溢,周边散落垃圾")
    page.click("#report-form button[type=submit]")
    settle(page)
    case = Case.objects.get()
    assert case.region_id == building.region_id
    assert errors == []


def test_gcj02_tiles_get_shifted_data_and_taps_stay_wgs84(phone_page, live_server, settings):
    tree = make_tree()
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    make_user("res", "resident")
    settings.MAP_TILE_URL = PIXEL  # every tile the same pixel: no network needed
    settings.MAP_TILE_CRS = "gcj02"
    page = phone_page
    login(page, live_server, "res", next_path="/cases/report/")
    page.wait_for_selector("#report-map[data-layers='ready']", timeout=20_000)
    assert page.locator("#report-map img.leaflet-tile").count() > 0
    assert page.locator("#report-map").get_attribute("data-buildings") is None  # the tiles draw buildings

    # a WGS84 point is drawn where its GCJ-02 position is on the tiles
    offset = page.evaluate("""() => {
        const m = civicgrid.pickMap.map, z = m.getZoom(), wgs = L.latLng(41.12, 123.12);
        const g = civicgrid.gcj02.fromWgs84(wgs.lat, wgs.lng);
        const drawn = m.project(wgs, z);  // the map's own CRS
        const onTiles = L.CRS.EPSG3857.latLngToPoint(L.latLng(g[0], g[1]), z);
        const plain = L.CRS.EPSG3857.latLngToPoint(wgs, z);
        return [drawn.x - onTiles.x, drawn.y - onTiles.y, drawn.x - plain.x, drawn.y - plain.y];
    }""")
    assert abs(offset[0]) < 0.01 and abs(offset[1]) < 0.01
    assert abs(offset[2]) > 1 or abs(offset[3]) > 1  # without the shift it would be elsewhere

    # a tap where the tiles show a GCJ-02 point stores that point's WGS84 coordinates
    page.evaluate("civicgrid.pickMap.map.setView([41.12, 123.12], 17, {animate: false})")
    _settled(page)
    x, y = page.evaluate("""() => { const p = civicgrid.pickMap.map.latLngToContainerPoint(L.latLng(41.12, 123.12));
                                   return [p.x, p.y]; }""")
    page.locator("#report-map").click(position={"x": x, "y": y})
    page.wait_for_selector("#picked:has-text('街道A')")
    assert float(page.input_value("input[name=lat]")) == pytest.approx(41.12, abs=2e-5)
    assert float(page.input_value("input[name=lng]")) == pytest.approx(123.12, abs=2e-5)
    assert tree.micro_a.name in geo_queries.place_names(123.12, 41.12)["micro_grid"]["name"]
