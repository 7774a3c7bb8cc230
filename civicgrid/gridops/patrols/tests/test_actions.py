"""Patrol actions: one track however batches arrive, exact distances, the jump rule, checkpoints by
proximity and by check-in, findings become linked cases, and every denial changes nothing."""

import math
import random
from datetime import timedelta

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol, PatrolBatch, PatrolPoint
from civicgrid.gridops.patrols.tests.conftest import DAY, POINT_A, STEP_DEG, T0, walk
from civicgrid.gridops.patrols.track import EARTH_RADIUS_M

pytestmark = pytest.mark.django_db

STEP_M = EARTH_RADIUS_M * math.radians(STEP_DEG)  # 100.0756 m


def start(w, at, worker=None, minutes=0, **kw):
    with at(minutes):
        patrol, _ = actions.start_patrol(actor=worker or w.gw_a, **kw)
    return patrol


def upload(w, at, patrol, points, minutes=120, key=None, worker=None):
    with at(minutes):
        return actions.upload_points(actor=worker or w.gw_a, patrol_id=patrol.pk, points=points, idempotency_key=key)


# ---- one track however the batches arrive ------------------------------------------------------------

def test_same_batch_twice_and_points_out_of_order_give_one_track(pw, at):
    patrol = start(pw, at)
    points = walk(40)  # 20 minutes north, 39 steps of 100.08 m
    first, second = points[:20], points[20:]
    late_first = upload(pw, at, patrol, list(reversed(second)), key="b2")
    shuffled = first[:]
    random.Random(1).shuffle(shuffled)
    upload(pw, at, patrol, shuffled, key="b1")
    resent = upload(pw, at, patrol, first, key="b1-again")  # the phone lost the answer and re-sent with a new key
    replay = upload(pw, at, patrol, second, key="b2")  # the same request again

    patrol.refresh_from_db()
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 40
    assert patrol.point_count == 40 and patrol.kept_count == 40
    assert patrol.distance_m == pytest.approx(39 * STEP_M, abs=0.01)
    assert (late_first.batch.stored, resent.batch.stored) == (20, 0)
    assert replay.created is False and replay.batch.pk == late_first.batch.pk
    assert PatrolBatch.objects.filter(patrol=patrol).count() == 3
    assert patrol.duration_s == 39 * 30  # active: start to the last point


def test_exact_distance_and_duration_of_a_hand_built_track(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(121))  # an hour, 120 steps
    with at(61):
        ended = actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk)
    assert ended.status == "ended" and ended.ended_at == T0 + timedelta(minutes=61)
    assert ended.distance_m == pytest.approx(120 * STEP_M, abs=0.01)
    assert ended.distance_m == pytest.approx(12009.07, abs=0.01)
    assert ended.duration_s == 61 * 60 and ended.day == DAY


def test_jumps_and_inaccurate_fixes_are_stored_but_not_counted(pw, at):
    patrol = start(pw, at)
    points = walk(10)
    points[4] = actions.PointInput(points[4].recorded_at, points[4].lat + 0.05, points[4].lng, 8.0)  # 5.5 km spike
    points[7] = actions.PointInput(points[7].recorded_at, points[7].lat, points[7].lng, 150.0)  # poor fix
    upload(pw, at, patrol, points)
    patrol.refresh_from_db()
    assert (patrol.point_count, patrol.kept_count) == (10, 8)
    assert patrol.distance_m == pytest.approx(9 * STEP_M, abs=0.01)  # 0…3, 5, 6, 8, 9: the same line


def test_points_outside_the_patrol_span_are_rejected(pw, at):
    patrol = start(pw, at, minutes=10)
    early = walk(1, t0=T0)  # 10 minutes before the start
    future = walk(1, t0=T0 + timedelta(minutes=200))  # after "now"
    ok = walk(2, t0=T0 + timedelta(minutes=11))
    result = upload(pw, at, patrol, early + future + ok, minutes=60)
    assert (result.batch.received, result.batch.stored, result.batch.rejected) == (4, 2, 2)


