"""What every part of the volunteer API shares: the error shape, decimals, the service record."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

from civicgrid.api.errors import ErrorOut

HOURS = Decimal("0.01")
# hours and yuan always answer with two decimals ("1.50"), whatever the database aggregate kept
Cents = Annotated[Decimal, AfterValidator(lambda value: value.quantize(HOURS))]
TAGS = ["志愿服务 volunteers"]
# a list filter sent empty (`?state=`) filters nothing: FilterSchema skips only None
Blank = Annotated[str | None, BeforeValidator(lambda value: value or None)]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class RecordOut(Schema):
    id: int
    order_id: int | None
    volunteer_id: int
    volunteer: str = Field(..., alias="volunteer.name")
    started_at: datetime
    ended_at: datetime
    hours: Cents
    content: str
    status: str
    confirmed_at: datetime | None

