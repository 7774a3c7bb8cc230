"""The resident's side: ordering a service and following one's orders (progress, rating, cancelling)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from civicgrid.cases import queries as case_queries
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.queries import services as service_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries
from civicgrid.volunteers.views.common import VIEW, row
from civicgrid.volunteers.views.stepforms import step_form


def _order_form(request, data=None):
    user = request.user
    return vforms.OrderForm(data, channel=order_queries.order_channel(user), services=service_queries.service_choices(),
                            grids=volunteer_queries.registration_places(), service=request.GET.get("service", ""),
                            phone=getattr(user, "phone", "") or "")


@require_http_methods(["GET", "POST"])
@permission_page("volunteers.create_order")
def order(request):
    form = _order_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            placed, created = actions.place_order(actor=request.user, data=form.order_input(request.user.display_name),
                                                  idempotency_key=form.cleaned_data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            text = gettext("已下单") if created else gettext("此前已下单")
            messages.success(request, gettext("%(text)s,订单编号 %(number)s。志愿服务中心审核后会通知您。") % {
                "text": text, "number": placed.case.number})
            return redirect(f"{reverse('volunteers:mine')}#order-{placed.pk}")
    status = 422 if request.method == "POST" else 200
    return render(request, "volunteers/order.html", {
        "form": form, "emergency_notice": catalogue.EMERGENCY_NOTICE,
        "emergency_codes": [c for _group, items in service_queries.service_choices() for c, _name in items
                            if catalogue.service_of(c) == catalogue.EMERGENCY]}, status=status)


# the milestones a resident sees (the state labels say what is pending: 待派单 …)
PROGRESS_LABELS = {
    "ordered": _("已下单"), "reviewed": _("审核通过"), "dispatched": _("已派到实践站"), "station_accepted": _("站点已接单"),
    "assigned": _("已分配队伍"), "in_service": _("志愿者已联系"), "completed": _("服务完成"), "archived": _("已归档"),
}


def _progress(case, reached: set[str]) -> list[dict]:
    """The happy-path steps with done / current marks (a rejected or cancelled order stops where it was);
    `reached`: the states its events entered."""
    spec = spec_for(case.workflow)
    reached = reached | {case.state}
    return [{"label": PROGRESS_LABELS[state], "done": state in reached, "current": state == case.state}
            for state in board_queries.PROGRESS if spec.has_state(state)]


def render_mine(request, failed=None, error="", status=200):
    orders = list(order_queries.my_orders(request.user)[:30])
    timelines = case_queries.timelines([o.case for o in orders], request.user)  # one query, not one per order
    rows = []
    for o in orders:
        allowed = {t.action for t in case_queries.allowed_actions(request.user, o.case)}
        events = timelines[o.case_id]
        rows.append(row(o, progress=_progress(o.case, {e["to_state"] for e in events}), events=events,
                        rate=step_form("rate", o, failed) if "rate" in allowed else None,
                        cancel=step_form("cancel", o, failed) if "cancel" in allowed else None))
    return render(request, "volunteers/mine.html", {"rows": rows, "error": error, "failed": failed},
                  status=status)


@permission_page(VIEW)
def mine(request):
    return render_mine(request)
