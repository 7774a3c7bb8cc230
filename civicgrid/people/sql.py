"""The raw statements of people: the bulk load of buildings, households, residents and their tags that the
demo build writes (about 200,000 residents at scale 1). Through core.sql the fields' own preparation still
applies (ID numbers and phones are encrypted on the way in); tests/test_sql.py compares the rows with the
ORM's on both databases."""

from __future__ import annotations

from collections.abc import Sequence

from civicgrid.core import sql
from civicgrid.people.models import Building, Household, Resident, ResidentTag

Row = Building | Household | Resident | ResidentTag


def insert_many(objs: Sequence[Row]) -> Sequence[Row]:
    """New rows of one of the population models (COPY on PostgreSQL, multi-row INSERTs elsewhere); their
    ids are set."""
    return sql.load_many(objs)
