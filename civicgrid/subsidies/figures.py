"""Figures 15–17 of the source article (seed-figures.md): what the district paid in the first half of the
year (the article's "今年上半年 … 累计为3710人发放失业保险金584.8万元, 为1309人发放失业补助金147.9万元, 为全区
467家企业完成稳岗返还"), counted from disbursement records with distinct recipients, through the same
`queries.programme_total` the totals page uses."""

from __future__ import annotations

from datetime import date

from civicgrid.figures.registry import WHOLE_DISTRICT, Figure
from civicgrid.subsidies import queries

UNEMPLOYMENT_INSURANCE = "unemployment_insurance"
UNEMPLOYMENT_SUBSIDY = "unemployment_subsidy"
JOB_STABILISATION_REFUND = "job_stabilisation_refund"


def _yuan(value) -> float | int:
    return int(value) if value == int(value) else float(value)


def _persons(code: str, on: date) -> Figure:
    since, until = queries.first_half(on)
    total = queries.programme_total(WHOLE_DISTRICT, code, since, until)
    return Figure({"persons": total["recipients"], "yuan": _yuan(total["yuan"])}, since=since, until=until,
                  records_url=f"/subsidies/totals/?since={since}&until={until}")


def unemployment_insurance(on: date) -> Figure:
    return _persons(UNEMPLOYMENT_INSURANCE, on)


def unemployment_subsidy(on: date) -> Figure:
    return _persons(UNEMPLOYMENT_SUBSIDY, on)


def job_stabilisation_refunds(on: date) -> Figure:
    since, until = queries.first_half(on)
    total = queries.programme_total(WHOLE_DISTRICT, JOB_STABILISATION_REFUND, since, until)
    return Figure({"enterprises": total["recipients"]}, since=since, until=until,
                  records_url=f"/subsidies/totals/?since={since}&until={until}")


HANDLERS = {
    "unemployment_insurance": unemployment_insurance,
    "unemployment_subsidy": unemployment_subsidy,
    "job_stabilisation_refunds": job_stabilisation_refunds,
}
