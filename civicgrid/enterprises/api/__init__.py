"""High-tech zone and enterprise API (/api/v1/enterprises): the registry, contacts, yearly metrics,
qualifications, patents, pre-check reports, the zone overview and the public approvals catalogue.

Routes only parse, call one action or query and present. Scoping is the UI's: an enterprise outside the
caller's reach answers 404 (officer of another park, contact of another enterprise, resident), a write
the caller's roles may not make 403 (leader). Creates take an `Idempotency-Key` header. Every read of an
enterprise's metrics or credit flags is audit-logged. Only the approvals catalogue is public.
"""

from ninja import Router

from civicgrid.enterprises.api import catalogue, records, registry
from civicgrid.enterprises.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", catalogue.router)
router.add_router("", registry.router)
router.add_router("", records.router)