def test_late_batches_after_the_end_count_up_to_the_end(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(10), minutes=5)
    with at(70):
        actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk, ended_at=T0 + timedelta(minutes=60))
        again = actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk)  # a retry changes nothing
    assert again.ended_at == T0 + timedelta(minutes=60)
    late = walk(140)[10:]  # points 10…139: up to 69.5 minutes
    result = upload(pw, at, patrol, late, minutes=90)
    assert result.batch.stored == 121 and result.batch.rejected == 9  # up to the end + 5 minutes' skew
    assert result.patrol.duration_s == 3600 and result.patrol.point_count == 131


# ---- starting ------------------------------------------------------------------------------------------

def test_start_takes_the_workers_grid_and_is_idempotent(pw, at):
    with at(0):
        patrol, created = actions.start_patrol(actor=pw.gw_a, idempotency_key="s1")
        again, created_again = actions.start_patrol(actor=pw.gw_a, idempotency_key="s1")
    assert (created, created_again) == (True, False) and again.pk == patrol.pk
    assert patrol.region == pw.tree.grid_a and patrol.status == "active"
    with at(1), pytest.raises(errors.Conflict) as exc:
        actions.start_patrol(actor=pw.gw_a, idempotency_key="s2")
    assert exc.value.code == "patrol_active" and exc.value.details == {"patrol_id": patrol.pk}
    assert Patrol.objects.count() == 1


def test_a_patrol_left_running_is_closed_at_its_last_point_by_the_next_start(pw, at):
    forgotten = start(pw, at)
    upload(pw, at, forgotten, walk(61), minutes=40)  # 30 minutes of points, then the phone went quiet
    with at(13 * 60):
        fresh, created = actions.start_patrol(actor=pw.gw_a)
    forgotten.refresh_from_db()
    assert created and fresh.status == "active"
    assert (forgotten.status, forgotten.ended_at, forgotten.duration_s) == ("ended", T0 + timedelta(minutes=30), 1800)


def test_start_offline_time_is_bounded(pw, at):
    with at(0), pytest.raises(errors.ValidationFailed) as exc:
        actions.start_patrol(actor=pw.gw_a, started_at=T0 + timedelta(minutes=30))
    assert exc.value.code == "time_in_future" and exc.value.details["field"] == "started_at"
    with at(0), pytest.raises(errors.ValidationFailed) as exc:
        actions.start_patrol(actor=pw.gw_a, started_at=T0 - timedelta(hours=25))
    assert exc.value.code == "started_at_too_old"
    with at(0):
        patrol, _ = actions.start_patrol(actor=pw.gw_a, started_at=T0 - timedelta(hours=3))
        actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk, ended_at=T0 - timedelta(hours=1))
    with at(0), pytest.raises(errors.ValidationFailed) as exc:
        actions.start_patrol(actor=pw.gw_a, started_at=T0 - timedelta(hours=2))
    assert exc.value.code == "patrol_overlap"
    assert Patrol.objects.count() == 1


@pytest.mark.parametrize("who", ["volunteer", "resident", "community_a", "police_a", "leader"])
def test_only_field_workers_patrol(pw, at, who):
    audit_before = AuditEvent.objects.count()
    with at(0), pytest.raises(errors.Forbidden):
        actions.start_patrol(actor=getattr(pw, who))
    assert Patrol.objects.count() == 0
    assert AuditEvent.objects.filter(result="denied").count() == AuditEvent.objects.count() - audit_before == 1


def test_nobody_else_writes_to_a_patrol(pw, at):
    patrol = start(pw, at)
    with pytest.raises(errors.NotFound):  # a worker of grid B cannot see it
        upload(pw, at, patrol, walk(3), worker=pw.gw_b)
    with pytest.raises(errors.NotFound):  # nor can the micro-grid worker of the same grid
        upload(pw, at, patrol, walk(3), worker=pw.mw_a)
    with pytest.raises(errors.Forbidden):  # the community admin sees it but does not patrol
        upload(pw, at, patrol, walk(3), worker=pw.community_a)
    with at(5), pytest.raises(errors.NotFound):
        actions.end_patrol(actor=pw.gw_b, patrol_id=patrol.pk)
    patrol.refresh_from_db()
    assert PatrolPoint.objects.count() == 0 and patrol.status == "active"


