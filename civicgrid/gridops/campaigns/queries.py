"""Reads over campaigns, always scoped: the campaigns a user sees, the households a worker fills in,
progress by grid, aggregated results and one household's answer with its revisions (both values of a
conflict side by side)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from civicgrid.core import clock, errors
from civicgrid.core.scoping import Scope, can, filter_for, get_visible
from civicgrid.geo.choices import CODE_LENGTH, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.campaigns import results, schema
from civicgrid.gridops.campaigns.choices import CampaignStatus, RevisionOutcome
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer, CampaignRevision
from civicgrid.people.models import Household

VIEW, ANSWER, MANAGE = "campaigns.view_campaign", "campaigns.answer_campaign", "campaigns.manage_campaign"
LEVELS = {RegionLevel.COMMUNITY: CODE_LENGTH[RegionLevel.COMMUNITY], RegionLevel.GRID: CODE_LENGTH[RegionLevel.GRID],
          RegionLevel.MICRO_GRID: CODE_LENGTH[RegionLevel.MICRO_GRID]}


def campaigns_visible(user, *, status: str = "") -> QuerySet[Campaign]:
    qs = Campaign.objects.visible_to(user).select_related("region").prefetch_related("targets")
    # a draft only for those who may manage it: in the regions of their manage reach (the campaign's own
    # region, not its targets)
    drafts = filter_for(user, MANAGE, Scope(region="region__code"))
    qs = qs.filter(~Q(status=CampaignStatus.DRAFT) | drafts)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-start_date", "-id")


def get_campaign(user, pk) -> Campaign:
    """One campaign through the chokepoint; a draft exists only for those who may manage it."""
    campaign = get_visible(Campaign.objects.select_related("region").prefetch_related("targets"), user, pk=pk)
    if campaign.status == CampaignStatus.DRAFT and not can_manage(user, campaign):
        raise errors.NotFound()
    return campaign


def get_household(campaign: Campaign, user, pk, perm: str = VIEW) -> Household:
    """A household of the campaign's targets within the user's `perm` reach; NotFound otherwise."""
    household = get_visible(Household.objects.select_related("region", "building"), user, perm, pk=pk)
    if not any(household.region.code.startswith(t.code) for t in campaign.targets.all()):
        raise errors.NotFound("该户不在本次排查范围内", code="household_not_in_campaign")
    return household


def can_manage(user, campaign: Campaign) -> bool:
    return can(user, MANAGE, campaign)


def target_q(campaign: Campaign, path: str = "region__code") -> Q:
    return reduce(or_, [Q(**{f"{path}__startswith": t.code}) for t in campaign.targets.all()], Q(pk__in=[]))


def households(campaign: Campaign, user, perm: str = VIEW) -> QuerySet[Household]:
    """Active households in the campaign's targets that `user` reaches with `perm`."""
    return (Household.objects.visible_to(user, perm).filter(is_active=True).filter(target_q(campaign))
            .select_related("region", "building"))


def answers(campaign: Campaign, user, region: str = "") -> QuerySet[CampaignAnswer]:
    """The campaign's answers for households the user sees (active households still in the targets)."""
    qs = CampaignAnswer.objects.filter(campaign=campaign, household__in=households(campaign, user).values("pk"))
    if region:
        qs = qs.filter(household__region__code__startswith=region)
    return qs


def collect_rows(campaign: Campaign, user) -> list[dict]:
    """The worker's household list: every household they may answer, with its current answer (if any)."""
    hh = list(households(campaign, user, ANSWER).order_by("region__code", "building__code", "room", "number"))
    current = {a.household_id: a for a in CampaignAnswer.objects.filter(
        campaign=campaign, household_id__in=[h.pk for h in hh]).select_related("answered_by")}
    rows = []
    for h in hh:
        answer = current.get(h.pk)
        rows.append({
            "id": h.pk, "number": h.number, "address": h.address, "room": h.room,
            "building": h.building.name if h.building_id else "", "region_code": h.region.code,
            "region_name": h.region.name, "version": answer.version if answer else 0,
            "answers": answer.answers if answer else {}, "has_conflict": bool(answer and answer.has_conflict),
            "answered_by": str(answer.answered_by) if answer and answer.answered_by else "",
            "answered_at": timezone.localtime(answer.answered_at).strftime("%m-%d %H:%M") if answer else "",
        })
    return rows


def progress(campaign: Campaign, user, level: str = RegionLevel.GRID) -> dict:
    """Households done / total per region of `level` (grid by default) within what the user sees."""
    length = LEVELS.get(level, LEVELS[RegionLevel.GRID])
    base = households(campaign, user)
    totals = {row["unit"]: row["n"] for row in base.annotate(unit=Substr("region__code", 1, length))
              .values("unit").annotate(n=Count("id")).order_by()}
    done: dict[str, dict] = {}
    for row in (CampaignAnswer.objects.filter(campaign=campaign, household__in=base.values("pk"))
                .annotate(unit=Substr("household__region__code", 1, length)).values("unit")
                .annotate(n=Count("id"), conflicts=Count("id", filter=Q(has_conflict=True))).order_by()):
        done[row["unit"]] = row
    names = dict(Region.objects.filter(code__in=list(totals)).values_list("code", "name"))
    rows = []
    for code in sorted(totals):
        n = done.get(code, {}).get("n", 0)
        rows.append({"code": code, "name": names.get(code, code), "total": totals[code], "done": n,
                     "conflicts": done.get(code, {}).get("conflicts", 0), "percent": _percent(n, totals[code])})
    total, finished = sum(totals.values()), sum(r["done"] for r in rows)
    return {"level": level, "rows": rows, "total": total, "done": finished, "percent": _percent(finished, total),
            "conflicts": sum(r["conflicts"] for r in rows)}


