"""The Chinese working-day calendar and SLA deadline arithmetic. Pure: stdlib only, no Django.

A `WorkCalendar` knows which dates are workdays (Monday–Friday, minus `holidays`, plus the adjusted
working days `workdays` (调休) that fall on weekends) and the daily working periods (`WorkingHours`,
by default 09:00–12:00 and 13:30–17:30, 7 hours). Arithmetic is done on the local wall clock of the
calendar's time zone, which must be free of daylight saving time (Asia/Shanghai is).

The rules (docs/calendar.md):

* `add(start, v, "work_hours")` is the earliest instant `t >= start` with
  `working_seconds_between(start, t) == v * 3600`. So a start outside working time starts counting at the
  next period start, and a result that uses up a period exactly is that period's end (17:30), not the
  next morning. `v == 0` returns `start` unchanged.
* `add(start, n, "work_days")` is `add(start, n * hours_per_day, "work_hours")`: from 10:00 on a workday,
  one working day later is 10:00 on the next workday; from a start outside working time (evening,
  weekend, holiday, lunch break) it counts from the next period start, so a request filed on Friday
  evening with one working day is due at 17:30 on Monday.
* `"hours"` / `"days"` are plain elapsed time (urgent cases): `start + timedelta(hours=v)` / `(days=v)`.

Every result is an aware datetime in the time zone of `start`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["SLA_LABELS", "SLA_STATES", "UNITS", "WorkCalendar", "WorkingHours", "sla_status"]

UNITS = ("work_hours", "work_days", "hours", "days")
SLA_STATES = ("normal", "due_soon", "overdue")
SLA_LABELS = {"normal": "正常", "due_soon": "即将超期", "overdue": "超期"}

SHANGHAI = ZoneInfo("Asia/Shanghai")
_US_PER_SECOND = 1_000_000
_ONE_DAY = timedelta(days=1)
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _clock(hour: str, minute: str, text: str) -> time:
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        raise ValueError(f"invalid time {hour}:{minute} in working hours {text!r}")
    return time(h, m)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


@dataclass(frozen=True)
class WorkingHours:
    """The working periods of every workday: sorted, non-overlapping `(start, end)` local times with
    `start < end`, all inside one day (a period cannot run past midnight). Periods may touch."""

    periods: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        object.__setattr__(self, "periods", periods)
        if not periods:
            raise ValueError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in periods:
            if not isinstance(start, time) or not isinstance(end, time):
                raise ValueError("working periods are pairs of datetime.time")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working period times must be naive local times")
            if start >= end:
                raise ValueError(f"working period {start:%H:%M}-{end:%H:%M} ends before it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"working period {start:%H:%M}-{end:%H:%M} overlaps or precedes the one ending at "
                    f"{previous_end:%H:%M}: list periods in order, without overlaps"
                )
            previous_end = end

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """`"09:00-12:00,13:30-17:30"` -> WorkingHours. ValueError names what is wrong."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("working hours are empty; expected e.g. '09:00-12:00,13:30-17:30'")
        periods = []
        for part in text.split(","):
            match = _PERIOD.match(part)
            if not match:
                raise ValueError(
                    f"malformed working period {part.strip()!r} in {text!r}; expected HH:MM-HH:MM, "
                    "comma-separated, e.g. '09:00-12:00,13:30-17:30'"
                )
            periods.append((_clock(*match.group(1, 2), text), _clock(*match.group(3, 4), text)))
        return cls(tuple(periods))

    @property
    def seconds_per_day(self) -> int:
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds
            for start, end in self.periods
        )

    @property
    def hours_per_day(self) -> float:
        return self.seconds_per_day / 3600

    def __str__(self) -> str:
        return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in self.periods)


