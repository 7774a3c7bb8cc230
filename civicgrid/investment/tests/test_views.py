"""The investment pages: who may open which (404 out of reach, 403 without the role; the enterprise
contact sees only their own projects), the contact's phone report page (422 with the code on bad input,
nothing written), the review queue, the leads board and funds page; no inline script on any of them."""

import re
from datetime import date

import pytest

from civicgrid.investment import actions
from civicgrid.investment.models import FundsInPlace, InvestmentReport
from civicgrid.investment.tests.conftest import project_input

pytestmark = pytest.mark.django_db


def page(client, user, path, **kw):
    client.force_login(user)
    return client.get(path, **kw)


def no_inline_script(html: str) -> bool:
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    return not scripts and " onclick=" not in html and " onload=" not in html


def test_pages_by_role(client, iworld):
    w = iworld
    detail = f"/investment/projects/{w.project_a.pk}/"
    for user in (w.officer_a, w.officer_zone, w.leader, w.contact_a):
        response = page(client, user, detail)
        assert response.status_code == 200 and no_inline_script(response.content.decode())
    for user in (w.officer_b, w.contact_b, w.resident):
        assert page(client, user, detail).status_code == 404
    listing = page(client, w.contact_b, "/investment/projects/").content.decode()
    assert w.project_b.code in listing and w.project_a.code not in listing
    for path in ("/investment/board/", "/investment/leads/", "/investment/funds/", "/investment/projects/"):
        response = page(client, w.leader, path)
        assert response.status_code == 200 and no_inline_script(response.content.decode()), path
    for path in ("/investment/board/", "/investment/leads/", "/investment/funds/", "/investment/review/"):
        assert page(client, w.contact_a, path).status_code == 403, path
    assert page(client, w.leader, "/investment/review/").status_code == 403
    assert page(client, w.resident, "/investment/projects/").status_code == 403
    assert page(client, w.contact_a, "/investment/").url == "/investment/my/"
    assert page(client, w.officer_a, "/investment/").url == "/investment/projects/"


def test_contact_reports_on_the_phone_page(client, iworld):
    w = iworld
    mine = page(client, w.contact_a, "/investment/my/").content.decode()
    assert w.project_a.code in mine and w.project_b.code not in mine and no_inline_script(mine)
    url = f"/investment/projects/{w.project_a.pk}/reports/"
    response = client.post(url, {"month": "2026-08", "amount_yuan": "100", "next": "mine"})
    assert response.status_code == 422 and "report_month_future" in response.content.decode()
    assert InvestmentReport.objects.count() == 0
    response = client.post(url, {"month": "2026-07", "amount_yuan": "2500000", "next": "mine",
                                 "idempotency_key": "abc"})
    assert response.status_code == 302 and response.url == "/investment/my/"
    assert client.post(url, {"month": "2026-07", "amount_yuan": "2500000", "next": "mine",
                             "idempotency_key": "abc"}).status_code == 302  # a retried tap
    assert list(InvestmentReport.objects.values_list("month", "amount")) == [(date(2026, 7, 1), 2500000)]
    # another enterprise's project: 404, nothing written
    client.force_login(w.contact_b)
    assert client.post(url, {"month": "2026-06", "amount_yuan": "1"}).status_code == 404
    assert InvestmentReport.objects.count() == 1


def test_review_queue_and_decisions(client, iworld):
    w = iworld
    report = actions.submit_report(actor=w.contact_a, project_id=w.project_a.pk, month=date(2026, 6, 1),
                                   amount_yuan="1000")
    assert f'data-report="{report.pk}"' in page(client, w.officer_tc, "/investment/review/").content.decode()
    assert f'data-report="{report.pk}"' not in page(client, w.officer_gj, "/investment/review/").content.decode()
    client.force_login(w.officer_tc)
    response = client.post(f"/investment/review/{report.pk}/", {"decision": "return"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"  # a return needs a reason
    client.post(f"/investment/review/{report.pk}/", {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == w.officer_tc


def test_leads_and_funds_forms(client, iworld):
    w = iworld
    client.force_login(w.officer_tc)
    response = client.post("/investment/leads/", {"name": "新项目", "investor": "某公司", "source": "expo",
                                                  "industry_code": "C2614", "amount": "100000000", "currency": "",
                                                  "found_on": "2026-01-02"})
    assert response.status_code == 422 and "currency_required" in response.content.decode()
    response = client.post("/investment/leads/", {"name": "新项目", "investor": "某公司", "source": "expo",
                                                  "industry_code": "C2614", "amount": "100000000",
                                                  "currency": "CNY", "found_on": "2026-01-02"})
    assert response.status_code == 302
    lead = w.zone.leads.get()
    for stage, on in (("negotiating", "2026-02-01"), ("signed", "2026-03-01")):
        client.post(f"/investment/leads/{lead.pk}/stage/", {"stage": stage, "on": on})
    response = client.post("/investment/funds/", {"origin": "domestic", "amount": "500", "currency": "CNY",
                                                  "received_on": "2026-02-15", "lead_id": lead.pk})
    assert response.status_code == 422 and "funds_before_signing" in response.content.decode()
    assert FundsInPlace.objects.count() == 0
    assert client.post("/investment/funds/", {"origin": "domestic", "amount": "500", "currency": "CNY",
                                              "received_on": "2026-03-15", "lead_id": lead.pk}).status_code == 302
    funds_page = page(client, w.leader, "/investment/funds/?year=2026").content.decode()
    assert 'id="funds-chart"' in funds_page and "0.05" in funds_page  # 500 元 = 0.05 万元
    board = page(client, w.leader, "/investment/leads/").content.decode()
    assert f'data-lead="{lead.pk}"' in board


def test_enterprise_page_and_zone_overview_show_projects_and_board(client, iworld):
    w = iworld
    big = actions.register_project(actor=w.officer_a, data=project_input(
        w.ent_a, 3, total_investment="2800000000", is_key=True, key_level="province"))
    html = page(client, w.contact_a, f"/enterprises/{w.ent_a.pk}/").content.decode()
    assert 'data-section="projects"' in html and w.project_a.code in html and big.code in html
    assert w.project_b.code not in html and no_inline_script(html)
    zone = page(client, w.leader, "/enterprises/zone/").content.decode()
    assert 'data-section="investment-board"' in zone and f'data-project="{big.code}"' in zone
    assert f'data-project="{w.project_a.code}"' not in zone  # 8,000 万元: not on the board
    assert 'id="funds-chart"' in zone and no_inline_script(zone)
