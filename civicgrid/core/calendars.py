"""The working-day calendar in the database: seeding from `chinesecalendar`, the administrators' edits,
and `load_calendar()`, the `WorkCalendar` every SLA deadline is computed with (docs/calendar.md).

Only exceptions are stored (`CalendarDay`): holidays that fall on Monday–Friday and adjusted working days
(调休上班) that fall on a weekend. Weekend days inside a holiday break are days off anyway and get no
row. Rows seeded from the package have `source="seed"`; rows an administrator set have
`source="admin"` and are never touched by reseeding.

A district may override dates (`region_code` = its 6-digit code; the national rows have ""): a city root
holds districts with their own local holidays or working days. `load_calendar(region_code=...)` builds the
national table with the overrides of the district that code lies in; a case's deadlines use its district's.

`load_calendar()` is cached per process (one calendar per district asked for). Outside a transaction the table's version (row count and
latest `updated_at`) is checked at most every `CHECK_SECONDS`, so an edit made in another process
reaches this one within that time; inside a transaction it is checked on every call (one aggregate
query), so an edit in the same transaction — or one rolled back — is never served stale.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from civicgrid.core import audit, confcache, errors
from civicgrid.core.models import CalendarDay, CalendarSource
from civicgrid.core.scoping import require, require_table
from civicgrid.core.workcalendar import WorkCalendar, WorkingHours

CHANGE_PERM = "core.change_calendar"
DEFAULT_WORK_HOURS = "09:00-12:00,13:30-17:30"
CHECK_SECONDS = 2.0
ADJUSTED_WORKDAY = "调休上班"
DAY_OFF = "放假"
NATIONAL = ""  # the region_code of the national rows
DISTRICT_CODE_LENGTH = 6  # GB/T 2260: core knows codes, not the region tree


def district_of(region_code: str | None) -> str:
    """The district whose overrides apply to a region code: its first 6 digits; "" (national) for a city
    or province code or none."""
    code = (region_code or "").strip()
    return code[:DISTRICT_CODE_LENGTH] if len(code) >= DISTRICT_CODE_LENGTH else NATIONAL


# --- what the chinesecalendar package knows -------------------------------------------------------------

def known_years() -> list[int]:
    """The years the installed chinesecalendar package has State Council schedules for."""
    from chinese_calendar import constants

    first, last = min(constants.holidays).year, max(constants.holidays).year
    return list(range(first, last + 1))


def _chinese_name(english: str | None) -> str:
    from chinese_calendar import Holiday

    if not english:
        return ""
    try:
        return Holiday(english).chinese
    except ValueError:
        return english


def package_exceptions(years: Iterable[int]) -> dict[date, tuple[bool, str]]:
    """{date: (is_workday, name)} for every date in `years` whose status differs from Monday–Friday.
    Years the package does not know are skipped."""
    import chinese_calendar

    known = set(known_years())
    result: dict[date, tuple[bool, str]] = {}
    for year in sorted(set(years) & known):
        day = date(year, 1, 1)
        while day.year == year:
            is_workday = chinese_calendar.is_workday(day)
            if is_workday != (day.weekday() < 5):
                name = _chinese_name(chinese_calendar.get_holiday_detail(day)[1])
                if is_workday:
                    name = f"{ADJUSTED_WORKDAY}({name})" if name else ADJUSTED_WORKDAY
                result[day] = (is_workday, name or DAY_OFF)
            day += timedelta(days=1)
    return result


def seed_rows(model, years: Iterable[int]) -> tuple[int, int]:
    """Write the package's exceptions for `years` into `model` (CalendarDay, or its historical version in
    a data migration): create missing rows, correct seed rows that differ, delete seed rows the package
    no longer lists; admin rows are left alone. Returns (created, updated) — deleted rows count as updated.
    """
    years = sorted(set(years) & set(known_years()))
    if not years:
        return 0, 0
    wanted = package_exceptions(years)
    # the historical model of the first seeding migration has no region_code yet: every row is national
    national = {"region_code": NATIONAL} if any(f.name == "region_code" for f in model._meta.fields) else {}
    existing = {row.date: row for row in model.objects.filter(date__year__in=years, **national)}
    now = timezone.now()
    to_create, to_update, to_delete = [], [], []
    for day, (is_workday, name) in wanted.items():
        row = existing.get(day)
        if row is None:
            to_create.append(model(date=day, is_workday=is_workday, name=name, source=CalendarSource.SEED,
                                   updated_at=now))
        elif row.source == CalendarSource.SEED and (row.is_workday, row.name) != (is_workday, name):
            row.is_workday, row.name, row.updated_at = is_workday, name, now
            to_update.append(row)
    for day, row in existing.items():
        if day not in wanted and row.source == CalendarSource.SEED:
            to_delete.append(row.pk)
    model.objects.bulk_create(to_create, batch_size=500)
    model.objects.bulk_update(to_update, ["is_workday", "name", "updated_at"], batch_size=500)
    model.objects.filter(pk__in=to_delete).delete()
    return len(to_create), len(to_update) + len(to_delete)


def seed_calendar(years: Iterable[int] | None = None) -> tuple[int, int]:
    """Seed CalendarDay from chinesecalendar for `years` (default: every year the package knows).
    A system task, not a user action: called by the data migration and `sync_calendar`."""
    years = known_years() if years is None else list(years)
    with transaction.atomic():
        created, updated = seed_rows(CalendarDay, years)
        if created or updated:
            confcache.bump()  # bulk writes send no signals
            audit.record(actor=None, action="core.seed_calendar", object_type="core.calendarday",
                         details={"years": sorted(set(years)), "created": created, "updated": updated})
        transaction.on_commit(invalidate)
    return created, updated


# --- administrators' edits ----------------------------------------------------------------------------

def _snapshot(row: CalendarDay | None) -> dict | None:
    if row is None:
        return None
    return {"is_workday": row.is_workday, "name": row.name, "source": row.source}


def _district(region_code: str) -> str:
    code = (region_code or "").strip()
    if code and (len(code) != DISTRICT_CODE_LENGTH or not code.isdigit()):
        raise errors.ValidationFailed("区县代码应为6位数字", code="calendar_bad_district",
                                      details={"field": "region_code"})
    return code


def set_day(*, actor, day: date, is_workday: bool, name: str = "", region_code: str = NATIONAL) -> CalendarDay:
    """Mark `day` as a workday or a day off (an admin row: reseeding keeps it), nationally or — given a
    district's code — for that district only."""
    require(actor, CHANGE_PERM)
    region_code = _district(region_code)
    require_table(actor, CHANGE_PERM, region_code)
    if not isinstance(day, date):
        raise errors.ValidationFailed("日期格式不正确", code="calendar_bad_date")
    name = (name or "").strip() or (ADJUSTED_WORKDAY if is_workday else DAY_OFF)
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise errors.ValidationFailed("名称不能超过50个字", code="calendar_name_too_long")
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=day, region_code=region_code).first()
        row, _ = CalendarDay.objects.update_or_create(
            date=day, region_code=region_code,
            defaults={"is_workday": bool(is_workday), "name": name, "source": CalendarSource.ADMIN})
        details = {"date": day.isoformat(), "before": _snapshot(before), "after": _snapshot(row)}
        if region_code:
            details["region_code"] = region_code
        audit.record(actor=actor, action=CHANGE_PERM, obj=row, details=details)
        transaction.on_commit(invalidate)
    return row


