"""The raw SQL of cases, one named function per statement; `tests/test_sql.py` checks that each answer
equals the ORM's on SQLite and PostgreSQL.

- The intake's writes (case, event, notifications) and the duplicate search, built once per process
  with core.sql: the ORM's per-query compilation was most of an intake's CPU (docs/performance.md).
- A workflow step's read and write of its case (`lock_case`, `update_case_row`): the locked row with the
  workflow, category, region and department the step reads, in one statement built once; and the cases
  merged into it, whose reporters its notifications tell (`merged_cases`).
- The KPI rollups (docs/kpis.md): the per-change upsert, and the whole-table rebuild as set-based
  statements for an import or a benchmark of millions of cases, where `kpis.compute_rollups()` (one
  Python pass per case) takes too long. The same definitions as `kpis.contribution()`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from civicgrid.cases.choices import AgreementForm, SlaStatus
from civicgrid.cases.models import (
    Case,
    CaseDepartment,
    CaseEvent,
    Category,
    DailyCaseStat,
    FollowUp,
    MediationAgreement,
    MediationSession,
    MonthlyCaseStat,
    Notification,
    WorkflowDefinition,
)
from civicgrid.core import sql
from civicgrid.geo.models import Region

# ---- the intake's writes ----------------------------------------------------------------------------------


def insert_case(case: Case) -> Case:
    """INSERT the new case; its id comes back."""
    return sql.insert(case)


def update_case(case: Case, names) -> None:
    """UPDATE the named fields of the case (and `updated_at`)."""
    sql.update(case, names)


def insert_event(event: CaseEvent) -> CaseEvent:
    """INSERT the next event of a case's hash chain (every step writes one)."""
    return sql.insert(event)


def insert_notifications(notifications: list[Notification]) -> list[Notification]:
    """INSERT a step's inbox entries in one statement; their ids come back."""
    return sql.insert_many(notifications)


# ---- a workflow step's case ----------------------------------------------------------------------------------

# what a step reads besides the case row; the region's boundary and the workflow's frozen spec (looked up by
# id and checksum, workflows.spec_for) stay deferred: loaded on access, never needed by a step
STEP_RELATED = (
    ("workflow", ("id", "key", "version", "label", "checksum", "created_at")),
    ("category", None),
    ("region", ("id", "code", "name", "level", "kind", "parent", "area_m2", "center_lng", "center_lat", "is_active")),
    ("department", None),
)
CASE_FIELDS = tuple(f.name for f in Case._meta.concrete_fields if not f.primary_key)


def lock_case(case_id: int) -> Case:
    """The case row locked for the rest of the transaction (PostgreSQL; SQLite's writer lock does so), with
    its workflow, category, region and department: `Case.objects.select_for_update(of=("self",))
    .select_related(...)` in one statement built once. Case.DoesNotExist when there is no such case."""
    case = sql.get(Case, case_id, related=STEP_RELATED, lock=True)
    if case is None:
        raise Case.DoesNotExist(f"Case {case_id} does not exist")
    return case


def update_case_row(case: Case) -> None:
    """UPDATE every field of the case (and `updated_at`): `case.save()` as one statement built once."""
    update_case(case, CASE_FIELDS)


def case_department_ids(case_id: int) -> list[int]:
    """The departments handling the case (main and co-handling rows of CaseDepartment), in row order: what a
    reach check by a department's grant reads of every case it is asked about (Case.scope_values)."""
    statement = sql.statement("cases.case_departments", lambda: (
        f"SELECT {sql.column(CaseDepartment, 'department')} FROM {sql.table(CaseDepartment)} "
        f"WHERE {sql.column(CaseDepartment, 'case')} = %s ORDER BY {sql.quote('id')}"))
    return [department for (department,) in sql.fetchall(statement, [case_id])]


# what telling the reporters of merged cases reads (notify.notify_reporter): on every step, for almost no case
MERGED_FIELDS = ("id", "number", "reporter", "reporter_phone", "is_anonymous", "contact_preference", "merged_into")


def merged_cases(case_id: int) -> list[Case]:
    """The cases merged into this one (newest first, as `case.merged` lists them), with `MERGED_FIELDS`."""
    statement = sql.statement("cases.merged", lambda: (
        f"SELECT {sql.columns(Case, MERGED_FIELDS)} FROM {sql.table(Case)} "
        f"WHERE {sql.column(Case, 'merged_into')} = %s "
        f"ORDER BY {sql.quote('created_at')} DESC, {sql.quote('id')} DESC"))
    return [sql.load(Case, row, MERGED_FIELDS) for row in sql.fetchall(statement, [case_id])]


