"""Reads for field work, always scoped (`visible_to`). Split by topic; import the submodule you need:
`queries.visits`, `queries.key_persons`, `queries.screening`, `queries.joint`, `queries.activities`, and
`queries.places` (the forms' choices)."""

from civicgrid.gridops.fieldwork.queries import activities, joint, key_persons, places, screening, visits

__all__ = ["activities", "joint", "key_persons", "places", "screening", "visits"]