class WorkCalendar:
    """Which dates are workdays, when the working periods are, and deadline arithmetic over them."""

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        hours: WorkingHours = WorkingHours(),  # noqa: B008 - frozen, so one shared default is safe
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")
        self.hours = hours
        self.tz = tz

    def __repr__(self) -> str:
        return (f"WorkCalendar(holidays={len(self.holidays)}, workdays={len(self.workdays)}, "
                f"hours={str(self.hours)!r}, tz={self.tz})")

    # --- days ---------------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def _periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """The working periods of date `d` as naive local datetimes ([] on a day off)."""
        if not self.is_workday(d):
            return []
        return [(datetime.combine(d, start), datetime.combine(d, end)) for start, end in self.hours.periods]

    # --- local wall clock ---------------------------------------------------------------------------

    def _local(self, dt: datetime, name: str = "start") -> datetime:
        if not isinstance(dt, datetime):
            raise TypeError(f"{name} must be a datetime, not {type(dt).__name__}")
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
        return dt.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, local: datetime, like: datetime) -> datetime:
        return local.replace(tzinfo=self.tz).astimezone(like.tzinfo)

    # --- instants -----------------------------------------------------------------------------------

    def _next_working_local(self, t: datetime) -> datetime:
        d = t.date()
        while True:
            for start, end in self._periods(d):
                if t < end:
                    return max(start, t)
            d += _ONE_DAY
            t = datetime.combine(d, time())

    def next_working_instant(self, dt: datetime) -> datetime:
        """`dt` itself when it lies inside a working period (start inclusive, end exclusive), else the
        start of the next working period."""
        return self._aware(self._next_working_local(self._local(dt, "dt")), dt)

    def _add_working_us(self, t: datetime, remaining: int) -> datetime:
        if remaining <= 0:
            return t
        d = t.date()
        while True:
            for start, end in self._periods(d):
                if end <= t:
                    continue
                begin = max(start, t)
                available = _us(end - begin)
                if remaining <= available:
                    return begin + timedelta(microseconds=remaining)
                remaining -= available
            d += _ONE_DAY
            t = datetime.combine(d, time())

    def _working_us_between(self, a: datetime, b: datetime) -> int:
        if b <= a:
            return 0
        total = 0
        d = a.date()
        while d <= b.date():
            for start, end in self._periods(d):
                lo, hi = max(start, a), min(end, b)
                if lo < hi:
                    total += _us(hi - lo)
            d += _ONE_DAY
        return total

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds in [a, b); 0 when b <= a."""
        return self._working_us_between(self._local(a, "a"), self._local(b, "b")) / _US_PER_SECOND

    def add(self, start: datetime, value: float, unit: str) -> datetime:
        """`start` plus `value` `unit`s (see the module docstring for the rules)."""
        local = self._local(start)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"value must be a number, not {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"value must be a finite number >= 0, got {value!r}")
        if unit == "hours":
            return (start.astimezone(UTC) + timedelta(hours=value)).astimezone(start.tzinfo)
        if unit == "days":
            return (start.astimezone(UTC) + timedelta(days=value)).astimezone(start.tzinfo)
        if unit == "work_hours":
            seconds = value * 3600
        elif unit == "work_days":
            seconds = value * self.hours.seconds_per_day
        else:
            raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        return self._aware(self._add_working_us(local, round(seconds * _US_PER_SECOND)), start)


def sla_status(
    *,
    now: datetime,
    started_at: datetime,
    due_at: datetime | None,
    warn_ratio: float = 0.8,
    warn_before: timedelta | None = None,
    calendar: WorkCalendar | None = None,
) -> str:
    """"normal", "due_soon" or "overdue" (labels in SLA_LABELS).

    * no deadline -> "normal";
    * `now > due_at` -> "overdue" (the deadline instant itself is still on time);
    * "due_soon" when the time used is at least `warn_ratio` of the time allowed (`due_at - started_at`),
      or when `warn_before` is given and at most that much is left, or when the allowed span is empty;
    * otherwise "normal".

    Time is clock time, or working time when `calendar` is given (right for work-hour deadlines: 80 %
    of 24 working hours is not 80 % of the four calendar days they span); a span with no working time
    in it is measured in clock time.
    """
    if due_at is None:
        return "normal"
    if now > due_at:
        return "overdue"
    if warn_before is not None and due_at - now <= warn_before:
        return "due_soon"
    allowed = (due_at - started_at).total_seconds()
    used = (now - started_at).total_seconds()
    if calendar is not None:
        working_allowed = calendar.working_seconds_between(started_at, due_at)
        if working_allowed > 0:  # a clock-time deadline inside off hours falls back to clock time
            allowed, used = working_allowed, calendar.working_seconds_between(started_at, now)
    if allowed <= 0 or used >= warn_ratio * allowed:
        return "due_soon"
    return "normal"
