"""One step on one order posted from its board's form: the action decides; a refusal comes back on the
board with its message (422 bad input, 409 someone acted first)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from civicgrid.core import errors
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.views.centre import render_centre
from civicgrid.volunteers.views.common import CENTRE, STATION, TASKS, VIEW, gate
from civicgrid.volunteers.views.ordering import render_mine
from civicgrid.volunteers.views.station import render_station
from civicgrid.volunteers.views.stepforms import STEPS, choices
from civicgrid.volunteers.views.volunteers import render_tasks


def render_board(request, board: str, failed=None, error="", status=200):
    if board == CENTRE:
        return render_centre(request, failed, error, status)
    if board == STATION:
        return render_station(request, failed, error, status)
    if board == TASKS:
        return render_tasks(request, failed, error, status)
    return render_mine(request, failed, error, status)


def run(step: str, order, form, user):
    data = form.cleaned_data
    count = data.get("expected_event_count")
    if step == "review":
        approve = data["decision"] == "approve"
        actions.review_order(actor=user, order_id=order.pk, approve=approve, reason=data["reason"].strip(),
                             expected_event_count=count)
        return gettext("已审核通过,请派单") if approve else gettext("已不予受理,群众会收到原因")
    if step == "dispatch":
        actions.dispatch_order(actor=user, order_id=order.pk, station_code=data["station"], expected_event_count=count)
        return gettext("已派单至实践站")
    if step == "accept":
        actions.accept_order(actor=user, order_id=order.pk, expected_event_count=count)
        return gettext("已接单,请分配服务队伍")
    if step == "decline":
        actions.decline_order(actor=user, order_id=order.pk, reason=data["reason"].strip(), expected_event_count=count)
        return gettext("已拒单,订单退回中心改派")
    if step == "assign":
        actions.assign_team(actor=user, order_id=order.pk, team_code=data["team"], volunteer_ids=data["volunteers"],
                            expected_event_count=count)
        return gettext("已分配服务队伍,志愿者会收到任务")
    if step == "confirm":
        n = actions.confirm_records(actor=user, order_id=order.pk)
        return gettext("已确认 %(n)s 条服务记录") % {"n": n}
    if step == "contact":
        actions.log_contact(actor=user, order_id=order.pk, comment=data["comment"].strip(), expected_event_count=count)
        return gettext("已记录联系情况")
    if step == "complete":
        actions.complete_order(actor=user, order_id=order.pk, report=data["report"].strip(), records=form.records(),
                               expected_event_count=count)
        return gettext("已提交服务完成,服务时长待实践站确认")
    if step == "rate":
        actions.rate_order(actor=user, order_id=order.pk, satisfaction=data["satisfaction"],
                           comment=data["comment"].strip(), expected_event_count=count)
        return gettext("感谢您的评价")
    actions.cancel_order(actor=user, order_id=order.pk, reason=data["reason"].strip(), expected_event_count=count)
    return gettext("订单已取消")


@require_POST
@permission_page(VIEW)
def order_step(request, pk: int, step: str):
    """Post one step on one order (its board's form): the action decides; errors come back on the board."""
    if step not in STEPS:
        raise Http404
    board, form_class = STEPS[step]
    gate(request.user, board)
    order = order_queries.order_visible(request.user, pk)
    form = form_class(request.POST, order=order, **choices(step, order, request.user))
    if not form.is_valid():
        return render_board(request, board, failed={"order": order.pk, "step": step, "form": form},
                             error=gettext("未提交:请检查填写的内容"), status=422)
    try:
        text = run(step, order, form, request.user)
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        if isinstance(exc, errors.Conflict):
            return render_board(request, board, error=f"{exc.message}(订单可能已被他人处理,页面已刷新)",
                                 status=409)
        form.add_domain_error(exc)
        return render_board(request, board, failed={"order": order.pk, "step": step, "form": form},
                             error=exc.message, status=exc.status)
    messages.success(request, f"{order.case.number}:{text}")
    return redirect(f"{reverse('volunteers:' + board)}#order-{order.pk}")
