"""A statement cache for the hottest request paths: each statement is built once per process and database
vendor from the model's `_meta`, instead of compiled by the ORM on every call (about a millisecond each on a
small VM — most of a case intake's CPU, docs/performance.md).

The ORM's meaning is kept: values are prepared by the fields' own `pre_save`/`get_db_prep_save` (encrypted
fields encrypt, JSON is dumped) and rows are read back through the converters the ORM applies, so a row
written here reads back identically through a queryset and the other way round. Statements run on Django's
own cursor (`connection.cursor()`), so query logging, execute wrappers and error translation apply.

Model signals are not sent: the first time a statement is built for a model, `_no_receivers` refuses a
model that has pre_save/post_save receivers. Only an app's `sql.py` (and core) imports this module
(an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection
from django.db import models as m
from django.db.models import AutoField, Model, signals
from django.utils import timezone

M = TypeVar("M", bound=Model)
_cache: dict[tuple, Any] = {}

# Field classes whose database value is the Python value itself when that value is a plain str, int, float,
# bool or None: exactly these classes, not subclasses (an encrypted TextField is not plain)
_PLAIN_FIELDS = (m.CharField, m.TextField, m.IntegerField, m.SmallIntegerField, m.BigIntegerField,
                 m.PositiveIntegerField, m.PositiveSmallIntegerField, m.PositiveBigIntegerField, m.BooleanField,
                 m.FloatField, m.AutoField, m.BigAutoField, m.SmallAutoField)
_PLAIN_VALUES = (str, int, float, bool, type(None))
_PLAIN_VALUE_SET = frozenset(_PLAIN_VALUES)


class SignalReceivers(RuntimeError):
    """A model with save signal receivers was handed to a statement that would skip them."""


def _cached(key: tuple, build: Callable[[], Any]) -> Any:
    key = (connection.vendor, *key)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = build()
    return found


def statement(name: Hashable, build: Callable[[], str]) -> str:
    """A hand-written statement, built by `build()` once per process and database vendor."""
    return _cached(("sql", name), build)


def bulk_writes():
    """A context for a process that writes alone for a long while (the demo build): the database's own bulk
    mode where it has one (SQLite: checkpoints left to the backstop, core/sqlite/base.py), else nothing."""
    return getattr(connection, "bulk_writes", contextlib.nullcontext)()


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return quote(model._meta.db_table)


def column(model, name: str) -> str:
    """The quoted column of the model's field `name` (a foreign key's `…_id` column)."""
    return quote(model._meta.get_field(name).column)


def _fields(model, names: Sequence[str] | None) -> tuple:
    """The named concrete fields (all by default) in the model's order, which `Model.from_db` expects."""
    meta = model._meta
    if names is None:
        return tuple(meta.concrete_fields)
    wanted = {meta.get_field(name) for name in names}
    return tuple(f for f in meta.concrete_fields if f in wanted)


def columns(model, names: Sequence[str] | None = None, alias: str = "") -> str:
    """`alias.col1, alias.col2, …` for the fields (all concrete fields by default) in the model's order,
    which is the order `load` reads them in."""
    prefix = f"{alias}." if alias else ""
    return _cached(("columns", model, tuple(names or ()), alias),
                   lambda: ", ".join(prefix + quote(f.column) for f in _fields(model, names)))


def width(model, names: Sequence[str] | None = None) -> int:
    """How many columns `columns(model, names)` selects: where the next model's columns start in a row."""
    return len(_fields(model, names))


def _converters(model, names) -> tuple:
    """(attnames, [(column expression, converters)] of the fields that have converters): the expression is
    what the ORM hands a converter (SQLite's decimal converter reads its output field)."""
    def build():
        fields = _fields(model, names)
        chains = []
        for i, f in enumerate(fields):
            col = f.get_col(model._meta.db_table)
            chain = tuple(connection.ops.get_db_converters(col) + f.get_db_converters(connection))
            if chain:
                chains.append((i, col, chain))
        return tuple(f.attname for f in fields), tuple(chains)
    return _cached(("converters", model, tuple(names or ())), build)


def load(model: type[M], row: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """A model instance from a row selected with `columns(model, names)` (fields left out stay deferred)."""
    attnames, chains = _converters(model, names)
    values = list(row[:len(attnames)])
    for i, col, chain in chains:
        for convert in chain:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, None if names is None else list(attnames), values)


