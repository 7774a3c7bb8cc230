"""Public-service API (/api/v1/publicservice): the item catalogue and free slots (public), bookings and
check-in, online service requests and their steps, the 办不成事 intake and meetings, and the 办不成事
monthly statistics (public, counts only).

Routes only parse, call one action or query and present. A booking or request outside the caller's reach
answers 404; a full slot 409 `slot_full`."""

from ninja import Router

from civicgrid.publicservice.api import appointments, hardcases, requests
from civicgrid.publicservice.api.common import TAGS

router = Router(tags=TAGS)
router.add_router("", appointments.router)
router.add_router("", requests.router)
router.add_router("", hardcases.router)
