"""List endpoints answer `{count, items, next}`; `next` is the URL of the following page or null."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from civicgrid.core.inputs import MAX_INT

MAX_LIMIT = 500


class Mapped:
    """A queryset whose rows an endpoint answers through `present(row)`: the pagination counts and slices
    the queryset in the database and presents only the page's rows (`[present(r) for r in qs]` would
    load and present every row first: memory and time growing with the data)."""

    def __init__(self, queryset: QuerySet, present: Callable[[Any], Any]):
        self.queryset, self.present = queryset, present

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list:
        if not isinstance(page, slice):
            raise TypeError("Mapped answers pages (slices) only")
        return [self.present(row) for row in self.queryset[page]]


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
        if isinstance(queryset, Mapped):
            items = queryset[offset : offset + limit]
            # a page that is not full, and holds rows or is the first, tells the count without asking
            count = offset + len(items) if len(items) < limit and (items or offset == 0) else queryset.count()
        else:
            count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
            items = list(queryset[offset : offset + limit])
        next_url = None
        if offset + limit < count and request is not None:
            query = request.GET.copy()
            query["offset"] = str(offset + limit)
            query["limit"] = str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"count": count, "items": items, "next": next_url}
