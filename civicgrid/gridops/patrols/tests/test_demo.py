"""The demo's patrols on a small demo district: checkpoints in every grid used (through the action), patrols
written in bulk with the figures and visits the upload actions would have kept, and a compliance report
with gaps."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest

from civicgrid.accounts.models import User
from civicgrid.core import clock
from civicgrid.core.audit import verify_chain
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.compliance import daily_report
from civicgrid.gridops.patrols.models import Checkpoint, Patrol, PatrolPoint
from civicgrid.gridops.patrols.sql import fixes
from civicgrid.gridops.patrols.track import build_track
from civicgrid.gridops.patrols.uploads import FIGURES
from civicgrid.people.models import Resident
from civicgrid.testing import rolled_back

TODAY = date(2025, 6, 30)
WORKERS = 8


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from civicgrid.demo import builder
    from civicgrid.demo import patrols as demo_patrols

    with rolled_back(django_db_blocker):
        started = []  # as build_demo: the walks start once the population is written, beside the next stages

        def start():
            assert Resident.objects.exists()
            started.append(demo_patrols.start(seed=7, days=5, limit=WORKERS, today=TODAY))

        builder.build(seed=7, scale=0.001, password="Demo#Pass2024", after_population=start)
        said = []
        counts = demo_patrols.build(seed=7, days=5, say=said.append, limit=WORKERS, today=TODAY,
                                    started=started[0])
        assert not [line for line in said if "重新生成" in line]  # the walks from the other process were used
        again = demo_patrols.build(seed=7, days=5, say=lambda message: None, limit=WORKERS, today=TODAY)
        yield counts, again


@pytest.mark.django_db
def test_patrols_are_generated_through_the_actions(demo):
    counts, _ = demo
    patrolled = Patrol.objects.values("worker").distinct().count()
    assert patrolled == WORKERS + 1  # the grid workers and the named micro-grid worker
    assert counts["patrols"] == Patrol.objects.count() == (WORKERS + 1) * 5 - counts.get("missed_days", 0)
    assert counts["points"] == PatrolPoint.objects.count() > 0
    assert counts["checkpoints"] == Checkpoint.objects.count() >= WORKERS + 1
    assert set(Patrol.objects.values_list("status", flat=True)) == {"ended"}
    assert Patrol.objects.filter(day__gte=TODAY - timedelta(days=5), day__lt=TODAY).count() == Patrol.objects.count()
    for patrol in Patrol.objects.all()[:10]:
        assert patrol.distance_m == pytest.approx(build_track(fixes(patrol.pk)).distance_m)
        assert patrol.duration_s >= 25 * 60
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_a_second_run_adds_nothing(demo):
    _, again = demo
    assert again.get("checkpoints", 0) == again.get("patrols", 0) == again.get("points", 0) == 0


@pytest.mark.django_db
def test_the_compliance_report_has_gaps(demo):
    leader = User.objects.get(username="leader")
    reports = [daily_report(leader, TODAY - timedelta(days=d)) for d in range(1, 6)]
    judged = [w for r in reports for w in r.workers if w.under_rule and w.patrols]
    assert judged and all(w.km > 0 for w in judged)
    assert any(w.covered for w in judged)


@pytest.mark.django_db
def test_bulk_patrols_equal_the_same_patrols_sent_through_the_action(demo):
    """Each sampled patrol is removed and its points sent whole through `record_patrol`: the action keeps
    exactly the figures and checkpoint visits the bulk write stored."""
    sampled = list(Patrol.objects.filter(visits__isnull=False).select_related("worker", "region").distinct()[:4])
    sampled += list(Patrol.objects.filter(visits__isnull=True).select_related("worker", "region")[:2])
    assert len(sampled) >= 4
    for bulk in sampled:
        points = [actions.PointInput(f.at, f.lat, f.lng, f.accuracy) for f in fixes(bulk.pk)]
        figures = {name: getattr(bulk, name) for name in FIGURES}
        visits = sorted(bulk.visits.values_list("checkpoint_id", "visited_at", "lat", "lng", "distance_m"))
        bulk.findings.all().delete()
        bulk.delete()
        with clock.at(bulk.ended_at + timedelta(minutes=3)):
            patrol, created = actions.record_patrol(actor=bulk.worker, started_at=bulk.started_at,
                                                    ended_at=bulk.ended_at, points=points, region_code=bulk.region.code)
        assert created and {name: getattr(patrol, name) for name in FIGURES} == figures
        assert sorted(patrol.visits.values_list("checkpoint_id", "visited_at", "lat", "lng", "distance_m")) == visits


@pytest.mark.django_db
def test_the_walks_come_out_the_same_in_another_process(demo):
    from civicgrid.demo import patrols as demo_patrols
    from civicgrid.demo.beside import Beside

    inputs, _ = demo_patrols.prepare(seed=7, days=5, limit=WORKERS, today=TODAY)
    inputs = replace(inputs, done=set())  # as on the first run: every worker-day still to walk
    here = demo_patrols.walk_all(inputs)
    assert sum(len(day) for day in here.days) > 30
    assert Beside("civicgrid.demo.patrols:walk_all", inputs).result() == here


@pytest.mark.django_db
def test_walks_started_before_the_world_changed_are_worked_out_again(demo):
    """Walks started when the days were still unpatrolled are stale once they are: the stage drops them and
    works the walks out again here (adding nothing, as a second run does)."""
    from civicgrid.demo import patrols as demo_patrols
    from civicgrid.demo.beside import Beside

    inputs, _ = demo_patrols.prepare(seed=7, days=5, limit=WORKERS, today=TODAY)
    stale = replace(inputs, done=set())
    said = []
    started = demo_patrols.Started(stale, Counter(), Beside("civicgrid.demo.patrols:walk_all", stale))
    counts = demo_patrols.build(seed=7, days=5, say=said.append, limit=WORKERS, today=TODAY, started=started)
    assert counts.get("patrols", 0) == 0
    assert any("重新生成" in line for line in said)
