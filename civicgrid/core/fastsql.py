"""Statements for the hottest request paths, built once per process instead of per call.

The ORM compiles every query anew — about a millisecond each on a small VM, which was most of a case
intake's CPU (docs/performance.md). These helpers keep the ORM's meaning: values are prepared with
the fields' own `pre_save`/`get_db_prep_save` (so encrypted fields encrypt and JSON is dumped) and
read back through the same converters the ORM applies, so a row written here reads back identically
through a queryset and the other way round. No model signals are sent: use them only for models that
have no receivers (tests/test_fastsql.py checks the ones in use).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db import models as m
from django.db.models import AutoField, Model

M = TypeVar("M", bound=Model)
_cache: dict[tuple, Any] = {}


def _key(*parts) -> tuple:
    return (connection.vendor, *parts)


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


def _converters(model, names):
    key = _key("converters", model, tuple(names) if names else None)
    if key not in _cache:
        found = []
        for field in _fields(model, names):
            col = field.get_col(model._meta.db_table)
            found.append(tuple(connection.ops.get_db_converters(col) + field.get_db_converters(connection)))
        _cache[key] = (tuple(f.attname for f in _fields(model, names)), found)
    return _cache[key]


def load(model: type[M], row: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """A model instance from a row selected with `columns(model, names)` (deferred fields stay lazy)."""
    attnames, converters = _converters(model, names)
    values = list(row[:len(attnames)])
    for i, chain in enumerate(converters):
        for convert in chain:
            values[i] = convert(values[i], None, connection)
    if names is None:
        return model.from_db(connection.alias, None, values)
    return model.from_db(connection.alias, list(attnames), values)


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


def _writer(field, add: bool):
    """value_of(obj): what the ORM's save would send for `field` — with the per-field method calls
    skipped for the common plain values."""
    attname = field.attname
    needs_pre_save = isinstance(field, m.DateField | m.FileField)  # auto_now(_add), file names
    plain = _is_plain(field)
    none_is_null = not isinstance(field, m.JSONField)  # a JSONField may store None as JSON null

    def value_of(obj):
        value = field.pre_save(obj, add) if needs_pre_save else getattr(obj, attname)
        if value is None and none_is_null:
            return None
        if plain and type(value) in _PLAIN_VALUES:
            return value
        return field.get_db_prep_save(value, connection)
    return value_of


def param(model, name: str, value: Any) -> Any:
    """A value for a WHERE clause on `model.name`, prepared as a queryset filter would."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def insert(obj: M) -> M:
    """INSERT one instance (all concrete fields; the primary key from the database when it is unset)."""
    model = type(obj)
    auto = obj.pk is None and isinstance(model._meta.pk, AutoField)
    key = _key("insert", model, auto)
    if key not in _cache:
        fields = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
        sql = (f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        returning = auto and connection.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        _cache[key] = (sql, [_writer(f, True) for f in fields], returning)
    sql, writers, returning = _cache[key]
    values = [value_of(obj) for value_of in writers]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if auto:
            obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def update(obj: Model, names: Iterable[str]) -> int:
    """UPDATE the named fields of a saved instance (auto_now fields are refreshed as save() would)."""
    model = type(obj)
    names = tuple(names)
    key = _key("update", model, names)
    if key not in _cache:
        fields = [model._meta.get_field(name) for name in names]
        fields += [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
        sql = (f"UPDATE {table(model)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
               f"WHERE {quote(model._meta.pk.column)} = %s")
        _cache[key] = (sql, [_writer(f, False) for f in fields])
    sql, writers = _cache[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(value_of(obj) for value_of in writers), obj.pk])
        return cursor.rowcount


def statement(name, build) -> str:
    """A hand-written statement, built by `build()` once per process and database vendor (`name`: any
    hashable key)."""
    key = _key("sql", name)
    if key not in _cache:
        _cache[key] = build()
    return _cache[key]
