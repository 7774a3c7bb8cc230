"""Case KPIs (the 三率 and the rest), defined once. docs/kpis.md is the prose version of this module.

Every KPI is a ratio of two counters over a cohort of cases: the cases *created* in [since, until]
(local dates, Asia/Shanghai), optionally narrowed by region, main department and case type. A case
adds a fixed set of counter values (`contribution`) to one `DailyCaseStat` row keyed by its creation
day, grid code, main department and case type. The case actions move a case's contribution in the same
transaction as the change (`snapshot` before, `apply_delta` after), so `kpis()` sums a few thousand
rollup rows instead of reading millions of cases. `kpis_from_cases()` computes the same figures
straight from the cases with SQL aggregates: it is the executable definition the tests compare with.

API for dashboards (every dashboard figure comes from these; keyword-only, every filter optional):

    filters: region_code   a region-code prefix or a list of them (district/street/community/grid)
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

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from civicgrid.cases.choices import SlaStatus
from civicgrid.cases.models import Case, DailyCaseStat, FollowUp, WorkflowDefinition
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.spec import Spec
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors, fastsql
from civicgrid.core.scoping import Grant, grant_for, require

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
    "handling_seconds", "dispute_concluded", "dispute_resolved",
)
KEY_FIELDS = ("day", "region_code", "department_key", "case_type")
# the Case fields contribution() reads (with region.code)
CASE_FIELDS = (
    "id", "case_type", "workflow", "state", "is_open", "region", "department", "created_at", "sla_status",
    "was_overdue", "rework_count", "extension_count", "return_count", "responded_at", "responded_in_time",
    "closed_at", "closed_in_time", "satisfaction", "resolved",
)

Key = tuple[date, str, int, str]
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


def contribution(case: Case, *, has_follow_up: bool) -> Contribution:
    """The rollup key and counter values one case adds. Pure given the case's fields (with
    `case.region` and `case.workflow` loaded) and whether it has at least one FollowUp row."""
    responded = case.responded_at is not None
    closed = case.closed_at is not None
    dispatched = (responded or case.return_count > 0
                  or case.state not in _pre_dispatch_of(case.workflow))
    waiting_late = (dispatched and not responded and case.is_open and case.sla_status == SlaStatus.OVERDUE)
    dispute = case.case_type == DISPUTE
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
        "followed_up": closed and has_follow_up,
        "rated": case.satisfaction is not None,
        "satisfied": case.satisfaction is not None and case.satisfaction >= SATISFIED_MIN,
        "resolution_known": case.resolved is not None,
        "resolved": case.resolved is True,
        "handling_seconds": int((case.closed_at - case.created_at).total_seconds()) if closed else 0,
        "dispute_concluded": dispute and case.state in DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES,
        "dispute_resolved": dispute and case.state in DISPUTE_RESOLVED_STATES,
    }
    key = (day_of(case.created_at), case.region.code[:GRID_CODE_LENGTH], case.department_id or 0, case.case_type)
    return key, {name: int(value) for name, value in values.items()}


def snapshot(case: Case) -> Contribution:
    """`contribution(case)`, looking up the FollowUp flag (only a closed case needs it)."""
    has_follow_up = case.closed_at is not None and FollowUp.objects.filter(case_id=case.pk).exists()
    return contribution(case, has_follow_up=has_follow_up)


# --- incremental maintenance -------------------------------------------------------------------

def apply_delta(before: Contribution | None, after: Contribution | None) -> None:
    """Add `after - before` to the rollup rows (both may be None: a new or a vanished case). Call it in
    the transaction that changed the case, with the case row locked. Rows are touched in key order, so
    two transactions never wait on each other's rows crosswise."""
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, part in ((-1, before), (1, after)):
        if part is not None:
            key, values = part
            for name, value in values.items():
                deltas[key][name] += sign * value
    with transaction.atomic(savepoint=False):
        for key in sorted(deltas):
            changes = {name: value for name, value in deltas[key].items() if value}
            if changes:
                _add(key, changes)


