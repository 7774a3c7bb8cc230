"""Figures 15–17 from disbursement records: distinct recipients and yuan over the first half of the year."""

from datetime import date

from civicgrid.figures import registry
from civicgrid.subsidies.tests.conftest import pay_enterprise, pay_person


def _values(on):
    return {i["key"]: (i["values"], i["period"]) for i in registry.compute(on, keys=[
        "unemployment_insurance", "unemployment_subsidy", "job_stabilisation_refunds"])}


def test_first_half_distinct_recipients(sworld):
    w = sworld
    pay_person(w, 11, amount="1500.00", paid_on=date(2026, 1, 15))
    pay_person(w, 11, amount="1500.00", paid_on=date(2026, 2, 15))  # the same person twice: one person
    pay_person(w, 12, amount="1200.50", paid_on=date(2026, 6, 30))
    pay_person(w, 13, amount="999.00", paid_on=date(2026, 7, 1))  # the second half: not counted
    pay_person(w, 14, amount="800.00", paid_on=date(2025, 12, 31))  # last year: not counted
    pay_person(w, 15, amount="700.00", programme=w.aid, name="李四", paid_on=date(2026, 3, 1))
    pay_enterprise(w, w.ent_a, paid_on=date(2026, 3, 1))
    pay_enterprise(w, w.ent_a, paid_on=date(2026, 4, 1))
    pay_enterprise(w, w.ent_b, paid_on=date(2026, 8, 1))
    got = _values(date(2026, 9, 30))
    assert got["unemployment_insurance"] == ({"persons": 2, "yuan": 4200.5}, {"since": "2026-01-01",
                                                                             "until": "2026-06-30"})
    assert got["unemployment_subsidy"][0] == {"persons": 1, "yuan": 700}
    assert got["job_stabilisation_refunds"][0] == {"enterprises": 1}
    early = _values(date(2026, 2, 1))  # before the half year ends: up to the day
    assert early["unemployment_insurance"] == ({"persons": 1, "yuan": 1500}, {"since": "2026-01-01",
                                                                             "until": "2026-02-01"})
