"""Query-count pins on the subsidy lists: more payments, programmes, candidates, batches and enterprises
must not mean more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from civicgrid.enterprises import actions as enterprise_actions
from civicgrid.subsidies import actions, queries
from civicgrid.subsidies.models import PaymentBatch, Programme
from civicgrid.subsidies.tests.conftest import add_enterprise, insure, pay_enterprise, pay_person
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

DISBURSEMENT_PINS = {
    "subsidies:disbursements": Pin("/subsidies/disbursements/", "rsj", 6),
    "/api/v1/subsidies/disbursements": Pin("/api/v1/subsidies/disbursements", "rsj", 5),
}

# the programmes (worklist), the refund's candidates, the payment batches and the enterprise contact's page
PROGRAMME_PINS = {
    "subsidies:worklist": Pin("/subsidies/worklist/", "rsj", 7),
    "/api/v1/subsidies/programmes": Pin("/api/v1/subsidies/programmes", "rsj", 4),
    "subsidies:candidates": Pin("/subsidies/candidates/job_stabilisation_refund/?year=2025", "rsj", 8),
    "/api/v1/subsidies/candidates": Pin(
        "/api/v1/subsidies/candidates?programme=job_stabilisation_refund&year=2025", "rsj", 5),
    "subsidies:batches": Pin("/subsidies/batches/", "rsj", 7),
    "/api/v1/subsidies/batches": Pin("/api/v1/subsidies/batches", "rsj", 5),
    "subsidies:my": Pin("/subsidies/my/", "contact", 6),
    "/api/v1/subsidies/my": Pin("/api/v1/subsidies/my", "contact", 6),
}

PINS = DISBURSEMENT_PINS | PROGRAMME_PINS


def test_disbursement_lists_do_not_grow_with_rows(sworld):
    w = sworld
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            pay_person(w, i, name=f"王小{i}")
            pay_enterprise(w, add_enterprise(w, i, park="PA" if i % 2 else "PB"))

    check_query_pins(DISBURSEMENT_PINS, {"rsj": w.rsj_officer}, grow)


def test_programme_candidate_batch_and_own_lists_do_not_grow_with_rows(sworld):
    w = sworld
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            # one more programme of the 人社局 (a new policy), with its published version
            programme = Programme.objects.create(
                code=f"pin_programme_{i}", name=f"补贴项目{i}", recipient_kind=w.benefit.recipient_kind,
                mode=w.benefit.mode, department=w.rsj, period_start=date(2025, 1, 1), period_end=date(2027, 12, 31))
            actions.publish_version(actor=None, programme=programme, rules=None, formula=None,
                                    effective_from=date(2025, 1, 1))
            # an eligible enterprise (stable staff, a year of contributions) of contact A, paid its refund
            enterprise = add_enterprise(w, i, park="PA" if i % 2 else "PB")
            insure(w, enterprise, contributions=str(10000 + i))
            enterprise_actions.add_contact(actor=w.officer_zone, enterprise_id=enterprise.pk, user=w.contact_a)
            pay_enterprise(w, enterprise, amount=str(5000 + i))
            PaymentBatch.objects.create(programme=w.benefit, file_name=f"2026年{i}批.xlsx", content_sha256=f"{i:064d}",
                                        rows=i, recipients=i, total=Decimal(1576 * i), imported_by=w.rsj_officer)
        actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)

    check_query_pins(PROGRAMME_PINS, {"rsj": w.rsj_officer, "contact": w.contact_a}, grow)
    # the contact's page, read for all their enterprises at once, says what each one's panel says
    cards = queries.own_subsidies(w.contact_a)
    assert len(cards) == 16  # enterprise A and the 15 added
    for card in cards:
        alone = queries.enterprise_subsidies(w.contact_a, card["enterprise"])
        assert [d.pk for d in card["items"]] == [d.pk for d in alone["items"]]
        assert (card["by_programme"], card["total"]) == (alone["by_programme"], alone["total"])
    assert sum(len(card["items"]) for card in cards) == 15