def _add(key: Key, changes: dict[str, int]) -> None:
    """One upsert statement (SQLite and PostgreSQL share the syntax): insert the day's row with the
    changes, or add them to the row that is there — no read, no savepoint, no lost race."""
    counters = tuple(sorted(changes))
    sql = fastsql.statement(("kpi_upsert", counters), lambda: _upsert_sql(counters))
    fastsql.execute(sql, [*key, *(changes.get(n, 0) for n in COUNTERS)])


def _upsert_sql(counters) -> str:
    table = DailyCaseStat._meta.db_table
    columns = [*KEY_FIELDS, *COUNTERS]  # the columns have no database default: a new row names them all
    quote = connection.ops.quote_name
    return (f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(map(quote, KEY_FIELDS))}) DO UPDATE SET "
            + ", ".join(f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in counters))


def _load(case_id: int) -> Case:
    return Case.objects.select_for_update().select_related("workflow", "region").get(pk=case_id)


@contextmanager
def tracking(case_id: int) -> Iterator[None]:
    """For a change made with a queryset `.update()`: lock the case, snapshot it, run the block, reload
    it and apply the difference — all in one transaction."""
    with transaction.atomic():
        before = snapshot(_load(case_id))
        yield
        apply_delta(before, snapshot(_load(case_id)))


