"""The daily report on a hand-built day: who patrolled, how long and how far, which required checkpoints
they passed, who missed the rule and why; scoped to the caller's region."""

from datetime import timedelta

import pytest

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock, errors
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.compliance import daily_report
from civicgrid.gridops.patrols.tests.conftest import DAY, T0, walk
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

AWAY_FROM_SCHOOL = (41.13, 123.11)  # grid A, north of the school: a walk north never passes it


def patrol(worker, start_min, minutes, *, start=(41.12, 123.12), check_in=None):
    """A patrol from T0 + start_min lasting `minutes`, one point every 30 s walking north from `start`."""
    t0 = T0 + timedelta(minutes=start_min)
    with clock.at(t0):
        p, _ = actions.start_patrol(actor=worker)
    if check_in is not None:
        with clock.at(t0 + timedelta(minutes=1)):
            actions.check_in(actor=worker, patrol_id=p.pk, checkpoint_id=check_in.pk, lat=check_in.lat,
                             lng=check_in.lng, accuracy=5)
    with clock.at(t0 + timedelta(minutes=minutes)):
        actions.upload_points(actor=worker, patrol_id=p.pk, points=walk(2 * minutes + 1, start=start, t0=t0))
        return actions.end_patrol(actor=worker, patrol_id=p.pk)


@pytest.fixture
def day(pw):
    """Grid A: gw_a passes the school only (70 min); gw_a2 two short patrols (20 + 30 min) passing both
    checkpoints; gw_a3 90 min passing both; mw_a (not under the rule) 15 min. Grid B: gw_b did not
    patrol on the day (only the day before); grid B's checkpoint was added the day after."""
    pw.gw_a2 = make_user("gw_a2", "grid_worker", pw.tree.grid_a)
    pw.gw_a3 = make_user("gw_a3", "grid_worker", pw.tree.grid_a)
    gone = make_user("gw_gone", "grid_worker", pw.tree.grid_a)
    RoleAssignment.objects.filter(user=gone).update(is_active=False)
    patrol(pw.gw_a, 0, 70)
    patrol(pw.gw_a2, 0, 20, check_in=pw.market)
    patrol(pw.gw_a2, 60, 30)
    patrol(pw.gw_a3, 0, 90, check_in=pw.market)
    patrol(pw.mw_a, 0, 15)
    patrol(pw.gw_b, -24 * 60, 90, start=(41.12, 123.22))
    with clock.at(T0 + timedelta(days=1)):
        actions.create_checkpoint(actor=pw.street_b, data=actions.CheckpointInput(
            region_code=pw.tree.grid_b.code, name="废品站", kind="hazard", lat=41.15, lng=123.25))
    return pw


def rows(report):
    return {w.username: (w.under_rule, w.patrols, w.minutes, w.km, len(w.covered), len(w.required), w.reasons)
            for w in report.workers}


def test_the_report_says_who_patrolled_and_who_missed(day):
    report = daily_report(day.leader, DAY)
    assert rows(report) == {
        "gw_a": (True, 1, 70, 14.01, 1, 2, ["checkpoints_missed"]),
        "gw_a2": (True, 2, 50, 10.01, 2, 2, ["too_short"]),
        "gw_a3": (True, 1, 90, 18.01, 2, 2, []),
        "mw_a": (False, 1, 15, 3.0, 0, 0, []),
        "gw_b": (True, 0, 0, 0.0, 0, 0, ["no_patrol"]),
    }
    assert [w.username for w in report.missed] == ["gw_a", "gw_a2", "gw_b"]
    assert report.workers[0].missing == ["农贸市场"]
    grid_a, grid_b = report.grids
    assert (grid_a.workers, grid_a.patrolled, grid_a.met, grid_a.missed, grid_a.others) == (3, 3, 1, 2, 1)
    assert (grid_a.minutes, grid_a.checkpoints_required, grid_a.checkpoints_covered, grid_a.rate) == (225, 2, 2, 33)
    assert (grid_b.workers, grid_b.patrolled, grid_b.missed, grid_b.checkpoints_required, grid_b.rate) == (1, 0, 1, 0, 0)
    assert report.totals == {"grids": 2, "workers": 4, "patrolled": 3, "met": 1, "missed": 3, "minutes": 225,
                             "km": 45.03}


def test_the_day_before_counts_for_the_day_before(day):
    report = daily_report(day.street_b, DAY - timedelta(days=1))
    assert rows(report) == {"gw_b": (True, 1, 90, 18.01, 0, 0, [])}


def test_the_rule_roles_and_minimum_are_settings(day, settings):
    settings.PATROL_RULE_ROLES = ("grid_worker", "micro_grid_worker")
    settings.PATROL_MIN_MINUTES = 45
    found = rows(daily_report(day.community_a, DAY))
    assert found["mw_a"] == (True, 1, 15, 3.0, 0, 0, ["too_short"])
    assert found["gw_a2"][-1] == []


def test_admins_see_their_region_only(day):
    assert set(rows(daily_report(day.community_a, DAY))) == {"gw_a", "gw_a2", "gw_a3", "mw_a"}
    assert set(rows(daily_report(day.street_b, DAY))) == {"gw_b"}
    assert set(rows(daily_report(day.leader, DAY, region_code=day.tree.grid_b.code))) == {"gw_b"}
    with pytest.raises(errors.NotFound):
        daily_report(day.community_a, DAY, region_code=day.tree.grid_b.code)
    for user in (day.gw_a, day.police_a, day.volunteer):
        with pytest.raises(errors.Forbidden):
            daily_report(user, DAY)
