"""The enterprise tests' small zone (enterprises A in park A, B in park B, their contacts, park and zone
officers, the leader, a resident) plus the district's 人社局 (RSJ) and the zone's 科技创新部 (GX-KC) with an
officer each, and the shipped programmes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.enterprises import actions as enterprise_actions
from civicgrid.enterprises.models import Enterprise
from civicgrid.enterprises.tests.conftest import build_world, enterprise_input
from civicgrid.people import idnumber
from civicgrid.subsidies import actions
from civicgrid.subsidies.actions.programmes import programme_by_code
from civicgrid.testing import make_user

PAID_ON = date(2026, 3, 16)


def person_id(seq: int, birth: date = date(1985, 4, 12)) -> str:
    """A valid generated ID number (never a real person's)."""
    return idnumber.build("211004", birth, seq)


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


@pytest.fixture
def sworld(tree):
    return build_subsidy_world(tree)


def build_subsidy_world(tree):
    w = build_world(tree)
    w.rsj = Department.objects.create(code="RSJ", name="人力资源和社会保障局", kind=DepartmentKind.DISTRICT,
                                      region=tree.district)
    w.kc = Department.objects.create(code="GX-KC", name="高新区科技创新部", kind=DepartmentKind.ZONE,
                                     region=tree.district)
    w.rsj_officer = make_user("rsj_officer", "enterprise_officer", department=w.rsj)
    w.kc_officer = make_user("kc_officer", "enterprise_officer", department=w.kc)
    actions.seed_programmes(actor=None)
    w.refund = programme_by_code("job_stabilisation_refund")
    w.benefit = programme_by_code("unemployment_insurance")
    w.aid = programme_by_code("unemployment_subsidy")
    return w


def add_enterprise(w, seq: int, *, size: str = "small", park: str = "PA") -> Enterprise:
    officer = w.officer_a if park == "PA" else w.officer_b
    enterprise = enterprise_actions.register_enterprise(actor=officer, data=enterprise_input(seq, park))
    Enterprise.objects.filter(pk=enterprise.pk).update(size_class=size)  # as the latest metrics would set it
    enterprise.size_class = size
    return enterprise


def insure(w, enterprise, *, year: int = 2025, months: int = 12, contributions: str = "10000.00", start: int = 100,
           end: int = 100, hired: int = 0):
    return actions.record_insurance_year(actor=w.rsj_officer, department=w.rsj, data=actions.InsuranceInput(
        uscc=enterprise.uscc, year=year, paid_months=months, contributions=Decimal(contributions),
        insured_start=start, insured_end=end, hired_unemployed=hired))


def pay_person(w, seq: int, *, amount: str = "1576.00", programme=None, name: str = "王小明", **extra):
    return actions.record_disbursement(actor=w.rsj_officer, programme=programme or w.benefit, data=actions.PaymentInput(
        amount=amount, currency="CNY", paid_on=extra.pop("paid_on", PAID_ON), name=name, id_number=person_id(seq),
        **extra))


def pay_enterprise(w, enterprise, *, amount: str = "6000.00", paid_on: date = PAID_ON):
    return actions.record_disbursement(actor=w.rsj_officer, programme=w.refund, data=actions.PaymentInput(
        amount=amount, currency="CNY", paid_on=paid_on, uscc=enterprise.uscc))
