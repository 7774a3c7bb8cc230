"""The raw statements of people: the bulk load of buildings, households, residents and their tags that the
demo build writes (about 200,000 residents at scale 1), as tuples of values. Through core.sql
the fields' own preparation still applies (ID numbers and phones are encrypted on the way in);
tests/test_sql.py compares the rows with the ORM's on both databases."""

from __future__ import annotations

from collections.abc import Sequence

from civicgrid.core import sql
from civicgrid.people.models import Building, Household, Resident, ResidentTag

Row = Building | Household | Resident | ResidentTag

BUILDING = ("region_id", "code", "name", "address", "floors", "units", "lng", "lat")
HOUSEHOLD = ("region_id", "building_id", "number", "room", "address", "residence_type")
RESIDENT = ("region_id", "household_id", "relation", "name", "gender", "birth_date", "ethnicity", "id_number",
            "id_number_hash", "phone", "phone_hash", "residence_type")
RESIDENT_TAG = ("resident_id", "tag_id", "level", "valid_from")


def load_rows(model: type[Row], names: Sequence[str], rows: Sequence[tuple]) -> list[int]:
    """New rows of a population model as tuples of the named fields (`BUILDING`, `HOUSEHOLD`, `RESIDENT`,
    `RESIDENT_TAG`), without an instance per row (the demo's 200,000 residents); their ids in row order."""
    return sql.load_rows(model, names, rows)