def test_bad_batches_are_refused_whole(pw, at):
    patrol = start(pw, at)
    for points, code in [([], "points_required"), (walk(501), "batch_too_large"),
                         ([actions.PointInput(T0, 91.0, 123.1)], "point_invalid")]:
        with pytest.raises(errors.ValidationFailed) as exc:
            upload(pw, at, patrol, points)
        assert exc.value.code == code
    assert PatrolPoint.objects.count() == 0 and PatrolBatch.objects.count() == 0


# ---- checkpoints ------------------------------------------------------------------------------------------

def test_uploaded_points_near_a_checkpoint_record_a_visit(pw, at):
    patrol = start(pw, at)
    result = upload(pw, at, patrol, walk(12))  # passes 实验小学 (41.1245) at point 5
    assert [(v.checkpoint_id, v.method) for v in result.new_visits] == [(pw.school.pk, "gps")]
    visit = CheckpointVisit.objects.get()
    assert visit.visited_at == T0 + timedelta(seconds=150) and visit.distance_m == pytest.approx(0, abs=0.01)
    again = upload(pw, at, patrol, walk(12))
    assert again.new_visits == [] and CheckpointVisit.objects.count() == 1


def test_manual_check_in_needs_to_be_near(pw, at):
    patrol = start(pw, at)
    with at(5), pytest.raises(errors.ValidationFailed) as exc:
        actions.check_in(actor=pw.gw_a, patrol_id=patrol.pk, checkpoint_id=pw.market.pk, lat=41.155, lng=123.18,
                         accuracy=10)
    assert exc.value.code == "too_far" and exc.value.details == {"distance_m": 556, "radius_m": 60}
    with at(5):
        visit, created = actions.check_in(actor=pw.gw_a, patrol_id=patrol.pk, checkpoint_id=pw.market.pk,
                                          lat=41.1596, lng=123.18, accuracy=10)
        _, again = actions.check_in(actor=pw.gw_a, patrol_id=patrol.pk, checkpoint_id=pw.market.pk,
                                    lat=41.16, lng=123.18)
    assert (created, again, visit.method) == (True, False, "manual")
    assert CheckpointVisit.objects.count() == 1


def test_checkpoints_are_placed_inside_their_region_by_its_admins(pw, at):
    data = actions.CheckpointInput(region_code=pw.tree.grid_a.code, name="加油站", kind="hazard", lat=41.12,
                                   lng=123.25)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.create_checkpoint(actor=pw.community_a, data=data)
    assert exc.value.code == "checkpoint_outside_region"
    data.lng = 123.15
    with pytest.raises(errors.NotFound):
        actions.create_checkpoint(actor=pw.street_b, data=data)
    with pytest.raises(errors.Forbidden):
        actions.create_checkpoint(actor=pw.gw_a, data=data)
    assert Checkpoint.objects.count() == 2
    created = actions.create_checkpoint(actor=pw.street_a, data=data)
    data.radius_m = 80
    updated = actions.update_checkpoint(actor=pw.community_a, checkpoint_id=created.pk, data=data, is_active=False)
    assert (updated.radius_m, updated.is_active, updated.region) == (80, False, pw.tree.grid_a)


# ---- findings ---------------------------------------------------------------------------------------------

