"""Field-work API (/api/v1/gridops): household visits, key persons, dispute screening, police–grid joint
work and publicity activities.

Routes only parse, call one action or query and present. Objects outside the caller's reach answer 404,
a permitted view without the write permission 403, bad input 422 with a Chinese message, a duplicate 409.
Creates accept an `Idempotency-Key` header. Key-person answers are masked and audit-logged on every read.
"""

from ninja import Router

from civicgrid.gridops.fieldwork.api import activities, joint, key_persons, screening, visits
from civicgrid.gridops.fieldwork.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", visits.router)
router.add_router("", key_persons.router)
router.add_router("", screening.router)
router.add_router("", joint.router)
router.add_router("", activities.router)