# ---- likely duplicates --------------------------------------------------------------------------------------

# with where each candidate stands in the scope (region, department, reporter): whether the person reporting
# may see it is then known without another read (queries.visible_candidates)
DUPLICATE_FIELDS = ("id", "number", "title", "description", "lat", "lng", "state", "created_at", "region",
                    "department", "reporter")


def _duplicates_sql(by_category: bool, by_point: bool, exclude: bool) -> str:
    # "c.is_open" exactly as the partial index's condition: SQLite uses a partial index only when the
    # query repeats its WHERE term, and "is_open = 1" does not (it then read every case of the category)
    where = ["c.is_open", "c.case_type = %s", "c.created_at >= %s",
             "c.category_id = %s" if by_category else "c.category_id IS NULL"]
    join = ""
    if by_point:
        where += ["c.lat BETWEEN %s AND %s", "c.lng BETWEEN %s AND %s"]
    else:
        join = f" JOIN {sql.table(Region)} r ON r.id = c.region_id"
        where.append("r.code = %s")
    if exclude:
        where.append("c.id <> %s")
    return (f"SELECT {sql.columns(Case, DUPLICATE_FIELDS, 'c')} FROM {sql.table(Case)} c{join} "
            f"WHERE {' AND '.join(where)} LIMIT 200")


def duplicate_statement(*, by_category: bool, by_point: bool, exclude: bool) -> str:
    """The candidate search for one shape of question (built once per shape; intake runs it every time)."""
    return sql.statement(("cases.duplicates", by_category, by_point, exclude),
                         lambda: _duplicates_sql(by_category, by_point, exclude))


def open_cases_near(*, case_type: str, since: datetime, category_id: int | None,
                    box: tuple[float, float, float, float] | None, region_code: str = "",
                    exclude_id: int | None = None) -> list[tuple]:
    """Rows (`DUPLICATE_FIELDS` in the model's order) of at most 200 open cases of the type and category
    (None: none) created since `since`, inside `box` (lat_min, lat_max, lng_min, lng_max) or else in the
    region `region_code`."""
    params = [case_type, sql.param(Case, "created_at", since)]
    if category_id:
        params.append(category_id)
    params += list(box) if box is not None else [region_code]
    if exclude_id:
        params.append(exclude_id)
    statement = duplicate_statement(by_category=bool(category_id), by_point=box is not None,
                                    exclude=bool(exclude_id))
    return sql.fetchall(statement, params)


def duplicate_case(row) -> Case:
    """A Case from a row of `open_cases_near` (the other fields deferred)."""
    return sql.load(Case, row, DUPLICATE_FIELDS)


# ---- KPI rollups --------------------------------------------------------------------------------------------


def add_to_rollups(daily: list[tuple[tuple, dict[str, int]]], monthly: list[tuple[tuple, dict[str, int]]]) -> None:
    """One upsert statement for all of a change's rows of each rollup table (SQLite and PostgreSQL share the
    syntax): each row is inserted with its changes, or they are added to the row that is there — no read,
    no savepoint, no lost race. The keys must be distinct; rows are written in the order given. PostgreSQL
    runs both upserts in one statement (the daily one in a WITH: the server writes it after the monthly
    rows, the same order in every transaction)."""
    upserts = [_upsert(table, rows) for table, rows in ((DailyCaseStat, daily), (MonthlyCaseStat, monthly)) if rows]
    if connection.vendor == "postgresql" and len(upserts) == 2:
        (day_sql, day_params), (month_sql, month_params) = upserts
        sql.execute(f"WITH daily AS ({day_sql}) {month_sql}", day_params + month_params)
        return
    for statement, params in upserts:
        sql.execute(statement, params)


def _upsert(table, rows) -> tuple[str, list]:
    from civicgrid.cases import kpis

    counters = tuple(sorted({name for _, changes in rows for name in changes}))
    statement = sql.statement(("cases.kpi_upsert", table.__name__, counters, len(rows)),
                              lambda: _upsert_sql(table, counters, len(rows)))
    params = []
    for key, changes in rows:
        extra = [len(key[1])] if table is MonthlyCaseStat else []  # the month rows' depth
        params += [*key, *extra, *(changes.get(n, 0) for n in kpis.COUNTERS)]
    return statement, params