def clear_day(*, actor, day: date, region_code: str = NATIONAL) -> CalendarDay | None:
    """Undo an administrator's setting for `day`: back to what chinesecalendar says (a seed row) or,
    when the package lists nothing for that date, to the Monday–Friday default (no row). For a district:
    drop its override, so the national table applies again."""
    require(actor, CHANGE_PERM)
    region_code = _district(region_code)
    require_table(actor, CHANGE_PERM, region_code)
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=day, region_code=region_code).first()
        CalendarDay.objects.filter(date=day, region_code=region_code).delete()
        seeded = package_exceptions([day.year]).get(day) if not region_code else None
        row = None
        if seeded is not None:
            row = CalendarDay.objects.create(date=day, is_workday=seeded[0], name=seeded[1],
                                             source=CalendarSource.SEED)
        audit.record(actor=actor, action=CHANGE_PERM, object_type="core.calendarday",
                     object_id=row.pk if row else (before.pk if before else ""),
                     details={"date": day.isoformat(), "before": _snapshot(before), "after": _snapshot(row),
                              "cleared": True, **({"region_code": region_code} if region_code else {})})
        transaction.on_commit(invalidate)
    return row


# --- the process-wide calendar --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cached:
    version: tuple
    calendar: WorkCalendar


_lock = threading.Lock()
_cached: dict[str, _Cached] = {}  # per district ("" national), all built from one table version
_checked_at = float("-inf")


