"""Statements for the hottest request paths, built once per process instead of per call.

The ORM compiles every query anew — about a millisecond each on a small VM, which was most of a case
intake's CPU (docs/performance.md). These helpers keep the ORM's meaning: values are prepared with
the fields' own `pre_save`/`get_db_prep_save` (so encrypted fields encrypt and JSON is dumped) and
read back through the same converters the ORM applies, so a row written here reads back identically
through a queryset and the other way round. No model signals are sent: use them only for models that
have no receivers (tests/test_fastsql.py checks the ones in use).
"""

from __future__ import annotations

import contextvars
import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connection, connections, transaction
from django.db import models as m
from django.db.models import AutoField, Model

_PG_IDLE = 0  # libpq's PQTRANS_IDLE (psycopg.pq.TransactionStatus.IDLE): no transaction open

M = TypeVar("M", bound=Model)
_cache: dict[tuple, Any] = {}
# writes waiting to go out with the next statement that returns rows (see `batched`)
_pending: contextvars.ContextVar[list[tuple[str, list]] | None] = contextvars.ContextVar(
    "civicgrid_fastsql_pending", default=None)
# reads waiting to go out in front of the next statement (see `reads_ahead`)
_ahead: contextvars.ContextVar[list[Ahead] | None] = contextvars.ContextVar("civicgrid_fastsql_ahead", default=None)


def _db():
    """The default database's wrapper for this thread. `connection` is a proxy that looks it up again on
    every attribute (a thread-local read each time); the hot paths here look it up once per call."""
    return connections[DEFAULT_DB_ALIAS]


def _key(*parts, db=None) -> tuple:
    return ((db or connection).vendor, *parts)


def _fields(model, names: Sequence[str] | None):
    """The named concrete fields (all by default) in the model's order, which `Model.from_db` expects."""
    meta = model._meta
    if names is None:
        return tuple(meta.concrete_fields)
    wanted = {meta.get_field(name) for name in names}
    return tuple(f for f in meta.concrete_fields if f in wanted)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return quote(model._meta.db_table)


def columns(model, names: Sequence[str] | None = None, alias: str = "") -> str:
    """`alias.col1, alias.col2, …` for the fields (all concrete fields by default) in the model's order,
    which is the order `load` reads them in."""
    key = _key("columns", model, tuple(names) if names else None, alias)
    if key not in _cache:
        prefix = f"{alias}." if alias else ""
        _cache[key] = ", ".join(prefix + quote(f.column) for f in _fields(model, names))
    return _cache[key]


def _converters(model, names, db):
    key = _key("converters", model, tuple(names) if names else None, db=db)
    if key not in _cache:
        found = []
        for field in _fields(model, names):
            col = field.get_col(model._meta.db_table)
            found.append(tuple(db.ops.get_db_converters(col) + field.get_db_converters(db)))
        _cache[key] = (tuple(f.attname for f in _fields(model, names)), found)
    return _cache[key]


