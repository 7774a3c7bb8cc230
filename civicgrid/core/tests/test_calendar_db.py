"""The calendar in the database: seeding from chinesecalendar, administrators' edits (permission matrix,
audit, nothing changed on denial), load_calendar() following the table, the page and sync_calendar."""

from __future__ import annotations

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.core import calendars, errors
from civicgrid.core.calendars import clear_day, load_calendar, seed_calendar, set_day
from civicgrid.core.models import AuditEvent, CalendarDay
from civicgrid.testing import make_user

SH = ZoneInfo("Asia/Shanghai")
URL = "/audit/calendar/"


def rows() -> list[tuple]:
    return list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name", "source"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendars.invalidate()
    yield
    calendars.invalidate()


@pytest.fixture
def seeded(db):
    """2025 and 2026 from the package, whatever an earlier (transactional) test left in the table."""
    CalendarDay.objects.all().delete()
    seed_calendar([2025, 2026])
    return CalendarDay.objects


@pytest.fixture
def sysadmin(tree):
    return make_user("sysadmin", "system_admin", tree.district)


# --- seeding ----------------------------------------------------------------------------------------

def test_seeding_gives_the_2025_holidays_and_adjusted_workdays(seeded):
    national_day = seeded.get(date=date(2025, 10, 1))
    adjusted_sunday = seeded.get(date=date(2025, 9, 28))

    assert (national_day.is_workday, national_day.name, national_day.source) == (False, "国庆节", "seed")
    assert (adjusted_sunday.is_workday, adjusted_sunday.name) == (True, "调休上班(国庆节)")
    assert seeded.get(date=date(2025, 10, 6)).name == "中秋"
    assert seeded.get(date=date(2026, 2, 16)).name == "春节"
    # Only exceptions are stored: a Saturday inside the break and an ordinary Friday have no row.
    assert not seeded.filter(date__in=[date(2025, 10, 4), date(2025, 9, 26)]).exists()
    assert seeded.filter(date__year=2025, is_workday=True).count() == 5
    assert seeded.filter(date__year=2025, is_workday=False).count() == 18


def test_load_calendar_computes_deadlines_over_the_seeded_holidays(seeded):
    calendar = load_calendar()

    assert not calendar.is_workday(date(2025, 10, 1))
    assert calendar.is_workday(date(2025, 9, 28))
    due = calendar.add(datetime(2025, 9, 30, 15, tzinfo=SH), 24, "work_hours")
    assert due == datetime(2025, 10, 13, 9, 30, tzinfo=SH)


def test_reseeding_changes_nothing_and_writes_no_audit(seeded):
    before, events = rows(), AuditEvent.objects.count()

    assert seed_calendar([2025, 2026]) == (0, 0)
    assert rows() == before
    assert AuditEvent.objects.count() == events


def test_reseeding_corrects_and_removes_stale_seed_rows(seeded):
    seeded.filter(date=date(2025, 10, 1)).update(name="wrong")
    CalendarDay.objects.create(date=date(2025, 3, 3), is_workday=False, name="旧数据", source="seed")
    seeded.filter(date=date(2025, 10, 2)).delete()

    assert seed_calendar([2025]) == (1, 2)
    assert seeded.get(date=date(2025, 10, 1)).name == "国庆节"
    assert seeded.get(date=date(2025, 10, 2)).name == "国庆节"
    assert not seeded.filter(date=date(2025, 3, 3)).exists()


def test_admin_rows_survive_reseeding(seeded, sysadmin):
    set_day(actor=sysadmin, day=date(2025, 10, 8), is_workday=True, name="应急值守")
    set_day(actor=sysadmin, day=date(2025, 12, 31), is_workday=False, name="区里放假")

    seed_calendar([2025])

    assert seeded.get(date=date(2025, 10, 8)).is_workday is True
    assert seeded.get(date=date(2025, 10, 8)).source == "admin"
    assert seeded.get(date=date(2025, 12, 31)).name == "区里放假"


def test_the_data_migration_seeds_every_year_the_package_knows(db):
    migration = importlib.import_module("civicgrid.core.migrations.0003_seed_calendar")
    CalendarDay.objects.all().delete()

    migration.seed(django_apps, None)

    years = {d.year for d in CalendarDay.objects.dates("date", "year")}
    assert years == set(calendars.known_years())
    assert {2024, 2025, 2026} <= years
    migration.unseed(django_apps, None)
    assert not CalendarDay.objects.exists()


def test_unknown_years_are_skipped(db):
    CalendarDay.objects.all().delete()
    assert seed_calendar([1999, 2099]) == (0, 0)
    assert not CalendarDay.objects.exists()


