"""Innovation API (/api/v1/innovation): the field vocabulary, platforms and research teams, 产学研
agreements, and the 揭榜挂帅 challenges with their applications, suggestions and milestones.

Routes only parse, call one action or query and present. A challenge's published summary answers every
holder of innovation.view_innovation; its private parts (applications, the two sides' choices, milestones,
suggestions) only those who reach its enterprise — for anyone else it is 404 like an agreement out of reach.
State changes: `POST /challenges/{id}/transitions`. Creates take an `Idempotency-Key` header.
"""

from ninja import Router

from civicgrid.innovation.api import catalogue, challenges
from civicgrid.innovation.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", catalogue.router)
router.add_router("", challenges.router)
