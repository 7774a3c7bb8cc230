"""Projects and investment API (/api/v1/investment): projects with their stage transitions, milestones,
approvals and monthly reports; the review queue; the investment board; leads with their transitions;
funds in place with the year-on-year summary and the chart data.

Routes only parse, call one action or query and present. Scoping is the UI's: a project outside the
caller's reach answers 404 (another park's officer, another enterprise's contact, a resident), a write
the caller's roles may not make 403 (the leader). Creates take an `Idempotency-Key` header.
"""

from ninja import Router

from civicgrid.investment.api import attraction, projects
from civicgrid.investment.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", projects.router)
router.add_router("", attraction.router)