# --- set_day: permission matrix ----------------------------------------------------------------------

@pytest.mark.parametrize("who,error", [
    ("anonymous", errors.Unauthenticated),
    ("grid_worker", errors.Forbidden),
    ("audit_admin", errors.Forbidden),
    ("security_admin", errors.Forbidden),
    ("leader", errors.Forbidden),
])
def test_set_day_is_refused_and_changes_nothing(seeded, tree, who, error):
    actor = AnonymousUser() if who == "anonymous" else make_user("u", who, tree.district if who != "grid_worker"
                                                                    else tree.grid_a)
    before, events = rows(), AuditEvent.objects.count()

    with pytest.raises(error):
        set_day(actor=actor, day=date(2025, 10, 1), is_workday=True, name="上班")

    assert rows() == before
    assert load_calendar().is_workday(date(2025, 10, 1)) is False
    if who == "anonymous":
        assert AuditEvent.objects.count() == events
    else:
        denial = AuditEvent.objects.order_by("-id").first()
        assert AuditEvent.objects.count() == events + 1
        assert (denial.action, denial.result) == ("core.change_calendar", "denied")
    with pytest.raises(error):
        clear_day(actor=actor, day=date(2025, 10, 1))
    assert rows() == before


def test_system_admin_edit_changes_the_calendar_and_is_audited(seeded, sysadmin):
    assert load_calendar().is_workday(date(2025, 10, 8)) is False

    row = set_day(actor=sysadmin, day=date(2025, 10, 8), is_workday=True, name="应急值守")

    assert (row.is_workday, row.name, row.source) == (True, "应急值守", "admin")
    assert load_calendar().is_workday(date(2025, 10, 8)) is True
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.actor_username, event.action, event.result) == ("sysadmin", "core.change_calendar", "ok")
    assert (event.object_type, event.object_id) == ("core.calendarday", str(row.pk))
    assert event.details == {"date": "2025-10-08",
                             "before": {"is_workday": False, "name": "国庆节", "source": "seed"},
                             "after": {"is_workday": True, "name": "应急值守", "source": "admin"}}


def test_set_day_on_an_ordinary_day_and_default_names(seeded, sysadmin):
    set_day(actor=sysadmin, day=date(2025, 3, 3), is_workday=False, name="  ")
    set_day(actor=sysadmin, day=date(2025, 3, 8), is_workday=True, name="")

    calendar = load_calendar()
    assert calendar.is_workday(date(2025, 3, 3)) is False
    assert calendar.is_workday(date(2025, 3, 8)) is True
    assert seeded.get(date=date(2025, 3, 3)).name == "放假"
    assert seeded.get(date=date(2025, 3, 8)).name == "调休上班"


def test_set_day_rejects_a_long_name_and_changes_nothing(seeded, sysadmin):
    before = rows()
    with pytest.raises(errors.ValidationFailed):
        set_day(actor=sysadmin, day=date(2025, 3, 3), is_workday=False, name="长" * 51)
    assert rows() == before


def test_clear_day_goes_back_to_the_seeded_schedule_or_the_weekday_default(seeded, sysadmin):
    set_day(actor=sysadmin, day=date(2025, 10, 1), is_workday=True, name="值班")
    set_day(actor=sysadmin, day=date(2025, 3, 3), is_workday=False, name="停电")

    restored = clear_day(actor=sysadmin, day=date(2025, 10, 1))
    gone = clear_day(actor=sysadmin, day=date(2025, 3, 3))

    assert (restored.is_workday, restored.name, restored.source) == (False, "国庆节", "seed")
    assert gone is None
    assert not seeded.filter(date=date(2025, 3, 3)).exists()
    calendar = load_calendar()
    assert calendar.is_workday(date(2025, 10, 1)) is False
    assert calendar.is_workday(date(2025, 3, 3)) is True


# --- load_calendar --------------------------------------------------------------------------------------

def test_load_calendar_uses_the_work_hours_setting(seeded, settings):
    settings.WORK_HOURS = "08:30-12:00,14:00-17:30"
    calendar = load_calendar()

    assert calendar.hours.hours_per_day == 7.0
    assert calendar.add(datetime(2025, 3, 3, 11, tzinfo=SH), 2, "work_hours") == datetime(2025, 3, 3, 15, tzinfo=SH)


