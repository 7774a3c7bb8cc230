"""Query-count pins on the enterprise lists: more enterprises, contacts and qualifications must not mean
more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from civicgrid.enterprises import actions, patentno
from civicgrid.enterprises.actions import precheck as precheck_actions
from civicgrid.enterprises.models import ApprovalItem
from civicgrid.enterprises.tests.conftest import enterprise_input
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "enterprises:list": Pin("/enterprises/list/", "zone", 7),
    "/api/v1/enterprises/enterprises": Pin("/api/v1/enterprises/enterprises", "zone", 5),
    "/api/v1/enterprises/enterprises/{enterprise_id}/contacts": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/contacts", "zone", 5),
    "/api/v1/enterprises/qualifications/expiring": Pin(
        "/api/v1/enterprises/qualifications/expiring?within_days=365", "zone", 5),
}


def test_enterprise_lists_do_not_grow_with_rows(zworld):
    w = zworld
    counter = itertools.count(10)
    pins = {name: Pin(pin.url.format(ent_a=w.ent_a.pk), pin.user, pin.queries, pin.growth)
            for name, pin in LIST_PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            officer, park = (w.officer_a, "PA") if i % 2 else (w.officer_b, "PB")
            enterprise = actions.register_enterprise(actor=officer, data=enterprise_input(i, park))
            actions.add_contact(actor=w.officer_a, enterprise_id=w.ent_a.pk, user=make_user(f"pins_contact{i}", "enterprise_contact"))
            actions.record_qualification(actor=officer, enterprise_id=enterprise.pk, data=actions.QualificationInput(
                kind="high_tech_enterprise", issued_on=date.today() - timedelta(days=3 * 365 - 30 - i)))

    check_query_pins(pins, {"zone": w.officer_zone}, grow)


# the lists of the worklist, the candidates, the public approval catalogue, one enterprise's page and its
# metrics, qualifications and patents; the pre-check tiers stay the four shipped ones (the worklist shows
# each tier's nearest candidates: a tier is configuration, not a row)
RECORD_PINS = {
    "enterprises:worklist": Pin("/enterprises/worklist/", "zone", 12),
    "enterprises:ranking": Pin("/enterprises/candidates/?tier=high_tech_enterprise", "zone", 6),
    "/api/v1/enterprises/precheck/candidates": Pin(
        "/api/v1/enterprises/precheck/candidates?tier=high_tech_enterprise&limit=100", "zone", 4),
    "enterprises:approvals": Pin("/enterprises/approvals/", "anonymous", 4),
    "/api/v1/enterprises/approvals": Pin("/api/v1/enterprises/approvals", "anonymous", 2),
    "/api/v1/enterprises/qualification-kinds": Pin("/api/v1/enterprises/qualification-kinds", "zone", 3),
    "enterprises:detail": Pin("/enterprises/{ent_a}/", "zone", 42),
    "/api/v1/enterprises/enterprises/{enterprise_id}/metrics": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/metrics", "zone", 13),
    "/api/v1/enterprises/enterprises/{enterprise_id}/qualifications": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/qualifications", "zone", 5),
    "/api/v1/enterprises/enterprises/{enterprise_id}/patents": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/patents", "zone", 5),
}

# more pre-check tiers: the published rule sets and an enterprise's latest report of each
TIER_PINS = {
    "/api/v1/enterprises/rulesets": Pin("/api/v1/enterprises/rulesets", "zone", 5),
    "/api/v1/enterprises/enterprises/{enterprise_id}/precheck": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/precheck", "zone", 5),
}

PINS = LIST_PINS | RECORD_PINS | TIER_PINS

LAST_YEAR = {"revenue": "30000000", "staff": 60, "tech_staff": 12, "rd_expense": "1500000"}


def formatted(pins: dict, w) -> dict:
    return {name: Pin(pin.url.format(ent_a=w.ent_a.pk), pin.user, pin.queries, pin.growth)
            for name, pin in pins.items()}


def test_enterprise_records_and_worklists_do_not_grow_with_rows(zworld):
    w = zworld
    actions.seed_rulesets(actor=w.admin)
    counter = itertools.count(10)
    today = date.today()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            officer, park = (w.officer_a, "PA") if i % 2 else (w.officer_b, "PB")
            enterprise = actions.register_enterprise(actor=officer, data=enterprise_input(i, park))
            if i % 3:  # the others miss last year's metrics: the worklist names them
                actions.report_metrics(actor=officer, enterprise_id=enterprise.pk, year=today.year - 1,
                                       values=LAST_YEAR | {"staff": 40 + i})
                actions.run_precheck(actor=officer, enterprise_id=enterprise.pk)
            kind = actions.add_qualification_kind(actor=w.admin, code=f"pin_kind_{i}", name=f"资质{i}", level="city",
                                                  validity_years=3)
            actions.record_qualification(actor=officer, enterprise_id=enterprise.pk, data=actions.QualificationInput(
                kind=kind.code, issued_on=today - timedelta(days=3 * 365 - 30 - i)))  # expiring soon
            actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
                kind=kind.code, issued_on=today - timedelta(days=i)))
            body = f"20171{i:07d}"
            actions.record_patent(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.PatentInput(
                kind="invention", number=f"{body}.{patentno.check_digit(body)}", title=f"一种方法{i}",
                granted_on=date(2019, 3, 1)))
            actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=1990 + i,
                                   values={"staff": 10 + i})
            ApprovalItem.objects.create(code=f"PIN-{i}", name=f"审批事项{i}", department=w.zone_dept,
                                        materials=["申请表", "营业执照"], promised_days=5)

    check_query_pins(formatted(RECORD_PINS, w), {"zone": w.officer_zone, "anonymous": None}, grow)


def test_precheck_tiers_do_not_grow_with_rows(zworld):
    w = zworld
    shipped = precheck_actions.shipped_rulesets()[0]
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.publish_ruleset(actor=w.admin, rules=shipped | {"tier": f"pin_tier_{i}", "name": f"梯度{i}"})
        actions.run_precheck(actor=w.officer_a, enterprise_id=w.ent_a.pk)

    check_query_pins(formatted(TIER_PINS, w), {"zone": w.officer_zone}, grow)