def test_a_finding_becomes_a_case_linked_to_the_patrol(pw, at):
    sync_categories()
    patrol = start(pw, at)
    data = actions.FindingInput(description="人行道井盖缺失", lat=POINT_A[0], lng=POINT_A[1], category_code="0601")
    with at(10):
        finding, created = actions.report_finding(actor=pw.gw_a, patrol_id=patrol.pk, data=data, idempotency_key="f1")
        again, created_again = actions.report_finding(actor=pw.gw_a, patrol_id=patrol.pk, data=data,
                                                      idempotency_key="f1")
    case = finding.case
    assert (created, created_again, again.pk) == (True, False, finding.pk)
    assert (case.channel, case.case_type, case.lat, case.region) == ("patrol", "urban_event", 41.12, pw.tree.micro_a)
    assert Case.objects.count() == 1 and list(patrol.findings.all()) == [finding]


def test_findings_are_limited_to_field_case_types(pw, at):
    sync_categories()
    patrol = start(pw, at)
    data = actions.FindingInput(description="停水", lat=POINT_A[0], lng=POINT_A[1], category_code="3001")
    with at(10), pytest.raises(errors.ValidationFailed) as exc:
        actions.report_finding(actor=pw.gw_a, patrol_id=patrol.pk, data=data)
    assert exc.value.code == "finding_case_type" and Case.objects.count() == 0
    data = actions.FindingInput(description="邻里因噪声争吵", lat=POINT_A[0], lng=POINT_A[1], case_type="dispute")
    with at(10):
        finding, _ = actions.report_finding(actor=pw.gw_a, patrol_id=patrol.pk, data=data)
    assert finding.case.case_type == "dispute"


# ---- who sees what ----------------------------------------------------------------------------------------

def test_workers_see_their_own_patrols_admins_their_region(pw, at):
    mine = start(pw, at)
    micro = start(pw, at, worker=pw.mw_a)
    other = start(pw, at, worker=pw.gw_b)

    def seen(user):
        return set(Patrol.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(pw.gw_a) == {mine.pk}
    assert seen(pw.mw_a) == {micro.pk}
    assert seen(pw.community_a) == seen(pw.street_a) == seen(pw.police_a) == {mine.pk, micro.pk}
    assert seen(pw.street_b) == {other.pk}
    assert seen(pw.volunteer) == seen(pw.resident) == set()


def test_a_batch_planned_before_another_committed_is_worked_out_again(pw, at, monkeypatch):
    """Uploads are planned outside the write lock; when another batch landed in between, the figures are
    recomputed under the lock, so no point is lost from the track."""
    patrol = start(pw, at)
    stale = Patrol.objects.get(pk=patrol.pk)  # as read before the other batch committed
    upload(pw, at, patrol, walk(20))
    real = actions.uploads.plan
    seen = []

    def stale_then_real(current, points, now):
        read = stale if not seen else current
        seen.append(read.point_count)
        return real(read, points, now)

    monkeypatch.setattr(actions.uploads, "plan", stale_then_real)
    result = upload(pw, at, patrol, walk(40)[20:])
    assert seen == [0, 20] and result.batch.stored == 20
    assert result.patrol.point_count == 40 and result.patrol.distance_m == pytest.approx(39 * STEP_M, abs=0.01)


def test_patrol_times_from_the_phone_are_held_to_the_clock(pw, at):
    with at(0), pytest.raises(errors.ValidationFailed) as exc:
        actions.record_patrol(actor=pw.gw_a, started_at=T0, ended_at=T0 + timedelta(minutes=30), points=walk(5))
    assert exc.value.code == "time_in_future" and exc.value.details["field"] == "ended_at"
    with at(0):
        patrol, _ = actions.start_patrol(actor=pw.gw_a)
    with at(10):
        # points up to now plus the tolerance are kept; one an hour ahead is counted as rejected
        late = walk(1, t0=T0 + timedelta(hours=1))
        result = actions.upload_points(actor=pw.gw_a, patrol_id=patrol.pk, points=walk(10) + late)
        assert (result.batch.stored, result.batch.rejected) == (10, 1)
        with pytest.raises(errors.ValidationFailed) as exc:
            actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk, ended_at=T0 + timedelta(minutes=20))
    assert exc.value.code == "time_in_future"
    with at(20):
        assert actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk, ended_at=T0 + timedelta(minutes=20)).ended_at
