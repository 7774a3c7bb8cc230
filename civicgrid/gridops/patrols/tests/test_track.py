"""The track rule, pure: order and duplicates do not matter, bad fixes and jumps are dropped, a lasting
displacement re-anchors without counting the gap."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from civicgrid.gridops.patrols.track import EARTH_RADIUS_M, Fix, build_track, haversine_m, nearest

T = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
STEP = 100 / (EARTH_RADIUS_M * math.pi / 180)  # degrees of latitude for 100 m


def north(n, lat=41.12, lng=123.12, every=30, start=0, accuracy=5.0):
    return [Fix(T + timedelta(seconds=(start + i) * every), lat + i * STEP, lng, accuracy) for i in range(n)]


def test_haversine_along_a_meridian_is_the_arc_length():
    assert haversine_m(41.0, 123.0, 41.0 + STEP, 123.0) == pytest.approx(100.0, abs=1e-6)
    assert haversine_m(0, 0, 0, 1) == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)


def test_order_and_duplicates_do_not_change_the_track():
    fixes = north(20)
    shuffled = fixes + fixes[3:9]
    random.Random(4).shuffle(shuffled)
    track = build_track(shuffled)
    assert len(track.kept) == 20 and track.distance_m == pytest.approx(1900.0, abs=1e-6)
    assert [f.at for f in track.kept] == [f.at for f in fixes]


def test_inaccurate_fixes_are_dropped():
    fixes = north(5)
    fixes[2] = Fix(fixes[2].at, fixes[2].lat + 0.01, fixes[2].lng, 120.0)
    track = build_track(fixes)
    assert [f.at for f in track.inaccurate] == [fixes[2].at]
    assert track.distance_m == pytest.approx(400.0, abs=1e-6)


def test_a_single_spike_is_dropped_and_costs_nothing():
    fixes = north(6)
    spike = Fix(fixes[3].at, fixes[3].lat + 0.02, fixes[3].lng, 5.0)  # 2.2 km away for one fix
    track = build_track(fixes[:3] + [spike] + fixes[4:])
    assert track.jumps == [spike] and track.gaps == 0
    assert track.distance_m == pytest.approx(500.0, abs=1e-6)  # 0→1→2→4→5: 100+100+200+100


def test_a_lasting_displacement_reanchors_without_the_gap():
    before = north(4)
    after = north(4, lat=41.2, start=5)  # 9 km further north, from 150 s later: a bus ride
    track = build_track(before + after)
    assert track.gaps == 1 and track.jumps == []
    assert len(track.kept) == 8
    assert track.distance_m == pytest.approx(600.0, abs=1e-6)


def test_walking_speed_plus_jitter_is_kept():
    a = Fix(T, 41.12, 123.12, 5.0)
    b = Fix(T + timedelta(seconds=1), 41.12 + 26 * STEP / 100, 123.12, 5.0)  # 26 m in 1 s: 6.9 m/s + 20 m
    c = Fix(T + timedelta(seconds=2), 41.12 + 60 * STEP / 100, 123.12, 5.0)  # 34 m more in 1 s: a jump
    track = build_track([a, b, c])
    assert track.kept == [a, b] and track.jumps == [c]


def test_nearest_lists_places_within_their_radius():
    places = [(1, 41.12, 123.12, 50.0), (2, 41.12 + STEP, 123.12, 50.0)]
    assert [pid for pid, _ in nearest(41.12 + 0.3 * STEP, 123.12, places)] == [1]
    assert nearest(41.0, 123.0, places) == []
