"""The centre's pages: its board (review, dispatch with station suggestions) and 批量派单."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from civicgrid.core import errors
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions, batching
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import boards as board_queries
from civicgrid.volunteers.queries import labels as label_queries
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.views.common import CENTRE, VIEW, gate, row
from civicgrid.volunteers.views.stepforms import step_form


def render_centre(request, failed=None, error="", status=200):
    board = board_queries.centre_board(request.user)
    reasons = label_queries.suggestion_reason_label
    new = [row(o, review=step_form("review", o, failed)) for o in board["new"]]
    to_dispatch = [
        row(o, suggestions=[{"site": s, "score": sug.score, "reasons": [reasons(r) for r in sug.reasons]}
                             for s, sug in suggestions],
             dispatch=step_form("dispatch", o, failed))
        for o, suggestions in board["to_dispatch"]]
    return render(request, "volunteers/centre.html", {
        "board": board, "new": new, "to_dispatch": to_dispatch, "overdue": [row(o) for o in board["overdue"]],
        "error": error, "failed": failed}, status=status)


@permission_page(VIEW)
def centre(request):
    gate(request.user, CENTRE)
    return render_centre(request)


def _batch_page(request, *, cap: int, outcomes=None, error: str = "", status: int = 200):
    preview = batching.preview(request.user, cap=cap)
    labels = label_queries.SCORE_PARTS
    lines = [{"line": line, "row": row(line.order),
              "volunteer_ids": ",".join(str(p.volunteer.pk) for p in line.volunteers),
              "proposed": [{"volunteer": p.volunteer, "score": p.score,
                            "parts": [(labels.get(k, k), v) for k, v in p.parts.items()]} for p in line.volunteers]}
             for line in preview.matched]
    return render(request, "volunteers/batch.html", {
        "preview": preview, "lines": lines, "unmatched": [row(x.order, reasons=x.reasons) for x in preview.unmatched],
        "caps": range(1, batching.MAX_CAP + 1), "outcomes": outcomes, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
@permission_page(VIEW)
def batch(request):
    """批量派单: the optimal batch for the centre's pending orders as a preview; the ticked lines are sent
    with 中心直派 one by one (a stale line is refused with its reason, the others go)."""
    gate(request.user, CENTRE)
    cap = batching.clamp_cap(request.POST.get("cap") or request.GET.get("cap") or 1)
    if request.method == "GET":
        return _batch_page(request, cap=cap)
    try:
        outcomes = actions.accept_batch(actor=request.user, picks=vforms.batch_picks(request.POST))
    except errors.ValidationFailed as exc:
        return _batch_page(request, cap=cap, error=exc.message, status=422)
    numbers = {o.pk: o.case.number for o in order_queries.orders_visible(request.user)
               .filter(pk__in=[x.order_id for x in outcomes])}
    shown = [{"outcome": x, "number": numbers.get(x.order_id, x.order_id)} for x in outcomes]
    done = sum(x.ok for x in outcomes)
    if done:
        messages.success(request, gettext("已派单 %(n)s 个订单") % {"n": done})
    refused = len(outcomes) - done
    error = gettext("%(n)s 个订单未派出,原因见下") % {"n": refused} if refused else ""
    return _batch_page(request, cap=cap, outcomes=shown, error=error, status=409 if refused and not done else 200)
