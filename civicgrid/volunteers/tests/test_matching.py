"""The pure matching core: hard filters, score, shortlist, station suggestion, batch vs. greedy.

No database and no Django: the module under test is pure. Hand-built examples check each rule with
exact assertions; hypothesis properties check, on random small instances, that every suggested or
assigned pair passes the hard filters (against an independent scalar oracle too), that the cap and
non-overlap constraints hold, and that the batch result is never worse than the greedy baseline and,
with one order per volunteer, equal to a brute-force optimum.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.volunteers import matching
from civicgrid.volunteers.matching import (
    Assignment,
    Order,
    Station,
    Volunteer,
    Window,
    assign_batch,
    assign_greedy,
    eligible,
    score,
    shortlist,
    suggest_stations,
)

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 6, 2)
DISTRICT, STREET, COMMUNITY, GRID = "211004", "211004001", "211004001002", "211004001002003"
PATH = (DISTRICT, STREET, COMMUNITY, GRID)
HERE = (41.20, 123.20)
KM_PER_DEGREE_LAT = 6371.0088 * math.pi / 180  # 111.195 km


def at(day: int, hour: float) -> datetime:
    return datetime(2025, 6, 2, tzinfo=SH) + timedelta(days=day, hours=hour)


def window(day: int, start: float, end: float) -> Window:
    return Window(at(day, start), at(day, end))


ORDER = Order(
    id=1, category="心理援助", required_caps=frozenset({"心理咨询师"}), window=window(1, 9, 11),
    lat=HERE[0], lng=HERE[1], region_path=PATH, requester_key="r1", urgent=False,
)
VOLUNTEER = Volunteer(
    id=10, caps={"心理援助": None, "心理咨询师": date(2026, 1, 1)}, availability=(window(1, 8, 18),), busy=(),
    home_lat=HERE[0], home_lng=HERE[1], service_radius_km=5.0, service_regions=(), reliability=1.0,
    recent_load=0, past_requesters=frozenset(), active=True,
)


def north(km: float) -> float:
    return HERE[0] + km / KM_PER_DEGREE_LAT


# --- hard filters ----------------------------------------------------------------------------------


def test_a_volunteer_who_meets_every_rule_is_eligible():
    assert eligible(ORDER, VOLUNTEER, TODAY) == []


def test_an_inactive_volunteer_is_excluded():
    assert eligible(ORDER, replace(VOLUNTEER, active=False), TODAY) == ["inactive"]


def test_every_missing_required_capability_is_named():
    order = replace(ORDER, required_caps=frozenset({"心理咨询师", "执业律师", "护士"}))
    assert eligible(order, VOLUNTEER, TODAY) == ["missing_capability:执业律师", "missing_capability:护士"]


def test_a_certificate_must_be_valid_through_the_day_the_order_ends():
    order_day = ORDER.window.end.date()
    assert order_day == date(2025, 6, 3)
    valid_to = {"心理咨询师": order_day}
    assert eligible(ORDER, replace(VOLUNTEER, caps=valid_to), TODAY) == []
    expired = {"心理咨询师": order_day - timedelta(days=1)}
    assert eligible(ORDER, replace(VOLUNTEER, caps=expired), TODAY) == ["certificate_expired:心理咨询师"]
    assert eligible(ORDER, replace(VOLUNTEER, caps={"心理咨询师": None}), TODAY) == []


def test_a_certificate_already_expired_today_is_refused_even_for_an_earlier_order():
    caps = {"心理咨询师": date(2025, 6, 10)}
    assert eligible(ORDER, replace(VOLUNTEER, caps=caps), date(2025, 6, 11)) == ["certificate_expired:心理咨询师"]


def test_availability_must_cover_the_whole_order_window():
    partial = replace(VOLUNTEER, availability=(window(1, 10, 18),))
    assert eligible(ORDER, partial, TODAY) == ["unavailable"]
    other_day = replace(VOLUNTEER, availability=(window(2, 8, 18),))
    assert eligible(ORDER, other_day, TODAY) == ["unavailable"]
    touching = replace(VOLUNTEER, availability=(window(1, 10, 12), window(1, 8, 10)))
    assert eligible(ORDER, touching, TODAY) == []
    exact = replace(VOLUNTEER, availability=(window(1, 9, 11),))
    assert eligible(ORDER, exact, TODAY) == []
    assert eligible(ORDER, replace(VOLUNTEER, availability=()), TODAY) == ["unavailable"]


def test_an_overlapping_busy_window_is_a_conflict_but_a_touching_one_is_not():
    assert eligible(ORDER, replace(VOLUNTEER, busy=(window(1, 10, 10.5),)), TODAY) == ["conflict"]
    assert eligible(ORDER, replace(VOLUNTEER, busy=(window(1, 8, 9.25),)), TODAY) == ["conflict"]
    assert eligible(ORDER, replace(VOLUNTEER, busy=(window(1, 11, 12), window(1, 7, 9))), TODAY) == []


def test_the_service_radius_is_a_great_circle_distance():
    two_km_north = replace(VOLUNTEER, home_lat=north(2.0))
    assert eligible(ORDER, replace(two_km_north, service_radius_km=2.01), TODAY) == []
    assert eligible(ORDER, replace(two_km_north, service_radius_km=1.99), TODAY) == ["out_of_area"]


def test_service_regions_are_code_prefixes_of_the_orders_grid():
    assert eligible(ORDER, replace(VOLUNTEER, service_regions=(STREET,)), TODAY) == []
    assert eligible(ORDER, replace(VOLUNTEER, service_regions=("211004002", GRID)), TODAY) == []
    assert eligible(ORDER, replace(VOLUNTEER, service_regions=("211004002",)), TODAY) == ["out_of_region"]
    assert eligible(replace(ORDER, region_path=()), replace(VOLUNTEER, service_regions=(STREET,)), TODAY) == [
        "out_of_region"
    ]


def test_all_failed_filters_are_reported_in_a_fixed_order():
    volunteer = replace(
        VOLUNTEER, active=False, caps={"心理咨询师": date(2025, 1, 1)}, availability=(window(2, 8, 18),),
        busy=(window(1, 10, 12),), home_lat=north(9), service_regions=("211004002",),
    )
    order = replace(ORDER, required_caps=frozenset({"心理咨询师", "执业律师"}))
    assert eligible(order, volunteer, TODAY) == [
        "inactive", "missing_capability:执业律师", "certificate_expired:心理咨询师", "unavailable", "conflict",
        "out_of_area", "out_of_region",
    ]


def test_windows_must_not_be_empty():
    with pytest.raises(ValueError):
        Window(at(1, 9), at(1, 9))


# --- score and shortlist ---------------------------------------------------------------------------


def test_score_follows_the_documented_formula():
    volunteer = replace(
        VOLUNTEER, caps={"心理援助": None, "心理咨询师": None, "敬老服务": None, "急救员": date(2025, 1, 1)},
        home_lat=north(3.0), reliability=0.8, recent_load=4, past_requesters=frozenset({"r1"}),
    )
    # valid caps on the order day: 心理援助, 心理咨询师, 敬老服务 (急救员 expired); relevant: the first two
    expected = (
        matching.W_SKILL * 2 / 3 + matching.W_DISTANCE * math.exp(-1.0) + matching.W_RELIABILITY * 0.8
        + matching.W_CONTINUITY * 1 - matching.W_LOAD * 4 / matching.LOAD_FULL
    )
    assert score(ORDER, volunteer) == pytest.approx(expected, abs=1e-6)
    assert score(ORDER, replace(volunteer, past_requesters=frozenset())) == pytest.approx(
        expected - matching.W_CONTINUITY, abs=1e-6)
    assert score(ORDER, replace(volunteer, recent_load=100)) == pytest.approx(
        expected + matching.W_LOAD * 4 / matching.LOAD_FULL - matching.W_LOAD, abs=1e-6)


def test_the_weights_bound_the_score():
    assert matching.SCORE_MAX == pytest.approx(0.90)
    assert matching.SCORE_MIN == pytest.approx(-0.10)
    best = replace(VOLUNTEER, caps={"心理援助": None}, past_requesters=frozenset({"r1"}))
    assert score(ORDER, best) == pytest.approx(matching.SCORE_MAX)
    worst = replace(VOLUNTEER, caps={}, home_lat=north(1000), reliability=0.0, recent_load=50)
    assert score(ORDER, worst) == pytest.approx(matching.SCORE_MIN)


def test_shortlist_keeps_only_eligible_volunteers_best_first_ties_by_id():
    near = replace(VOLUNTEER, id=3, home_lat=north(0.5))
    far = replace(VOLUNTEER, id=1, home_lat=north(2.0))
    twin_a, twin_b = replace(VOLUNTEER, id=7), replace(VOLUNTEER, id=5)
    busy = replace(VOLUNTEER, id=2, busy=(window(1, 9, 10),))
    result = shortlist(ORDER, [far, busy, twin_a, near, twin_b], TODAY)
    assert [c.volunteer_id for c in result] == [5, 7, 3, 1]
    top_two = shortlist(ORDER, [far, busy, twin_a, near, twin_b], TODAY, limit=2)
    assert [c.volunteer_id for c in top_two] == [5, 7]
    first = result[0]
    assert set(first.parts) == {"skill", "distance", "reliability", "continuity", "load"}
    assert math.fsum(first.parts.values()) == pytest.approx(first.score, abs=1e-12)
    assert first.score == pytest.approx(score(ORDER, twin_b), abs=1e-12)


def test_duplicate_volunteer_ids_are_refused():
    with pytest.raises(ValueError):
        shortlist(ORDER, [VOLUNTEER, VOLUNTEER], TODAY)


# --- station suggestion ----------------------------------------------------------------------------


def station(id, region_code, caps=("心理援助", "心理咨询师"), open_orders=0, capacity=10):
    return Station(id, region_code, frozenset(caps), open_orders, capacity)


def test_stations_rank_by_locality_first():
    stations = [
        station("district-centre", DISTRICT),
        station("other-street", "211004002"),
        station("street", STREET),
        station("sibling-community", "211004001001"),
        station("community", COMMUNITY),
        station("grid", GRID),
        station("elsewhere", "210000"),
    ]
    ranked = suggest_stations(ORDER, stations)
    assert [s.station_id for s in ranked] == [
        "grid", "community", "street", "sibling-community", "district-centre", "other-street", "elsewhere",
    ]
    assert ranked[1].reasons == ["locality:community", "contains_order", "capabilities:2/2", "load:0.00"]
    assert ranked[3].reasons == ["locality:street", "capabilities:2/2", "load:0.00"]
    assert ranked[-1].reasons == ["locality:none", "capabilities:2/2", "load:0.00"]
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_at_equal_locality_capabilities_then_load_then_id_decide():
    stations = [
        station("b-busy", COMMUNITY, open_orders=8),
        station("c-partial", COMMUNITY, caps=("心理援助",)),
        station("d-idle", COMMUNITY, open_orders=1),
        station("a-idle", COMMUNITY, open_orders=1),
        station("e-full", COMMUNITY, open_orders=3, capacity=3),
        station("f-no-capacity", COMMUNITY, capacity=0),
    ]
    ranked = suggest_stations(ORDER, stations)
    assert [s.station_id for s in ranked] == [
        "a-idle", "d-idle", "b-busy", "e-full", "f-no-capacity", "c-partial",
    ]
    assert ranked[0].reasons == ["locality:community", "contains_order", "capabilities:2/2", "load:0.10"]
    assert ranked[3].reasons[-1] == "full"
    assert ranked[5].reasons[2] == "capabilities:1/2"


# --- batch and greedy ------------------------------------------------------------------------------


def test_batch_covers_an_order_that_greedy_leaves_open():
    urgent = replace(ORDER, id="urgent", required_caps=frozenset(), urgent=True)
    specialist_only = replace(ORDER, id="needs-certificate")
    specialist = replace(VOLUNTEER, id="specialist")
    generalist = replace(VOLUNTEER, id="generalist", caps={"敬老服务": None}, home_lat=north(1))
    # the specialist also fits the urgent order best, so greedy gives it away first
    greedy = assign_greedy([specialist_only, urgent], [generalist, specialist], TODAY)
    assert greedy.pairs == {"urgent": "specialist"}
    batch = assign_batch([specialist_only, urgent], [generalist, specialist], TODAY)
    assert batch.pairs == {"needs-certificate": "specialist", "urgent": "generalist"}
    assert batch.coverage == 2
    assert batch.total_score == pytest.approx(
        score(specialist_only, specialist) + score(urgent, generalist), abs=1e-12)


def test_a_volunteer_never_gets_two_overlapping_orders_even_under_the_cap():
    first = replace(ORDER, id=1, window=window(1, 9, 11))
    overlapping = replace(ORDER, id=2, window=window(1, 10, 12))
    later = replace(ORDER, id=3, window=window(1, 11, 13))
    for assign in (assign_batch, assign_greedy):
        assert assign([first, overlapping], [VOLUNTEER], TODAY, cap_per_volunteer=2).coverage == 1
        assert assign([first, later], [VOLUNTEER], TODAY, cap_per_volunteer=2).pairs == {1: 10, 3: 10}
        assert assign([first, later], [VOLUNTEER], TODAY, cap_per_volunteer=1).coverage == 1


def test_empty_inputs_and_bad_arguments():
    assert assign_batch([], [VOLUNTEER], TODAY) == Assignment({}, 0.0, 0)
    assert assign_batch([ORDER], [], TODAY) == Assignment({}, 0.0, 0)
    assert assign_greedy([ORDER], [], TODAY) == Assignment({}, 0.0, 0)
    with pytest.raises(ValueError):
        assign_batch([ORDER], [VOLUNTEER], TODAY, cap_per_volunteer=0)
    with pytest.raises(ValueError):
        assign_greedy([ORDER, ORDER], [VOLUNTEER], TODAY)


def test_the_module_imports_without_django():
    code = (
        "import sys, civicgrid.volunteers.matching; "
        "sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


# --- properties on random instances ----------------------------------------------------------------

TAGS = ["心理援助", "法律援助", "敬老服务", "心理咨询师", "执业律师"]
PATHS = [PATH, (DISTRICT, STREET, "211004001001", "211004001001001"), (DISTRICT, "211004002", "211004002001")]
POINTS = [(HERE[0] + 0.01 * i, HERE[1] + 0.013 * j) for i in range(3) for j in range(3)]
# Tuned so that roughly a third of the (order, volunteer) pairs are eligible: most volunteers are
# active, hold some tags, are free most of a day and serve a wide radius; every filter still bites.
short_windows = st.builds(lambda day, start, hours: window(day, start, start + hours),
                          st.integers(1, 2), st.integers(8, 16), st.sampled_from([1, 2, 3]))
long_windows = st.one_of(
    st.just(window(1, 7, 24 + 21)),
    st.builds(lambda day, start, hours: window(day, start, start + hours),
              st.integers(1, 2), st.sampled_from([7, 8, 12]), st.sampled_from([5, 9, 14])),
)
orders_ = st.builds(
    lambda category, caps, w, point, path, requester, urgent: Order(
        0, category, frozenset(caps), w, point[0], point[1], path, requester, urgent),
    st.sampled_from(TAGS[:3]), st.sets(st.sampled_from(TAGS), max_size=1), short_windows,
    st.sampled_from(POINTS), st.sampled_from(PATHS), st.sampled_from([None, "r1", "r2"]), st.booleans(),
)
volunteers_ = st.builds(
    lambda caps, availability, busy, point, radius, regions, reliability, load, past, active: Volunteer(
        0, caps, tuple(availability), tuple(busy), point[0], point[1], radius, regions, reliability, load,
        frozenset(past), active),
    st.dictionaries(st.sampled_from(TAGS), st.sampled_from([None, None, TODAY + timedelta(days=1), TODAY]),
                    min_size=1, max_size=5),
    st.lists(long_windows, min_size=1, max_size=3), st.lists(short_windows, max_size=1),
    st.sampled_from(POINTS),
    st.sampled_from([50.0, 50.0, 3.0, 1.0]), st.sampled_from([(), (), (STREET,), ("211004002001",)]),
    st.floats(0, 1), st.integers(0, 12), st.sets(st.sampled_from(["r1", "r2"])),
    st.sampled_from([True] * 7 + [False]),
)


def numbered(items, offset=0):
    return [replace(item, id=offset + k) for k, item in enumerate(items)]


def instance(max_orders=8, max_volunteers=8):
    return st.tuples(st.lists(orders_, max_size=max_orders).map(numbered),
                     st.lists(volunteers_, max_size=max_volunteers).map(lambda vs: numbered(vs, 100)))


def oracle(order: Order, volunteer: Volunteer, today: date) -> list[str]:
    """The hard filters written out again, one volunteer at a time, for comparison with the engine."""
    reasons = [] if volunteer.active else ["inactive"]
    check = max(today, order.window.end.date())
    required = sorted(order.required_caps)
    reasons += [f"missing_capability:{t}" for t in required if t not in volunteer.caps]
    reasons += [f"certificate_expired:{t}" for t in required
                if t in volunteer.caps and volunteer.caps[t] is not None and volunteer.caps[t] < check]
    start, end = order.window.start, order.window.end
    reach = start
    for w in sorted(volunteer.availability, key=lambda w: w.start):
        if w.start <= reach < w.end:
            reach = max(reach, w.end)
    if reach < end:
        reasons.append("unavailable")
    if any(b.start < end and start < b.end for b in volunteer.busy):
        reasons.append("conflict")
    lat1, lat2 = math.radians(volunteer.home_lat), math.radians(order.lat)
    a = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(order.lng - volunteer.home_lng) / 2) ** 2)
    if 2 * 6371.0088 * math.asin(math.sqrt(a)) > volunteer.service_radius_km:
        reasons.append("out_of_area")
    code = order.region_path[-1] if order.region_path else ""
    if volunteer.service_regions and not any(code.startswith(p) for p in volunteer.service_regions):
        reasons.append("out_of_region")
    return reasons


def check_assignment(result, orders, volunteers, cap):
    by_id = {o.id: o for o in orders}
    vol = {v.id: v for v in volunteers}
    assert result.coverage == len(result.pairs)
    assert result.total_score == pytest.approx(
        math.fsum(score(by_id[o], vol[v]) for o, v in result.pairs.items()), abs=1e-9)
    held: dict[int, list[Window]] = {}
    for order_id, volunteer_id in result.pairs.items():
        assert eligible(by_id[order_id], vol[volunteer_id], TODAY) == []
        held.setdefault(volunteer_id, []).append(by_id[order_id].window)
    for spans in held.values():
        assert len(spans) <= cap
        for a, b in itertools.combinations(spans, 2):
            assert a.end <= b.start or b.end <= a.start


@settings(deadline=None, max_examples=150)
@given(st.lists(orders_, min_size=1, max_size=3), st.lists(volunteers_, max_size=6).map(numbered))
def test_eligible_agrees_with_the_oracle_and_shortlist_with_eligible(orders, volunteers):
    for order in orders:
        for volunteer in volunteers:
            assert eligible(order, volunteer, TODAY) == oracle(order, volunteer, TODAY)
        result = shortlist(order, volunteers, TODAY, limit=4)
        expected = [v for v in volunteers if not oracle(order, v, TODAY)]
        assert len(result) == min(4, len(expected))
        by_id = {v.id: v for v in volunteers}
        for candidate in result:
            assert eligible(order, by_id[candidate.volunteer_id], TODAY) == []
            assert candidate.score == pytest.approx(score(order, by_id[candidate.volunteer_id]), abs=1e-12)
        keys = [(-c.score, c.volunteer_id) for c in result]
        assert keys == sorted(keys)


@settings(deadline=None, max_examples=200)
@given(instance(), st.integers(1, 3))
def test_batch_and_greedy_respect_every_constraint_and_batch_is_never_worse(data, cap):
    orders, volunteers = data
    batch = assign_batch(orders, volunteers, TODAY, cap_per_volunteer=cap)
    greedy = assign_greedy(orders, volunteers, TODAY, cap_per_volunteer=cap)
    check_assignment(batch, orders, volunteers, cap)
    check_assignment(greedy, orders, volunteers, cap)
    assert batch.coverage >= greedy.coverage
    if batch.coverage == greedy.coverage:
        assert batch.total_score >= greedy.total_score - 1e-9
    assert assign_batch(orders, volunteers, TODAY, cap_per_volunteer=cap) == batch  # deterministic


@settings(deadline=None, max_examples=100)
@given(instance(max_orders=5, max_volunteers=4))
def test_batch_with_one_order_per_volunteer_is_optimal(data):
    orders, volunteers = data
    options = [[v for v in volunteers if not eligible(o, v, TODAY)] for o in orders]
    best = (0, 0.0)
    for choice in itertools.product(*[[None, *vs] for vs in options]):
        taken = [v.id for v in choice if v is not None]
        if len(taken) == len(set(taken)):
            pairs = [(o, v) for o, v in zip(orders, choice, strict=True) if v is not None]
            best = max(best, (len(pairs), math.fsum(score(o, v) for o, v in pairs)))
    batch = assign_batch(orders, volunteers, TODAY)
    assert batch.coverage == best[0]
    assert batch.total_score == pytest.approx(best[1], abs=1e-9)
