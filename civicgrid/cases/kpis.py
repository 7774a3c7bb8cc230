"""Case KPIs (the 三率 and the rest), defined once. docs/kpis.md is the prose version of this module.

Every KPI is a ratio of two counters over a cohort of cases: the cases *created* in [since, until]
(local dates, Asia/Shanghai), optionally narrowed by region, main department and case type. A case
adds a fixed set of counter values (`contribution`) to one `DailyCaseStat` row keyed by its creation
day, grid code, main department and case type. The case actions move a case's contribution in the same
transaction as the change (`snapshot` before, `apply_delta` after), so `kpis()` sums a few thousand
rollup rows instead of reading millions of cases. `kpis_from_cases()` computes the same figures
straight from the cases with SQL aggregates: it is the executable definition the tests compare with.

API for dashboards (every dashboard figure comes from these; keyword-only, every filter optional):

    filters: region_code   a region-code prefix or a list of them (province/city/district/street/
                           community/grid; a city sums its districts' month rows)
             department_id main department id(s); 0 = cases without one
             case_type     workflow key(s), e.g. "urban_event"
             family        "governance" (12345/urban 三率: urban_event, citizen_request, dispute,
                           safety_hazard, hard_case), "volunteer", "enterprise", "public_service", or
                           "all"; default: "governance" unless case_type is given (FAMILIES)
             category      a top-level category code (2 digits)
             reach         the caller's Grant (grant_for(user, "cases.view_kpis")): restricts further
    period:  since, until  local dates, both inclusive (cohort: cases *created* then); whole months
                           (month_range) read the month rollups and cost nearly the same at any volume

    kpis(**filters, since=, until=) -> {"response_rate": 0.97 | None, ..., "counts": {...}}
    kpis_for(user, region=, department=, since=, until=, case_type=, family=)   the API's call (403/404)
    breakdown(by, **filters, since=, until=) -> [{"key": ..., **kpis}]  by: "region" (the next level
                           down inside region_code), "department", "category", "case_type", "month"
    open_counts(**filters, now=None) -> {"open": n, "due_soon": n, "overdue": n}  live at `now` (the
                           clock); equals the case lists' 全部在办 / 即将超期 / 已超期 counts
    open_breakdown(by, **filters, now=None) -> [{"key": ..., "open", "due_soon", "overdue"}]
    month_range(day) -> (first, last day of day's month)

`Case.sla_status` (a property) and the filters `Case.overdue_q(now)` / `Case.due_soon_q(now)` give the
live SLA status of one case / of a queryset (cases.models); never filter on the stored `recorded_sla_status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from civicgrid.cases import sql
from civicgrid.cases.choices import AgreementForm, SlaStatus
from civicgrid.cases.models import (
    Case,
    DailyCaseStat,
    FollowUp,
    MediationAgreement,
    MediationSession,
    MonthlyCaseStat,
    WorkflowDefinition,
)
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.spec import Spec
from civicgrid.cases.workflows import spec_for
from civicgrid.core import clock, errors
from civicgrid.core.scoping import Grant, Scope, grant_for, grant_q, require

KPI_TZ = ZoneInfo("Asia/Shanghai")  # cohort days are local dates
GRID_CODE_LENGTH = 15  # rollups keep the grid (a micro-grid case counts for its grid)
SATISFIED_MIN = 4  # 满意 (4) or 非常满意 (5); 基本满意 (3) is not satisfied
# A transition with one of these effects hands the case to whoever must act on it (派遣/派单/分派/
# 下达整改通知/会商定责); states reachable from the initial state without one are "not yet dispatched".
HANDOFF_EFFECTS = frozenset({"set_department", "set_tier", "start_clock"})
DISPUTE = "dispute"
DISPUTE_RESOLVED_STATES = frozenset({"resolved", "followed_up", "closed"})  # 调解成功 (化解) and after
DISPUTE_FAILED_STATES = frozenset({"failed"})  # 调解不成 (未化解)

COUNTERS = (
    "created", "dispatched", "response_due", "responded_in_time", "closed", "closed_in_time", "overdue",
    "reworked", "extended", "followed_up", "rated", "satisfied", "resolution_known", "resolved",
    "handling_seconds", "dispute_concluded", "dispute_resolved", "dispute_mediated", "dispute_written", "open",
    "open_due_soon", "open_overdue",
)
KEY_FIELDS = ("day", "region_code", "department_key", "case_type", "category_key")
MONTH_KEY_FIELDS = ("month", "region_code", "department_key", "case_type", "category_key")
# region levels of the month rollups: district, street, community, grid (code lengths)
LEVELS = (6, 9, 12, 15)
# a region breakdown goes one level down: a province by cities, a city by districts (read from district rows)
BREAKDOWN_LEVELS = (4, *LEVELS)
CATEGORY_KEY_LENGTH = 2  # the top-level category (大类)
# the Case fields contribution() reads (with region.code)
CASE_FIELDS = (
    "id", "case_type", "workflow", "state", "is_open", "region", "department", "category", "created_at",
    "recorded_sla_status", "was_overdue", "rework_count", "extension_count", "return_count", "responded_at",
    "responded_in_time", "closed_at", "closed_in_time", "satisfaction", "resolved",
)

# Case-type families: the 12345/urban 三率 cover the governance family only, unless a filter asks.
FAMILIES: dict[str, tuple[str, ...]] = {
    "governance": ("urban_event", "citizen_request", "dispute", "safety_hazard", "hard_case"),
    "volunteer": ("volunteer_order",),
    "public_service": ("service_request",),
    "enterprise": ("enterprise_relief", "project_blocker"),
}
DEFAULT_FAMILY = "governance"

Key = tuple[date, str, int, str, str]
Contribution = tuple[Key, dict[str, int]]


@dataclass(frozen=True)
class Kpi:
    name: str  # API name
    label: str  # Chinese name
    numerator: str  # a counter
    denominator: str  # a counter
    per: int = 1  # mean_handling_hours divides seconds by 3600


KPIS = (
    Kpi("response_rate", "响应率", "responded_in_time", "response_due"),
    Kpi("resolution_rate", "解决率", "resolved", "resolution_known"),
    Kpi("satisfaction_rate", "满意率", "satisfied", "rated"),
    Kpi("on_time_close_rate", "按期结案率", "closed_in_time", "closed"),
    Kpi("overdue_rate", "超期率", "overdue", "created"),
    Kpi("rework_rate", "返工率", "reworked", "dispatched"),
    Kpi("extension_rate", "延期率", "extended", "dispatched"),
    Kpi("follow_up_rate", "回访率", "followed_up", "closed"),
    Kpi("mean_handling_hours", "平均办理时长", "handling_seconds", "closed", per=3600),
    Kpi("dispute_resolution_rate", "化解率", "dispute_resolved", "dispute_concluded"),
    Kpi("mediation_record_rate", "调解笔录率", "dispute_mediated", "dispute_concluded"),
    Kpi("written_agreement_rate", "书面协议率", "dispute_written", "dispute_resolved"),
)


# --- one case ----------------------------------------------------------------------------------

def pre_dispatch_states(spec: Spec) -> frozenset[str]:
    """States reachable from the initial state without a hand-off transition (see HANDOFF_EFFECTS)."""
    seen, todo = {spec.initial}, [spec.initial]
    while todo:
        state = todo.pop()
        for t in spec.transitions:
            if state in t.sources and not (t.effects & HANDOFF_EFFECTS) and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return frozenset(seen)


_PRE_DISPATCH: dict[tuple[str, int, str], frozenset[str]] = {}


def _pre_dispatch_of(definition: WorkflowDefinition) -> frozenset[str]:
    cache_key = (definition.key, definition.version, definition.checksum)  # frozen rows: safe to cache
    if cache_key not in _PRE_DISPATCH:
        _PRE_DISPATCH[cache_key] = pre_dispatch_states(spec_for(definition))
    return _PRE_DISPATCH[cache_key]


def day_of(moment: datetime) -> date:
    return moment.astimezone(KPI_TZ).date()


@dataclass(frozen=True)
class Records:
    """What a case's own rows add to its contribution: at least one FollowUp, MediationSession, written
    MediationAgreement."""

    follow_up: bool = False
    mediation: bool = False
    written_agreement: bool = False


def contribution(case: Case, records: Records = Records()) -> Contribution:  # noqa: B008 (frozen)
    """The rollup key and counter values one case adds. Pure given the case's fields (with
    `case.region` and `case.workflow` loaded) and its `records`."""
    responded = case.responded_at is not None
    closed = case.closed_at is not None
    dispatched = (responded or case.return_count > 0
                  or case.state not in _pre_dispatch_of(case.workflow))
    # the recorded status (as of the case's last write or sweep); reads add what the clock has moved since
    recorded = case.recorded_sla_status
    waiting_late = (dispatched and not responded and case.is_open and recorded == SlaStatus.OVERDUE)
    dispute = case.case_type == DISPUTE
    concluded = dispute and case.state in DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES
    values = {
        "created": 1,
        "dispatched": dispatched,
        "response_due": responded or waiting_late,
        "responded_in_time": responded and case.responded_in_time is True,
        "closed": closed,
        "closed_in_time": closed and case.closed_in_time is True,
        "overdue": case.was_overdue,
        "reworked": case.rework_count > 0,
        "extended": case.extension_count > 0,
        "followed_up": closed and records.follow_up,
        "rated": case.satisfaction is not None,
        "satisfied": case.satisfaction is not None and case.satisfaction >= SATISFIED_MIN,
        "resolution_known": case.resolved is not None,
        "resolved": case.resolved is True,
        "handling_seconds": int((case.closed_at - case.created_at).total_seconds()) if closed else 0,
        "dispute_concluded": concluded,
        "dispute_resolved": dispute and case.state in DISPUTE_RESOLVED_STATES,
        "dispute_mediated": concluded and records.mediation,
        "dispute_written": dispute and case.state in DISPUTE_RESOLVED_STATES and records.written_agreement,
        "open": case.is_open,
        "open_due_soon": case.is_open and recorded == SlaStatus.DUE_SOON,
        "open_overdue": case.is_open and recorded == SlaStatus.OVERDUE,
    }
    key = (day_of(case.created_at), case.region.code[:GRID_CODE_LENGTH], case.department_id or 0, case.case_type,
           category_key(case.category_id))
    return key, {name: int(value) for name, value in values.items()}


_CATEGORY_KEYS: dict[int, str] = {}


def category_key(category_id: int | None) -> str:
    """The top-level category code of a category (its first two digits), "" for none. Category codes
    never change (sync_categories upserts by code), so the answer is cached."""
    if category_id is None:
        return ""
    if category_id not in _CATEGORY_KEYS:
        from civicgrid.cases.models import Category

        _CATEGORY_KEYS.update({pk: code[:CATEGORY_KEY_LENGTH] for pk, code in Category.objects.values_list("id", "code")})
    return _CATEGORY_KEYS.get(category_id, "")


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_keys(key: Key) -> list[tuple]:
    """The month-rollup rows a daily key adds to: its month at each region level down to the case's own."""
    day, code, department, case_type, category = key
    return [(month_of(day), code[:n], department, case_type, category) for n in LEVELS if n <= len(code)]


