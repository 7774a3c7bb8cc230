"""Volunteer matching: hard filters, a scored shortlist, batch assignment and station suggestion.

Pure: numpy and scipy only, no Django. The Django layer builds the frozen dataclasses below from its
models and stores what it decides (docs/volunteers/matching.md).

Hard filters (`eligible` returns the codes of the ones a volunteer fails; empty = eligible):

* ``inactive``: the volunteer is not active;
* ``missing_capability:<tag>``: a required capability/certificate is not held;
* ``certificate_expired:<tag>``: it is held but not valid on ``max(today, order.window.end.date())``;
* ``unavailable``: the union of the availability windows does not cover the order window;
* ``conflict``: the order window overlaps a busy window (windows are half-open ``[start, end)``);
* ``out_of_area``: the haversine distance from home to the order exceeds ``service_radius_km``;
* ``out_of_region``: ``service_regions`` is not empty and no prefix of it matches the order's
  deepest region code (``region_path[-1]``).

Score (`score`; the weights are the module constants ``W_*``)::

    score = W_SKILL       * skill_fit      # share of the volunteer's valid caps that are relevant
          + W_DISTANCE    * exp(-km / DISTANCE_SCALE_KM)
          + W_RELIABILITY * reliability    # share of past assignments completed, 0..1
          + W_CONTINUITY  * continuity     # 1 if the volunteer served this requester before
          - W_LOAD        * min(recent_load / LOAD_FULL, 1)

``skill_fit`` = |valid caps ∩ ({category} ∪ required_caps)| / |valid caps| (0 without valid caps),
validity taken on the date the order window ends: specialists rank above generalists, who stay
free for orders only they can take. The score lies in [-W_LOAD, W_SKILL + W_DISTANCE +
W_RELIABILITY + W_CONTINUITY] = [-0.10, 0.90].

Batch (`assign_batch`): a minimum-cost assignment on a sparse bipartite graph (orders x volunteer
slots, each volunteer repeated ``cap_per_volunteer`` times, plus one "unassigned" dummy per order),
solved with ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``. Each order keeps its
``CANDIDATES_PER_ORDER`` best eligible volunteers plus the greedy baseline's choice, so the graph
stays small and always contains the baseline solution. The dummy costs more than any set of real
edges can save, so coverage is maximised first, then the total score. Overlapping windows given to
one volunteer (possible only when ``cap_per_volunteer > 1``) are repaired by keeping that volunteer's
best non-overlapping subset; dropped orders are refilled greedily; and if the greedy baseline is
still better (more orders, or the same number with a higher total) it is returned instead, so the
batch result is never worse than `assign_greedy`.

Datetimes should be timezone-aware throughout (naive ones are read as UTC). Ids must be unique and
mutually comparable (ties are broken by id).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

__all__ = [
    "CANDIDATES_PER_ORDER", "DISTANCE_SCALE_KM", "LOAD_FULL", "W_CONTINUITY", "W_DISTANCE", "W_LOAD",
    "W_RELIABILITY", "W_SKILL", "Assignment", "Candidate", "Order", "Station", "StationSuggestion",
    "Volunteer", "Window", "assign_batch", "assign_greedy", "eligible", "exclusion_counts", "score", "shortlist",
    "suggest_stations",
]

W_SKILL = 0.30
W_DISTANCE = 0.25
W_RELIABILITY = 0.20
W_CONTINUITY = 0.15
W_LOAD = 0.10
DISTANCE_SCALE_KM = 3.0  # the distance term is 1 at home, 0.37 at 3 km, 0.05 at 9 km
LOAD_FULL = 8  # assignments in the last 30 days at which the load penalty is full
CANDIDATES_PER_ORDER = 50  # batch: best eligible volunteers kept per order (plus the greedy choice)

SCORE_MIN = -W_LOAD
SCORE_MAX = W_SKILL + W_DISTANCE + W_RELIABILITY + W_CONTINUITY
EARTH_RADIUS_KM = 6371.0088
REGION_LEVELS = {6: "district", 9: "street", 12: "community", 15: "grid", 18: "micro_grid"}

_NOT_HELD = -1
_NO_EXPIRY = np.iinfo(np.int64).max
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Window:
    """A half-open time interval ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"window ends before it starts: {self.start} .. {self.end}")


