"""The raw statements of patrols: the phone's hot path (start, upload, end, send whole), built once per
process with core.sql: every upload runs a handful of them, and the ORM's per-query compilation cost more
than the work itself (docs/gridops/patrols.md, "Upload speed"). tests/test_sql.py compares each with the
ORM's answer on both databases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import partial

from django.db import connection

from civicgrid.core import sql
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY as REGION_FIELDS
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import PatrolStatus
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol, PatrolBatch, PatrolPoint


def insert_patrol(patrol: Patrol) -> Patrol:
    return sql.insert(patrol)


def update_patrol(patrol: Patrol, names) -> None:
    sql.update(patrol, names)


def insert_batch(batch: PatrolBatch) -> PatrolBatch:
    return sql.insert(batch)


def patrol_with_region(patrol_id: int) -> Patrol | None:
    """The patrol with its region loaded (the caller checks the reach)."""
    row = sql.fetchone(sql.statement("patrols.with_region", lambda: (
        f"SELECT {sql.columns(Patrol, alias='p')}, {sql.columns(Region, REGION_FIELDS, 'r')} "
        f"FROM {sql.table(Patrol)} p JOIN {sql.table(Region)} r ON r.id = p.region_id WHERE p.id = %s")),
        [patrol_id])
    if row is None:
        return None
    patrol = sql.load(Patrol, row)
    patrol.region = sql.load(Region, row[sql.width(Patrol):], REGION_FIELDS)
    return patrol


def locked_patrol(patrol: Patrol) -> Patrol:
    """The patrol's row read again under the row lock (inside the transaction); its region and worker are
    carried over from `patrol` (they never change)."""
    row = sql.fetchone(sql.statement("patrols.locked", lambda: (
        f"SELECT {sql.columns(Patrol)} FROM {sql.table(Patrol)} WHERE id = %s{sql.for_update()}")), [patrol.pk])
    locked = sql.load(Patrol, row)
    locked.region, locked.worker = patrol.region, patrol.worker
    return locked


def active_patrol(worker_id: int) -> Patrol | None:
    """The worker's active patrol, locked."""
    row = sql.fetchone(sql.statement("patrols.active", lambda: (
        f"SELECT {sql.columns(Patrol)} FROM {sql.table(Patrol)} WHERE worker_id = %s AND status = %s"
        f"{sql.for_update()}")), [worker_id, PatrolStatus.ACTIVE.value])
    return None if row is None else sql.load(Patrol, row)


def ended_after(worker_id: int, moment: datetime) -> bool:
    """Has the worker a patrol that ended after `moment`?"""
    return sql.fetchone(sql.statement("patrols.ended_after", lambda: (
        f"SELECT 1 FROM {sql.table(Patrol)} WHERE worker_id = %s AND ended_at > %s LIMIT 1")),
        [worker_id, sql.param(Patrol, "ended_at", moment)]) is not None


def overlaps(worker_id: int, start: datetime, end: datetime) -> bool:
    """Does a patrol of the worker (ended, or still active) overlap [start, end]?"""
    return sql.fetchone(sql.statement("patrols.overlaps", lambda: (
        f"SELECT 1 FROM {sql.table(Patrol)} WHERE worker_id = %s AND started_at < %s "
        "AND (ended_at > %s OR status = %s) LIMIT 1")),
        [worker_id, sql.param(Patrol, "started_at", end), sql.param(Patrol, "ended_at", start),
         PatrolStatus.ACTIVE.value]) is not None


# ---- points --------------------------------------------------------------------------------------------

def _sqlite_time(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware time (naive UTC as text), without its per-value
    checks; the unique (patrol, recorded_at) constraint needs exactly the same text (tests/test_uploads.py)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


def time_adapter():
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return _sqlite_time
    return connection.ops.adapt_datetimefield_value


def _insert_ignoring(model, columns: Sequence[str], rows: int) -> str:
    """INSERT of `rows` rows in one statement, skipping those that would break a unique constraint."""
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * rows)
    head = f"INSERT {'OR IGNORE ' if connection.vendor == 'sqlite' else ''}INTO {sql.table(model)} "
    tail = "" if connection.vendor == "sqlite" else " ON CONFLICT DO NOTHING"
    return f"{head}({', '.join(map(sql.quote, columns))}) VALUES {values}{tail}"


CHUNK = 500  # rows per statement: well inside SQLite's and PostgreSQL's limits on parameters