def snapshot(case: Case) -> Contribution:
    """`contribution(case)`, looking up its records (only a closed case or a concluded dispute needs them)."""
    follow_up = case.closed_at is not None and FollowUp.objects.filter(case_id=case.pk).exists()
    concluded = case.case_type == DISPUTE and case.state in DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES
    mediation = concluded and MediationSession.objects.filter(case_id=case.pk).exists()
    written = concluded and MediationAgreement.objects.filter(case_id=case.pk, form=AgreementForm.WRITTEN).exists()
    return contribution(case, Records(follow_up, mediation, written))


# --- incremental maintenance -------------------------------------------------------------------

def apply_delta(before: Contribution | None, after: Contribution | None) -> None:
    """Add `after - before` to the rollup rows (both may be None: a new or a vanished case). Call it in
    the transaction that changed the case, with the case row locked. Rows are touched in key order, so
    two transactions never wait on each other's rows crosswise."""
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    months: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, part in ((-1, before), (1, after)):
        if part is not None:
            key, values = part
            in_months = month_keys(key)
            for name, value in values.items():
                deltas[key][name] += sign * value
                for month_key in in_months:
                    months[month_key][name] += sign * value
    changed = [[(key, changes) for key in sorted(rows)
                if (changes := {name: value for name, value in rows[key].items() if value})]
               for rows in (deltas, months)]
    with transaction.atomic(savepoint=False):
        sql.add_to_rollups(*changed)


