"""The field worker's day on one screen (the 网格工作 home): today's patrol, households still to fill in the
running campaigns, care visits and key-person contacts due, open cases — each read through its own app's
scoped queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from civicgrid.cases import queries as case_queries
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.gridops.campaigns import queries as campaign_queries
from civicgrid.gridops.campaigns.choices import CampaignStatus
from civicgrid.gridops.patrols import queries as patrol_queries


@dataclass
class Today:
    patrol_active: object | None = None  # the patrol in progress
    patrolled_minutes: int | None = None  # minutes patrolled today (None: may not patrol)
    campaigns: list[dict] = field(default_factory=list)  # {campaign, left, total}
    open_cases: int | None = None
    overdue_cases: int | None = None


def today_for(user, day: date) -> Today:
    out = Today()
    if patrol_queries.can_patrol(user):
        out.patrol_active = patrol_queries.active_patrol(user)
        mine = patrol_queries.filter_patrols(patrol_queries.patrols_visible(user), day=day, mine_of=user)
        out.patrolled_minutes = sum(p.duration_s for p in mine) // 60
    if has_perm_anywhere(user, "campaigns.answer_campaign"):
        for campaign in campaign_queries.campaigns_visible(user, status=CampaignStatus.ACTIVE)[:5]:
            total = campaign_queries.households(campaign, user).count()
            done = campaign_queries.answers(campaign, user).count()
            if total:
                out.campaigns.append({"campaign": campaign, "left": max(total - done, 0), "total": total})
    if has_perm_anywhere(user, case_queries.VIEW):
        cases = case_queries.cases_visible(user)
        out.open_cases = case_queries.filter_cases(cases, worklist="open").count()
        out.overdue_cases = case_queries.filter_cases(cases, worklist="overdue").count()
    return out
