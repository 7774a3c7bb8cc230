"""The volunteer statistics: one definition behind the stats page, `GET /api/v1/volunteers/stats` and the
dashboard panels."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from civicgrid.cases.models import Category
from civicgrid.volunteers import catalogue
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import Order, ServiceRecord
from civicgrid.volunteers.queries.orders import DONE_STATES, created_between


def stats(user, *, since: date | None = None, until: date | None = None) -> dict:
    """Orders placed in [since, until] (Beijing dates, both ends included) within the user's reach:
    how many, how many matched (a team assigned), completed (service delivered), by service category,
    and the volunteer hours recorded on them (disputed records left out). Time to match is the median
    hours from order to team assignment."""
    orders = Order.objects.visible_to(user, "volunteers.view_stats").filter(created_between(since, until))
    total = orders.count()
    matched = orders.filter(matched_at__isnull=False)
    completed = orders.filter(case__state__in=DONE_STATES).count()
    by_category = dict(Counter(
        catalogue.service_of(code) for code in orders.values_list("case__category__code", flat=True) if code))
    names = dict(Category.objects.filter(code__in=by_category).values_list("code", "name"))
    by_status = dict(orders.values_list("case__state").annotate(n=Count("id")))
    hours = (ServiceRecord.objects.filter(order__in=orders).exclude(status=RecordStatus.DISPUTED)
             .aggregate(h=Sum("hours"))["h"]) or Decimal("0")
    waits = sorted((m - c).total_seconds() / 3600 for m, c in matched.values_list("matched_at", "case__created_at"))
    return {
        "orders": total,
        "matched": len(waits),
        "completed": completed,
        "matching_rate": round(len(waits) / total, 4) if total else None,
        "median_hours_to_match": round(waits[len(waits) // 2], 2) if waits else None,
        "by_category": {names.get(code, code): n for code, n in sorted(by_category.items())},
        "by_status": by_status,
        "hours": hours.quantize(Decimal("0.01")),
    }


def hours_by_team(user, *, since: date | None = None, until: date | None = None) -> list[dict]:
    orders = Order.objects.visible_to(user, "volunteers.view_stats").filter(created_between(since, until))
    rows = (ServiceRecord.objects.filter(order__in=orders).exclude(status=RecordStatus.DISPUTED)
            .values("team__name").annotate(hours=Sum("hours"), records=Count("id")).order_by("-hours"))
    return [{"team": r["team__name"], "hours": r["hours"], "records": r["records"]} for r in rows]