def load(model: type[M], row: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """A model instance from a row selected with `columns(model, names)` (deferred fields stay lazy)."""
    db = _db()
    attnames, converters = _converters(model, names, db)
    values = list(row[:len(attnames)])
    for i, chain in enumerate(converters):
        for convert in chain:
            values[i] = convert(values[i], None, db)
    if names is None:
        return model.from_db(db.alias, None, values)
    return model.from_db(db.alias, list(attnames), values)


# Field classes whose database value is the Python value itself when that value is a plain str, int,
# float, bool or None — exactly these classes, not subclasses (an encrypted TextField is not plain).
_PLAIN_FIELDS = (m.CharField, m.TextField, m.IntegerField, m.SmallIntegerField, m.BigIntegerField,
                 m.PositiveIntegerField, m.PositiveSmallIntegerField, m.PositiveBigIntegerField, m.BooleanField,
                 m.FloatField, m.AutoField, m.BigAutoField, m.SmallAutoField)
_PLAIN_VALUES = (str, int, float, bool, type(None))


def _is_plain(field) -> bool:
    if isinstance(field, m.ForeignKey):
        return _is_plain(field.target_field)
    return type(field) in _PLAIN_FIELDS


def _writer(field, add: bool, vendor: str):
    """value_of(obj, db): what the ORM's save would send for `field` — with the per-field method calls
    skipped for the common plain values and for aware datetimes."""
    attname = field.attname
    needs_pre_save = isinstance(field, m.DateField | m.FileField)  # auto_now(_add), file names
    plain = _is_plain(field)
    none_is_null = not isinstance(field, m.JSONField)  # a JSONField may store None as JSON null
    # DateTimeField.get_db_prep_save of an aware datetime, as the backends' adapt_datetimefield_value
    # does it: PostgreSQL takes it as it is, SQLite as naive text in the connection's time zone
    moment = (type(field) is m.DateTimeField and settings.USE_TZ) and vendor in ("postgresql", "sqlite")

    def value_of(obj, db):
        value = field.pre_save(obj, add) if needs_pre_save else getattr(obj, attname)
        if value is None and none_is_null:
            return None
        if plain and type(value) in _PLAIN_VALUES:
            return value
        if moment and type(value) is datetime and value.tzinfo is not None:
            return value if vendor == "postgresql" else str(value.astimezone(db.timezone).replace(tzinfo=None))
        return field.get_db_prep_save(value, db)
    return value_of


def param(model, name: str, value: Any) -> Any:
    """A value for a WHERE clause on `model.name`, prepared as a queryset filter would."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def _insert_plan(db, obj, pk: bool):
    model = type(obj)
    auto = obj.pk is None and isinstance(model._meta.pk, AutoField)
    returning = auto and pk
    key = _key("insert", model, auto, returning, db=db)
    if key not in _cache:
        fields = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
        sql = (f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        returned = returning and db.features.can_return_columns_from_insert
        if returned:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        _cache[key] = (sql, [_writer(f, True, db.vendor) for f in fields], returned, returning)
    return _cache[key]


def insert_values(obj: Model, *, pk: bool = True) -> list:
    """The values `insert(obj, pk=pk)` would send, worked out now: an action computes them before it takes
    the write lock and passes them as `values=` (the instance must not change in between)."""
    db = _db()
    _, writers, _, _ = _insert_plan(db, obj, pk)
    return [value_of(obj, db) for value_of in writers]


def insert(obj: M, *, pk: bool = True, values: list | None = None) -> M:
    """INSERT one instance (all concrete fields). An unset auto primary key comes back from the database;
    with `pk=False` it stays unset, and inside `batched()` the insert then waits for the next round trip.
    `values`: from `insert_values`, computed earlier."""
    db = _db()
    sql, writers, returned, returning = _insert_plan(db, obj, pk)
    if values is None:
        values = [value_of(obj, db) for value_of in writers]
    if returning:
        with _cursor(db) as cursor:
            _execute(db, cursor, sql, values)
            obj.pk = cursor.fetchone()[0] if returned else cursor.lastrowid
    else:
        execute(sql, values, db=db)
    obj._state.adding = False
    obj._state.db = db.alias
    return obj


def update(obj: Model, names: Iterable[str]) -> None:
    """UPDATE the named fields of a saved instance (auto_now fields are refreshed as save() would)."""
    db = _db()
    model = type(obj)
    names = tuple(names)
    key = _key("update", model, names, db=db)
    if key not in _cache:
        fields = [model._meta.get_field(name) for name in names]
        fields += [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
        sql = (f"UPDATE {table(model)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
               f"WHERE {quote(model._meta.pk.column)} = %s")
        _cache[key] = (sql, [_writer(f, False, db.vendor) for f in fields])
    sql, writers = _cache[key]
    execute(sql, [*(value_of(obj, db) for value_of in writers), obj.pk], db=db)


# --- batching: fewer round trips to PostgreSQL ------------------------------------------------------

def _combines(db) -> bool:
    """Several statements per call: PostgreSQL through psycopg 3 (the project's driver; psycopg 2 has no
    `nextset`) with client-side binding (Django's default)."""
    return (db.vendor == "postgresql" and not db.settings_dict["OPTIONS"].get("server_side_binding")
            and _psycopg3())


@functools.cache
def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


@contextmanager
def batched() -> Iterator[None]:
    """Inside the block, writes whose result nobody reads (`execute`, `update`, `insert(pk=False)`) wait and
    go out together with the next statement that returns something — this module's or the ORM's — or at
    the end of the block: one round trip on PostgreSQL instead of one each. Errors of a waiting write
    surface at that point. An exception leaving the block drops the waiting writes, so use it inside a
    transaction that the exception rolls back."""
    if _pending.get() is not None:
        yield
        return
    with _batch(commit=False):
        yield


@contextmanager
def atomic() -> Iterator[None]:
    """`transaction.atomic()` whose writes are `batched()`. When it opens the transaction on PostgreSQL,
    the COMMIT goes out with the writes still waiting at its end, and the BEGIN with its first statement
    of this module (`_execute`): two round trips fewer than Django's own, each a quarter of a millisecond
    or more on a small VM. Errors of the last writes, and of COMMIT itself, surface as the block ends."""
    db = _db()
    flush()  # writes waiting in an enclosing batch keep their place before this transaction's
    commit = not db.in_atomic_block and _combines(db)
    with transaction.atomic(using=db.alias), _batch(commit=commit):
        yield


@contextmanager
def _batch(*, commit: bool) -> Iterator[None]:
    token = _pending.set([])

    @safe_to_bypass  # this module's statements send the waiting writes themselves
    def flush_first(execute_, sql, params, many, context):
        flush()  # an ORM statement inside the block sees the writes made before it
        return execute_(sql, params, many, context)

    try:
        with connection.execute_wrapper(flush_first):
            yield
            flush(commit=commit)
    finally:
        _pending.reset(token)


def execute(sql: str, params: Sequence[Any], *, db=None) -> None:
    """A write whose result nobody reads: now, or with the next round trip inside `batched()`."""
    pending = _pending.get()
    if pending is not None:
        pending.append((sql, list(params)))
        return
    db = db or _db()
    with _cursor(db) as cursor:
        _execute(db, cursor, sql, params)


def flush(*, commit: bool = False) -> None:
    """Send the waiting writes now (`commit`: and COMMIT with them — only `atomic()` knows that nothing
    follows; after it Django's own commit finds the transaction closed and sends nothing)."""
    pending = _pending.get()
    if pending:
        db = _db()
        with _cursor(db) as cursor:
            _execute(db, cursor, None, None, commit=commit and not db.needs_rollback)


# --- reads sent ahead: on PostgreSQL with the next statement ---------------------------------------------

class Ahead:
    """A read sent ahead (`read_ahead`). `ready`: its rows are in; `rows()`: them — sent on its own first if
    no statement has taken it along yet."""

    __slots__ = ("sql", "params", "_rows")

    def __init__(self, sql: str, params: Sequence[Any]):
        self.sql, self.params, self._rows = sql, list(params), None

    @property
    def ready(self) -> bool:
        return self._rows is not None

    def rows(self) -> list[tuple]:
        if self._rows is None:
            waiting = _ahead.get()
            if waiting is not None and self in waiting:
                waiting.remove(self)
            self._rows = fetchall(self.sql, self.params)
        return self._rows


@contextmanager
def reads_ahead() -> Iterator[None]:
    """Inside the block, `read_ahead` on PostgreSQL holds its read back until this module sends its next
    statement — typically a transaction's first, so the reads an action needs before it writes cost no
    round trip of their own. Reads still waiting at the end are dropped (their `rows()` then runs alone)."""
    token = _ahead.set([])
    try:
        yield
    finally:
        _ahead.reset(token)


def read_ahead(sql: str, params: Sequence[Any] = ()) -> Ahead:
    """A read for later in the action: run now, or on PostgreSQL inside `reads_ahead()` sent together with
    the next statement. It sees the database as that round trip finds it, before any writes travelling
    with it."""
    read = Ahead(sql, params)
    waiting = _ahead.get()
    if waiting is not None and _combines(_db()):
        waiting.append(read)
    else:
        read.rows()
    return read


def reserve_pk(model) -> Ahead | None:
    """PostgreSQL: the next value of `model`'s id sequence, read ahead — an insert with its id already known
    needs no RETURNING, so it can wait in a batch. Elsewhere None (the insert reports the id)."""
    if not _combines(_db()):
        return None
    sql = statement(("reserve_pk", model), lambda: (
        f"SELECT nextval(pg_get_serial_sequence('{model._meta.db_table}', '{model._meta.pk.column}'))"))
    return read_ahead(sql)


# --- the driver's cursor, without Django's wrapper when nothing would notice ----------------------------

_SAFE = "_fastsql_safe"  # marks execute wrappers that this module's statements may bypass
_sqlite_sql: dict[str, str] = {}


def safe_to_bypass(wrapper):
    """Mark an execute wrapper as one this module may skip (it does nothing to these statements)."""
    setattr(wrapper, _SAFE, True)
    return wrapper


class _Direct:
    """The driver's cursor: about 13 µs a statement less than Django's CursorWrapper, which logs queries
    (only when something listens), runs execute wrappers and translates errors — done here by
    `wrap_database_errors` around the whole use."""

    __slots__ = ("cursor", "sqlite")

    def __init__(self, cursor, vendor: str):
        self.cursor = cursor
        self.sqlite = vendor == "sqlite"

    def execute(self, sql, params):
        if not self.sqlite:
            return self.cursor.execute(sql, params)
        qmark = _sqlite_sql.get(sql)
        if qmark is None:  # SQLiteCursorWrapper converts %s to ? with a regex on every call; once here
            qmark = _sqlite_sql[sql] = self.cursor.convert_query(sql)
        return sqlite3.Cursor.execute(self.cursor, qmark, params)

    def __getattr__(self, name):
        return getattr(self.cursor, name)


def _bypass_ok(c, read: bool) -> bool:
    """Django's cursor wrapper may be skipped: no query is being logged (DEBUG, tests counting queries),
    the connection is open (and still usable, where health checks are on), every execute wrapper is
    marked safe, the transaction is not marked for rollback (Django's cursor refuses to run then), and the
    statements are reads or run inside a transaction (the SQLite writer queue acts only on writes outside
    one)."""
    if not ((read or c.in_atomic_block) and c.connection is not None and not c.queries_logged
            and not c.needs_rollback and all(getattr(w, _SAFE, False) for w in c.execute_wrappers)):
        return False
    if c.health_check_enabled and not c.health_check_done:
        c.close_if_health_check_failed()  # what Django's cursor() does first (SELECT 1 on PostgreSQL)
    return c.connection is not None  # else Django's cursor() reconnects


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


@contextmanager
def _cursor(db, read: bool = False) -> Iterator[Any]:
    if not _bypass_ok(db, read):
        with db.cursor() as cursor:
            yield cursor
        return
    with db.wrap_database_errors:
        cursor = db.create_cursor()
        try:
            yield _Direct(cursor, db.vendor)
        finally:
            cursor.close()


def _opens_transaction(db) -> bool:
    """psycopg is about to open the transaction Django asked for with a BEGIN round trip of its own: the
    statement is the transaction's first and the isolation level is the server's default."""
    raw = db.connection
    return (db.in_atomic_block and not raw.autocommit and raw.pgconn.transaction_status == _PG_IDLE
            and raw.isolation_level is None and raw.read_only is None and raw.deferrable is None)


def _execute(db, cursor, sql: str | None, params, *, commit: bool = False) -> None:
    """Run `sql` (if any) after the waiting writes; on PostgreSQL in the same call, after the reads sent
    ahead, with BEGIN in front when psycopg would otherwise send it alone (and COMMIT at the end if asked),
    leaving the cursor on the last result. The waiting lists are emptied first, so the ORM wrapper of
    `batched` sees nothing."""
    pending = _pending.get() or []
    work = [*pending, *([(sql, list(params or []))] if sql is not None else [])]
    pending.clear()
    if not work:
        return
    if not _combines(db):
        for q, ps in work:
            cursor.execute(q, ps)
        return
    reads = _ahead.get() or []
    ahead, reads[:] = list(reads), []
    begin = _opens_transaction(db)
    work = [*([("BEGIN", [])] if begin else []), *((r.sql, r.params) for r in ahead), *work,
            *([("COMMIT", [])] if commit else [])]
    if len(work) == 1:
        cursor.execute(*work[0])
        return
    raw = db.connection
    if begin:
        raw._autocommit = True  # psycopg's own flag, so that it sends no BEGIN alone: this call has one
    try:
        cursor.execute(_joined(cursor, work), None)
    finally:
        if begin:
            raw._autocommit = False
    if begin:
        cursor.nextset()
    for read in ahead:
        read._rows = cursor.fetchall()
        cursor.nextset()
    while cursor.nextset():  # to the last result, which is what the caller fetches
        pass


def _joined(cursor, work: list[tuple[str, list]]) -> str:
    """The statements as one text, each with its values merged in by the driver (psycopg's client-side
    binding, as `execute` would). Merged one by one because psycopg caches its parse of a statement only
    up to 4 KB and 50 values, which a whole batch exceeds: parsing the batch anew cost an intake about a
    millisecond."""
    driver = cursor.cursor  # psycopg's ClientCursor, under Django's wrapper or ours
    return ";\n".join(driver.mogrify(q, ps) for q, ps in work)


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple | None:
    """One row of a query — sent together with any writes waiting in `batched()`."""
    return _query(sql, params, _one)


def fetchall(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Every row of a query — sent together with any writes waiting in `batched()`."""
    return _query(sql, params, _all)


def _one(cursor):
    return cursor.fetchone()


def _all(cursor):
    return cursor.fetchall()


def _query(sql: str, params: Sequence[Any], fetch):
    db = _db()
    read = not _pending.get() and _is_read(sql)
    if read and _health_check_due(db):
        return _first_read(db, sql, params, fetch)
    with _cursor(db, read=read) as cursor:
        _execute(db, cursor, sql, params)
        return fetch(cursor)


def _health_check_due(db) -> bool:
    return (db.health_check_enabled and not db.health_check_done and db.connection is not None
            and not db.in_atomic_block)


def _first_read(db, sql: str, params: Sequence[Any], fetch):
    """The request's first statement, a read outside a transaction, is its own health check: Django's
    (`SELECT 1` before it) costs PostgreSQL a round trip per request. If the read fails on a connection
    that turns out to be dead (the server restarted or dropped it), it runs again on a new one."""
    db.health_check_done = True
    try:
        with _cursor(db, read=True) as cursor:
            _execute(db, cursor, sql, params)
            return fetch(cursor)
    except Error:
        if db.is_usable():
            raise  # the statement's own error
        db.close()
    with _cursor(db, read=True) as cursor:  # Django's cursor: connects anew
        _execute(db, cursor, sql, params)
        return fetch(cursor)


def for_update() -> str:
    """` FOR UPDATE` where the database locks rows (SQLite's writer lock covers the whole database)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def statement(name, build) -> str:
    """A hand-written statement, built by `build()` once per process and database vendor (`name`: any
    hashable key)."""
    key = _key("sql", name)
    if key not in _cache:
        _cache[key] = build()
    return _cache[key]