def recompute_rollups() -> int:
    """Rebuild the whole DailyCaseStat table from the cases in one pass; returns the number of rows.
    Holds the rollup table's write lock (PostgreSQL) so concurrent case actions wait, then apply their
    delta on top of the rebuilt rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {DailyCaseStat._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        rows = compute_rollups()
        DailyCaseStat.objects.all().delete()
        DailyCaseStat.objects.bulk_create(
            [DailyCaseStat(**dict(zip(KEY_FIELDS, key, strict=True)), **values) for key, values in sorted(rows.items())],
            batch_size=2000,
        )
    return len(rows)


def compute_rollups() -> dict[Key, dict[str, int]]:
    """What the rollup table should hold, computed from the cases (rows that would be all zero are left
    out). Read-only; `recompute_rollups` writes it."""
    definitions = {d.pk: d for d in WorkflowDefinition.objects.all()}
    followed = set(FollowUp.objects.values_list("case_id", flat=True).distinct())
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    cases = Case.objects.select_related("region").only(*CASE_FIELDS, "region__code").order_by()
    for case in cases.iterator(chunk_size=2000):
        case.workflow = definitions[case.workflow_id]
        key, values = contribution(case, has_follow_up=case.pk in followed)
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
    if reach is not None and not reach.unrestricted:
        reachable = _any([*(_prefix_q(region_field, c) for c in reach.region_codes),
                          *([Q(**{f"{department_field}__in": reach.department_ids})] if reach.department_ids else [])])
        q &= reachable if reachable is not None else Q(pk__in=[])
    types = _as_list(case_type)
    if types:
        q &= Q(case_type__in=types)
    return q


def kpis(*, region_code: str | Iterable[str] | None = None, department_id: int | Iterable[int] | None = None,
         since: date | None = None, until: date | None = None, case_type: str | Iterable[str] | None = None,
         reach: Grant | None = None) -> dict[str, Any]:
    """KPIs of the cases created in [since, until] (local dates, both inclusive), from the rollups.

    region_code: one or more region-code prefixes (summed); department_id: main department id(s), 0 for
    cases without one; reach: a caller's grant (its region prefixes OR its departments) that further
    restricts the rows. Every filter is optional."""
    q = _filter_q(region_field="region_code", department_field="department_key", region_code=region_code,
                  department_id=department_id, reach=reach, case_type=case_type)
    if since is not None:
        q &= Q(day__gte=since)
    if until is not None:
        q &= Q(day__lte=until)
    sums = DailyCaseStat.objects.filter(q).aggregate(**{name: Sum(name) for name in COUNTERS})
    return figures({name: int(sums[name] or 0) for name in COUNTERS})


def _local_midnight(day: date):
    return datetime.combine(day, time.min, tzinfo=KPI_TZ)


def kpis_from_cases(*, region_code=None, department_id=None, since: date | None = None, until: date | None = None,
                    case_type=None, reach: Grant | None = None) -> dict[str, Any]:
    """The same figures as `kpis()`, straight from the Case rows with SQL aggregates: the definitions
    written out once more, independently of `contribution()`. Slow on big tables; for tests and audits."""
    departments = _as_list(department_id)
    dept_q = Q(department_id__in=[d for d in departments if d]) | (Q(department__isnull=True) if 0 in departments else Q(pk__in=[]))
    q = _filter_q(region_field="region__code", department_field="department_id", region_code=region_code,
                  department_id=None, reach=reach, case_type=case_type)
    if departments:
        q &= dept_q
    if since is not None:
        q &= Q(created_at__gte=_local_midnight(since))
    if until is not None:
        q &= Q(created_at__lt=_local_midnight(until + timedelta(days=1)))
    cases = Case.objects.filter(q)

    pre = _any(Q(workflow_id=d.pk, state__in=_pre_dispatch_of(d)) for d in WorkflowDefinition.objects.all())
    responded = Q(responded_at__isnull=False)
    dispatched = responded | Q(return_count__gt=0) | (~pre if pre is not None else Q())
    closed = Q(closed_at__isnull=False)
    dispute = Q(case_type=DISPUTE)
    conditions = {
        "created": Q(),
        "dispatched": dispatched,
        "response_due": responded | (dispatched & Q(responded_at__isnull=True, is_open=True,
                                                    sla_status=SlaStatus.OVERDUE)),
        "responded_in_time": responded & Q(responded_in_time=True),
        "closed": closed,
        "closed_in_time": closed & Q(closed_in_time=True),
        "overdue": Q(was_overdue=True),
        "reworked": Q(rework_count__gt=0),
        "extended": Q(extension_count__gt=0),
        "followed_up": closed & Q(Exists(FollowUp.objects.filter(case_id=OuterRef("pk")))),
        "rated": Q(satisfaction__isnull=False),
        "satisfied": Q(satisfaction__gte=SATISFIED_MIN),
        "resolution_known": Q(resolved__isnull=False),
        "resolved": Q(resolved=True),
        "dispute_concluded": dispute & Q(state__in=DISPUTE_RESOLVED_STATES | DISPUTE_FAILED_STATES),
        "dispute_resolved": dispute & Q(state__in=DISPUTE_RESOLVED_STATES),
    }
    counts = cases.aggregate(**{name: Count("pk", filter=cond) if cond else Count("pk")
                                for name, cond in conditions.items()})
    counts["handling_seconds"] = sum(int((end - start).total_seconds())
                                     for start, end in cases.filter(closed).values_list("created_at", "closed_at"))
    return figures({name: int(counts[name] or 0) for name in COUNTERS})


# --- the caller's view -------------------------------------------------------------------------

def kpis_for(user, *, region: str = "", department: str = "", since: date | None = None,
             until: date | None = None, case_type: str = "") -> dict[str, Any]:
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
    result = kpis(region_code=region or None, department_id=dept.pk if dept else None, since=since, until=until,
                  case_type=case_type or None, reach=grant)
    result["filters"] = {"region": region or None, "department": dept.code if dept else None, "since": since,
                         "until": until, "case_type": case_type or None}
    return result


def stored_rollups() -> dict[Key, dict[str, int]]:
    """The rollup table as {key: counters}, leaving out rows that are all zero (a case that moved to
    another department or day leaves such a row behind)."""
    out = {}
    for row in DailyCaseStat.objects.values(*KEY_FIELDS, *COUNTERS).order_by():
        values = {name: row[name] for name in COUNTERS}
        if any(values.values()):
            out[tuple(row[f] for f in KEY_FIELDS)] = values
    return out


def rollup_differences() -> list[tuple[Key, dict[str, int] | None, dict[str, int] | None]]:
    """(key, stored, expected) for every rollup row that disagrees with a recomputation from the cases."""
    stored, expected = stored_rollups(), compute_rollups()
    return [(key, stored.get(key), expected.get(key)) for key in sorted(stored.keys() | expected.keys())
            if stored.get(key) != expected.get(key)]