def param(model, name: str, value: Any) -> Any:
    """A value for a WHERE clause on `model.name`, prepared as a queryset filter would."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def for_update() -> str:
    """` FOR UPDATE` where the database locks rows (SQLite's writer lock covers the whole database)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def _no_receivers(model) -> None:
    for signal in (signals.pre_save, signals.post_save):
        if signal.has_listeners(model):
            raise SignalReceivers(f"{model.__name__} has save signal receivers that core.sql would skip: "
                                  "write it through the ORM")


def _adapter(field) -> Callable[[Any], Any]:
    """adapt(value): what the ORM's save sends for a value of `field`, skipping the method calls where
    Django's own field classes would return the value unchanged (plain values, None) or only adapt an aware
    datetime."""
    target = field.target_field if isinstance(field, m.ForeignKey) else field
    django_own = type(target).__module__.startswith("django.")  # a project field (encrypted) may store None its way
    plain = type(target) in _PLAIN_FIELDS
    aware_datetime = type(target) is m.DateTimeField

    def adapt(value):
        if value is None and django_own:
            return None
        if plain and type(value) in _PLAIN_VALUES:
            return value
        if aware_datetime and type(value) is datetime and value.tzinfo is not None:
            return connection.ops.adapt_datetimefield_value(value)  # all get_db_prep_save does with it
        return field.get_db_prep_save(value, connection)
    adapt.plain = plain and django_own
    return adapt


def _writer(field, add: bool) -> Callable[[Model], Any]:
    """value_of(obj): what the ORM's save sends for `field` of `obj` (`_adapter`)."""
    attname = field.attname
    adapt = _adapter(field)
    if isinstance(field, m.DateField | m.FileField):  # auto_now(_add), file names
        return lambda obj: adapt(field.pre_save(obj, add))
    return lambda obj: adapt(getattr(obj, attname))


def _insert_plan(model, auto: bool) -> tuple:
    def build():
        _no_receivers(model)
        fields = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
        sql = (f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        returning = auto and connection.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        return sql, tuple(_writer(f, True) for f in fields), returning
    return _cached(("insert", model, auto), build)


def insert(obj: M) -> M:
    """INSERT one instance (every concrete field); an unset auto primary key comes back from the database."""
    model = type(obj)
    auto = obj.pk is None and isinstance(model._meta.pk, AutoField)
    sql, writers, returning = _insert_plan(model, auto)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value_of(obj) for value_of in writers])
        if auto:
            obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    _mark_saved([obj])
    return obj


def insert_from(obj: Model, source: str, params: Sequence[Any], taken: Sequence[str]) -> bool:
    """PostgreSQL: INSERT one new instance (auto id) whose `taken` fields come from the one row that the
    data-modifying statement `source` returns (run in the same statement, before the INSERT; its RETURNING
    names those fields' columns): one round trip where reading a head, inserting and moving the head took
    three. Sets the id and the taken fields on `obj` and returns True; False, with nothing inserted, when
    `source` returned no row."""
    model = type(obj)

    def build():
        _no_receivers(model)
        meta = model._meta
        taken_fields = [meta.get_field(name) for name in taken]
        fields = [f for f in meta.concrete_fields if not f.primary_key and f not in taken_fields]
        # INSERT … SELECT gives the parameters no column type to infer: each is cast as Cast() would
        given = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
        picked = ", ".join(f"src.{quote(f.column)}" for f in taken_fields)
        statement = (f"WITH src AS ({source}) INSERT INTO {table(model)} "
                     f"({', '.join(quote(f.column) for f in [*fields, *taken_fields])}) SELECT {given}, {picked} "
                     f"FROM src RETURNING {quote(meta.pk.column)}, {', '.join(quote(f.column) for f in taken_fields)}")
        return statement, tuple(_writer(f, True) for f in fields), tuple(f.attname for f in taken_fields)
    statement, writers, attnames = _cached(("insert_from", model, source, tuple(taken)), build)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *(value_of(obj) for value_of in writers)])
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    for attname, value in zip(attnames, row[1:], strict=True):
        setattr(obj, attname, value)
    _mark_saved([obj])
    return True


