"""Answers built straight from the project's own objects, for the hottest endpoints.

django-ninja validates every answer against its schema: each field is read through a Django attribute
getter and checked by pydantic (about 0.1 ms for a case with its events, several percent of an intake).
For objects this code has just written, `trusted` builds the same dict the schema would — the same
fields, the same resolvers — without the checking, and `respond` renders it through the API's own
renderer. Tests compare such answers with the validated ones (cases/tests/test_api.py).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from django.http import HttpResponse
from ninja import Schema
from ninja.schema import DjangoGetter


def _item_schema(annotation) -> type[Schema] | None:
    """`S` for a field typed `S`, `list[S]` or `S | None`, where S is a ninja Schema."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _item_schema(arg)
            if found is not None:
                return found
    return None


_plans: dict[type, tuple] = {}


def _plan(schema: type[Schema]) -> tuple:
    """(field name, its resolver or None, the Schema of its items or None) per field, worked out once."""
    plan = _plans.get(schema)
    if plan is None:
        plan = _plans[schema] = tuple((name, schema._ninja_resolvers.get(name), _item_schema(field.annotation))
                                      for name, field in schema.model_fields.items())
    return plan


def trusted(schema: type[Schema], obj: Any, context: dict | None = None) -> dict:
    """What `schema` would make of `obj` (resolvers included), unchecked: only for objects whose field
    types are already right, as the project's own freshly written rows are."""
    getter = DjangoGetter(obj, schema, context)
    out = {}
    for name, resolver, nested in _plan(schema):
        value = resolver(getter=getter) if resolver is not None else getattr(obj, name)
        if nested is not None and value is not None:
            if isinstance(value, list | tuple):
                value = [v if isinstance(v, dict) else trusted(nested, v, context) for v in value]
            elif not isinstance(value, dict):
                value = trusted(nested, value, context)
        out[name] = value
    return out


def respond(request, data: dict, status: int) -> HttpResponse:
    """Render `data` as the project's API renders every answer (its renderer, its content type)."""
    from civicgrid.api.urls import api  # imported here: that module imports the routers that call this

    return api.create_response(request, data, status=status)