def _insert_many(model, columns: Sequence[str], values: list[tuple]) -> None:
    """Multi-row INSERTs: one statement per chunk is cheaper than executemany's statement per row."""
    for i in range(0, len(values), CHUNK):
        chunk = values[i:i + CHUNK]
        statement = sql.statement(("patrols.insert", model, len(chunk)),
                                partial(_insert_ignoring, model, columns, len(chunk)))
        sql.execute(statement, [v for row in chunk for v in row])


def insert_points(patrol_id: int, points: Iterable) -> None:
    """The points (anything with recorded_at, lat, lng, accuracy); a point the patrol already has at that
    instant is skipped by the unique constraint."""
    adapt = time_adapter()
    _insert_many(PatrolPoint, ("patrol_id", "recorded_at", "lat", "lng", "accuracy"),
                 [(patrol_id, adapt(p.recorded_at), p.lat, p.lng, p.accuracy) for p in points])


def load_new_points(rows: Iterable[tuple]) -> None:
    """A bulk load of points of new patrols (patrol_id, recorded_at as `time_adapter()` gives it, lat, lng,
    accuracy), which cannot clash with stored ones: on PostgreSQL one COPY (the demo's 1.6 million points
    took 40 s more as multi-row INSERTs than on SQLite), elsewhere the INSERTs of `insert_points`. The demo
    build adapts the times in the process that works the points out."""
    columns = ("patrol_id", "recorded_at", "lat", "lng", "accuracy")
    if connection.vendor != "postgresql":
        _insert_many(PatrolPoint, columns, list(rows))
        return
    with connection.cursor() as cursor, cursor.copy(
            f"COPY {sql.table(PatrolPoint)} ({', '.join(map(sql.quote, columns))}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fixes(patrol_id: int, since: datetime | None = None) -> list[tracks.Fix]:
    """The patrol's stored points in time order (from `since` on, when given)."""
    sqlite = connection.vendor == "sqlite"
    # on SQLite the time is read as text: the column's declared type would run Django's slow regex parser
    at = "CAST(recorded_at AS TEXT)" if sqlite else "recorded_at"
    base = f"SELECT {at}, lat, lng, accuracy FROM {sql.table(PatrolPoint)} WHERE patrol_id = %s"
    if since is None:
        statement = sql.statement("patrols.fixes", lambda: f"{base} ORDER BY recorded_at")
        params = [patrol_id]
    else:
        statement = sql.statement("patrols.fixes_since", lambda: f"{base} AND recorded_at >= %s ORDER BY recorded_at")
        params = [patrol_id, time_adapter()(since)]
    rows = sql.fetchall(statement, params)
    Fix = tracks.Fix
    if sqlite:
        parse = datetime.fromisoformat
        return [Fix(parse(t).replace(tzinfo=UTC), lat, lng, acc) for t, lat, lng, acc in rows]
    return [Fix(t if t.tzinfo else t.replace(tzinfo=UTC), lat, lng, acc) for t, lat, lng, acc in rows]


# ---- checkpoints ---------------------------------------------------------------------------------------

def checkpoint_places(grid_code: str) -> list[tuple[int, float, float, float]]:
    """(id, lat, lng, radius) of the active checkpoints of the grid and its micro-grids."""
    if connection.vendor == "sqlite":  # a range walks the code index; SQLite's LIKE … ESCAPE cannot
        where, params = "r.code >= %s AND r.code < %s", [grid_code, grid_code + "\U0010ffff"]
    else:
        prefix = grid_code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where, params = "r.code LIKE %s", [prefix + "%"]
    statement = sql.statement("patrols.places", lambda: (
        f"SELECT c.id, c.lat, c.lng, c.radius_m FROM {sql.table(Checkpoint)} c "
        f"JOIN {sql.table(Region)} r ON r.id = c.region_id WHERE {where} AND c.is_active ORDER BY r.code, c.name"))
    return [tuple(row) for row in sql.fetchall(statement, params)]


def visited(patrol_id: int) -> set[int]:
    statement = sql.statement("patrols.visited", lambda: (
        f"SELECT checkpoint_id FROM {sql.table(CheckpointVisit)} WHERE patrol_id = %s"))
    return {row[0] for row in sql.fetchall(statement, [patrol_id])}


def insert_visits(visits: list[CheckpointVisit]) -> None:
    """The visits, a checkpoint the patrol has visited meanwhile skipped (first visit counts)."""
    adapt = time_adapter()
    _insert_many(CheckpointVisit, ("patrol_id", "checkpoint_id", "visited_at", "method", "lat", "lng", "distance_m"),
                 [(v.patrol_id, v.checkpoint_id, adapt(v.visited_at), v.method, v.lat, v.lng, v.distance_m)
                  for v in visits])
