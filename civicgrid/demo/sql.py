"""The demo's raw SQL: the case replay's read of a case before each step, the database's bulk mode for a
build, planner statistics after it, and the generated city's bulk history (demo/city.py) for the scale
benchmark, PostgreSQL only.

History cases are benchmark data: written set-wise by one `INSERT … SELECT FROM generate_series` per chunk,
not through the workflow (no events, no audit rows), so a million cases take minutes instead of hours.
Every choice the Python generator makes per case (type, category, grid, words, open or closed, times,
satisfaction) is made here from `random()` after `setseed`, over arrays of the city's own rows that
city.py passes in; the derived fields follow the same rules as the Python generator and the workflow
(routing by the district's table, the recorded SLA status of an open case, 按期 flags), so the KPI
rollups rebuilt afterwards (cases.sql.rebuild_rollups) agree with a recomputation.

While a large chunk of history goes in, the case table's secondary indexes are dropped and rebuilt
afterwards (one sorted build each beats millions of inserts into trigram GIN indexes), and the foreign
keys' per-row triggers are skipped (`session_replication_role = replica`, superuser only) since every id
comes from the city's own rows.
"""

from __future__ import annotations

from django.db import connection

from civicgrid.cases.models import Case
from civicgrid.core import sql

# a fixed seed for random() per chunk: `setseed` takes a number in [-1, 1]
_SEED_SPAN = 2**31 - 1

_INSERT = """
INSERT INTO {table} (number, case_type, workflow_id, state, is_open, category_id, title, description, channel,
    urgency, answers, region_id, lat, lng, address, reporter_name, reporter_phone, is_anonymous,
    contact_preference, department_id, routing, state_entered_at, due_at, warn_at, recorded_sla_status,
    was_overdue, is_supervised, reminder_count, return_count, rework_count, extension_count, responded_at,
    responded_in_time, closed_at, closed_in_time, satisfaction, resolved, risk_level, complexity, event_count,
    last_event_hash, created_at, updated_at)
SELECT
    to_char(v.created AT TIME ZONE 'UTC', 'YYYYMMDD') || lpad(v.n::text, 9, '0'),
    (%(cat_type)s::text[])[v.c], (%(cat_workflow)s::bigint[])[v.c],
    CASE WHEN v.is_open THEN (%(open_states)s::text[])[(%(cat_open_first)s::int[])[v.c]
                                                     + floor(v.r_state * (%(cat_open_count)s::int[])[v.c])::int]
         ELSE (%(cat_closed)s::text[])[v.c] END,
    v.is_open, (%(cat_id)s::bigint[])[v.c],
    (%(cat_name)s::text[])[v.c] || %(title_sep)s || v.problem,
    v.grid_name || v.place || v.problem || %(detail_sep)s || v.detail || %(end_mark)s,
    (%(channels)s::text[])[1 + floor(v.r_channel * cardinality(%(channels)s::text[]))::int],
    %(urgency)s, '{{}}'::jsonb, v.grid_id, v.lat, v.lng, v.grid_name || v.place, %(reporter_name)s,
    (%(phones)s::text[])[1 + floor(v.r_phone * cardinality(%(phones)s::text[]))::int], false,
    %(contact)s,
    NULLIF((%(routing)s::bigint[])[((%(grid_district)s::int[])[v.g] - 1) * %(tops)s
                                   + (%(cat_top)s::int[])[v.c]], 0),
    %(routing_json)s::jsonb, v.created,
    CASE WHEN v.is_open THEN v.due END, CASE WHEN v.is_open THEN v.warn END, v.recorded,
    v.recorded = %(overdue)s OR (v.closed IS NOT NULL AND v.closed > v.due), false, 0, 0, 0, 0,
    v.created + %(respond_us)s::float8 * interval '1 microsecond', true, v.closed,
    CASE WHEN v.closed IS NOT NULL THEN v.closed <= v.due END,
    CASE WHEN NOT v.is_open THEN (%(satisfaction)s::int[])[1 + floor(v.r_satisfaction
                                                             * cardinality(%(satisfaction)s::int[]))::int] END,
    CASE WHEN NOT v.is_open THEN v.r_resolved < %(resolved_share)s END,
    '', '', 0, '', v.created, COALESCE(v.closed, v.created)
FROM (
    SELECT d.*,
        CASE WHEN NOT d.is_open THEN d.created + (%(closed_min_h)s + floor(d.r_closed * %(closed_span_h)s))
                                                 * interval '1 hour' END AS closed,
        CASE WHEN NOT d.is_open THEN %(normal)s WHEN %(now)s > d.due THEN %(overdue)s
             WHEN %(now)s >= d.warn THEN %(due_soon)s ELSE %(normal)s END AS recorded
    FROM (
        SELECT r.*, r.created + %(due_us)s::float8 * interval '1 microsecond' AS due,
            r.created + %(warn_us)s::float8 * interval '1 microsecond' AS warn,
            (%(now)s - r.created) < %(open_days)s * interval '1 day' AND r.r_open < %(open_share)s AS is_open,
            (%(type_first)s::int[])[r.t] + floor(r.r_cat * (%(type_count)s::int[])[r.t])::int AS c,
            (%(grid_id)s::bigint[])[r.g] AS grid_id, (%(grid_name)s::text[])[r.g] AS grid_name,
            round(((%(grid_lat)s::float8[])[r.g] + (r.r_lat - 0.5) * %(jitter)s)::numeric, 6)::float8 AS lat,
            round(((%(grid_lng)s::float8[])[r.g] + (r.r_lng - 0.5) * %(jitter)s)::numeric, 6)::float8 AS lng,
            (%(problems)s::text[])[1 + floor(r.r_problem * cardinality(%(problems)s::text[]))::int] AS problem,
            (%(places)s::text[])[1 + floor(r.r_place * cardinality(%(places)s::text[]))::int] AS place,
            (%(details)s::text[])[1 + floor(r.r_detail * cardinality(%(details)s::text[]))::int] AS detail
        FROM (
            SELECT %(first)s::bigint + s.i - 1 AS n,
                %(end)s - ((%(offset)s::bigint + s.i) * %(spacing_us)s::bigint)::float8 * interval '1 microsecond' AS created,
                width_bucket(random(), %(type_cuts)s::float8[]) + 1 AS t,
                1 + floor(random() * cardinality(%(grid_id)s::bigint[]))::int AS g,
                random() AS r_cat, random() AS r_state, random() AS r_open, random() AS r_closed,
                random() AS r_channel, random() AS r_phone, random() AS r_lat, random() AS r_lng,
                random() AS r_problem, random() AS r_place, random() AS r_detail, random() AS r_satisfaction,
                random() AS r_resolved
            FROM generate_series(1, %(count)s) AS s(i)
            OFFSET 0
        ) r
        OFFSET 0
    ) d
    OFFSET 0
) v
"""


