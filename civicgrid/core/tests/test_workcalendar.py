"""The pure working-day calendar: properties (hypothesis) and hand-checked 2025/2026 deadlines.

No database: these build `WorkCalendar`s directly. The 2025/2026 schedules below are copied from the
State Council notices (国务院办公厅关于2025年/2026年部分节假日安排的通知), not from chinesecalendar,
so the examples check the arithmetic against an independent source.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.core import workcalendar
from civicgrid.core.workcalendar import SLA_LABELS, WorkCalendar, WorkingHours, sla_status

SH = ZoneInfo("Asia/Shanghai")


def _span(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# Days off (including the weekends inside each break; harmless) and adjusted working days (调休上班).
HOLIDAYS = [
    *_span("2025-01-01", "2025-01-01"), *_span("2025-01-28", "2025-02-04"), *_span("2025-04-04", "2025-04-06"),
    *_span("2025-05-01", "2025-05-05"), *_span("2025-05-31", "2025-06-02"), *_span("2025-10-01", "2025-10-08"),
    *_span("2026-01-01", "2026-01-03"), *_span("2026-02-15", "2026-02-23"), *_span("2026-04-04", "2026-04-06"),
    *_span("2026-05-01", "2026-05-05"), *_span("2026-06-19", "2026-06-21"), *_span("2026-09-25", "2026-09-27"),
    *_span("2026-10-01", "2026-10-07"),
]
WORKDAYS = [date.fromisoformat(d) for d in (
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
)]
CHINA = WorkCalendar(holidays=HOLIDAYS, workdays=WORKDAYS)


def at(text: str, tz=SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# --- purity -------------------------------------------------------------------------------------------

def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(workcalendar.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "math", "re", "collections", "dataclasses", "datetime", "zoneinfo"}


# --- working hours ------------------------------------------------------------------------------------

def test_default_working_hours_are_seven_hours_with_a_lunch_break():
    hours = WorkingHours()

    assert hours.periods == ((time(9), time(12)), (time(13, 30), time(17, 30)))
    assert hours.hours_per_day == 7.0
    assert str(hours) == "09:00-12:00,13:30-17:30"


def test_parse_round_trips_and_tolerates_spaces_and_single_digit_hours():
    assert WorkingHours.parse("09:00-12:00,13:30-17:30") == WorkingHours()
    assert WorkingHours.parse(" 9:00 - 12:00 , 13:30-17:30 ") == WorkingHours()
    assert WorkingHours.parse("08:30-17:00").hours_per_day == 8.5


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("9-12", "malformed"),
    ("09:00-12:00;13:30-17:30", "malformed"),
    ("09:00-12:00,", "malformed"),
    ("25:00-26:00", "invalid time"),
    ("09:60-12:00", "invalid time"),
    ("12:00-09:00", "ends before it starts"),
    ("09:00-09:00", "ends before it starts"),
    ("09:00-12:00,11:00-17:30", "overlaps"),
    ("13:30-17:30,09:00-12:00", "overlaps or precedes"),
])
def test_parse_rejects_malformed_overlapping_or_unsorted_text(text, message):
    with pytest.raises(ValueError, match=message):
        WorkingHours.parse(text)


def test_touching_periods_are_allowed():
    assert WorkingHours.parse("09:00-12:00,12:00-13:00").hours_per_day == 4.0


# --- days ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,expected", [
    ("2025-09-26", True),   # Friday
    ("2025-09-27", False),  # Saturday
    ("2025-09-28", True),   # Sunday, 调休上班 for 国庆
    ("2025-10-01", False),  # 国庆节
    ("2025-10-06", False),  # Monday, 中秋 (merged into the 国庆 break)
    ("2025-10-09", True),   # first workday after the break
    ("2025-10-11", True),   # Saturday, 调休上班
    ("2026-02-14", True),   # Saturday, 调休上班 before 春节
    ("2026-02-16", False),  # 春节 Monday
])
def test_is_workday_knows_holidays_and_adjusted_workdays(day, expected):
    assert CHINA.is_workday(date.fromisoformat(day)) is expected


def test_a_date_cannot_be_both_holiday_and_workday():
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(holidays=[date(2025, 10, 1)], workdays=[date(2025, 10, 1)])


# --- hand-checked deadlines -----------------------------------------------------------------------------

def test_request_filed_the_afternoon_before_national_day_is_due_after_the_break():
    # Tue 30 Sep 15:00: 2.5 h that day; 1–8 Oct off; Thu 9th 7 h (9.5), Fri 10th 7 h (16.5),
    # Sat 11th is 调休上班 7 h (23.5), Sun 12th off, Mon 13th the last half hour.
    assert CHINA.add(at("2025-09-30T15:00"), 24, "work_hours") == at("2025-10-13T09:30")
    assert CHINA.add(at("2025-09-30T15:00"), 3, "work_days") == at("2025-10-11T15:00")


def test_the_adjusted_sunday_before_national_day_counts():
    # Sat 27 Sep 10:00 is a day off; Sun 28 Sep is 调休上班, so counting starts there.
    assert CHINA.add(at("2025-09-27T10:00"), 2, "work_hours") == at("2025-09-28T11:00")


def test_spring_festival_2026():
    # Fri 13 Feb 2026 16:00: 1.5 h; Sat 14th is 调休上班 (8.5); 15–23 Feb off; Tue 24th one more hour.
    assert CHINA.add(at("2026-02-13T16:00"), 9.5, "work_hours") == at("2026-02-24T10:00")


def test_new_year_2026_weekend_workday():
    # Wed 31 Dec 2025 17:00: half an hour; 1–3 Jan off; Sun 4 Jan 2026 is 调休上班.
    assert CHINA.add(at("2025-12-31T17:00"), 1, "work_hours") == at("2026-01-04T09:30")


@pytest.mark.parametrize("start,value,unit,expected", [
    ("2025-03-03T10:00", 2, "work_hours", "2025-03-03T12:00"),    # lands exactly on the lunch break
    ("2025-03-03T10:00", 2.5, "work_hours", "2025-03-03T14:00"),  # lunch is skipped
    ("2025-03-03T12:30", 1, "work_hours", "2025-03-03T14:30"),    # start at lunch counts from 13:30
    ("2025-03-03T07:00", 3, "work_hours", "2025-03-03T12:00"),    # early start counts from 09:00
    ("2025-03-03T16:30", 1, "work_hours", "2025-03-03T17:30"),    # ends at close, not next morning
    ("2025-03-07T18:00", 1, "work_hours", "2025-03-10T10:00"),    # Friday evening -> Monday
    ("2025-03-03T10:00", 1, "work_days", "2025-03-04T10:00"),     # same time the next workday
    ("2025-03-07T10:00", 1, "work_days", "2025-03-10T10:00"),     # over the weekend
    ("2025-03-03T09:00", 1, "work_days", "2025-03-03T17:30"),     # a whole day from opening: closing time
    ("2025-03-07T20:00", 1, "work_days", "2025-03-10T17:30"),     # filed after hours: end of next workday
    ("2025-03-03T10:00", 0.5, "work_days", "2025-03-03T15:00"),   # 3.5 working hours: 2 + 1.5
    ("2025-03-03T10:00", 5, "work_days", "2025-03-10T10:00"),
    ("2025-03-07T23:00", 2, "hours", "2025-03-08T01:00"),         # plain clock time
    ("2025-03-07T23:00", 1.5, "days", "2025-03-09T11:00"),
    ("2025-03-08T10:00", 0, "work_hours", "2025-03-08T10:00"),    # nothing to add: start unchanged
])
def test_add_examples(start, value, unit, expected):
    assert CHINA.add(at(start), value, unit) == at(expected)


def test_add_returns_the_time_zone_of_start():
    start = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    due = CHINA.add(start, 3, "work_hours")

    assert due.tzinfo is UTC
    assert due == at("2025-03-03T14:30")


@pytest.mark.parametrize("value,unit,error", [
    (-1, "work_hours", ValueError), (float("nan"), "work_hours", ValueError),
    (float("inf"), "hours", ValueError), (1, "weeks", ValueError), ("1", "hours", TypeError),
])
def test_add_rejects_bad_values_and_units(value, unit, error):
    with pytest.raises(error):
        CHINA.add(at("2025-03-03T10:00"), value, unit)


def test_add_requires_an_aware_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        CHINA.add(datetime(2025, 3, 3, 10), 1, "work_hours")


def test_working_seconds_between_examples():
    assert CHINA.working_seconds_between(at("2025-03-03T08:00"), at("2025-03-03T18:00")) == 7 * 3600
    assert CHINA.working_seconds_between(at("2025-03-03T11:00"), at("2025-03-03T14:00")) == 1.5 * 3600
    assert CHINA.working_seconds_between(at("2025-09-30T17:00"), at("2025-10-09T09:10")) == 40 * 60
    assert CHINA.working_seconds_between(at("2025-03-03T14:00"), at("2025-03-03T11:00")) == 0


@pytest.mark.parametrize("dt,expected", [
    ("2025-03-03T10:00", "2025-03-03T10:00"),  # inside a period: unchanged
    ("2025-03-03T09:00", "2025-03-03T09:00"),  # a period start is inside
    ("2025-03-03T12:00", "2025-03-03T13:30"),  # a period end is not
    ("2025-03-03T17:30", "2025-03-04T09:00"),
    ("2025-09-30T18:00", "2025-10-09T09:00"),  # over 国庆
])
def test_next_working_instant(dt, expected):
    assert CHINA.next_working_instant(at(dt)) == at(expected)


def test_custom_hours_and_time_zone():
    calendar = WorkCalendar(hours=WorkingHours.parse("08:00-16:00"), tz=UTC)
    start = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    assert calendar.add(start, 2, "work_hours") == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    assert calendar.add(start, 1, "work_days") == datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


# --- SLA status ---------------------------------------------------------------------------------------

START = at("2025-03-03T09:00")
DUE = at("2025-03-03T19:00")  # ten clock hours


@pytest.mark.parametrize("now,expected", [
    ("2025-03-03T09:00", "normal"),
    ("2025-03-03T16:59", "normal"),
    ("2025-03-03T17:00", "due_soon"),  # 80 % of the span used
    ("2025-03-03T19:00", "due_soon"),  # the deadline instant is still on time
    ("2025-03-03T19:00:01", "overdue"),
])
def test_sla_status_by_clock_time(now, expected):
    assert sla_status(now=at(now), started_at=START, due_at=DUE) == expected


def test_sla_status_without_deadline_is_normal():
    assert sla_status(now=at("2030-01-01T00:00"), started_at=START, due_at=None) == "normal"


def test_sla_status_warn_before_and_empty_span():
    assert sla_status(now=at("2025-03-03T10:00"), started_at=START, due_at=DUE,
                      warn_before=timedelta(hours=9)) == "due_soon"
    assert sla_status(now=START, started_at=START, due_at=START) == "due_soon"


def test_sla_status_in_working_time():
    due = CHINA.add(START, 10, "work_hours")  # Tue 12:00; 80 % = 8 working hours = Tue 10:00
    assert sla_status(now=at("2025-03-04T09:59"), started_at=START, due_at=due, calendar=CHINA) == "normal"
    assert sla_status(now=at("2025-03-04T10:00"), started_at=START, due_at=due, calendar=CHINA) == "due_soon"
    # By clock time Monday 20:00 is 11 of 27 hours (normal); in working time it is 7 of 10 (still normal).
    assert sla_status(now=at("2025-03-03T20:00"), started_at=START, due_at=due, calendar=CHINA) == "normal"
    # Tuesday 09:30 is 24.5 of 27 clock hours (due soon by the clock) but 7.5 of 10 working hours.
    assert sla_status(now=at("2025-03-04T09:30"), started_at=START, due_at=due) == "due_soon"
    assert sla_status(now=at("2025-03-04T09:30"), started_at=START, due_at=due, calendar=CHINA) == "normal"


def test_sla_labels_are_chinese():
    assert SLA_LABELS == {"normal": "正常", "due_soon": "即将超期", "overdue": "超期"}


# --- properties ---------------------------------------------------------------------------------------

BASE = date(2025, 1, 1)
days_2025_2026 = st.integers(0, 729).map(lambda n: BASE + timedelta(days=n))
calendars = st.builds(
    lambda holidays, workdays, hours: WorkCalendar(holidays=holidays - workdays, workdays=workdays, hours=hours),
    st.frozensets(days_2025_2026, max_size=60),
    st.frozensets(days_2025_2026.filter(lambda d: d.weekday() >= 5), max_size=20),
    st.sampled_from([WorkingHours(), WorkingHours.parse("08:30-17:00"), WorkingHours.parse("00:00-23:59"),
                     WorkingHours.parse("09:00-10:00,10:00-11:00,14:00-14:05")]),
) | st.just(CHINA)
starts = st.builds(
    lambda day, seconds, micro, tz: datetime.combine(day, time(), tzinfo=SH).astimezone(tz)
    + timedelta(seconds=seconds, microseconds=micro),
    days_2025_2026, st.integers(0, 86_399), st.sampled_from([0, 1, 999_999]),
    st.sampled_from([SH, UTC, timezone(timedelta(hours=-5))]),
)
work_seconds = st.integers(0, 400 * 3600)  # whole seconds, up to ~57 working days


def is_working_time(calendar: WorkCalendar, dt: datetime) -> bool:
    """On a workday, inside a working period or exactly at a period end."""
    local = dt.astimezone(calendar.tz)
    t = local.time().replace(tzinfo=None)
    return calendar.is_workday(local.date()) and any(s <= t <= e for s, e in calendar.hours.periods)


@given(calendars, starts, work_seconds)
def test_working_time_between_start_and_deadline_is_what_was_added(calendar, start, seconds):
    due = calendar.add(start, seconds / 3600, "work_hours")

    assert calendar.working_seconds_between(start, due) == seconds
    assert due >= start
    assert due.tzinfo is start.tzinfo


@given(calendars, starts, work_seconds.filter(bool))
def test_deadlines_land_in_working_time(calendar, start, seconds):
    due = calendar.add(start, seconds / 3600, "work_hours")

    assert is_working_time(calendar, due)
    # ... and as early as possible: one microsecond less work lands one microsecond earlier.
    assert calendar.add(start, (seconds - 1e-6) / 3600, "work_hours") < due


@given(calendars, starts, work_seconds, work_seconds)
def test_add_is_monotonic_in_value(calendar, start, a, b):
    low, high = sorted((a, b))
    assert calendar.add(start, low / 3600, "work_hours") <= calendar.add(start, high / 3600, "work_hours")


@given(calendars, starts, work_seconds, work_seconds)
def test_adding_a_then_b_equals_adding_a_plus_b(calendar, start, a, b):
    stepwise = calendar.add(calendar.add(start, a / 3600, "work_hours"), b / 3600, "work_hours")
    assert stepwise == calendar.add(start, (a + b) / 3600, "work_hours")


@given(calendars, starts, st.integers(0, 60))
def test_work_days_are_whole_days_of_working_hours(calendar, start, n):
    assert calendar.add(start, n, "work_days") == calendar.add(start, n * calendar.hours.hours_per_day, "work_hours")


@given(starts, st.integers(1, 60))
def test_work_days_from_working_time_keep_the_time_of_day(start, n):
    start = CHINA.next_working_instant(start)
    local_start = start.astimezone(SH)
    due = CHINA.add(start, n, "work_days").astimezone(SH)
    if local_start.time() not in (time(9), time(13, 30)):  # a period start maps to the previous period end
        assert due.time() == local_start.time()
        assert CHINA.is_workday(due.date())
        workdays_between = sum(CHINA.is_workday(local_start.date() + timedelta(days=i))
                               for i in range(1, (due.date() - local_start.date()).days + 1))
        assert workdays_between == n


@given(calendars, starts, st.integers(1, 10))
def test_holidays_are_skipped_and_adjusted_workdays_count(calendar, start, n):
    due = calendar.add(start, n, "work_days")
    local_start, local_due = start.astimezone(calendar.tz).date(), due.astimezone(calendar.tz).date()
    for offset in range((local_due - local_start).days + 1):
        day = local_start + timedelta(days=offset)
        if day in calendar.holidays and day not in calendar.workdays:
            assert not calendar.is_workday(day)
            assert calendar.working_seconds_between(
                datetime.combine(day, time(), tzinfo=calendar.tz),
                datetime.combine(day + timedelta(days=1), time(), tzinfo=calendar.tz)) == 0
        if day in calendar.workdays:
            assert calendar.is_workday(day)


@given(calendars, starts, st.floats(0, 10_000, allow_nan=False))
def test_plain_hours_and_days_are_timedeltas(calendar, start, value):
    assert calendar.add(start, value, "hours") == start + timedelta(hours=value)
    assert calendar.add(start, value, "days") == start + timedelta(days=value)


@given(calendars, starts)
def test_next_working_instant_is_working_and_adds_no_work(calendar, start):
    instant = calendar.next_working_instant(start)

    assert instant >= start
    assert is_working_time(calendar, instant)
    assert calendar.working_seconds_between(start, instant) == 0
    assert calendar.next_working_instant(instant) == instant


@settings(max_examples=50)
@given(calendars, starts, starts)
def test_working_seconds_between_is_additive_and_bounded(calendar, a, b):
    a, b = sorted((a, b))
    middle = a + (b - a) / 2
    total = calendar.working_seconds_between(a, b)

    assert total == pytest.approx(calendar.working_seconds_between(a, middle)
                                  + calendar.working_seconds_between(middle, b), abs=1e-6)
    assert 0 <= total <= (b - a).total_seconds()
    assert calendar.working_seconds_between(b, a) == 0


def test_shanghai_has_no_daylight_saving_in_range():
    offsets = {datetime(2024 + y, m, 1, 12, tzinfo=SH).utcoffset() for y in range(4) for m in range(1, 13)}
    assert offsets == {timedelta(hours=8)}