def lock(case_id: int) -> Case:
    """The case row, locked for the rest of the transaction (with its workflow and region)."""
    return sql.lock_case(case_id)


@contextmanager
def tracking(case_id: int) -> Iterator[None]:
    """For a change made with a queryset `.update()`: lock the case, snapshot it, run the block, reload
    it and apply the difference — all in one transaction."""
    with transaction.atomic():
        before = snapshot(lock(case_id))
        yield
        apply_delta(before, snapshot(lock(case_id)))


def recompute_rollups() -> int:
    """Rebuild the DailyCaseStat and MonthlyCaseStat tables from the cases in one pass; returns the number
    of daily rows. Holds the rollup tables' write locks (PostgreSQL) so concurrent case actions wait, then
    apply their delta on top of the rebuilt rows."""
    with transaction.atomic():
        sql.lock_rollups()
        rows = compute_rollups()
        DailyCaseStat.objects.all().delete()
        DailyCaseStat.objects.bulk_create(
            [DailyCaseStat(**dict(zip(KEY_FIELDS, key, strict=True)), **values) for key, values in sorted(rows.items())],
            batch_size=2000,
        )
        MonthlyCaseStat.objects.all().delete()
        MonthlyCaseStat.objects.bulk_create(
            [MonthlyCaseStat(**dict(zip(MONTH_KEY_FIELDS, key, strict=True)), depth=len(key[1]), **values)
             for key, values in sorted(months_of(rows).items())],
            batch_size=2000,
        )
    return len(rows)


