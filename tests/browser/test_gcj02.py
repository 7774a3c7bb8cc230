"""static/geo/gcj02.js, the WGS84 <-> GCJ-02 shift, against published reference points: the test vectors of
googollee/eviltransform (Shanghai, Shenzhen, Beijing) and of hujiulong/gcoord ([123, 45]). Run in Chromium,
the JavaScript engine the maps run in; no server or database."""

from __future__ import annotations

from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "civicgrid" / "static" / "geo" / "gcj02.js"

# (WGS84 lat, lng) -> (GCJ-02 lat, lng)
EVILTRANSFORM = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]
GCOORD_FORWARD = ((45.0, 123.0), (45.00197815, 123.00607541))
GCOORD_INVERSE = ((45.0, 123.0), (44.99804071, 122.99395597))  # GCJ-02 in, WGS84 out


@pytest.fixture
def js(browser):
    context = browser.new_context()
    page = context.new_page()
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def _forward(js, lat, lng):
    return js.evaluate("([lat, lng]) => window.civicgrid.gcj02.fromWgs84(lat, lng)", [lat, lng])


def _inverse(js, lat, lng):
    return js.evaluate("([lat, lng]) => window.civicgrid.gcj02.toWgs84(lat, lng)", [lat, lng])


@pytest.mark.parametrize(("wgs", "gcj"), [*EVILTRANSFORM, GCOORD_FORWARD])
def test_forward_matches_the_reference_points(js, wgs, gcj):
    assert _forward(js, *wgs) == pytest.approx(list(gcj), abs=1e-7)  # about 1 cm


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_inverse_returns_to_the_wgs84_point(js, wgs, gcj):
    assert _inverse(js, *gcj) == pytest.approx(list(wgs), abs=1e-8)  # about 1 mm


def test_inverse_matches_gcoord(js):
    gcj, wgs = GCOORD_INVERSE
    assert _inverse(js, *gcj) == pytest.approx(list(wgs), abs=1e-6)  # gcoord's own inverse is approximate


def test_the_shift_in_liaoyang_is_a_few_hundred_metres_and_outside_china_nothing(js):
    lat, lng = 41.25, 123.245  # the demo district
    g_lat, g_lng = _forward(js, lat, lng)
    assert 0.0005 < abs(g_lat - lat) < 0.005 and 0.003 < abs(g_lng - lng) < 0.01
    assert _forward(js, 48.8584, 2.2945) == [48.8584, 2.2945]  # Paris
    assert _inverse(js, 48.8584, 2.2945) == [48.8584, 2.2945]