def test_a_bad_work_hours_setting_is_a_configuration_error(seeded, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.WORK_HOURS = "9-5"
    with pytest.raises(ImproperlyConfigured, match="WORK_HOURS"):
        load_calendar()


def test_load_calendar_is_reused_until_the_table_changes(seeded, sysadmin, django_assert_num_queries):
    first = load_calendar()
    with django_assert_num_queries(1):  # the version check only
        assert load_calendar() is first

    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(is_workday=True)  # updated_at untouched
    CalendarDay.objects.create(date=date(2025, 3, 3), is_workday=False, name="x", source="admin")
    second = load_calendar()

    assert second is not first
    assert second.is_workday(date(2025, 3, 3)) is False


def test_outside_a_transaction_the_version_is_checked_at_most_every_few_seconds(seeded, monkeypatch):
    from types import SimpleNamespace

    load_calendar()  # inside the test transaction: cached, next plain call must verify
    monkeypatch.setattr(calendars, "connection", SimpleNamespace(in_atomic_block=False))
    calendar = load_calendar()  # verifies once, starts the interval
    clock = [1000.0]
    monkeypatch.setattr(calendars.monotonic_time, "monotonic", lambda: clock[0])
    calendars._checked_at = clock[0]

    CalendarDay.objects.create(date=date(2025, 3, 3), is_workday=False, name="x", source="admin")
    assert load_calendar() is calendar  # within CHECK_SECONDS: no query, old calendar
    clock[0] += calendars.CHECK_SECONDS
    assert load_calendar().is_workday(date(2025, 3, 3)) is False


# --- the page ------------------------------------------------------------------------------------------

def test_page_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/calendar/")


@pytest.mark.parametrize("role", ["audit_admin", "security_admin", "leader"])
def test_page_is_forbidden_without_change_calendar(client, seeded, tree, role):
    client.force_login(make_user("nosy", role, tree.district))
    before = rows()

    assert client.get(URL).status_code == 403
    response = client.post(URL, {"date": "2025-10-01", "is_workday": "1", "name": "x"})

    assert response.status_code == 403
    assert rows() == before


def test_page_lists_the_years_special_days(client, seeded, sysadmin):
    client.force_login(sysadmin)

    response = client.get(URL, {"year": 2025})

    assert response.status_code == 200
    body = response.content.decode()
    assert "2025 年工作日历" in body
    assert 'data-date="2025-10-01"' in body and "国庆节" in body
    assert 'data-date="2025-09-28"' in body and "调休上班(国庆节)" in body
    assert 'data-date="2026-02-16"' not in body
    assert "09:00-12:00,13:30-17:30" in body


def test_page_warns_for_a_year_the_package_does_not_know(client, seeded, sysadmin):
    client.force_login(sysadmin)
    body = client.get(URL, {"year": 2099}).content.decode()
    assert "2099 年没有特殊安排" in body
    assert "sync_calendar" in body


def test_page_form_marks_a_day_and_clear_undoes_it(client, seeded, sysadmin):
    client.force_login(sysadmin)

    response = client.post(URL, {"date": "2025-12-31", "is_workday": "0", "name": "区里放假"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{URL}?year=2025"
    assert "已将 2025-12-31 设为放假(区里放假)" in response.content.decode()
    assert load_calendar().is_workday(date(2025, 12, 31)) is False

    response = client.post("/audit/calendar/clear/", {"date": "2025-12-31"}, follow=True)
    assert "已恢复 2025-12-31 的默认安排" in response.content.decode()
    assert load_calendar().is_workday(date(2025, 12, 31)) is True


def test_page_form_errors_are_shown_and_nothing_changes(client, seeded, sysadmin):
    client.force_login(sysadmin)
    before = rows()

    response = client.post(URL, {"date": "not-a-date", "is_workday": "1"})

    assert response.status_code == 422
    assert rows() == before


# --- sync_calendar ---------------------------------------------------------------------------------------

def test_sync_calendar_command(db, capsys):
    CalendarDay.objects.all().delete()

    call_command("sync_calendar", "--years", "2025")
    out = capsys.readouterr().out

    assert "years: 2025" in out and "created: 23, updated: 0" in out
    assert CalendarDay.objects.count() == 23


def test_sync_calendar_skips_unknown_years_and_accepts_ranges(db, capsys):
    CalendarDay.objects.all().delete()

    call_command("sync_calendar", "--years", "2025-2099")
    captured = capsys.readouterr()

    assert "2099" in captured.err and "2030" in captured.err
    assert {d.year for d in CalendarDay.objects.dates("date", "year")} == {2025, 2026}
    with pytest.raises(CommandError, match="none of the requested years"):
        call_command("sync_calendar", "--years", "2099")
    with pytest.raises(CommandError, match="bad year"):
        call_command("sync_calendar", "--years", "next")