def lock_rollups() -> None:
    """PostgreSQL: hold both rollup tables against concurrent writers until the transaction ends (a case
    action then waits and applies its delta on top of the rebuilt rows). SQLite's writer lock does so."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (DailyCaseStat, MonthlyCaseStat):
                cursor.execute(f"LOCK TABLE {sql.table(table)} IN SHARE ROW EXCLUSIVE MODE")


def _upsert_sql(table, counters, rows: int) -> str:
    from civicgrid.cases import kpis

    keys = kpis.KEY_FIELDS if table is DailyCaseStat else kpis.MONTH_KEY_FIELDS
    extra = () if table is DailyCaseStat else ("depth",)
    name = table._meta.db_table
    columns = [*keys, *extra, *kpis.COUNTERS]  # the columns have no database default: a new row names them all
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(columns))})"
    return (f"INSERT INTO {name} ({', '.join(map(quote, columns))}) VALUES {', '.join([row] * rows)} "
            f"ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET "
            + ", ".join(f"{quote(n)} = {name}.{quote(n)} + excluded.{quote(n)}" for n in counters))


# the counters as SQL over one case row `c` (region `r`, category `g`); %(…)s are parameters
_COUNTERS = {
    "created": "1 = 1",
    "dispatched": "{dispatched}",
    "response_due": ("c.responded_at IS NOT NULL OR ({dispatched} AND c.responded_at IS NULL AND c.is_open"
                     " AND c.recorded_sla_status = %(overdue)s)"),
    "responded_in_time": "c.responded_at IS NOT NULL AND c.responded_in_time",
    "closed": "c.closed_at IS NOT NULL",
    "closed_in_time": "c.closed_at IS NOT NULL AND c.closed_in_time",
    "overdue": "c.was_overdue",
    "reworked": "c.rework_count > 0",
    "extended": "c.extension_count > 0",
    "followed_up": "c.closed_at IS NOT NULL AND EXISTS (SELECT 1 FROM {followup} f WHERE f.case_id = c.id)",
    "rated": "c.satisfaction IS NOT NULL",
    "satisfied": "c.satisfaction >= %(satisfied_min)s",
    "resolution_known": "c.resolved IS NOT NULL",
    "resolved": "c.resolved",
    "dispute_concluded": "c.case_type = %(dispute)s AND c.state IN ({dispute_concluded})",
    "dispute_resolved": "c.case_type = %(dispute)s AND c.state IN ({dispute_resolved})",
    "dispute_mediated": ("c.case_type = %(dispute)s AND c.state IN ({dispute_concluded})"
                         " AND EXISTS (SELECT 1 FROM {session} s WHERE s.case_id = c.id)"),
    "dispute_written": ("c.case_type = %(dispute)s AND c.state IN ({dispute_resolved})"
                        " AND EXISTS (SELECT 1 FROM {agreement} a WHERE a.case_id = c.id AND a.form = %(written)s)"),
    "open": "c.is_open",
    "open_due_soon": "c.is_open AND c.recorded_sla_status = %(due_soon)s",
    "open_overdue": "c.is_open AND c.recorded_sla_status = %(overdue)s",
}


def _local_day(column: str) -> str:
    """The Asia/Shanghai date of a stored UTC timestamp (no daylight saving there: +8 hours)."""
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _daily_sql() -> tuple[str, dict]:
    from civicgrid.cases import kpis

    params: dict = {"overdue": SlaStatus.OVERDUE, "due_soon": SlaStatus.DUE_SOON, "dispute": kpis.DISPUTE,
                    "satisfied_min": kpis.SATISFIED_MIN, "written": AgreementForm.WRITTEN.value}
    pre = []
    for i, definition in enumerate(WorkflowDefinition.objects.order_by("pk")):
        states = sorted(kpis._pre_dispatch_of(definition))
        names = []
        for j, state in enumerate(states):
            params[f"pre_{i}_{j}"] = state
            names.append(f"%(pre_{i}_{j})s")
        params[f"wf_{i}"] = definition.pk
        pre.append(f"(c.workflow_id = %(wf_{i})s AND c.state IN ({', '.join(names)}))")
    dispatched = ("(c.responded_at IS NOT NULL OR c.return_count > 0"
                  + (f" OR NOT ({' OR '.join(pre)})" if pre else " OR 1 = 1") + ")")

    def states(prefix, values):
        names = []
        for j, value in enumerate(sorted(values)):
            params[f"{prefix}_{j}"] = value
            names.append(f"%({prefix}_{j})s")
        return ", ".join(names)

    concluded = states("dc", kpis.DISPUTE_RESOLVED_STATES | kpis.DISPUTE_FAILED_STATES)
    resolved = states("dr", kpis.DISPUTE_RESOLVED_STATES)
    sums = []
    for name, condition in _COUNTERS.items():
        expr = condition.format(dispatched=dispatched, followup=FollowUp._meta.db_table,
                                session=MediationSession._meta.db_table, agreement=MediationAgreement._meta.db_table,
                                dispute_concluded=concluded, dispute_resolved=resolved)
        sums.append(f"SUM(CASE WHEN {expr} THEN 1 ELSE 0 END) AS {connection.ops.quote_name(name)}")
    # whole seconds, truncated as Python's int(timedelta.total_seconds()) does; SQLite stores the text
    # "YYYY-MM-DD HH:MM:SS[.ffffff]": whole seconds from strftime, microseconds from the text
    seconds = ("FLOOR(EXTRACT(EPOCH FROM c.closed_at - c.created_at))::bigint" if connection.vendor == "postgresql"
               else "((CAST(strftime('%%s', c.closed_at) AS INTEGER) - CAST(strftime('%%s', c.created_at) AS INTEGER))"
                    " * 1000000 + CAST(substr(c.closed_at, 21) AS INTEGER)"
                    " - CAST(substr(c.created_at, 21) AS INTEGER)) / 1000000")
    sums.append(f"SUM(CASE WHEN c.closed_at IS NOT NULL THEN {seconds} ELSE 0 END) AS handling_seconds")
    sql = (f"SELECT {_local_day('c.created_at')} AS day, substr(r.code, 1, %(grid)s) AS region_code,"
           " COALESCE(c.department_id, 0) AS department_key, c.case_type AS case_type,"
           " COALESCE(substr(g.code, 1, %(cat)s), '') AS category_key, " + ", ".join(sums)
           + f" FROM {Case._meta.db_table} c JOIN {Region._meta.db_table} r ON r.id = c.region_id"
           f" LEFT JOIN {Category._meta.db_table} g ON g.id = c.category_id"
           " GROUP BY 1, 2, 3, 4, 5")
    params.update(grid=kpis.GRID_CODE_LENGTH, cat=kpis.CATEGORY_KEY_LENGTH)
    return sql, params


def daily_rollups() -> dict:
    """{daily key: counters} computed from the cases in one statement (rows all zero left out)."""
    from civicgrid.cases import kpis

    sql, params = _daily_sql()
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(columns, row, strict=True))
            day = record["day"]
            if isinstance(day, str):
                from datetime import date

                day = date.fromisoformat(day)
            key = (day, record["region_code"], int(record["department_key"]), record["case_type"],
                   record["category_key"])
            values = {name: int(record[name] or 0) for name in kpis.COUNTERS}
            if any(values.values()):
                out[key] = values
    return out


def rebuild_rollups() -> int:
    """Replace both rollup tables with set-based INSERT … SELECT statements; returns the daily rows.
    Same locking as kpis.recompute_rollups()."""
    from civicgrid.cases import kpis

    quote = connection.ops.quote_name
    daily, monthly = DailyCaseStat._meta.db_table, MonthlyCaseStat._meta.db_table
    counters = ", ".join(quote(n) for n in kpis.COUNTERS)
    keys = ", ".join(quote(n) for n in kpis.KEY_FIELDS)
    sql, params = _daily_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        lock_rollups()
        cursor.execute(f"DELETE FROM {monthly}")
        cursor.execute(f"DELETE FROM {daily}")
        cursor.execute(f"INSERT INTO {daily} ({keys}, {counters}) SELECT {keys}, {counters} FROM ({sql}) AS t",
                       params)
        cursor.execute(f"SELECT COUNT(*) FROM {daily}")
        rows = cursor.fetchone()[0]
        sums = ", ".join(f"SUM({quote(n)})" for n in kpis.COUNTERS)
        for depth in kpis.LEVELS:
            cursor.execute(
                f"INSERT INTO {monthly} (month, region_code, depth, department_key, case_type, category_key,"
                f" {counters}) SELECT {_month('day')}, substr(region_code, 1, %s), %s, department_key, case_type,"
                f" category_key, {sums} FROM {daily} WHERE length(region_code) >= %s GROUP BY 1, 2, 4, 5, 6",
                [depth, depth, depth])
    return rows
