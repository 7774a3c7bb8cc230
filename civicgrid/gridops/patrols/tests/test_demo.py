"""The demo's patrols are made through the real actions on a small demo district: checkpoints in every
grid used, patrols with stored points and consistent figures, and a compliance report with gaps."""

from datetime import date, timedelta

import pytest

from civicgrid.accounts.models import User
from civicgrid.core.audit import verify_chain
from civicgrid.gridops.patrols.compliance import daily_report
from civicgrid.gridops.patrols.models import Checkpoint, Patrol, PatrolPoint
from civicgrid.gridops.patrols.sql import fixes
from civicgrid.gridops.patrols.track import build_track
from civicgrid.testing import rolled_back

TODAY = date(2025, 6, 30)
WORKERS = 8


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from civicgrid.demo import builder
    from civicgrid.demo import patrols as demo_patrols

    with rolled_back(django_db_blocker):
        builder.build(seed=7, scale=0.001, password="Demo#Pass2024")
        counts = demo_patrols.build(seed=7, days=5, say=lambda message: None, limit=WORKERS, today=TODAY)
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