@dataclass(frozen=True)
class Order:
    id: int | str
    category: str
    required_caps: frozenset[str]
    window: Window
    lat: float
    lng: float
    region_path: tuple[str, ...]  # region codes from the district down to the order's grid
    requester_key: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Volunteer:
    id: int | str
    caps: dict[str, date | None]  # capability/certificate tag -> valid until (None: no expiry)
    availability: tuple[Window, ...]
    busy: tuple[Window, ...]  # service windows already assigned
    home_lat: float
    home_lng: float
    service_radius_km: float
    service_regions: tuple[str, ...] = ()  # region-code prefixes served; empty = anywhere in radius
    reliability: float = 1.0
    recent_load: int = 0
    past_requesters: frozenset[str] = frozenset()
    active: bool = True


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int | str
    score: float
    parts: dict[str, float]  # weighted terms: skill, distance, reliability, continuity, load (<= 0)


@dataclass(frozen=True)
class Assignment:
    pairs: dict[int | str, int | str]  # order id -> volunteer id, in the order of the input orders
    total_score: float
    coverage: int  # number of orders assigned


@dataclass(frozen=True)
class Station:
    id: int | str
    region_code: str
    caps: frozenset[str]
    open_orders: int
    capacity: int


@dataclass(frozen=True)
class StationSuggestion:
    station_id: int | str
    score: float
    reasons: list[str]


# --- station suggestion ----------------------------------------------------------------------------


def suggest_stations(order: Order, stations: Sequence[Station]) -> list[StationSuggestion]:
    """All stations, best first, ranked by (1) locality: the deepest entry of ``order.region_path``
    that prefixes the station's region code, and at equal depth a station whose region contains the
    order's region before one in a sibling branch; (2) coverage of ``{category} ∪ required_caps``;
    (3) spare capacity ``1 - open_orders / capacity`` (a station with capacity 0 is full); then id.

    ``score = 100 * (2 * depth + contains) + 10 * coverage + spare`` summarises the rank for display.
    """
    deepest = order.region_path[-1] if order.region_path else ""
    needs = {order.category} | order.required_caps
    ranked = []
    for station in stations:
        prefixes = (i + 1 for i, code in enumerate(order.region_path) if station.region_code.startswith(code))
        depth = max(prefixes, default=0)
        contains = depth > 0 and deepest.startswith(station.region_code)
        covered = len(needs & station.caps)
        load = station.open_orders / station.capacity if station.capacity > 0 else math.inf
        spare = max(0.0, 1.0 - load)
        level = REGION_LEVELS.get(len(order.region_path[depth - 1]), f"depth{depth}") if depth else "none"
        reasons = [f"locality:{level}"]
        if contains:
            reasons.append("contains_order")
        reasons.append(f"capabilities:{covered}/{len(needs)}")
        reasons.append("full" if load >= 1 else f"load:{load:.2f}")
        locality = 2 * depth + int(contains)
        summary = 100 * locality + 10 * covered / len(needs) + spare
        ranked.append(((-locality, -covered, load, station.id), StationSuggestion(station.id, summary, reasons)))
    ranked.sort(key=lambda pair: pair[0])
    return [suggestion for _, suggestion in ranked]


# --- the vectorised volunteer pool ------------------------------------------------------------------