def _insert_rows_plan(model, auto: bool, rows: int) -> tuple:
    def build():
        _no_receivers(model)
        fields = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = (f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES {', '.join([row] * rows)}")
        if auto:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        return sql, tuple(_writer(f, True) for f in fields)
    return _cached(("insert_rows", model, auto, rows), build)


def insert_many(objs: Sequence[M], *, batch: int = 500) -> Sequence[M]:
    """INSERT new instances of one model, many rows per statement (for bulk loads such as the demo build:
    bulk_create's per-field compilation was most of their time). Auto primary keys come back in row order
    through RETURNING, as bulk_create relies on; without RETURNING (SQLite < 3.35) rows go one by one."""
    if not objs:
        return objs
    model = type(objs[0])
    auto = objs[0].pk is None and isinstance(model._meta.pk, AutoField)
    if auto and not connection.features.can_return_rows_from_bulk_insert:
        for obj in objs:
            insert(obj)
        return objs
    fields = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
    _sql, writers = _insert_rows_plan(model, auto, 1)
    values = [tuple(value_of(obj) for value_of in writers) for obj in objs]
    ids = _insert_rows(model, auto, values, max(1, min(batch, connection.ops.bulk_batch_size(fields, objs))))
    if auto:
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
    _mark_saved(objs)
    return objs


def _insert_rows(model, auto: bool, values: list[tuple], size: int) -> list[int]:
    """Prepared rows (every concrete field, the auto id left out when `auto`) as multi-row INSERTs of `size`
    rows; with `auto`, the new ids in row order through RETURNING."""
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            chunk = values[start:start + size]
            statement, _writers = _insert_rows_plan(model, auto, len(chunk))
            cursor.execute(statement, [value for row in chunk for value in row])
            if auto:
                ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def load_rows(model, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """New rows of a model with an auto id, given as tuples of the named fields' values (attnames, such as
    "region_id"), for bulk loads where building an instance per row cost more than writing it (the demo's
    200,000 residents). Every other concrete field takes its default, one value for the whole call
    (auto_now and auto_now_add fields: one moment), and every value is prepared by its field as the ORM's
    save prepares it (encrypted fields encrypt). Returns the new ids in row order. On PostgreSQL one COPY
    with the ids drawn from the table's sequence, elsewhere multi-row INSERTs with RETURNING."""
    if not rows:
        return []
    meta = model._meta
    if not isinstance(meta.pk, AutoField):
        raise ValueError(f"{model.__name__} has no auto id")
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    given = {name: i for i, name in enumerate(names)}
    unknown = set(given) - {f.attname for f in fields if not getattr(f, "auto_now", False)}
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)} that a load may set")
    given_columns = list(zip(*rows, strict=True))
    moment = timezone.now()
    prepared = []
    for field in fields:
        adapt = _adapter(field)
        if field.attname in given:
            column = given_columns[given[field.attname]]
            plain = adapt.plain and set(map(type, column)) <= _PLAIN_VALUE_SET
            prepared.append(column if plain else [adapt(value) for value in column])
        else:
            stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            prepared.append([adapt(moment if stamped else field.get_default())] * len(rows))
    values = list(zip(*prepared, strict=True))
    if connection.vendor == "postgresql":
        return _copy_rows(model, values)
    ids: list[int] = []
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35: row by row
        statement, _writers, returning = _insert_plan(model, True)
        with connection.cursor() as cursor:
            for row in values:
                cursor.execute(statement, row)
                ids.append(cursor.fetchone()[0] if returning else cursor.lastrowid)
        return ids
    return _insert_rows(model, True, values, max(1, min(500, connection.ops.bulk_batch_size(fields, values))))


def _copy_rows(model, values: list[tuple]) -> list[int]:
    """COPY of new rows (every concrete field but the id, in the model's order) with ids from the sequence."""
    meta = model._meta

    def build():
        _no_receivers(model)
        fields = [meta.pk, *(f for f in meta.concrete_fields if not f.primary_key)]
        return f"COPY {table(model)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    statement = _cached(("copy_rows", model), build)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(values)])
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.copy(statement) as copy:
            for pk, row in zip(ids, values, strict=True):
                copy.write_row((pk, *row))
    return ids


