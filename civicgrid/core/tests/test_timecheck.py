"""Reported times against the clock (core/timecheck) and the test-only clock of the live server
(core/testclock): the tolerance is a setting, the clock the one tests move."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory

from civicgrid.core import clock, errors, testclock, timecheck

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_time_later_than_now_plus_the_tolerance_is_refused_with_its_field():
    with clock.at(NOW):
        assert timecheck.not_future(NOW + timedelta(minutes=4), field="ended_at", label="结束时间")
        with pytest.raises(errors.ValidationFailed) as exc:
            timecheck.not_future(NOW + timedelta(minutes=6), field="ended_at", label="结束时间")
    assert exc.value.code == "time_in_future" and exc.value.field == "ended_at" and exc.value.status == 422
    assert "晚于当前时间" in exc.value.message and "2026-03-04 10:06" in exc.value.message


def test_the_tolerance_is_a_setting(settings):
    settings.CLOCK_TOLERANCE_SECONDS = 0
    with clock.at(NOW), pytest.raises(errors.ValidationFailed):
        timecheck.not_future(NOW + timedelta(seconds=1), field="visited_at", label="走访时间")
    settings.CLOCK_TOLERANCE_SECONDS = 3600
    with clock.at(NOW):
        assert timecheck.latest() == NOW + timedelta(hours=1)


def test_a_time_outside_its_window_is_refused():
    start, end = NOW, NOW + timedelta(hours=2)
    assert timecheck.within(end, start, end, field="ended_at", label="结束时间", window="服务时段") == end
    with pytest.raises(errors.ValidationFailed) as exc:
        timecheck.within(start - timedelta(minutes=1), start, end, field="started_at", label="开始时间",
                         window="服务时段", details={"volunteer_id": 7})
    assert exc.value.code == "outside_window" and exc.value.details["volunteer_id"] == 7
    assert exc.value.field == "started_at" and "不在服务时段" in exc.value.message


def _seen_now(request):
    return HttpResponse(clock.now().isoformat())


def test_the_test_clock_header_moves_the_clock_of_one_request_only_when_enabled(settings):
    middleware = testclock.TestClockMiddleware(_seen_now)
    moved = RequestFactory().get("/", headers={"X-Civicgrid-Test-Clock": NOW.isoformat()})
    assert middleware(moved).content.decode() == NOW.isoformat()
    plain = middleware(RequestFactory().get("/")).content.decode()
    assert plain != NOW.isoformat()
    naive = RequestFactory().get("/", headers={"X-Civicgrid-Test-Clock": "2026-03-04T10:00:00"})
    assert middleware(naive).content.decode() != "2026-03-04T10:00:00"
    settings.TEST_CLOCK = False
    with pytest.raises(MiddlewareNotUsed):
        testclock.TestClockMiddleware(_seen_now)


def test_production_settings_never_enable_the_test_clock():
    import civicgrid.settings as production

    assert production.TEST_CLOCK is False
    assert not any("testclock" in m for m in production.MIDDLEWARE)
