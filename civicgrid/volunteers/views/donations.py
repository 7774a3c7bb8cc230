"""Donations: the list with totals, recording one, and distributing to a household."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import donations as donation_queries


def _donations(request, record_form=None, give_form=None, error="", status=200):
    user = request.user
    donations = donation_queries.donations_visible(user)
    sites = donation_queries.donation_sites(user)
    can_change = has_perm_anywhere(user, "volunteers.change_donation") and bool(sites)
    open_donations = [d for d in donations if (d.distributed or 0) < d.amount]
    return render(request, "volunteers/donations.html", {
        "donations": list(donations[:50]), "totals": donation_queries.donation_totals(donations),
        "distributions": list(donation_queries.recent_distributions(donations)), "can_change": can_change,
        "record_form": record_form or (vforms.DonationForm(sites=sites) if can_change else None),
        "give_form": give_form or (vforms.DistributionForm(donations=open_donations) if can_change else None),
        "error": error}, status=status)


@require_http_methods(["GET", "POST"])
@permission_page("volunteers.view_donation")
def donations(request):
    if request.method == "GET":
        return _donations(request)
    sites = donation_queries.donation_sites(request.user)
    form = vforms.DonationForm(request.POST, sites=sites)
    if not form.is_valid():
        return _donations(request, record_form=form, error=gettext("未登记:请检查填写的内容"), status=422)
    data = form.cleaned_data
    site = next(s for s in sites if s.code == data["site"])
    try:
        actions.record_donation(actor=request.user, site=site, donor=data["donor"], kind=data["kind"],
                                amount=data["amount"], items=data["items"], idempotency_key=data["idempotency_key"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _donations(request, record_form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已登记捐赠:%(donor)s %(amount)s 元") % {"donor": data["donor"],
                                                                          "amount": data["amount"]})
    return redirect("volunteers:donations")


@require_POST
@permission_page("volunteers.change_donation")
def distribute(request):
    donations = [d for d in donation_queries.donations_visible(request.user) if (d.distributed or 0) < d.amount]
    form = vforms.DistributionForm(request.POST, donations=donations)
    if not form.is_valid():
        return _donations(request, give_form=form, error=gettext("未发放:请检查填写的内容"), status=422)
    data = form.cleaned_data
    household = donation_queries.household_id(data["household"])
    if household is None:
        form.add_error("household", gettext("没有这个户编号的家庭"))
        return _donations(request, give_form=form, error=gettext("未发放:受助家庭不存在"), status=422)
    try:
        actions.distribute_donation(actor=request.user, donation_id=data["donation"], household_id=household,
                                    amount=data["amount"], items=data["items"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return _donations(request, give_form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已发放 %(amount)s 元给户 %(household)s") % {
        "amount": data["amount"], "household": data["household"]})
    return redirect("volunteers:donations")
