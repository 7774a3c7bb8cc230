"""The upload path's shortcuts give exactly what the plain rule gives: a track resumed at its anchor equals
the track walked from the start, whatever the batches and glitches; prepared statements read and write
rows as the ORM does."""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from civicgrid.gridops.patrols import actions, sql, uploads
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol, PatrolPoint
from civicgrid.gridops.patrols.tests.conftest import POINT_A, T0, walk

pytestmark = pytest.mark.django_db


def start(pw, at, worker=None):
    with at(0):
        return actions.start_patrol(actor=worker or pw.gw_a)[0]


def upload(pw, at, patrol, points, worker=None):
    with at(720):
        return actions.upload_points(actor=worker or pw.gw_a, patrol_id=patrol.pk, points=points)


def untidy_walk(rng: random.Random, n: int) -> list[actions.PointInput]:
    """A walk with poor fixes, single wild fixes and runs of agreeing jumps (a bus ride), some of which
    will straddle a batch boundary."""
    points, lat, lng = [], *POINT_A
    for i in range(n):
        roll = rng.random()
        if roll < 0.05:  # a bus ride: several fixes 1.5 km further on, consistent with each other
            lat += 0.0135
        lat += rng.uniform(-0.0004, 0.0004)
        lng += rng.uniform(-0.0004, 0.0004)
        shown = lat + 0.02 if 0.05 <= roll < 0.1 else lat  # one wild fix
        accuracy = 120.0 if 0.1 <= roll < 0.15 else rng.choice([None, 5.0, 30.0])
        points.append(actions.PointInput(T0 + timedelta(seconds=30 * i), shown, lng, accuracy))
    return points


def batches(rng: random.Random, points: list) -> list[list]:
    out, i = [], 0
    while i < len(points):
        size = rng.randint(1, 12)
        out.append(points[i:i + size])
        i += size
    return out


@pytest.mark.parametrize("seed", range(6))
def test_a_resumed_track_equals_the_whole_track(pw, at, seed, monkeypatch):
    walked_again = []
    replan = uploads._replan
    monkeypatch.setattr(uploads, "_replan", lambda *a: walked_again.append(1) or replan(*a))
    rng = random.Random(seed)
    points = untidy_walk(rng, 80)
    parts = batches(rng, points)
    if seed % 2:  # some batches late, some twice: the whole track is walked again then
        rng.shuffle(parts)
        parts.append(parts[0])
    patrol = start(pw, at)
    for part in parts:
        upload(pw, at, patrol, part[::-1] if rng.random() < 0.5 else part)
    whole = tracks.build_track(tracks.Fix._make(p) for p in points)
    patrol.refresh_from_db()
    assert (patrol.point_count, patrol.kept_count) == (80, len(whole.kept))
    assert patrol.distance_m == pytest.approx(whole.distance_m, abs=1e-6)
    assert patrol.anchor_at == whole.kept[-1].at and patrol.last_point_at == points[-1].recorded_at
    assert whole.gaps > 0  # the walk did exercise the re-anchoring rule
    assert bool(walked_again) == bool(seed % 2)  # in order, every upload resumed at the anchor


def test_a_bus_ride_split_across_batches_reanchors(pw, at):
    here = walk(5)
    there = walk(5, start=(POINT_A[0] + 0.05, POINT_A[1]), t0=T0 + timedelta(seconds=150))  # 5.5 km away
    patrol = start(pw, at)
    upload(pw, at, patrol, here + there[:2])  # two agreeing jumps wait at the end of the batch…
    upload(pw, at, patrol, there[2:])  # …and the third confirms them
    whole = tracks.build_track(tracks.Fix._make(p) for p in here + there)
    patrol.refresh_from_db()
    assert whole.gaps == 1 and patrol.kept_count == 10
    assert patrol.distance_m == pytest.approx(whole.distance_m, abs=1e-6)


def test_a_patrol_without_an_anchor_is_walked_again(pw, at):
    """Patrols stored before the anchor was kept have kept points but no anchor: the next upload reads
    them all and sets it."""
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(10))
    Patrol.objects.filter(pk=patrol.pk).update(anchor_at=None)
    upload(pw, at, patrol, walk(20)[10:])
    patrol.refresh_from_db()
    expected = tracks.build_track(tracks.Fix._make(p) for p in walk(20))
    assert patrol.anchor_at == walk(20)[-1].recorded_at
    assert patrol.distance_m == pytest.approx(expected.distance_m, abs=1e-6)


def test_an_upload_in_order_reads_only_the_tail_even_under_a_debug_cursor(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(30)[:10])
    with CaptureQueriesContext(connection) as queries:  # the debug cursor formats every statement
        upload(pw, at, patrol, walk(30)[10:])
    reads = [q["sql"] for q in queries.captured_queries if "FROM" in q["sql"] and "patrolpoint" in q["sql"]]
    assert reads and all("recorded_at >=" in sql for sql in reads)
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 30


def test_poor_fixes_first_then_good_ones(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(4, accuracy=200.0))
    patrol.refresh_from_db()
    assert (patrol.point_count, patrol.kept_count, patrol.anchor_at) == (4, 0, None)
    good = walk(10, t0=T0 + timedelta(minutes=5))
    upload(pw, at, patrol, good)
    patrol.refresh_from_db()
    expected = tracks.build_track(tracks.Fix._make(p) for p in walk(4, accuracy=200.0) + good)
    assert (patrol.point_count, patrol.kept_count) == (14, 10)
    assert patrol.distance_m == pytest.approx(expected.distance_m, abs=1e-6)


