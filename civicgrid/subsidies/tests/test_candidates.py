"""免申即享: enterprises built around 稳岗返还's thresholds; the candidate list and amounts; review."""

from datetime import date
from decimal import Decimal

import pytest

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.enterprises import actions as enterprise_actions
from civicgrid.subsidies import actions
from civicgrid.subsidies.models import Candidate, Disbursement
from civicgrid.subsidies.tests.conftest import PAID_ON, add_enterprise, insure


@pytest.fixture
def around(sworld):
    """name -> enterprise, each on one side of a threshold (assessed year 2025)."""
    w, e = sworld, {}
    e["sme_5pct"] = add_enterprise(w, 11)
    insure(w, e["sme_5pct"], contributions="10000.00", start=100, end=95)  # 5% <= 5.5%: 60%
    e["large_at_limit"] = add_enterprise(w, 12, size="large")
    insure(w, e["large_at_limit"], contributions="200000.00", start=1000, end=945)  # exactly 5.5%: 30%
    e["over_limit"] = add_enterprise(w, 13)
    insure(w, e["over_limit"], start=1000, end=944)  # 5.6%
    e["small_20pct"] = add_enterprise(w, 14, size="micro")
    insure(w, e["small_20pct"], contributions="3000.50", start=30, end=24)  # <= 30 insured: 20% allowed
    e["small_over"] = add_enterprise(w, 15)
    insure(w, e["small_over"], start=20, end=15)  # 25%
    e["just_above_30"] = add_enterprise(w, 16)
    insure(w, e["just_above_30"], start=31, end=29)  # 6.45% with 31 insured: the 5.5% band
    e["eleven_months"] = add_enterprise(w, 17)
    insure(w, e["eleven_months"], months=11)
    e["grew"] = add_enterprise(w, 18, size="medium")
    insure(w, e["grew"], contributions="8000.00", start=50, end=80)  # no layoffs at all
    e["violation"] = add_enterprise(w, 19)
    insure(w, e["violation"])
    enterprise_actions.set_credit_flags(actor=w.officer_a, enterprise_id=e["violation"].pk, is_serious_violation=True,
                                        reason="测试")
    e["no_record"] = add_enterprise(w, 20)
    e["other_year"] = add_enterprise(w, 21)
    insure(w, e["other_year"], year=2024)
    return e


def _list(programme, year=2025):
    return {c.enterprise.uscc: c.amount for c in Candidate.objects.filter(programme=programme, year=year)
            .select_related("enterprise")}


def test_candidate_list_and_amounts_around_the_thresholds(sworld, around):
    counts = actions.compute_candidates(actor=sworld.rsj_officer, programme=sworld.refund, year=2025)
    assert _list(sworld.refund) == {
        around["sme_5pct"].uscc: Decimal("6000.00"),
        around["large_at_limit"].uscc: Decimal("60000.00"),
        around["small_20pct"].uscc: Decimal("1800.30"),
        around["grew"].uscc: Decimal("4800.00"),
    }
    assert counts == {"candidates": 4, "added": 4, "updated": 0, "removed": 0, "kept": 0}
    c = Candidate.objects.get(enterprise=around["sme_5pct"])
    assert c.eligibility == "eligible" and c.version.version == 1 and c.facts["layoff_rate"] == 5.0
    assert c.basis == "上年度实际缴纳失业保险费 × (中小微企业为 0.6,否则 0.3) = 6,000.00 元"
    assert [r["outcome"] for r in c.report] == ["pass", "pass", "pass"]


