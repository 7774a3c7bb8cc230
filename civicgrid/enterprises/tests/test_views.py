"""The enterprise pages: who may open which (404 out of reach, 403 without the role), the 360° page's
sections, the contact portal's metrics form (422 with the code on bad input), the worklist, the public
approvals catalogue, the figures page; no inline script on any of them."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.enterprises import actions
from civicgrid.enterprises.models import YearMetrics
from civicgrid.reports.tests.helpers import export_through_page

pytestmark = pytest.mark.django_db


def page(client, user, path, **kw):
    client.force_login(user)
    return client.get(path, **kw)


def no_inline_script(html: str) -> bool:
    import re

    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    return not scripts and " onclick=" not in html and " onload=" not in html


def test_pages_by_role(client, zworld):
    w = zworld
    detail = f"/enterprises/{w.ent_a.pk}/"
    assert page(client, w.officer_a, detail).status_code == 200
    assert page(client, w.contact_a, detail).status_code == 200
    for user in (w.officer_b, w.contact_b, w.resident):
        assert page(client, user, detail).status_code == 404
    assert page(client, w.leader, "/enterprises/zone/").status_code == 200
    assert page(client, w.officer_a, "/enterprises/worklist/").status_code == 200
    assert page(client, w.leader, "/enterprises/worklist/").status_code == 403
    assert page(client, w.contact_a, "/enterprises/zone/").status_code == 403
    assert page(client, w.resident, "/enterprises/my/").status_code == 403
    assert page(client, w.contact_a, "/enterprises/").url == "/enterprises/my/"
    assert page(client, w.officer_a, "/enterprises/").url == "/enterprises/zone/"


def test_360_page_shows_the_enterprise_and_logs_the_metrics_read(client, zworld):
    w = zworld
    today = timezone.localdate()
    actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="high_tech_enterprise", issued_on=today - timedelta(days=1030)))  # runs out in ~65 days
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=today.year - 1,
                           values={"revenue": "12000000", "staff": 40})
    response = page(client, w.officer_a, f"/enterprises/{w.ent_a.pk}/")
    html = response.content.decode()
    assert w.ent_a.name in html and w.ent_a.uscc in html and 'data-badge="expiring"' in html
    assert 'data-table="metrics"' in html and 'id="metrics-trend"' in html
    assert no_inline_script(html)
    from civicgrid.core.models import AuditEvent
    assert AuditEvent.objects.filter(action="enterprises.read_metrics", actor=w.officer_a).exists()


def test_leader_page_write_is_403_and_changes_nothing(client, zworld):
    w = zworld
    client.force_login(w.leader)
    response = client.post(f"/enterprises/{w.ent_a.pk}/qualifications/", {"kind": "tech_sme", "issued_on": "2024-04-01"})
    assert response.status_code == 403
    response = client.post(f"/enterprises/{w.ent_a.pk}/metrics/", {"year": 2024, "staff": 5})
    assert response.status_code == 403 and not YearMetrics.objects.exists()


def test_contact_portal_submits_metrics(client, zworld):
    w = zworld
    response = page(client, w.contact_a, "/enterprises/my/")
    html = response.content.decode()
    assert w.ent_a.name in html and w.ent_b.name not in html and no_inline_script(html)
    bad = client.post(f"/enterprises/{w.ent_a.pk}/metrics/", {"year": 2024, "staff": "-2", "next": "portal"})
    assert bad.status_code == 422 and "metrics_negative" in bad.content.decode()
    ok = client.post(f"/enterprises/{w.ent_a.pk}/metrics/", {"year": 2024, "staff": "30", "revenue": "8000000",
                                                             "next": "portal"})
    assert ok.status_code == 302 and ok.url == "/enterprises/my/"
    row = YearMetrics.objects.get(enterprise=w.ent_a, year=2024)
    assert row.staff == 30 and row.reported_by == w.contact_a
    other = client.post(f"/enterprises/{w.ent_b.pk}/metrics/", {"year": 2024, "staff": "30"})
    assert other.status_code == 404


def test_worklist_lists_expiring_and_missing(client, zworld):
    w = zworld
    today = timezone.localdate()
    actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="tech_sme", issued_on=today - timedelta(days=300), valid_until=today + timedelta(days=40)))
    html = page(client, w.officer_a, "/enterprises/worklist/").content.decode()
    assert "科技型中小企业" in html and w.ent_a.name in html and w.ent_b.name not in html


def test_zone_page_and_list_and_export(client, zworld):
    w = zworld
    html = page(client, w.officer_zone, "/enterprises/zone/").content.decode()
    assert 'id="zone-charts"' in html and 'id="parks-map"' in html and no_inline_script(html)
    geo = page(client, w.officer_a, "/enterprises/zone/parks.geojson").json()
    counts = {f["properties"]["code"]: f["properties"]["enterprises"] for f in geo["features"]}
    assert counts == {"PA": 1, "PB": 0}
    html = page(client, w.officer_a, "/enterprises/list/?q=测试").content.decode()
    assert w.ent_a.name in html and w.ent_b.name not in html
    html = page(client, w.officer_a, "/enterprises/list/?q=测试").content.decode()
    assert 'name="kind" value="enterprise_export"' in html and 'name="q" value="测试"' in html
    _run, response = export_through_page(client, "enterprise_export", q=w.ent_b.name)
    assert load_workbook(BytesIO(b"".join(response.streaming_content))).active.max_row == 1  # B is not A's
    run, response = export_through_page(client, "enterprise_export", q="测试")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [w.ent_a.name] and run.rows == 1


def test_public_approvals_and_figures_page(client, zworld):
    w = zworld
    actions.save_approval_item(actor=w.admin, data=actions.ApprovalInput(
        code="GX-1", name="建设项目环境影响报告表审批", department="GXJFJ", statutory_days=30, promised_days=15))
    client.logout()
    html = client.get("/enterprises/approvals/", {"q": "环境"}).content.decode()
    assert "建设项目环境影响报告表审批" in html and no_inline_script(html)
    assert page(client, w.leader, "/figures/").status_code == 200
    assert page(client, w.resident, "/figures/").status_code == 403
    actions.set_zone_area(actor=w.admin, zone=w.zone, effective_from=date(1992, 11, 1), area_km2="4.30")
    assert 'data-figure="zone_area"' in page(client, w.leader, "/figures/").content.decode()


def test_register_and_edit_pages(client, zworld):
    from civicgrid.enterprises.models import Enterprise
    from civicgrid.enterprises.tests.conftest import make_uscc

    w = zworld
    form = page(client, w.officer_a, "/enterprises/new/").content.decode()
    assert 'value="PA"' in form and 'value="PB"' not in form  # only the officer's own park
    data = {"uscc": make_uscc(60), "name": "页面登记企业", "park": "PA", "industry_code": "2614", "currency": "CNY",
            "ownership": "domestic", "status": "operating", "listing_board": "", "exchange": ""}
    bad = client.post("/enterprises/new/", {**data, "uscc": make_uscc(60)[:-1] + "0"})
    assert bad.status_code == 422 and "uscc_check_character" in bad.content.decode()
    ok = client.post("/enterprises/new/", data)
    made = Enterprise.objects.get(uscc=make_uscc(60))
    assert ok.status_code == 302 and made.industry_code == "C2614"
    edit = client.post(f"/enterprises/{made.pk}/edit/", {**data, "name": "页面登记企业(改)"})
    made.refresh_from_db()
    assert edit.status_code == 302 and made.former_names == ["页面登记企业"]
    assert page(client, w.officer_b, f"/enterprises/{made.pk}/edit/").status_code == 404
    assert page(client, w.leader, f"/enterprises/{made.pk}/edit/").status_code == 403
