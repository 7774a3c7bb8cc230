"""A volunteer order end to end in the browser (issue 4, Done-when): a resident orders 心理援助 on a phone;
the centre accepts and dispatches it at a desk; the station assigns a team; a volunteer contacts the
resident and completes the service with their hours on a phone; the resident rates it; the stats page shows
it matched and completed; staff issue the volunteer's certificate, whose PDF lists the hours and whose
verification URL opens the public page confirming it. Screenshots of every step land in
test-output/volunteer-*.png."""

from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from civicgrid.cases.actions import sync_categories
from civicgrid.core import testclock
from civicgrid.geo.models import Region
from civicgrid.testing import make_tree, make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import SiteLevel
from civicgrid.volunteers.models import Order, ServiceCertificate, ServiceRecord
from civicgrid.volunteers.tests.conftest import id_number
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    tree = make_tree()
    for region in Region.objects.all():  # centres, as the demo's regions have them
        ring = region.boundary["coordinates"][0]
        Region.objects.filter(pk=region.pk).update(center_lng=(ring[0][0] + ring[2][0]) / 2,
                                                   center_lat=(ring[0][1] + ring[2][1]) / 2)
    sync_categories()
    centre_admin = make_user("centre", "centre_admin", tree.district)
    make_user("res", "resident")
    centre = actions.create_site(actor=centre_admin, code="C", name="宏伟区新时代文明实践中心", level=SiteLevel.CENTRE,
                                 region=tree.district)
    station = actions.create_site(actor=centre_admin, code="S1", name="社区A文明实践站", level=SiteLevel.STATION,
                                  region=tree.community_a, parent=centre, capabilities=["7001", "7003"])
    actions.create_site(actor=centre_admin, code="S2", name="社区B文明实践站", level=SiteLevel.STATION,
                        region=tree.community_b, parent=centre, capabilities=["7001", "7002"])
    make_user("station", "station_admin", department=station.department)
    team = actions.create_team(actor=centre_admin, code="T1", name="暖心心理服务队", site=station,
                               capabilities=["7001"], service_region=tree.street_a)
    slots = [{"weekday": d, "start": time(8), "end": time(20)} for d in range(7)]
    for i, (username, name, quals) in enumerate([
            ("vol", "王心怡", [{"kind": "心理咨询师", "valid_until": None}]),
            ("vol2", "李安", [{"kind": "心理咨询师", "valid_until": timezone.localdate() - timedelta(days=1)}]),
            ("vol3", "赵敬", [])]):
        volunteer = actions.register_volunteer(
            actor=centre_admin, user=make_user(username), data=actions.VolunteerInput(
                name=name, id_number=id_number(i + 1), phone=f"1380000000{i}", region_code=tree.micro_a.code,
                skills=["7001", "7003"], qualifications=quals, availability=slots, service_radius_km=30,
                lat=41.13, lng=123.13))
        actions.add_member(actor=centre_admin, team=team, volunteer=volunteer)
    # an emergency order placed earlier by a grid worker: the centre board shows it on top, in red
    grid_worker = make_user("gw", "grid_worker", tree.grid_a)
    start = timezone.localtime() + timedelta(hours=2)
    actions.place_order(actor=grid_worker, data=actions.OrderInput(
        category_code="7008", description="老人在家摔倒,家属请求志愿者协助送医", window_start=start,
        window_end=start + timedelta(hours=2), lat=41.12, lng=123.12, address="幸福里5号楼", channel="grid",
        reporter_phone="13900000009", on_behalf_of="刘奶奶"))
    return tree


def shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"volunteer-{name}")


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def submit(page, selector: str) -> None:
    page.click(selector)
    settle(page)


