"""The API's input types: every query parameter, path id and body field of these kinds uses one of them,
so the limits of civicgrid/core/inputs.py hold at validation and a breach answers 422, never 500.

    since: Day | None = None          a calendar day within 2000-01-01..2099-12-31
    registered_on: RecordDay          a day of a record's own history, 1900-01-01..2099-12-31
    month: Month | None = None        "YYYY-MM" within the same years, as the month's first day
    worker_id: Id | None = None       1..2**31-1
    lat: Latitude, lng: Longitude     finite degrees (Finite: any finite number)
    description: RequiredText         not only invisible characters
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated

from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from civicgrid.core import inputs

DAY_RANGE = f"{inputs.FIRST_DAY.isoformat()} 至 {inputs.LAST_DAY.isoformat()}"


def _in_range(value: date) -> date:
    if not inputs.day_in_range(value):
        raise PydanticCustomError("date_out_of_range", inputs.day_message())
    return value


Day = Annotated[date, AfterValidator(_in_range), Field(description=f"日期,{DAY_RANGE}")]


def _record_in_range(value: date) -> date:
    if not inputs.FIRST_RECORD_DAY <= value <= inputs.LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range", f"日期须在 {inputs.FIRST_RECORD_DAY.isoformat()} 至 {inputs.LAST_DAY.isoformat()} 之间")
    return value


# a day a record carries from its own history (registration, certificate, patent): 1900-01-01..2099-12-31
RecordDay = Annotated[date, AfterValidator(_record_in_range),
                      Field(description=f"日期,{inputs.FIRST_RECORD_DAY.isoformat()} 至 {inputs.LAST_DAY.isoformat()}")]
Id = Annotated[int, Field(ge=1, le=inputs.MAX_INT)]
Finite = Annotated[float, Field(allow_inf_nan=False)]  # the range left to the domain's own check and code
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month(value):
    if isinstance(value, date):
        return value.replace(day=1)
    match = _MONTH.match(str(value))
    if match is None:
        raise PydanticCustomError("month_format", "月份格式应为 YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


Month = Annotated[date, BeforeValidator(_month), AfterValidator(_in_range),
                  WithJsonSchema({"type": "string", "pattern": _MONTH.pattern, "description": "月份 YYYY-MM,2000–2099 年"})]


def _required_text(value: str) -> str:
    if inputs.is_blank(value):
        raise PydanticCustomError(inputs.BlankText.code, inputs.BlankText.message)
    return value


RequiredText = Annotated[str, AfterValidator(_required_text)]


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class StrictJson(Parser):
    """JSON as RFC 8259 defines it: Python's json module would also read NaN and Infinity."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_reject_constant)