def list_progress(campaigns: list[Campaign], user) -> dict[int, dict]:
    """`progress` totals (done, total, percent, conflicts; no rows by region) of many campaigns, in two
    queries whatever their number: the list page shows one meter per campaign."""
    if not campaigns:
        return {}
    visible = Household.objects.visible_to(user, VIEW).filter(is_active=True)
    totals = visible.aggregate(**{f"c{c.pk}": Count("id", filter=target_q(c)) for c in campaigns})
    done = {c.pk: {"n": 0, "conflicts": 0} for c in campaigns}
    answered = reduce(or_, [Q(campaign=c) & target_q(c, "household__region__code") for c in campaigns])
    for row in (CampaignAnswer.objects.filter(answered, household__in=visible.values("pk")).values("campaign_id")
                .annotate(n=Count("id"), conflicts=Count("id", filter=Q(has_conflict=True))).order_by()):
        done[row["campaign_id"]] = row
    return {c.pk: {"total": totals[f"c{c.pk}"], "done": done[c.pk]["n"], "conflicts": done[c.pk]["conflicts"],
                   "percent": _percent(done[c.pk]["n"], totals[f"c{c.pk}"])} for c in campaigns}


def _percent(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def summary(campaign: Campaign, user, region: str = "") -> list[dict]:
    return results.summarize(campaign.form, list(answers(campaign, user, region).values_list("answers", flat=True)))


def crosstab(campaign: Campaign, user, row: str, col: str, region: str = "") -> dict:
    return results.crosstab(campaign.form, list(answers(campaign, user, region).values_list("answers", flat=True)),
                            row, col)


def choice_fields(campaign: Campaign) -> list[dict]:
    return [f for f in campaign.fields() if f["type"] in schema.CHOICE_TYPES]


def present_values(campaign: Campaign, values: dict | None) -> list[dict]:
    """[{name, label, value, text}] for every field, in form order."""
    values = values or {}
    return [{"name": f["name"], "label": f["label"], "type": f["type"], "value": values.get(f["name"]),
             "text": schema.display_value(f, values.get(f["name"]))} for f in campaign.fields()]


def present_revision(campaign: Campaign, revision: CampaignRevision) -> dict:
    mine, theirs = present_values(campaign, revision.answers), present_values(campaign, revision.previous)
    return {
        "id": revision.pk, "outcome": revision.outcome, "outcome_label": str(revision.get_outcome_display()),
        "is_conflict": revision.is_conflict, "base_version": revision.base_version, "version": revision.version,
        "answered_by": str(revision.answered_by) if revision.answered_by_id else "",
        "answered_at": revision.answered_at, "received_at": revision.received_at,
        "previous_by": str(revision.previous_by) if revision.previous_by_id else "",
        "previous_at": revision.previous_at,
        "rows": [{"label": a["label"], "mine": a["text"], "theirs": b["text"], "differs": a["value"] != b["value"]}
                 for a, b in zip(mine, theirs, strict=True)],
    }


def answer_detail(campaign: Campaign, household: Household) -> dict | None:
    """The current answer of a household with its revisions, newest first."""
    answer = (CampaignAnswer.objects.filter(campaign=campaign, household=household)
              .select_related("answered_by").first())
    if answer is None:
        return None
    revisions = (answer.revisions.select_related("answered_by", "previous_by").order_by("-id"))
    return {
        "id": answer.pk, "version": answer.version, "has_conflict": answer.has_conflict,
        "answered_by": str(answer.answered_by) if answer.answered_by_id else "", "answered_at": answer.answered_at,
        "values": present_values(campaign, answer.answers), "answers": answer.answers,
        "revisions": [present_revision(campaign, r) for r in revisions],
    }


def conflicts(campaign: Campaign, user, limit: int = 50) -> list[dict]:
    """Answers flagged with a conflict, each with its latest conflict revision (both values)."""
    rows = []
    qs = (answers(campaign, user).filter(has_conflict=True).select_related("household", "region", "answered_by")
          .order_by("-received_at")[:limit])
    for answer in qs:
        revision = (answer.revisions.filter(outcome__in=[RevisionOutcome.CONFLICT_APPLIED, RevisionOutcome.CONFLICT_KEPT])
                    .select_related("answered_by", "previous_by").order_by("-id").first())
        rows.append({"answer": answer, "household": answer.household,
                     "revision": present_revision(campaign, revision) if revision else None})
    return rows


def present_campaign(campaign: Campaign, user=None) -> dict:
    now = clock.now()
    return {
        "id": campaign.pk, "title": campaign.title, "description": campaign.description, "kind": campaign.kind,
        "kind_label": str(campaign.get_kind_display()), "status": campaign.status,
        "status_label": str(campaign.get_status_display()), "phase": campaign.phase(now),
        "region_code": campaign.region.code, "region_name": campaign.region.name,
        "targets": [{"code": t.code, "name": t.name} for t in campaign.targets.all()],
        "start_date": campaign.start_date, "end_date": campaign.end_date, "form": campaign.form,
        "form_source": campaign.form_source, "is_open": campaign.accepts_on(timezone.localtime(now).date()),
        "can_manage": bool(user is not None and can_manage(user, campaign)),
    }
