"""Volunteer service platform API (/api/v1/volunteers): the public catalogue, orders, matching
suggestions, volunteers, service records, certificates, donations and statistics. An order's steps go
through `POST /api/v1/cases/{case_id}/transitions`, which hands them to `steps.take`.

Routes only parse, call one action or query and present. Scoping is the UI's: an order, volunteer,
team or donation outside the caller's reach answers 404, a step the caller's roles may not take 403
(`role_not_allowed`, from the case engine), a step someone else took first 409. ID numbers and phones
are always masked and every read of a volunteer profile is audit-logged. Only the catalogue and the
certificate verification are public.
"""

from ninja import Router

from civicgrid.volunteers.api import batch, donations, orders, volunteers
from civicgrid.volunteers.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", orders.router)
router.add_router("", volunteers.router)
router.add_router("", donations.router)
router.add_router("", batch.router)
