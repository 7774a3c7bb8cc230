"""Reads of the good-people board. Staff and nominators read through the scoping chokepoint; the public
board, the notices and a person's history go through `public_item`, the one place that decides what of a
nomination is published: its consent, nothing more, and never a phone or an ID number."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from civicgrid.core import errors
from civicgrid.core.scoping import can, get_visible
from civicgrid.recognition.actions import REVIEW, VERIFY, VIEW, today
from civicgrid.recognition.choices import Category, ObjectionStatus, Period, State
from civicgrid.recognition.models import Honoree, Listing, Nomination, Objection

CATEGORY_LABELS = dict(Category.choices)
STATE_LABELS = dict(State.choices)


def nominations_visible(user, *, state: str = "", category: str = "", perm: str = VIEW):
    qs = Nomination.objects.visible_to(user, perm).select_related("honoree", "region")
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    return qs.annotate(open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)))


def nomination_visible(user, pk: int) -> Nomination:
    return get_visible(Nomination.objects.select_related("honoree", "region"), user, VIEW, pk=pk)


def mine(user):
    """What the user nominated (themself or others)."""
    return Nomination.objects.filter(nominator_id=user.pk).select_related("honoree", "region")


def worklist(user) -> dict[str, list]:
    """The community's nominations to verify; the office's to review, in notice, and ready to list."""
    out: dict[str, list] = {}
    out["verify"] = list(nominations_visible(user, state=State.SUBMITTED, perm=VERIFY).order_by("created_at"))
    out["review"] = list(nominations_visible(user, state=State.VERIFIED, perm=REVIEW).order_by("updated_at"))
    notice = list(nominations_visible(user, state=State.NOTICE, perm=REVIEW).order_by("notice_end"))
    out["objections"] = [n for n in notice if n.open_objections]
    out["ready"] = [n for n in notice if not n.open_objections and n.notice_end < today()]
    out["notice"] = [n for n in notice if n.notice_end >= today() and not n.open_objections]
    return out


def objections_of(user, nomination: Nomination):
    """The objections to a nomination, for the community and the office only: the nominee and the
    nominator never learn who objected."""
    if not (can(user, VERIFY, nomination) or can(user, REVIEW, nomination)):
        return Objection.objects.none()
    return Objection.objects.visible_to(user, VIEW).filter(nomination=nomination)


# --- public -------------------------------------------------------------------------------------------

def public_item(nomination: Nomination, *, month: date | None = None) -> dict:
    """What the public may see of a nomination: the name, photo and story only as far as consented."""
    return {
        "id": nomination.pk,
        "name": nomination.public_name,
        "category": nomination.category,
        "category_label": str(CATEGORY_LABELS[nomination.category]),
        "title": nomination.title,
        "story": nomination.public_story,
        "photo_url": f"/recognition/photos/{nomination.pk}/" if nomination.shows_photo else None,
        "community": nomination.region.name,
        "month": (month or nomination.listed_month).isoformat()[:7] if (month or nomination.listed_month) else None,
        "person_url": (f"/recognition/people/{nomination.honoree.public_id}/" if nomination.consent_name else None),
    }


def _public_nominations():
    return Nomination.objects.select_related("honoree", "region")


def listing(period: str, start: date) -> list[dict]:
    """The board of one month or year, by category then name order of listing."""
    rows = (Listing.objects.filter(period=period, period_start=start, nomination__state=State.LISTED)
            .select_related("nomination__honoree", "nomination__region").order_by("nomination__category", "id"))
    return [public_item(row.nomination) for row in rows]


def listing_periods(period: str) -> list[date]:
    return list(Listing.objects.filter(period=period, nomination__state=State.LISTED)
                .values_list("period_start", flat=True).distinct().order_by("-period_start"))


def latest_month() -> date | None:
    months = listing_periods(Period.MONTH)
    return months[0] if months else None


def notices() -> list[dict]:
    """Nominations in public notice now, with the last day objections are taken."""
    rows = _public_nominations().filter(state=State.NOTICE, notice_end__gte=today()).order_by("notice_end", "id")
    return [{**public_item(n), "notice_start": n.notice_start.isoformat(), "notice_end": n.notice_end.isoformat()}
            for n in rows]


def public_notice(pk: int) -> Nomination:
    nomination = _public_nominations().filter(pk=pk, state=State.NOTICE).first()
    if nomination is None:
        raise errors.NotFound("公示不存在或已结束")
    return nomination


def person_history(public_id: str) -> dict:
    """A person's listings across months and years: only nominations where they agreed to their name
    (an anonymous listing is never tied to a named one)."""
    honoree = Honoree.objects.filter(public_id=public_id).first()
    if honoree is None:
        raise errors.NotFound("未找到该人员")
    rows = (Listing.objects.filter(nomination__honoree=honoree, nomination__state=State.LISTED,
                                   nomination__consent_name=True)
            .select_related("nomination__honoree", "nomination__region").order_by("-period_start", "period"))
    items = [{**public_item(row.nomination), "period": row.period,
              "period_label": f"{row.period_start.year}年度榜" if row.period == Period.YEAR
              else f"{row.period_start.year}年{row.period_start.month}月榜"} for row in rows]
    if not items:
        raise errors.NotFound("未找到该人员")
    return {"name": honoree.name, "items": items}


def public_photo(pk: int) -> Nomination:
    """A portrait the public may see: listed or in notice, with consent to the photo."""
    nomination = Nomination.objects.filter(pk=pk, state__in=[State.LISTED, State.NOTICE], consent_photo=True).first()
    if nomination is None or not nomination.photo:
        raise errors.NotFound()
    return nomination


def counts_by_month(year: int) -> list[dict]:
    rows = (Listing.objects.filter(period=Period.MONTH, period_start__year=year, nomination__state=State.LISTED)
            .values("period_start").annotate(n=Count("id")).order_by("period_start"))
    return [{"month": r["period_start"].isoformat()[:7], "listed": r["n"]} for r in rows]
