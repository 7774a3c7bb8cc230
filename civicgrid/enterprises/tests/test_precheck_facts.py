"""The facts an enterprise's records give the pre-check engine (actions.facts_for): each vocabulary fact
filled from the right records, missing data left out (the engine then reports it as data to collect), and
a tier's criterion moving from unknown to fail to pass as the records change."""

from datetime import date, timedelta

import pytest

from civicgrid.enterprises import actions
from civicgrid.enterprises.models import PrecheckReport
from civicgrid.enterprises.precheck.facts import FACTS

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 30)


def metrics(w, year, **values):
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=year, values=values)


def test_facts_from_records(zworld):
    w = zworld
    assert set(actions.facts_for(w.ent_a, ON)) <= set(FACTS)
    bare = actions.facts_for(w.ent_a, ON)
    assert "staff" not in bare and "rd_ratio_3y" not in bare  # no metrics yet: left out, not zero
    assert bare["is_abnormal_operation"] is False and bare["valid_class_i_ip"] == 0
    assert 11 < bare["registered_years"] < 11.1  # registered 2015-06-18
    for year, revenue, rd in ((2023, 20_000_000, 800_000), (2024, 25_000_000, 1_000_000), (2025, 30_000_000, 1_500_000)):
        metrics(w, year, revenue=str(revenue), rd_expense=str(rd), rd_expense_domestic=str(rd * 0.9), staff=100,
                tech_staff=15, rd_staff=8, hightech_revenue=str(revenue * 0.7), main_business_revenue=str(revenue * 0.9),
                total_assets="50000000", total_liabilities="20000000", net_assets="30000000")
    actions.record_patent(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.PatentInput(
        kind="invention", number="201710601862.3", title="x", granted_on=date(2020, 1, 1)))
    actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="tech_sme", issued_on=ON - timedelta(days=30)))
    facts = actions.facts_for(w.ent_a, ON)
    assert facts["metrics_year"] == 2025 and facts["staff"] == 100 and facts["revenue"] == 30_000_000
    assert facts["tech_staff_ratio"] == 15.0 and facts["rd_staff_ratio"] == 8.0
    assert facts["hightech_revenue_ratio"] == 70.0 and facts["rd_ratio"] == 5.0 and facts["debt_ratio"] == 40.0
    assert facts["revenue_growth"] == 20.0 and facts["revenue_previous"] == 25_000_000
    assert facts["rd_expense_3y"] == 3_300_000 and facts["revenue_3y"] == 75_000_000
    assert facts["rd_ratio_3y"] == 4.4 and facts["domestic_rd_ratio_3y"] == 90.0
    assert facts["rd_expense_2y_average"] == 1_250_000
    assert facts["valid_class_i_ip"] == 1 and facts["valid_invention_patents"] == 1
    assert facts["holds_tech_sme"] is True and facts["holds_high_tech_enterprise"] is False


def test_a_criterion_moves_from_unknown_to_fail_to_pass(zworld):
    w = zworld
    actions.seed_rulesets(actor=w.admin)

    def tech_staff_outcome():
        report = actions.run_precheck(actor=w.officer_a, enterprise_id=w.ent_a.pk, tiers=["high_tech_enterprise"])[0]
        rows = [c for c in report.result["criteria"] if "tech_staff_ratio" in str(c)]
        return rows[0]["outcome"], report

    outcome, report = tech_staff_outcome()
    assert outcome == "unknown" and "tech_staff_ratio" in str(report.result["missing_facts"]) + str(
        report.result["criteria"])
    year = date.today().year - 1
    metrics(w, year, staff=100, tech_staff=9)
    assert tech_staff_outcome()[0] == "fail"
    metrics(w, year, tech_staff=10)  # at the threshold (≥ 10%)
    assert tech_staff_outcome()[0] == "pass"
    assert PrecheckReport.objects.filter(enterprise=w.ent_a).count() == 3  # each run kept


def test_zone_precheck_command(zworld):
    from io import StringIO

    from django.core.management import call_command

    actions.seed_rulesets(actor=zworld.admin)
    out = StringIO()
    call_command("run_zone_precheck", stdout=out)
    assert out.getvalue().strip() == "reports=8"  # 2 operating enterprises × 4 tiers
    assert PrecheckReport.objects.count() == 8