def _mark_saved(objs: Iterable[Model]) -> None:
    """What save() leaves on an instance it inserted."""
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def update(obj: Model, names: Iterable[str]) -> None:
    """UPDATE the named fields of a saved instance (auto_now fields are refreshed as save() would)."""
    model, names = type(obj), tuple(names)

    def build():
        _no_receivers(model)
        fields = [model._meta.get_field(name) for name in names]
        fields += [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
        sql = (f"UPDATE {table(model)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
               f"WHERE {quote(model._meta.pk.column)} = %s")
        return sql, tuple(_writer(f, False) for f in fields)
    sql, writers = _cached(("update", model, names), build)
    execute(sql, [*(value_of(obj) for value_of in writers), obj.pk])


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """A statement whose rows nobody reads; returns the row count."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetchall(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---- one row by id, with its related rows ------------------------------------------------------------------


def _related_plan(model, names, related: tuple, lock: bool, by: str) -> tuple:
    """(statement, main names, [(parent index, field name, related model, names, where its key sits)]) for
    `get`; instances are built in the order of `related`, index 0 being the main row."""
    def build():
        pk_name = model._meta.pk.name
        tables = [(model, _with(names, pk_name))]
        selected = [columns(model, tables[0][1], "t0")]
        joins, steps, where = [], [], {"": 0}
        for path, wanted in related:
            parent_path, _, name = path.rpartition("__")
            if parent_path not in where:
                raise ValueError(f"{path}: list {parent_path} before it")
            parent = where[parent_path]
            field = tables[parent][0]._meta.get_field(name)
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                raise ValueError(f"{path} is not a foreign key of {tables[parent][0].__name__}")
            target = field.related_model
            index = where[path] = len(tables)
            tables.append((target, _with(wanted, target._meta.pk.name)))
            joins.append(f" LEFT JOIN {table(target)} t{index} ON t{index}.{quote(field.target_field.column)} = "
                         f"t{parent}.{quote(field.column)}")
            selected.append(columns(target, tables[index][1], f"t{index}"))
            key = _fields(target, tables[index][1]).index(target._meta.pk)  # None there: no related row
            steps.append((parent, name, target, tables[index][1], key))
        lock_sql = ""
        if lock and connection.features.has_select_for_update:
            lock_sql = " FOR UPDATE OF t0" if connection.features.has_select_for_update_of else " FOR UPDATE"
        statement = (f"SELECT {', '.join(selected)} FROM {table(model)} t0{''.join(joins)} "
                     f"WHERE t0.{column(model, by)} = %s{lock_sql}")
        return statement, tables[0][1], tuple(steps)
    return _cached(("get", model, names, related, lock, by), build)


def _with(names, pk_name: str):
    """The names with the primary key (an instance without it is no row), or None for every field."""
    return None if names is None else tuple(dict.fromkeys((pk_name, *names)))


def get(model: type[M], pk: Any, names: Sequence[str] | None = None,
        related: Sequence[tuple[str, Sequence[str] | None]] = (), *, lock: bool = False, by: str | None = None,
        ) -> M | None:
    """The row with this primary key (or this value of the unique field `by`; None when there is none), as
    `model.objects.select_related(*paths).only(...).filter(pk=pk).first()` would load it, in one statement
    built once per shape: `names` are the model's fields to load (all by default; the others stay deferred,
    loaded on access) and `related` the foreign keys to load with it, as (path, names or None), a path's
    parent listed before it (("park", None), ("park__zone", ("code",))). A null foreign key leaves None.
    `lock`: FOR UPDATE of the main row where the database locks rows (SQLite's writer lock covers the
    database)."""
    by = by or model._meta.pk.name
    statement, main_names, steps = _related_plan(model, None if names is None else tuple(names),
                                                 tuple((path, None if wanted is None else tuple(wanted))
                                                       for path, wanted in related), lock, by)
    row = fetchone(statement, [param(model, by, pk)])
    if row is None:
        return None
    found = [load(model, row, main_names)]
    start = width(model, main_names)
    for parent, name, target, wanted, key in steps:
        size = width(target, wanted)
        owner = found[parent]
        if owner is not None and row[start + key] is not None:
            child = load(target, row[start:start + size], wanted)
            setattr(owner, name, child)
        else:
            child = None
            if owner is not None:
                setattr(owner, name, None)
        found.append(child)
        start += size
    return found[0]