def test_recomputing_updates_pending_keeps_reviewed_and_drops_the_ineligible(sworld, around):
    w = sworld
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    first = Candidate.objects.get(enterprise=around["sme_5pct"])
    actions.approve_candidate(actor=w.rsj_officer, candidate_id=first.pk, paid_on=PAID_ON)
    insure(w, around["sme_5pct"], contributions="20000.00", start=100, end=95)  # corrected after payment
    insure(w, around["grew"], start=50, end=30)  # a correction: 40% laid off
    insure(w, around["eleven_months"], months=12, contributions="5000.00")  # a correction: now eligible
    counts = actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    assert counts == {"candidates": 4, "added": 1, "updated": 2, "removed": 1, "kept": 1}
    assert _list(w.refund)[around["sme_5pct"].uscc] == Decimal("6000.00")  # the approved one is not changed
    assert _list(w.refund)[around["eleven_months"].uscc] == Decimal("3000.00")
    assert around["grew"].uscc not in _list(w.refund)
    assert actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)["added"] == 0


def test_approving_pays_once_and_rejecting_needs_a_reason(sworld, around):
    w = sworld
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    c = Candidate.objects.get(enterprise=around["large_at_limit"])
    d1, created1 = actions.approve_candidate(actor=w.rsj_officer, candidate_id=c.pk, paid_on=PAID_ON,
                                             reference="PZ-1")
    d2, created2 = actions.approve_candidate(actor=w.rsj_officer, candidate_id=c.pk, paid_on=PAID_ON)
    assert (created1, created2) == (True, False) and d1.pk == d2.pk
    assert Disbursement.objects.filter(candidate=c).count() == 1
    assert (d1.amount, d1.enterprise_id, d1.source, d1.reference) == (Decimal("60000.00"), c.enterprise_id,
                                                                      "candidate", "PZ-1")
    other = Candidate.objects.get(enterprise=around["grew"])
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.reject_candidate(actor=w.rsj_officer, candidate_id=other.pk, reason=" ")
    assert caught.value.code == "reject_reason_required"
    actions.reject_candidate(actor=w.rsj_officer, candidate_id=other.pk, reason="已申请注销")
    with pytest.raises(errors.Conflict) as caught:
        actions.approve_candidate(actor=w.rsj_officer, candidate_id=other.pk)
    assert caught.value.code == "candidate_rejected"
    assert AuditEvent.objects.filter(action="subsidies.approve_candidate").count() == 1


def test_future_payment_date_and_out_of_period_are_refused(sworld, around):
    w = sworld
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    c = Candidate.objects.get(enterprise=around["grew"])
    for day, code in ((date(2099, 1, 1), "paid_on_future"), (date(2024, 12, 31), "paid_on_outside_period")):
        with pytest.raises(errors.ValidationFailed) as caught:
            actions.approve_candidate(actor=w.rsj_officer, candidate_id=c.pk, paid_on=day)
        assert caught.value.code == code
    assert not Disbursement.objects.exists()


def test_registry_facts_feed_the_science_programmes(sworld):
    """研发费用后补助 reads the registry's R&D expense and qualifications through the pre-check facts."""
    w = sworld
    from civicgrid.subsidies.actions.programmes import programme_by_code

    rd = programme_by_code("rd_post_subsidy")
    e = add_enterprise(w, 30)
    enterprise_actions.report_metrics(actor=w.officer_a, enterprise_id=e.pk, year=2025,
                                      values={"revenue": Decimal("50000000"), "rd_expense": Decimal("3000000")})
    kind = enterprise_actions.add_qualification_kind(actor=w.admin, code="tech_sme", name="科技型中小企业",
                                                     level="national", validity_years=1)
    enterprise_actions.record_qualification(actor=w.officer_a, enterprise_id=e.pk, data=enterprise_actions.QualificationInput(
        kind=kind.code, issued_on=date(2025, 5, 1), certificate_no="2025211004A0001"))
    with pytest.raises(errors.Forbidden):  # the 人社 officer does not pay the 科技创新部's programme
        actions.compute_candidates(actor=w.rsj_officer, programme=rd, year=2025)
    actions.compute_candidates(actor=w.kc_officer, programme=rd, year=2025)
    assert _list(rd) == {e.uscc: Decimal("150000.00")}


def test_ledger_programmes_have_no_candidates(sworld):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.compute_candidates(actor=sworld.rsj_officer, programme=sworld.benefit, year=2025)
    assert caught.value.code == "programme_not_automatic"