def months_of(daily: dict[Key, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """The month rollups that the daily rows add up to (every level)."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for key, values in daily.items():
        for month_key in month_keys(key):
            row = out[month_key]
            for name, value in values.items():
                row[name] += value
    return {key: values for key, values in out.items() if any(values.values())}


def compute_rollups() -> dict[Key, dict[str, int]]:
    """What the rollup table should hold, computed from the cases (rows that would be all zero are left
    out). Read-only; `recompute_rollups` writes it."""
    definitions = {d.pk: d for d in WorkflowDefinition.objects.all()}
    followed = set(FollowUp.objects.values_list("case_id", flat=True).distinct())
    mediated = set(MediationSession.objects.values_list("case_id", flat=True).distinct())
    written = set(MediationAgreement.objects.filter(form=AgreementForm.WRITTEN).values_list("case_id", flat=True))
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    cases = Case.objects.select_related("region").only(*CASE_FIELDS, "region__code").order_by()
    category_key(None)
    for case in cases.iterator(chunk_size=2000):
        case.workflow = definitions[case.workflow_id]
        key, values = contribution(case, Records(case.pk in followed, case.pk in mediated, case.pk in written))
        row = totals[key]
        for name, value in values.items():
            row[name] += value
    return dict(totals)


# --- reading -----------------------------------------------------------------------------------

def figures(counts: dict[str, int]) -> dict[str, Any]:
    """The KPI values from summed counters: ratios rounded to 4 decimals, None when the denominator
    is 0; plus the raw `counts`."""
    out: dict[str, Any] = {}
    for kpi in KPIS:
        denominator = counts[kpi.denominator]
        out[kpi.name] = round(counts[kpi.numerator] / kpi.per / denominator, 4) if denominator else None
    out["counts"] = dict(counts)
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [value]
    return list(value)


def _any(parts: Iterable[Q]) -> Q | None:
    parts = list(parts)
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _prefix_q(field: str, prefix: str) -> Q:
    if len(prefix) > GRID_CODE_LENGTH:
        raise ValueError(f"KPIs go down to grids ({GRID_CODE_LENGTH} digits), not {prefix!r}")
    if not (prefix.isdigit() and prefix.strip("9")):
        return Q(**{f"{field}__startswith": prefix})
    # codes are digit strings, so "starts with 211004003" is the range [211004003, 211004004): a btree
    # range scan under any collation (LIKE 'x%' cannot use the index under a non-C one)
    head = prefix.rstrip("9")
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": head[:-1] + str(int(head[-1]) + 1)})


def _filter_q(*, region_field: str, department_field: str, region_code, department_id, reach: Grant | None,
              case_type) -> Q:
    q = Q()
    regions = _any(_prefix_q(region_field, code) for code in _as_list(region_code))
    if regions is not None:
        q &= regions
    departments = _as_list(department_id)
    if departments:
        q &= Q(**{f"{department_field}__in": departments})
    if reach is not None and not reach.unrestricted:  # the chokepoint's filter, with the range prefix test
        q &= grant_q(reach, Scope(region=region_field, department=department_field), prefix=_prefix_q)
    types = _as_list(case_type)
    if types:
        q &= Q(case_type__in=types)
    return q


def case_types(case_type=None, family=None) -> list[str] | None:
    """The case types a filter covers: the named ones, else the named families' ("all": no restriction),
    else the governance family (the 12345/urban 三率)."""
    types = _as_list(case_type)
    if types:
        return types
    families = _as_list(family) or [DEFAULT_FAMILY]
    if "all" in families:
        return None
    out: list[str] = []
    for name in families:
        if name not in FAMILIES:
            raise errors.ValidationFailed(f"未知的业务类别:{name}", code="unknown_family")
        out += FAMILIES[name]
    return out


def family_of(case_type: str) -> str:
    return next((name for name, types in FAMILIES.items() if case_type in types), "")


def month_range(day: date) -> tuple[date, date]:
    """The first and last day of `day`'s month: a period the month rollups answer whole."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _minimal(codes: Iterable[str]) -> list[str]:
    """The codes that no other code in the set contains (a street inside its district is dropped)."""
    codes = sorted(set(codes), key=len)
    out: list[str] = []
    for code in codes:
        if not any(code.startswith(kept) for kept in out):
            out.append(code)
    return out


def _within(codes: list[str] | None, bounds: list[str] | None) -> list[str] | None:
    """The region codes covering (codes ∩ bounds), None meaning "everything"."""
    if codes is None:
        return bounds
    if bounds is None:
        return _minimal(codes)
    out = [c for c in codes if any(c.startswith(b) for b in bounds)]
    out += [b for b in bounds if any(b.startswith(c) for c in codes)]
    return _minimal(out)


def _split_period(since: date | None, until: date | None):
    """(whole months as (first month, last month) or None, [(first day, last day)] not covered by them).
    None bounds are open."""
    first = since if since is None or since.day == 1 else month_range(since)[1] + timedelta(days=1)
    last = until if until is None or until == month_range(until)[1] else until.replace(day=1) - timedelta(days=1)
    if first is not None and last is not None and first > last:
        return None, [(since, until)]
    days = []
    if since is not None and since < first:
        days.append((since, first - timedelta(days=1)))
    if until is not None and until > last:
        days.append((last + timedelta(days=1), until))
    return (first, last.replace(day=1) if last is not None else None), days


_GROUPS = {"department": "department_key", "case_type": "case_type", "category": "category_key"}


def _rollup_sums(*, codes: list[str] | None, departments: list[int], types, categories: list[str],
                 since, until, by: str | None = None, child_depth: int | None = None) -> dict[Any, dict[str, int]]:
    """Sum the rollup rows of (regions `codes` — None: everything) × departments × types × categories over
    [since, until], grouped by `by` (None: one group keyed None). Whole months read the month rows at the
    regions' own level; the days around them read the daily rows."""
    months, day_ranges = _split_period(since, until)
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    sums = {name: Sum(name) for name in COUNTERS}

    def common(q: Q) -> Q:
        if departments:
            q &= Q(department_key__in=departments)
        if types is not None:
            q &= Q(case_type__in=types)
        if categories:
            q &= Q(category_key__in=categories)
        return q

    def add(rows, key_of):
        for row in rows:
            target = out[key_of(row)]
            for name in COUNTERS:
                target[name] += int(row[name] or 0)

    def grouped(queryset, group):
        """One row per group, or one row in all (values() with no field would group by every column)."""
        if not group:
            return [queryset.aggregate(**sums)]
        return queryset.values(*group).annotate(**sums).order_by()

    if months is not None:
        # a city or province (shorter than a district code) has no month rows of its own: its districts' rows
        # are read and, for a region breakdown, keyed by their first `child_depth` digits
        row_depth = max(child_depth, LEVELS[0]) if child_depth is not None else None
        if row_depth is not None:
            q = Q(depth=row_depth) & (_any(_prefix_q("region_code", c) for c in codes) if codes else Q())
        elif codes is None:
            q = Q(depth=LEVELS[0])
        else:
            own = [c for c in codes if len(c) >= LEVELS[0]]
            q = _any([*([Q(region_code__in=own)] if own else []),
                      *(Q(depth=LEVELS[0]) & _prefix_q("region_code", c) for c in codes if len(c) < LEVELS[0])])
            q = q if q is not None else Q(pk__in=[])
        if months[0] is not None:
            q &= Q(month__gte=months[0])
        if months[1] is not None:
            q &= Q(month__lte=months[1])
        group = {"region": ["region_code"], "month": ["month"], None: []}.get(by, [_GROUPS.get(by)])
        add(grouped(MonthlyCaseStat.objects.filter(common(q)), group),
            lambda row: (row["region_code"][:child_depth] if by == "region"
                         else row[group[0]] if group else None))
    for first, last in day_ranges:
        q = _any(_prefix_q("region_code", c) for c in codes) if codes is not None else Q()
        q = q if q is not None else Q(pk__in=[])
        if first is not None:
            q &= Q(day__gte=first)
        if last is not None:
            q &= Q(day__lte=last)
        if by == "region":
            group, key_of = ["region_code"], (lambda row: row["region_code"][:child_depth])
        elif by == "month":
            group, key_of = ["day"], (lambda row: month_of(row["day"]))
        elif by is None:
            group, key_of = [], (lambda row: None)
        else:
            group, key_of = [_GROUPS[by]], (lambda row: row[_GROUPS[by]])
        add(grouped(DailyCaseStat.objects.filter(common(q)), group), key_of)
    return out


def _combine(total: dict, part: dict, sign: int = 1) -> None:
    for key, values in part.items():
        row = total.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name, value in values.items():
            row[name] += sign * value


def _scoped_sums(*, region_code, department_id, case_type, family, category, reach: Grant | None, since, until,
                 by: str | None = None, child_depth: int | None = None) -> dict[Any, dict[str, int]]:
    """The rollup sums for a filter and a caller's reach (its region prefixes OR its departments):
    (regions ∩ reach regions) + (regions ∩ reach departments) − (regions ∩ reach regions ∩ reach
    departments), each part read from the month rows at the regions' own level."""
    codes = [str(c) for c in _as_list(region_code)] or None
    for code in codes or []:
        if len(code) > GRID_CODE_LENGTH:
            raise ValueError(f"KPIs go down to grids ({GRID_CODE_LENGTH} digits), not {code!r}")
    departments = [int(d) for d in _as_list(department_id)]
    types = case_types(case_type, family)
    categories = [str(c)[:CATEGORY_KEY_LENGTH] for c in _as_list(category)]
    args = {"types": types, "categories": categories, "since": since, "until": until, "by": by,
            "child_depth": child_depth}
    if reach is None or reach.unrestricted:
        return _rollup_sums(codes=codes, departments=departments, **args)
    total: dict[Any, dict[str, int]] = {}
    region_part = _within(codes, list(reach.region_codes)) if reach.region_codes else []
    if region_part:
        _combine(total, _rollup_sums(codes=region_part, departments=departments, **args))
    if reach.department_ids:
        mine = [d for d in reach.department_ids if not departments or d in departments]
        if mine:
            _combine(total, _rollup_sums(codes=codes, departments=mine, **args))
            if region_part:
                _combine(total, _rollup_sums(codes=region_part, departments=mine, **args), -1)
    return total


def _local_midnight(day: date):
    return datetime.combine(day, time.min, tzinfo=KPI_TZ)


def _cases_q(*, region_code, department_id, case_type, family, category, reach, since, until) -> Q:
    """The same filter as the rollup reads, over Case rows."""
    departments = _as_list(department_id)
    q = _filter_q(region_field="region__code", department_field="department_id", region_code=region_code,
                  department_id=None, reach=reach, case_type=case_types(case_type, family))
    if departments:
        q &= Q(department_id__in=[d for d in departments if d]) | (
            Q(department__isnull=True) if 0 in departments else Q(pk__in=[]))
    for code in _as_list(category):
        q &= Q(category__code__startswith=str(code)[:CATEGORY_KEY_LENGTH])
    if since is not None:
        q &= Q(created_at__gte=_local_midnight(since))
    if until is not None:
        q &= Q(created_at__lt=_local_midnight(until + timedelta(days=1)))
    return q


def _dispatched_q() -> Q:
    pre = _any(Q(workflow_id=d.pk, state__in=_pre_dispatch_of(d)) for d in WorkflowDefinition.objects.all())
    return Q(responded_at__isnull=False) | Q(return_count__gt=0) | (~pre if pre is not None else Q())


def moved_q(now: datetime) -> Q:
    """Open cases whose status the clock has moved past what is recorded (what the SLA sweep picks up)."""
    # a recorded 超期 implies was_overdue (sla.refresh and the sweep set both), so "not yet recorded as
    # overdue" also covers "not yet marked was_overdue"; each branch matches one partial index
    return (Q(is_open=True, recorded_sla_status__in=[SlaStatus.NORMAL, SlaStatus.DUE_SOON], due_at__lt=now)
            | Q(is_open=True, recorded_sla_status=SlaStatus.NORMAL, warn_at__lte=now))


_DEFINITIONS: dict[int, WorkflowDefinition] = {}


def _definition(pk: int) -> WorkflowDefinition:
    """A workflow definition by id (frozen rows: cached for the process)."""
    if pk not in _DEFINITIONS:
        _DEFINITIONS[pk] = WorkflowDefinition.objects.get(pk=pk)
    return _DEFINITIONS[pk]


_CORRECTION_FIELDS = ("id", "region__code", "department_id", "case_type", "category_id", "created_at", "due_at",
                      "warn_at", "recorded_sla_status", "was_overdue", "responded_at", "return_count", "state",
                      "workflow_id")


def _corrections(q: Q, now: datetime, by: str | None = None, child_depth: int | None = None) -> dict[Any, dict[str, int]]:
    """What the clock has changed since each case's status was recorded, per group: the few open cases
    that turned due soon or overdue after their last write or sweep (none once the sweep has run). The
    two branches of moved_q() are read apart, each along its own partial index."""
    found: dict[int, dict] = {}
    branches = (Q(is_open=True, recorded_sla_status__in=[SlaStatus.NORMAL, SlaStatus.DUE_SOON], due_at__lt=now),
                Q(is_open=True, recorded_sla_status=SlaStatus.NORMAL, warn_at__lte=now))
    # the candidates first, by the branch alone (its partial index: a handful of rows), then the filter on
    # just those — with the filter in the same query the planner may walk e.g. a month of cases instead
    candidates = set()
    for branch in branches:
        candidates.update(Case.objects.filter(branch).values_list("id", flat=True).order_by())
    if candidates:
        for row in Case.objects.filter(q, pk__in=sorted(candidates)).values(*_CORRECTION_FIELDS).order_by():
            found[row["id"]] = row
    out: dict[Any, dict[str, int]] = {}
    for row in found.values():
        past = row["due_at"] is not None and row["due_at"] < now
        recorded = row["recorded_sla_status"]
        dispatched = (row["responded_at"] is not None or row["return_count"] > 0
                      or row["state"] not in _pre_dispatch_of(_definition(row["workflow_id"])))
        delta = {
            "open_overdue": int(past and recorded != SlaStatus.OVERDUE),
            "open_due_soon": (int(not past and recorded == SlaStatus.NORMAL and row["warn_at"] is not None
                                  and row["warn_at"] <= now) - int(past and recorded == SlaStatus.DUE_SOON)),
            "overdue": int(past and not row["was_overdue"]),
            "response_due": int(past and recorded != SlaStatus.OVERDUE and dispatched and row["responded_at"] is None),
        }
        target = out.setdefault(_group_key(row, by, child_depth), dict.fromkeys(COUNTERS, 0))
        for name, value in delta.items():
            target[name] += value
    return out


def _group_key(row: dict, by: str | None, child_depth: int | None):
    if by == "region":
        return row["region__code"][:child_depth]
    if by == "department":
        return row["department_id"] or 0
    if by == "case_type":
        return row["case_type"]
    if by == "category":
        return category_key(row["category_id"])
    if by == "month":
        return month_of(day_of(row["created_at"]))
    return None


def _live_sums(*, by=None, child_depth=None, now=None, **filters) -> dict[Any, dict[str, int]]:
    """Rollup sums plus the clock's corrections: every counter as it stands at `now`."""
    now = now or clock.now()
    total = _scoped_sums(by=by, child_depth=child_depth, **filters)
    _combine(total, _corrections(_cases_q(**filters), now, by=by, child_depth=child_depth))
    return total


def kpis(*, region_code: str | Iterable[str] | None = None, department_id: int | Iterable[int] | None = None,
         since: date | None = None, until: date | None = None, case_type: str | Iterable[str] | None = None,
         family: str | Iterable[str] | None = None, category: str | Iterable[str] | None = None,
         reach: Grant | None = None, now: datetime | None = None) -> dict[str, Any]:
    """KPIs of the cases created in [since, until] (local dates, both inclusive), from the rollups.

    region_code: one or more region-code prefixes (summed); department_id: main department id(s), 0 for
    cases without one; case_type / family: see case_types() (default: the governance family); category:
    top-level category code(s); reach: a caller's grant (its region prefixes OR its departments) that
    further restricts the rows. Every filter is optional. Clock-dependent counts are as at `now`."""
    sums = _live_sums(region_code=region_code, department_id=department_id, case_type=case_type, family=family,
                      category=category, reach=reach, since=since, until=until, now=now)
    return figures(sums.get(None) or dict.fromkeys(COUNTERS, 0))


def _breakdown_sums(by: str, *, region_code=None, reach: Grant | None = None, now=None, **filters):
    if by not in ("region", "grid", "department", "case_type", "category", "month"):
        raise ValueError(f"unknown breakdown {by!r}")
    if by == "grid":  # every grid under the region codes (a micro-grid's cases count for its grid)
        sums = _live_sums(by="region", child_depth=GRID_CODE_LENGTH, region_code=region_code, reach=reach, now=now,
                          **filters)
        # a case placed above grid level (a street's own) belongs to no grid
        return {key: counts for key, counts in sums.items() if key and len(key) == GRID_CODE_LENGTH}
    child_depth = None
    if by == "region":
        codes = _as_list(region_code)
        if len(codes) != 1:
            raise ValueError("a region breakdown needs one region code")
        depth = len(str(codes[0]))
        child_depth = next((n for n in BREAKDOWN_LEVELS if n > depth), None)
        if child_depth is None:
            raise ValueError("a grid has no smaller regions in the KPIs")
    return _live_sums(by=by, child_depth=child_depth, region_code=region_code, reach=reach, now=now, **filters)


def breakdown(by: str, *, region_code=None, department_id=None, since: date | None = None, until: date | None = None,
              case_type=None, family=None, category=None, reach: Grant | None = None,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """The KPIs per region one level down (by="region": region_code must be one code), per grid ("grid":
    every grid under region_code, key = the 15-digit grid code), per main department ("department", key =
    department id, 0 = none), "case_type", top-level "category" ("" = none) or creation "month" (key = its
    first day) — the groups that have cases, in key order."""
    sums = _breakdown_sums(by, region_code=region_code, department_id=department_id, since=since, until=until,
                           case_type=case_type, family=family, category=category, reach=reach, now=now)
    return [{"key": key, **figures(counts)} for key, counts in sorted(sums.items(), key=lambda kv: str(kv[0]))
            if counts["created"]]


def _open_of(counts: dict[str, int]) -> dict[str, int]:
    return {"open": counts["open"], "due_soon": counts["open_due_soon"], "overdue": counts["open_overdue"]}


def open_counts(*, region_code=None, department_id=None, case_type=None, family=None, category=None,
                reach: Grant | None = None, now: datetime | None = None) -> dict[str, int]:
    """Open cases now, and how many are 即将超期 / 超期 at `now` (the clock): the live SLA rule
    (Case.sla_status_at), whether or not the SLA sweep has run."""
    sums = _live_sums(region_code=region_code, department_id=department_id, case_type=case_type, family=family,
                      category=category, reach=reach, since=None, until=None, now=now)
    return _open_of(sums.get(None) or dict.fromkeys(COUNTERS, 0))


def open_breakdown(by: str, *, region_code=None, department_id=None, case_type=None, family=None, category=None,
                   reach: Grant | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """open_counts() per group (see breakdown()), the groups with open cases, in key order."""
    sums = _breakdown_sums(by, region_code=region_code, department_id=department_id, since=None, until=None,
                           case_type=case_type, family=family, category=category, reach=reach, now=now)
    return [{"key": key, **_open_of(counts)} for key, counts in sorted(sums.items(), key=lambda kv: str(kv[0]))
            if counts["open"]]


def oversight_counts(*, region_code=None, department_id=None, case_type=None, family=None, category=None,
                     reach: Grant | None = None) -> dict[str, int]:
    """Open cases under 督办 (`supervised`) and awaiting dispatch (`unassigned`: no main department yet —
    the 待派遣 list), with the same filters as open_counts(). The rollups hold no such flags: these are
    counted on the open Case rows, which the `is_open` filter keeps to the cases in hand, not the history."""
    q = _cases_q(region_code=region_code, department_id=department_id, case_type=case_type, family=family,
                 category=category, reach=reach, since=None, until=None)
    counts = Case.objects.filter(q, is_open=True).aggregate(
        supervised=Count("pk", filter=Q(is_supervised=True)), unassigned=Count("pk", filter=Q(department__isnull=True)))
    return {name: int(value or 0) for name, value in counts.items()}


def kpis_from_cases(*, region_code=None, department_id=None, since: date | None = None, until: date | None = None,
                    case_type=None, family=None, category=None, reach: Grant | None = None,
                    now: datetime | None = None) -> dict[str, Any]:
    """The same figures as `kpis()`, straight from the Case rows with SQL aggregates and the live SLA rule:
    the definitions written out once more, independently of `contribution()` and the recorded status.
    Slow on big tables; for tests and audits."""
    now = now or clock.now()
    cases = Case.objects.filter(_cases_q(region_code=region_code, department_id=department_id, case_type=case_type,
                                         family=family, category=category, reach=reach, since=since, until=until))
    responded = Q(responded_at__isnull=False)
    dispatched = _dispatched_q()
    closed = Q(closed_at__isnull=False)
    overdue_now, due_soon_now = Case.overdue_q(now), Case.due_soon_q(now)
    dispute = Q(case_type=DISPUTE)
    conditions = {
        "created": Q(),
        "dispatched": dispatched,
        "response_due": responded | (dispatched & Q(responded_at__isnull=True) & overdue_now),
        "responded_in_time": responded & Q(responded_in_time=True),
        "closed": closed,
        "closed_in_time": closed & Q(closed_in_time=True),
        "overdue": Q(was_overdue=True) | overdue_now,
        "reworked": Q(rework_count__gt=0),
        "extended": Q(extension_count__gt=0),
        "followed_up": closed & Q(Exists(FollowUp.objects.filter(case_id=OuterRef("pk")))),
        "rated": Q(satisfaction__isnull=False),
        "satisfied": Q(satisfaction__gte=SATISFIED_MIN),
        "resolution_known": Q(resolved__isnull=False),
        "resolved": Q(resolved=True),
        "dispute_concluded": dispute & Q(state__in=DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES),
        "dispute_resolved": dispute & Q(state__in=DISPUTE_RESOLVED_STATES),
        "dispute_mediated": dispute & Q(state__in=DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES)
                            & Q(Exists(MediationSession.objects.filter(case_id=OuterRef("pk")))),
        "dispute_written": dispute & Q(state__in=DISPUTE_RESOLVED_STATES) & Q(Exists(
            MediationAgreement.objects.filter(case_id=OuterRef("pk"), form=AgreementForm.WRITTEN))),
        "open": Q(is_open=True),
        "open_due_soon": due_soon_now,
        "open_overdue": overdue_now,
    }
    counts = cases.aggregate(**{name: Count("pk", filter=cond) if cond else Count("pk")
                                for name, cond in conditions.items()})
    counts["handling_seconds"] = sum(int((end - start).total_seconds())
                                     for start, end in cases.filter(closed).values_list("created_at", "closed_at"))
    return figures({name: int(counts[name] or 0) for name in COUNTERS})


# --- the caller's view -------------------------------------------------------------------------

def kpis_for(user, *, region: str = "", department: str = "", since: date | None = None,
             until: date | None = None, case_type: str = "", family: str = "") -> dict[str, Any]:
    """KPIs as `user` may see them (the API's query).

    No permission -> 403. Without `region`, the caller's whole reach: its region prefixes (summed) and,
    for a department handler, the cases its department(s) handle as main department; unrestricted ->
    everything. `region` must be inside a region grant (else 404); a caller holding only department
    grants may name any region to see its own departments' figures there. `department` (code or id)
    narrows to that main department; a department-only caller may name only its own (else 404)."""
    from civicgrid.accounts.models import Department
    from civicgrid.geo.models import Region

    require(user, "cases.view_kpis")
    grant = grant_for(user, "cases.view_kpis")
    if since and until and since > until:
        raise errors.ValidationFailed("起始日期晚于截止日期", code="date_range_invalid")
    if case_type and case_type not in registry.SPECS:
        raise errors.ValidationFailed(f"未知的案件类型:{case_type}", code="unknown_case_type")
    region = region.strip()
    if region:
        if not Region.objects.filter(code=region).exists():
            raise errors.NotFound()
        if not (grant.covers_code(region) or grant.department_ids):
            raise errors.NotFound()
        if len(region) > GRID_CODE_LENGTH:
            raise errors.ValidationFailed("考核指标最细到网格", code="region_too_fine")
    dept = None
    if department.strip():
        value = department.strip()
        dept = Department.objects.filter(code=value).first() or (
            Department.objects.filter(pk=int(value)).first() if value.isdigit() else None)
        if dept is None:
            raise errors.NotFound()
        if not grant.unrestricted and not grant.region_codes and dept.pk not in grant.department_ids:
            raise errors.NotFound()
    if family and family != "all" and family not in FAMILIES:
        raise errors.ValidationFailed(f"未知的业务类别:{family}", code="unknown_family")
    result = kpis(region_code=region or None, department_id=dept.pk if dept else None, since=since, until=until,
                  case_type=case_type or None, family=family or None, reach=grant)
    result["filters"] = {"region": region or None, "department": dept.code if dept else None, "since": since,
                         "until": until, "case_type": case_type or None,
                         "family": None if case_type else (family or DEFAULT_FAMILY)}
    return result


def stored_rollups(table=None) -> dict[tuple, dict[str, int]]:
    """A rollup table (DailyCaseStat by default) as {key: counters}, leaving out rows that are all zero (a
    case that moved to another department or day leaves such a row behind)."""
    table = table or DailyCaseStat
    keys = KEY_FIELDS if table is DailyCaseStat else MONTH_KEY_FIELDS
    out = {}
    for row in table.objects.values(*keys, *COUNTERS).order_by():
        values = {name: row[name] for name in COUNTERS}
        if any(values.values()):
            out[tuple(row[f] for f in keys)] = values
    return out


def rollup_differences() -> list[tuple[tuple, dict[str, int] | None, dict[str, int] | None]]:
    """(key, stored, expected) for every rollup row, daily or monthly, that disagrees with a recomputation
    from the cases."""
    daily = compute_rollups()
    out = []
    for table, expected in ((DailyCaseStat, daily), (MonthlyCaseStat, months_of(daily))):
        stored = stored_rollups(table)
        out += [(key, stored.get(key), expected.get(key)) for key in sorted(stored.keys() | expected.keys())
                if stored.get(key) != expected.get(key)]
    return out