def test_only_new_kept_points_are_tested_but_visits_are_found(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(3))  # not yet at 实验小学 (41.1245)
    assert CheckpointVisit.objects.count() == 0
    result = upload(pw, at, patrol, walk(12)[3:])
    assert [v.checkpoint_id for v in result.new_visits] == [pw.school.pk]
    assert CheckpointVisit.objects.get().visited_at == T0 + timedelta(seconds=150)


# ---- the prepared statements ------------------------------------------------------------------------------

def test_times_are_stored_as_the_orm_stores_them():
    adapt = sql.time_adapter()
    for moment in (T0, T0 + timedelta(microseconds=123456), T0.astimezone(ZoneInfo("UTC")),
                   T0.astimezone(ZoneInfo("America/New_York")) + timedelta(days=200)):
        assert adapt(moment) == connection.ops.adapt_datetimefield_value(moment)


def test_a_patrol_read_by_statement_equals_the_orm_row(pw, at):
    patrol = start(pw, at)
    upload(pw, at, patrol, walk(5))
    fast = sql.patrol_with_region(patrol.pk)
    slow = Patrol.objects.select_related("region").get(pk=patrol.pk)
    for field in Patrol._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert (fast.region.code, fast.region.name) == (slow.region.code, slow.region.name)
    assert sql.fixes(patrol.pk) == [tracks.Fix._make(p) for p in walk(5)]
    assert sql.patrol_with_region(patrol.pk + 1000) is None


def test_checkpoint_places_cover_the_grid_and_its_micro_grids_only(pw, at):
    with at(-60):
        micro = actions.create_checkpoint(actor=pw.community_a, data=actions.CheckpointInput(
            region_code=pw.tree.micro_a.code, name="桥头", lat=41.12, lng=123.12))
    Checkpoint.objects.filter(pk=pw.market.pk).update(is_active=False)
    places = sql.checkpoint_places(pw.tree.grid_a.code)
    assert sorted(p[0] for p in places) == sorted([pw.school.pk, micro.pk])
    assert sql.checkpoint_places(pw.tree.grid_b.code) == []


def test_every_patrol_statement_answers_as_the_orm(pw, at):
    """patrols/sql.py against the ORM, on the database the suite runs on (SQLite and PostgreSQL in CI)."""
    from django.db import transaction

    patrol = start(pw, at)
    upload(pw, at, patrol, walk(12))  # past 实验小学: one visit
    moment = T0 + timedelta(seconds=90)
    with transaction.atomic():
        locked = sql.locked_patrol(sql.patrol_with_region(patrol.pk))
        active = sql.active_patrol(pw.gw_a.pk)
    orm = Patrol.objects.get(pk=patrol.pk)
    for field in Patrol._meta.concrete_fields:
        assert getattr(locked, field.attname) == getattr(orm, field.attname), field.name
        assert getattr(active, field.attname) == getattr(orm, field.attname), field.name
    assert sql.active_patrol(pw.gw_b.pk) == Patrol.objects.filter(worker=pw.gw_b, status="active").first()
    for at_moment in (moment, T0 - timedelta(hours=1)):
        assert sql.ended_after(pw.gw_a.pk, at_moment) == Patrol.objects.filter(
            worker=pw.gw_a, ended_at__gt=at_moment).exists()
        end = at_moment + timedelta(minutes=30)
        assert sql.overlaps(pw.gw_a.pk, at_moment, end) == Patrol.objects.filter(
            worker=pw.gw_a, started_at__lt=end).filter(Q(ended_at__gt=at_moment) | Q(status="active")).exists()
    assert sql.visited(patrol.pk) == set(CheckpointVisit.objects.filter(patrol=patrol).values_list(
        "checkpoint_id", flat=True)) == {pw.school.pk}
    assert sql.fixes(patrol.pk, since=moment) == [
        tracks.Fix(p.recorded_at, p.lat, p.lng, p.accuracy)
        for p in PatrolPoint.objects.filter(patrol=patrol, recorded_at__gte=moment).order_by("recorded_at")]
    places = Checkpoint.objects.filter(region__code__startswith=pw.tree.grid_a.code, is_active=True)
    assert sql.checkpoint_places(pw.tree.grid_a.code) == [
        (c.pk, c.lat, c.lng, c.radius_m) for c in places.order_by("region__code", "name")]
    before = PatrolPoint.objects.filter(patrol=patrol).count()
    sql.insert_points(patrol.pk, walk(14)[10:])  # two stored already, two new
    assert PatrolPoint.objects.filter(patrol=patrol).count() == before + 2


def test_a_bulk_load_of_new_points_stores_what_the_inserts_store(pw, at):
    """load_new_points (COPY on PostgreSQL) stores the same rows as insert_points for another patrol."""
    by_insert, by_load = start(pw, at), start(pw, at, worker=pw.gw_b)
    points = walk(12)
    sql.insert_points(by_insert.pk, points)
    adapt = sql.time_adapter()
    sql.load_new_points((by_load.pk, adapt(p.recorded_at), p.lat, p.lng, p.accuracy) for p in points)

    def stored(patrol):
        return [(p.recorded_at, p.lat, p.lng, p.accuracy)
                for p in PatrolPoint.objects.filter(patrol=patrol).order_by("recorded_at")]
    assert stored(by_load) == stored(by_insert) and len(stored(by_load)) == 12
    assert sql.fixes(by_load.pk) == sql.fixes(by_insert.pk)
