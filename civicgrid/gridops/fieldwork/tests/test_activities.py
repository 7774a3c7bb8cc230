"""Publicity activities: recorded in a grid or micro-grid of the recorder's scope, counted per grid."""

from __future__ import annotations

from datetime import date

import pytest

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import Activity
from civicgrid.gridops.fieldwork.queries import activities as q
from civicgrid.gridops.fieldwork.tests.conftest import TODAY


def _record(world, actor, region, kind="law", attendance=30, held_on=date(2025, 6, 10), **kwargs):
    return actions.record_activity(actor=actor, region=region, kind=kind, title="民法典进社区", place="社区活动室",
                                   held_on=held_on, attendance=attendance, **kwargs)


def test_an_activity_is_recorded_and_audited(world):
    activity = _record(world, world.micro_a, world.tree.micro_a, notes="发放宣传册200份")

    assert (activity.region, activity.organiser, activity.attendance) == (world.tree.micro_a, world.micro_a, 30)
    assert AuditEvent.objects.get(action="fieldwork.record_activity").details["attendance"] == 30


@pytest.mark.parametrize("change,code", [
    ({"held_on": date(2025, 6, 21)}, "held_on_in_future"),
    ({"attendance": -1}, "attendance_invalid"),
    ({"kind": "party"}, "kind_unknown"),
    ({"region": "community_a"}, "region_not_grid"),
])
def test_bad_activities_are_refused(world, change, code):
    kwargs = {"region": world.tree.grid_a}
    kwargs.update({k: (getattr(world.tree, v) if k == "region" else v) for k, v in change.items()})

    with pytest.raises(errors.ValidationFailed) as exc:
        _record(world, world.community_a, **kwargs)

    assert exc.value.code == code and Activity.objects.count() == 0


@pytest.mark.parametrize("viewer,error", [("grid_b", errors.NotFound), ("volunteer", errors.NotFound),
                                          ("leader", errors.Forbidden), ("police_a", errors.NotFound)])
def test_a_denied_activity_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        _record(world, getattr(world, viewer), world.tree.grid_a)

    assert Activity.objects.count() == 0


def test_activities_are_counted_per_grid_and_kind(world):
    _record(world, world.grid_a, world.tree.grid_a, attendance=30)
    _record(world, world.micro_a, world.tree.micro_a, kind="anti_fraud", attendance=20)
    _record(world, world.grid_b, world.tree.grid_b, attendance=15)
    _record(world, world.grid_a, world.tree.grid_a, held_on=date(2025, 5, 20))  # outside the period

    stats = q.activity_stats(world.leader, start=date(2025, 6, 1), end=TODAY)

    assert [(r["grid_name"], r["activities"], r["attendance"], r["law"], r["anti_fraud"]) for r in stats["rows"]] == [
        ("网格A", 2, 50, 1, 1), ("网格B", 1, 15, 1, 0)]
    assert stats["totals"] == {"activities": 3, "attendance": 65}
    assert {k["kind"]: k["count"] for k in stats["kinds"]}["law"] == 2
    assert q.activity_stats(world.grid_a, start=date(2025, 6, 1), end=TODAY)["totals"] == {
        "activities": 2, "attendance": 50}
    assert q.activity_stats(world.police_a, start=date(2025, 6, 1), end=TODAY)["rows"] == []
