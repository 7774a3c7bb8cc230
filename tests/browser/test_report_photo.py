"""The report page on a phone suggests the place from the photo: a grid worker chooses a photo with an EXIF
position inside micro-grid A, the page asks /api/v1/cases/photo-location, drops the pin there and says so,
and the submitted case lands in micro-grid A with the photo attached. Screenshots: test-output/report-photo*.png."""

from __future__ import annotations

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Attachment, Case
from civicgrid.cases.tests.test_photos import jpeg_with_gps
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import OUTPUT, login, screenshot, settle, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tree(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_tree()
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    make_user("gw_a", "grid_worker", tree.grid_a)
    return tree


def test_grid_worker_photo_places_the_report(phone_page, live_server, tree, tmp_path):
    page = phone_page
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg_with_gps(lat=41.12, lng=123.12))  # inside micro-grid A

    login(page, live_server, "gw_a", next_path="/cases/report/")
    page.wait_for_selector("#report-map .leaflet-interactive")
    assert page.locator("input[name=channel][value=grid]").is_checked()  # 网格员上报 by default
    assert page.locator("[data-section=contact]").count() == 0  # staff are not asked how to be contacted
    page.check("input[name=channel][value=patrol]")  # 巡查发现
    page.select_option("select[name=category]", "0102")
    page.fill("textarea[name=description]", "路口垃圾桶满溢,周边散落垃圾")

    with page.expect_response(lambda r: r.url.endswith("/api/v1/cases/photo-location")) as answer:
        page.set_input_files("input[name=photos]", str(photo))
    assert answer.value.status == 200
    note = page.locator("#photo-place")
    note.wait_for(state="visible")
    assert note.inner_text().strip() == "已根据照片拍摄位置定位:微网格A"
    assert page.locator("#report-map path.leaflet-interactive[fill='#b3261e'][fill-opacity='1']").count() == 1  # the pin
    assert float(page.input_value("input[name=lat]")) == pytest.approx(41.12, abs=1e-4)
    assert float(page.input_value("input[name=lng]")) == pytest.approx(123.12, abs=1e-4)
    wait_until(page, "!document.querySelector('#report-map').classList.contains('leaflet-zoom-anim')")
    page.wait_for_timeout(300)  # let the zoom to the pin settle before the pictures
    page.evaluate("document.getElementById('photo-place').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(OUTPUT / "report-photo-place.png"))  # what the phone shows: pin and note
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "report-photo")

    page.click("#report-form button[type=submit]")
    settle(page)
    case = Case.objects.get()
    assert case.region == tree.micro_a and case.channel == "patrol" and case.contact_preference == "none"
    assert f"案件编号 {case.number}" in page.locator(".messages").inner_text()
    stored = Attachment.objects.get(case=case)
    assert stored.lat == pytest.approx(41.12, abs=1e-4)
    screenshot(page, "report-photo-submitted")


def test_a_photo_without_a_position_says_nothing(phone_page, live_server, tree, tmp_path):
    from PIL import Image

    photo = tmp_path / "plain.jpg"
    Image.new("RGB", (32, 24), (10, 120, 10)).save(photo, "JPEG")
    page = phone_page
    login(page, live_server, "gw_a", next_path="/cases/report/")
    page.wait_for_selector("#report-map .leaflet-interactive")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/cases/photo-location")) as answer:
        page.set_input_files("input[name=photos]", str(photo))
    assert answer.value.status == 200
    page.wait_for_timeout(200)
    assert page.locator("#photo-place").is_hidden() and page.input_value("input[name=lat]") == ""
