"""Query-count pins on the investment lists: more projects, milestones, approvals, reports, leads and funds
must not mean more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from civicgrid.enterprises.models import ApprovalItem
from civicgrid.investment import actions
from civicgrid.investment.choices import STAGE_ORDER
from civicgrid.investment.tests.conftest import project_input
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PROJECT_PINS = {
    "investment:projects": Pin("/investment/projects/", "zone", 7),
    "/api/v1/investment/projects": Pin("/api/v1/investment/projects", "zone", 5),
}

# the lists of one project (its page and its milestones, approvals and reports), of the enterprise contact,
# the review queue, the leads, the funds and the board
DETAIL_PINS = {
    "investment:project": Pin("/investment/projects/{project}/", "zone", 16),
    "/api/v1/investment/projects/{project_id}/milestones": Pin(
        "/api/v1/investment/projects/{project}/milestones", "zone", 5),
    "/api/v1/investment/projects/{project_id}/approvals": Pin(
        "/api/v1/investment/projects/{project}/approvals", "zone", 5),
    "/api/v1/investment/projects/{project_id}/reports": Pin(
        "/api/v1/investment/projects/{project}/reports", "zone", 5),
    "investment:mine": Pin("/investment/my/", "contact", 5),
    "investment:review": Pin("/investment/review/", "tc", 4),
    "/api/v1/investment/reports/review": Pin("/api/v1/investment/reports/review", "tc", 5),
    "investment:leads": Pin("/investment/leads/", "zone", 10),
    "/api/v1/investment/leads": Pin("/api/v1/investment/leads", "zone", 5),
    "investment:funds": Pin("/investment/funds/?year=2026", "zone", 10),
    "/api/v1/investment/funds": Pin("/api/v1/investment/funds", "zone", 5),
    "investment:board": Pin("/investment/board/", "zone", 12),
    "/api/v1/investment/board": Pin("/api/v1/investment/board", "zone", 4),
}
PINS = PROJECT_PINS | DETAIL_PINS


def test_project_lists_do_not_grow_with_rows(iworld):
    w = iworld
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            officer, enterprise, review = ((w.officer_a, w.ent_a, "GX-TC") if i % 2
                                           else (w.officer_b, w.ent_b, "GX-GJ"))
            actions.register_project(actor=officer, data=project_input(enterprise, i, review_department=review))

    check_query_pins(PROJECT_PINS, {"zone": w.officer_zone}, grow)


def test_project_detail_attraction_and_board_lists_do_not_grow_with_rows(iworld):
    w = iworld
    counter = itertools.count(10)
    # signed long ago, so that every round reports one more month of it
    followed = actions.register_project(actor=w.officer_a, data=project_input(
        w.ent_a, 3, review_department="GX-TC", signed_on=date(2024, 1, 10)))
    pins = {name: Pin(pin.url.format(project=followed.pk), pin.user, pin.queries, pin.growth)
            for name, pin in DETAIL_PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            month = date(2024 + (i - 10) // 12, (i - 10) % 12 + 1, 1)
            if i - 10 < len(STAGE_ORDER) - 1:  # the stages run out after five milestones
                actions.advance_stage(actor=w.officer_a, project_id=followed.pk, stage=STAGE_ORDER[i - 9],
                                      happened_on=date(2024, 2, i - 9), note=f"节点{i}")
            item = ApprovalItem.objects.create(code=f"PIN-{i}", name=f"审批事项{i}", department=w.tc)
            actions.record_approval(actor=w.officer_a, project_id=followed.pk, item_code=item.code,
                                    status="applied", applied_on=month)
            actions.submit_report(actor=w.contact_a, project_id=followed.pk, month=month, amount_yuan=1000 + i)
            # a key project above the board threshold, of enterprise A (its contact reports it)
            project = actions.register_project(actor=w.officer_a, data=project_input(
                w.ent_a, i, review_department="GX-TC", total_investment="3000000000", is_key=True,
                key_level="city"))
            actions.submit_report(actor=w.contact_a, project_id=project.pk, month=date(2026, 6, 1),
                                  amount_yuan=500 + i)
            actions.create_lead(actor=w.officer_tc, data=actions.LeadInput(
                name=f"线索{i}", investor=f"某集团{i}", source="chain", industry_code="C2614",
                amount="300000000", currency="CNY", found_on=date(2026, 1, 5), park="PA" if i % 2 else ""))
            actions.record_funds(actor=w.officer_tc, data=actions.FundsInput(
                origin="domestic", amount=str(100 + i), currency="CNY", received_on=date(2026, 2, i % 28 + 1),
                project_id=project.pk))

    users = {"zone": w.officer_zone, "contact": w.contact_a, "tc": w.officer_tc}
    check_query_pins(pins, users, grow)