def test_volunteer_order_closed_loop(phone_page, desktop_page, live_server, world):
    page, desk = phone_page, desktop_page

    # 0. the public catalogue, without signing in
    page.goto(f"{live_server.url}/volunteers/services/")
    assert page.locator("[data-service]").count() == 8
    assert "请先拨打 120" in page.locator("[data-service='7008']").inner_text()
    no_horizontal_overflow(page)
    shot(page, "00-services-public")

    # 1. the resident orders 心理援助 on a phone (the emergency notice shows only for 紧急救援)
    login(page, live_server, "res", next_path="/volunteers/order/?service=7001")
    assert page.locator("h1").inner_text() == "志愿服务点单"
    assert not page.locator("#emergency-notice").is_visible()
    page.select_option("select[name=category]", "7008")
    assert "请先拨打 120" in page.locator("#emergency-notice").inner_text()
    shot(page, "01a-order-emergency-notice")
    page.select_option("select[name=category]", "700101")
    assert not page.locator("#emergency-notice").is_visible()
    page.wait_for_selector("#report-map .leaflet-interactive")  # street outlines drawn without tiles
    page.fill("textarea[name=description]", "母亲独居,最近情绪低落、睡不好,希望有心理志愿者上门聊聊")
    street_a = page.locator("#report-map path.leaflet-interactive").first  # tap inside 街道A to drop the pin
    box = street_a.bounding_box()
    street_a.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    assert page.locator("input[name=lat]").input_value()
    page.fill("input[name=address]", "幸福里小区3号楼2单元301")
    page.fill("input[name=reporter_phone]", "13900000001")
    no_horizontal_overflow(page)
    shot(page, "01-order-phone")
    submit(page, "button[type=submit]")

    order = Order.objects.get(case__category__code="700101")
    assert order.case.region.code.startswith(world.community_a.code)
    assert f"订单编号 {order.case.number}" in page.locator(".messages").inner_text()
    assert page.locator(f"[data-order='{order.case.number}'] [data-field=state]").inner_text() == "待审单"
    no_horizontal_overflow(page)
    shot(page, "02-my-orders-submitted")

    # 2. the centre accepts and dispatches it (urgent orders on top, in red)
    login(desk, live_server, "centre", next_path="/volunteers/centre/")
    cards = desk.locator("[data-section=new] .order-card")
    assert "urgent" in cards.first.get_attribute("class")  # the 紧急救援 order
    no_horizontal_overflow(desk)
    shot(desk, "03-centre-board")
    submit(desk, f"[data-order='{order.case.number}'] button[data-step=approve]")
    card = desk.locator(f"[data-section=to-dispatch] [data-order='{order.case.number}']")
    assert "社区A文明实践站" in card.locator(".suggestions li").first.inner_text()
    assert "同一社区" in card.inner_text()
    shot(desk, "04-centre-dispatch")
    submit(desk, f"[data-section=to-dispatch] [data-order='{order.case.number}'] button[data-step=dispatch]")
    order.refresh_from_db()
    assert order.case.state == "dispatched" and order.station.code == "S1"

    # 3. the station accepts and assigns its team (the shortlist shows who is excluded and why)
    desk.context.clear_cookies()
    login(desk, live_server, "station", next_path="/volunteers/station/")
    submit(desk, f"[data-order='{order.case.number}'] button[data-step=accept]")
    card = desk.locator(f"[data-section=to-assign] [data-order='{order.case.number}']")
    assert "心理咨询师证书在服务日已过期" in card.inner_text()
    assert card.locator("input[name=volunteers]:checked").count() == 1  # the best one, preselected
    no_horizontal_overflow(desk)
    shot(desk, "05-station-assign")
    submit(desk, f"[data-section=to-assign] [data-order='{order.case.number}'] button[data-step=assign]")
    order.refresh_from_db()
    assert order.case.state == "assigned" and order.team.name == "暖心心理服务队"
    assert [v.name for v in order.volunteers.all()] == ["王心怡"]

    # 4. the volunteer contacts the resident and completes the service on a phone
    page.context.clear_cookies()
    login(page, live_server, "vol", next_path="/volunteers/tasks/")
    task = page.locator(f"[data-order='{order.case.number}']")
    assert task.locator("[data-field=phone]").inner_text() == "13900000001"
    no_horizontal_overflow(page)
    shot(page, "06-volunteer-tasks")
    task.locator("textarea[name=comment]").fill("已电话联系,约定明早九点上门")
    submit(page, f"[data-order='{order.case.number}'] button[data-step=contact]")
    # the service is over: from here on the live server runs at a time after the window (core/testclock)
    later = {testclock.HEADER: (order.window_end + timedelta(minutes=15)).isoformat()}
    page.context.set_extra_http_headers(later)
    desk.context.set_extra_http_headers(later)
    page.reload()
    task = page.locator(f"[data-order='{order.case.number}']")
    task.locator("textarea[name=report]").fill("上门陪伴聊天,进行情绪疏导,建议家属多陪伴")
    start = timezone.localtime(order.window_start)
    task.locator("input[type=datetime-local]").nth(1).fill((start + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"))
    no_horizontal_overflow(page)
    shot(page, "07-volunteer-complete")
    submit(page, f"[data-order='{order.case.number}'] button[data-step=complete]")
    record = ServiceRecord.objects.get(order=order)
    assert str(record.hours) == "1.50"

    # 5. the resident rates it
    page.context.clear_cookies()
    login(page, live_server, "res", next_path="/volunteers/my/")
    mine = page.locator(f"[data-order='{order.case.number}']")
    assert "暖心心理服务队" in mine.locator("[data-field=team]").inner_text()
    mine.locator("input[name=satisfaction][value='5']").check()
    shot(page, "08-resident-rating")
    submit(page, f"[data-order='{order.case.number}'] button[type=submit]")
    assert page.locator(f"[data-order='{order.case.number}'] [data-field=state]").inner_text() == "已归档"
    no_horizontal_overflow(page)
    shot(page, "09-resident-rated")

    page.goto(f"{live_server.url}/volunteers/register/")  # the resident could also sign up to serve
    no_horizontal_overflow(page)
    shot(page, "09a-register-phone")

    # 6. the station confirms the service record (only confirmed hours count)
    desk.goto(f"{live_server.url}/volunteers/station/")
    shot(desk, "10-station-confirm")
    submit(desk, f"[data-section=to-confirm] [data-order='{order.case.number}'] button[data-step=confirm]")
    record.refresh_from_db()
    assert record.status == "confirmed"

    # 7. the stats page shows the order matched and completed
    desk.context.clear_cookies()
    login(desk, live_server, "centre", next_path="/volunteers/stats/")
    assert desk.locator("[data-figure=orders]").inner_text() == "2"  # this one and the emergency order
    assert desk.locator("[data-figure=matched]").inner_text() == "1"
    assert desk.locator("[data-figure=completed]").inner_text() == "1"
    assert desk.locator("[data-figure=matching_rate]").inner_text() == "50.0%"
    assert "暖心心理服务队" in desk.locator("[data-table=teams]").inner_text()
    desk.wait_for_selector("#chart-category svg")  # ECharts drew the chart
    no_horizontal_overflow(desk)
    shot(desk, "11-stats")

    # 8. staff issue the certificate; its PDF lists the hours; its URL opens the public check
    volunteer = order.volunteers.get()
    desk.goto(f"{live_server.url}/volunteers/volunteers/{volunteer.pk}/")
    assert volunteer.id_number not in desk.content()  # masked
    desk.select_option("select[name=site]", "C")
    submit(desk, "button[data-step=issue]")
    cert = ServiceCertificate.objects.get()
    no_horizontal_overflow(desk)
    shot(desk, "12-certificate-issued")
    link = desk.locator(f"[data-certificate='{cert.number}']")
    pdf = desk.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    flat = re.sub(r"\s+", "", text)
    assert cert.number in flat and "王心怡" in flat and "累计服务时长1.5小时" in flat  # the PDF prints 1.5
    assert "心理疏导" in flat or "上门陪伴聊天" in flat  # the service line
    url = re.search(r"https?://[^\s]+?/volunteers/certificates/[A-Za-z0-9_-]+/", flat).group(0)
    assert url.endswith(f"/{cert.token}/")

    public = page.context.browser.new_context(viewport=page.viewport_size, is_mobile=True, locale="zh-CN")
    check = public.new_page()
    check.goto(url)
    assert check.locator("[data-field=valid]").inner_text() == "真实有效"
    assert check.locator("[data-field=number]").inner_text() == cert.number
    assert check.locator("[data-field=name]").inner_text() == "王**"
    assert "1.50" in check.locator("[data-field=hours]").inner_text()
    no_horizontal_overflow(check)
    screenshot(check, "volunteer-13-verify-public")
    public.close()