def _us(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _US


def _merged(windows: Sequence[Window]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted((_us(w.start), _us(w.end)) for w in windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _intervals(per_volunteer: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    owner = [i for i, spans in enumerate(per_volunteer) for _ in spans]
    flat = [span for spans in per_volunteer for span in spans]
    starts = np.array([s for s, _ in flat], dtype=np.int64)
    ends = np.array([e for _, e in flat], dtype=np.int64)
    return np.array(owner, dtype=np.int64), starts, ends


class _Pool:
    """The volunteers as column arrays, so each order is filtered and scored against all at once."""

    def __init__(self, volunteers: Sequence[Volunteer]) -> None:
        vols = tuple(volunteers)
        n = self.n = len(vols)
        self.ids = [v.id for v in vols]
        if len(set(self.ids)) != n:
            raise ValueError("volunteer ids must be unique")
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[sorted(range(n), key=self.ids.__getitem__)] = np.arange(n)
        self.active = np.array([v.active for v in vols], dtype=bool)
        self.lat = np.radians(np.array([v.home_lat for v in vols], dtype=float))
        self.lng = np.radians(np.array([v.home_lng for v in vols], dtype=float))
        self.radius_km = np.array([v.service_radius_km for v in vols], dtype=float)
        self.reliability = np.clip(np.array([v.reliability for v in vols], dtype=float), 0.0, 1.0)
        loads = np.array([v.recent_load for v in vols], dtype=float)
        self.load_share = np.clip(loads / LOAD_FULL, 0.0, 1.0)
        self.tag_index = {tag: j for j, tag in enumerate(sorted({t for v in vols for t in v.caps}))}
        self.until = np.full((n, len(self.tag_index)), _NOT_HELD, dtype=np.int64)
        for i, v in enumerate(vols):
            for tag, valid_until in v.caps.items():
                ordinal = _NO_EXPIRY if valid_until is None else valid_until.toordinal()
                self.until[i, self.tag_index[tag]] = ordinal
        self._valid_counts: dict[int, np.ndarray] = {}
        self.avail = _intervals([_merged(v.availability) for v in vols])
        self.busy = _intervals([[(_us(w.start), _us(w.end)) for w in v.busy] for v in vols])
        self.anywhere = np.array([not v.service_regions for v in vols], dtype=bool)
        members, served = defaultdict(list), defaultdict(list)
        for i, v in enumerate(vols):
            for prefix in set(v.service_regions):
                members[prefix].append(i)
            for key in v.past_requesters:
                served[key].append(i)
        self.region_members = {p: np.array(ix, dtype=np.int64) for p, ix in members.items()}
        self.served = {k: np.array(ix, dtype=np.int64) for k, ix in served.items()}

    def distance_km(self, order: Order) -> np.ndarray:
        lat, lng = math.radians(order.lat), math.radians(order.lng)
        a = np.sin((self.lat - lat) / 2) ** 2
        a += np.cos(self.lat) * math.cos(lat) * np.sin((self.lng - lng) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))

    def exclusions(self, order: Order, today: date, km: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """(reason code, mask of the volunteers it excludes), in the documented order."""
        check = max(today, order.window.end.date()).toordinal()
        missing, expired = [], []
        for tag in sorted(order.required_caps):
            j = self.tag_index.get(tag)
            column = self.until[:, j] if j is not None else np.full(self.n, _NOT_HELD, dtype=np.int64)
            missing.append((f"missing_capability:{tag}", column == _NOT_HELD))
            expired.append((f"certificate_expired:{tag}", (column != _NOT_HELD) & (column < check)))
        start, end = _us(order.window.start), _us(order.window.end)
        owner, a_start, a_end = self.avail
        covered = np.zeros(self.n, dtype=bool)
        covered[owner[(a_start <= start) & (a_end >= end)]] = True
        owner, b_start, b_end = self.busy
        conflict = np.zeros(self.n, dtype=bool)
        conflict[owner[(b_start < end) & (start < b_end)]] = True
        in_region = self.anywhere.copy()
        code = order.region_path[-1] if order.region_path else ""
        for k in range(len(code) + 1):
            members = self.region_members.get(code[:k])
            if members is not None:
                in_region[members] = True
        return [
            ("inactive", ~self.active), *missing, *expired, ("unavailable", ~covered), ("conflict", conflict),
            ("out_of_area", ~(km <= self.radius_km)), ("out_of_region", ~in_region),
        ]

    def parts(self, order: Order, km: np.ndarray, ix: np.ndarray) -> dict[str, np.ndarray]:
        """The weighted score terms of the volunteers ``ix``."""
        day = order.window.end.date().toordinal()
        valid = self._valid_counts.get(day)
        if valid is None:
            valid = self._valid_counts[day] = (self.until >= day).sum(axis=1)
        relevant_tags = sorted(j for t in {order.category} | order.required_caps
                               if (j := self.tag_index.get(t)) is not None)
        relevant = (self.until[np.ix_(ix, relevant_tags)] >= day).sum(axis=1)
        skill = np.divide(relevant, valid[ix], out=np.zeros(len(ix)), where=valid[ix] > 0)
        continuity = np.zeros(self.n)
        if order.requester_key is not None and order.requester_key in self.served:
            continuity[self.served[order.requester_key]] = 1.0
        return {
            "skill": W_SKILL * skill,
            "distance": W_DISTANCE * np.exp(-km[ix] / DISTANCE_SCALE_KM),
            "reliability": W_RELIABILITY * self.reliability[ix],
            "continuity": W_CONTINUITY * continuity[ix],
            "load": -W_LOAD * self.load_share[ix],
        }

    def ranked(self, order: Order, today: date) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The eligible volunteers best first (score descending, then id), their scores and parts."""
        km = self.distance_km(order)
        excluded = np.zeros(self.n, dtype=bool)
        for _, mask in self.exclusions(order, today, km):
            excluded |= mask
        ix = np.flatnonzero(~excluded)
        parts = self.parts(order, km, ix)
        scores = _total(parts)
        best = np.lexsort((self.id_rank[ix], -scores))
        return ix[best], scores[best], {name: values[best] for name, values in parts.items()}


def _total(parts: dict[str, np.ndarray]) -> np.ndarray:
    return parts["skill"] + parts["distance"] + parts["reliability"] + parts["continuity"] + parts["load"]


# --- one order -------------------------------------------------------------------------------------


def eligible(order: Order, volunteer: Volunteer, today: date) -> list[str]:
    """The codes of the hard filters ``volunteer`` fails for ``order`` (see the module docstring)."""
    pool = _Pool([volunteer])
    return [code for code, mask in pool.exclusions(order, today, pool.distance_km(order)) if mask[0]]


def exclusion_counts(order: Order, volunteers: Sequence[Volunteer], today: date) -> dict[str, int]:
    """How many volunteers each hard filter excludes from ``order``: every ineligible volunteer is counted
    once, under the first filter it fails in the documented order."""
    pool = _Pool(volunteers)
    left = np.ones(pool.n, dtype=bool)
    counts: dict[str, int] = {}
    for code, mask in pool.exclusions(order, today, pool.distance_km(order)):
        if n := int((mask & left).sum()):
            counts[code] = n
        left &= ~mask
    return counts


def score(order: Order, volunteer: Volunteer) -> float:
    """The soft score of the module docstring (hard filters are not checked here)."""
    pool = _Pool([volunteer])
    return float(_total(pool.parts(order, pool.distance_km(order), np.array([0])))[0])


def shortlist(order: Order, volunteers: Sequence[Volunteer], today: date, limit: int = 10) -> list[Candidate]:
    """The ``limit`` best eligible volunteers, score descending, ties by volunteer id."""
    pool = _Pool(volunteers)
    ix, scores, parts = pool.ranked(order, today)
    return [
        Candidate(pool.ids[v], float(scores[k]), {name: float(values[k]) for name, values in parts.items()})
        for k, v in enumerate(ix[:limit].tolist())
    ]


# --- many orders -----------------------------------------------------------------------------------


class _Batch:
    """The eligible volunteers of every order, ranked once and shared by the greedy and matching steps.
    An assignment in progress is a dict ``order index -> volunteer index``."""

    def __init__(
        self, orders: Sequence[Order], volunteers: Sequence[Volunteer], today: date, cap: int
    ) -> None:
        if cap < 1:
            raise ValueError("cap_per_volunteer must be at least 1")
        self.orders = tuple(orders)
        if len({o.id for o in self.orders}) != len(self.orders):
            raise ValueError("order ids must be unique")
        self.pool = _Pool(volunteers)
        self.cap = cap
        self.spans = [(_us(o.window.start), _us(o.window.end)) for o in self.orders]
        self.ranked = [self.pool.ranked(o, today)[:2] for o in self.orders]
        self.sequence = sorted(range(len(self.orders)),
                               key=lambda i: (not self.orders[i].urgent, self.spans[i][0], self.orders[i].id))

    def score_of(self, i: int, v: int) -> float:
        ix, scores = self.ranked[i]
        return float(scores[np.flatnonzero(ix == v)[0]])

    def fits(self, taken: dict[int, list[int]], i: int, v: int) -> bool:
        start, end = self.spans[i]
        held = taken.get(v, ())
        apart = all(end <= self.spans[j][0] or self.spans[j][1] <= start for j in held)
        return len(held) < self.cap and apart

    def fill(self, chosen: dict[int, int], todo: Sequence[int]) -> None:
        """Give each order of ``todo`` (in that order) its best eligible volunteer that still fits."""
        taken: dict[int, list[int]] = defaultdict(list)
        for i, v in chosen.items():
            taken[v].append(i)
        for i in todo:
            for v in self.ranked[i][0].tolist():
                if self.fits(taken, i, v):
                    chosen[i] = v
                    taken[v].append(i)
                    break

    def result(self, chosen: dict[int, int]) -> Assignment:
        pairs = {self.orders[i].id: self.pool.ids[chosen[i]] for i in sorted(chosen)}
        total = math.fsum(self.score_of(i, v) for i, v in chosen.items())
        return Assignment(pairs, total, len(pairs))

    def greedy(self) -> dict[int, int]:
        chosen: dict[int, int] = {}
        self.fill(chosen, self.sequence)
        return chosen

    def matching(self, greedy: dict[int, int]) -> dict[int, int]:
        """Minimum-cost assignment on the candidate graph (see the module docstring)."""
        n, cap = len(self.orders), self.cap
        rows, vols, costs = [], [], []
        for i, (ix, sc) in enumerate(self.ranked):
            ix, sc = ix[:CANDIDATES_PER_ORDER], sc[:CANDIDATES_PER_ORDER]
            if i in greedy and not np.any(ix == greedy[i]):
                ix, sc = np.append(ix, greedy[i]), np.append(sc, self.score_of(i, greedy[i]))
            rows.append(np.full(len(ix), i, dtype=np.int64))
            vols.append(ix)
            costs.append(1.0 + SCORE_MAX - sc)  # in [1, 1 + span]: > 0, as the solver requires
        rows_, vols_, costs_ = np.concatenate(rows), np.concatenate(vols), np.concatenate(costs)
        used, column = np.unique(vols_, return_inverse=True)
        slots = len(used) * cap
        span = SCORE_MAX - SCORE_MIN
        unassigned = (n + 1) * (1.0 + span)  # more than any set of real edges can save
        graph = coo_array(
            (np.concatenate([np.repeat(costs_, cap), np.full(n, unassigned)]),
             (np.concatenate([np.repeat(rows_, cap), np.arange(n)]),
              np.concatenate([(column[:, None] * cap + np.arange(cap)).ravel(), slots + np.arange(n)]))),
            shape=(n, slots + n),
        ).tocsr()
        row_ind, col_ind = min_weight_full_bipartite_matching(graph)
        return {int(i): int(used[c // cap]) for i, c in zip(row_ind, col_ind, strict=True) if c < slots}

    def repair(self, chosen: dict[int, int]) -> dict[int, int]:
        """Per volunteer, keep the non-overlapping subset with most orders, then the highest score."""
        by_volunteer: dict[int, list[int]] = defaultdict(list)
        for i, v in chosen.items():
            by_volunteer[v].append(i)
        kept: dict[int, int] = {}
        weight = len(self.orders) * (SCORE_MAX - SCORE_MIN) + 1.0
        for v, held in by_volunteer.items():
            held.sort(key=lambda i: (self.spans[i][1], self.spans[i][0], i))
            best: list[tuple[float, list[int]]] = [(0.0, [])]  # best[k]: optimum over held[:k]
            for k, i in enumerate(held):
                ends_before = (m + 1 for m in range(k) if self.spans[held[m]][1] <= self.spans[i][0])
                before = max(ends_before, default=0)
                take = (best[before][0] + weight + self.score_of(i, v), [*best[before][1], i])
                best.append(max(best[k], take, key=lambda option: option[0]))
            kept.update((i, v) for i in best[-1][1])
        return kept


def assign_greedy(orders: Sequence[Order], volunteers: Sequence[Volunteer], today: date,
                  cap_per_volunteer: int = 1) -> Assignment:
    """The baseline: urgent orders first, then by window start (then id); each takes its best eligible
    volunteer that is under the cap and has no overlapping order yet."""
    batch = _Batch(orders, volunteers, today, cap_per_volunteer)
    return batch.result(batch.greedy())


def assign_batch(orders: Sequence[Order], volunteers: Sequence[Volunteer], today: date,
                 cap_per_volunteer: int = 1) -> Assignment:
    """Most orders covered, then the highest total score, by minimum-cost assignment (module docstring).

    Every pair passes `eligible`, no volunteer gets more than ``cap_per_volunteer`` orders, and no
    volunteer gets two orders whose windows overlap.
    """
    batch = _Batch(orders, volunteers, today, cap_per_volunteer)
    if not batch.orders:
        return Assignment({}, 0.0, 0)
    greedy = batch.greedy()
    chosen = batch.repair(batch.matching(greedy))
    batch.fill(chosen, [i for i in batch.sequence if i not in chosen])
    mine, baseline = batch.result(chosen), batch.result(greedy)
    if (baseline.coverage, baseline.total_score) > (mine.coverage, mine.total_score + 1e-9):
        return baseline
    return mine
