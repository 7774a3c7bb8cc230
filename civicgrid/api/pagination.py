"""List endpoints answer `{count, items, next}`; `next` is the URL of the following page or null."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from civicgrid.core.inputs import MAX_INT

MAX_LIMIT = 500


class CountItemsNext(PaginationBase):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数,1–500")
        offset: int = Field(0, ge=0, le=MAX_INT, description="跳过的条数,0–2147483647")

    class Output(Schema):
        count: int
        items: list[Any]
        next: str | None

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request=None, **params) -> dict:
        limit, offset = pagination.limit, pagination.offset
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        items = list(queryset[offset : offset + limit])
        next_url = None
        if offset + limit < count and request is not None:
            query = request.GET.copy()
            query["offset"] = str(offset + limit)
            query["limit"] = str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"count": count, "items": items, "next": next_url}
