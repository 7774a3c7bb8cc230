"""Appointments: the catalogue, free slots, bookings, cancelling and check-in."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id
from civicgrid.core import errors
from civicgrid.core.masking import mask_name
from civicgrid.publicservice import queries
from civicgrid.publicservice.actions import appointments
from civicgrid.publicservice.api.common import ERRORS, TAGS
from civicgrid.publicservice.models import Office, ServiceItem

router = Router(tags=TAGS)


class EntryOut(Schema):
    key: str
    label: str
    required: bool


class ItemOut(Schema):
    code: str
    name: str
    group: str
    description: str
    promised_days: int
    is_online: bool
    is_bookable: bool
    materials: list[EntryOut]
    fields: list[EntryOut]


class SlotOut(Schema):
    id: int
    office: str = Field(..., alias="window.office.code")
    office_name: str = Field(..., alias="window.office.name")
    window: str = Field(..., alias="window.name")
    starts_at: datetime
    ends_at: datetime
    free: int


class BookingOut(Schema):
    id: int
    code: str
    item: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    office_name: str = Field(..., alias="slot.window.office.name")
    window: str = Field(..., alias="slot.window.name")
    starts_at: datetime = Field(..., alias="slot.starts_at")
    status: str
    name: str
    checked_in_at: datetime | None

    @staticmethod
    def resolve_name(obj) -> str:
        return mask_name(obj.name)


class BookIn(Schema):
    slot_id: Id
    item: str = Field(..., max_length=30)


class TransitionIn(Schema):
    action: str = Field(..., description="cancel(本人取消)")


class CheckInIn(Schema):
    code: str = Field(..., min_length=4, max_length=12)


@router.get("/items", response=list[ItemOut], auth=None)
def list_items(request):
    """办事事项目录(公开):所需材料、填写项、承诺时限,可否预约、可否网上办。"""
    return list(queries.items())


@router.get("/slots", response={200: list[SlotOut], **ERRORS}, auth=None)
def list_slots(request, item: str, office: str = "", day: Day | None = None):
    """某事项可预约的时段(公开):未过期、过了提前量且有空位,按时间排序。"""
    found = ServiceItem.objects.filter(code=item, is_active=True).first()
    if found is None:
        raise errors.NotFound("事项不存在")
    place = Office.objects.filter(code=office).first() if office else None
    if office and place is None:
        raise errors.NotFound("办事机构不存在")
    return queries.free_slots(found, office=place, day=day)[:200]


@router.get("/bookings", response=list[BookingOut])
@paginate(CountItemsNext)
def list_bookings(request):
    """本人的预约(居民),或本机构窗口的预约(窗口工作人员)。"""
    return queries.bookings_visible(request.auth).order_by("-slot__starts_at", "-id")


@router.post("/bookings", response={201: BookingOut, 200: BookingOut, **ERRORS})
def create_booking(request, payload: BookIn):
    """预约(24小时可约)。时段已满 409 `slot_full`;同一事项已有有效预约 409 `booking_exists`;
    多次爽约 403 `booking_blocked`。请带 `Idempotency-Key` 请求头(重放返回 200)。"""
    booking, created = appointments.book(actor=request.auth, slot_id=payload.slot_id, item_code=payload.item,
                                         idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201 if created else 200, booking)


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS})
def get_booking(request, booking_id: Id):
    from civicgrid.core.scoping import get_visible

    return get_visible(queries.bookings_visible(request.auth), request.auth, "publicservice.view_booking",
                       pk=booking_id)


@router.post("/bookings/{booking_id}/transitions", response={200: BookingOut, **ERRORS})
def booking_transition(request, booking_id: Id, payload: TransitionIn):
    """预约的状态变更:`cancel` 本人在取消期限前取消(逾期 422 `cancellation_closed`)。"""
    if payload.action != "cancel":
        raise errors.ValidationFailed("未知的操作", code="unknown_action")
    return appointments.cancel(actor=request.auth, booking_id=booking_id)


@router.post("/check-ins", response={200: BookingOut, **ERRORS})
def check_in(request, payload: CheckInIn):
    """窗口签到:扫描或输入预约码(仅本机构、仅预约当天)。"""
    return appointments.check_in(actor=request.auth, code=payload.code)
