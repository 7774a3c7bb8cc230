"""Approving twice at the same moment pays once (threads, each with its own connection)."""

import threading

import pytest
from django.db import connection

from civicgrid.subsidies import actions
from civicgrid.subsidies.models import Candidate, Disbursement
from civicgrid.subsidies.tests.conftest import PAID_ON, add_enterprise, insure


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_pay_once(sworld):
    w = sworld
    enterprise = add_enterprise(w, 11)
    insure(w, enterprise, contributions="10000.00", start=100, end=96)
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    candidate = Candidate.objects.get(enterprise=enterprise)
    second = w.rsj_officer.__class__.objects.get(pk=w.rsj_officer.pk)
    results, failures = [], []
    barrier = threading.Barrier(4)

    def approve(officer):
        try:
            barrier.wait()
            disbursement, created = actions.approve_candidate(actor=officer, candidate_id=candidate.pk, paid_on=PAID_ON)
            results.append((disbursement.pk, created))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(o,)) for o in (w.rsj_officer, second, w.rsj_officer, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Disbursement.objects.filter(candidate=candidate).count() == 1
    only = Disbursement.objects.get(candidate=candidate)
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert {pk for pk, _ in results} == {only.pk}
    candidate.refresh_from_db()
    assert candidate.status == "approved"