def insert_history(params: dict, *, seed: int, fast: bool) -> int:
    """One chunk of generated history: `params` names the arrays and constants of _INSERT (city.py builds
    them). `fast` skips the foreign keys' triggers for the statement's transaction (the caller's)."""
    with connection.cursor() as cursor:
        if fast:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(%s)", [(seed % _SEED_SPAN) / _SEED_SPAN])
        cursor.execute(_INSERT.format(table=Case._meta.db_table), params)
        return cursor.rowcount


def is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the case table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
            " AND i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            " WHERE c.conindid = (quote_ident(i.indexname))::regclass) ORDER BY i.indexname",
            [Case._meta.db_table])
        return cursor.fetchall()


def drop_indexes(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")


def create_indexes(definitions: list[str], *, memory: str = "512MB") -> None:
    """Rebuild dropped indexes from their saved statements (one sorted build each)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{memory}'" if memory[:-2].isdigit() else "SELECT 1")
        for definition in definitions:
            cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        cursor.execute("RESET maintenance_work_mem")


def analyze() -> None:
    """Planner statistics for every table after a build (PostgreSQL). Autovacuum would gather them in the
    first minutes of service, while the first requests come in and compete with it for the cores."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def settle() -> None:
    """VACUUM ANALYZE the case table and the rollups after a bulk load (outside a transaction), so the
    visibility map and statistics are a settled table's and autovacuum does not start in a measurement."""
    from civicgrid.cases.models import DailyCaseStat, MonthlyCaseStat

    with connection.cursor() as cursor:
        for model in (Case, DailyCaseStat, MonthlyCaseStat):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute("ANALYZE")


def step_case(case_id: int, names, related) -> Case:
    """What the case replay reads of a case before a step (demo/cases.py), as `select_related(...).only(...)
    .get(pk=…)` would load it, in one statement built once: that query's compilation was the replay's
    largest single cost."""
    case = sql.get(Case, case_id, names, related)
    if case is None:
        raise Case.DoesNotExist(f"Case {case_id} does not exist")
    return case


def bulk_writes():
    """The database's bulk mode for the length of a build (core.sql.bulk_writes)."""
    return sql.bulk_writes()