def _config() -> tuple[str, str]:
    return getattr(settings, "WORK_HOURS", DEFAULT_WORK_HOURS), settings.TIME_ZONE


def _version(config: tuple[str, str]) -> tuple:
    stats = CalendarDay.objects.aggregate(rows=Count("id"), last=Max("updated_at"))
    return stats["rows"], stats["last"], config


def _build(config: tuple[str, str], district: str = NATIONAL) -> WorkCalendar:
    """The national rows, with `district`'s overrides in their place where it has any."""
    work_hours, tz_name = config
    try:
        hours = WorkingHours.parse(work_hours)
    except ValueError as exc:
        raise ImproperlyConfigured(f"WORK_HOURS ({work_hours!r}): {exc}") from exc
    status: dict[date, bool] = {}
    rows = (CalendarDay.objects.filter(region_code__in={NATIONAL, district}).order_by("region_code")
            .values_list("date", "is_workday").iterator(chunk_size=2000))
    for day, is_workday in rows:  # national ("") first, so a district's row replaces the national one
        status[day] = is_workday
    holidays = [day for day, is_workday in status.items() if not is_workday]
    workdays = [day for day, is_workday in status.items() if is_workday]
    return WorkCalendar(holidays=holidays, workdays=workdays, hours=hours, tz=ZoneInfo(tz_name))


def load_calendar(snapshot: confcache.Snapshot | None = None, *, region_code: str | None = None) -> WorkCalendar:
    """The calendar built from CalendarDay rows and settings.WORK_HOURS (cached; see the module doc): the
    national table, with the overrides of the district `region_code` lies in. Given a configuration
    snapshot (a hot path that already read it), the snapshot's copy is used."""
    global _checked_at
    config = _config()
    district = district_of(region_code)
    if snapshot is not None:
        return snapshot.get(("calendar", config, district), lambda: _build(config, district))
    in_transaction = connection.in_atomic_block
    cached = _cached.get(district)
    if (cached is not None and not in_transaction and cached.version[2] == config
            and monotonic_time.monotonic() - _checked_at < CHECK_SECONDS):
        return cached.calendar
    with _lock:
        # Read the version before the rows: a change racing the build is caught at the next check.
        version = _version(config)
        if any(entry.version != version for entry in _cached.values()):
            _cached.clear()
        if district not in _cached:
            _cached[district] = _Cached(version, _build(config, district))
        # A calendar read inside a transaction may hold uncommitted rows: make the next plain call verify.
        _checked_at = float("-inf") if in_transaction else monotonic_time.monotonic()
        return _cached[district].calendar


def invalidate() -> None:
    """Forget the cached calendars; the next load_calendar() rebuilds them."""
    global _checked_at
    with _lock:
        _cached.clear()
        _checked_at = float("-inf")
