"""The inventory as the page shows it: each entry with the roles that hold its reading permission."""

from __future__ import annotations

from django.apps import apps

from civicgrid.accounts.roles import ROLE_SPECS
from civicgrid.privacy.inventory import ENTRIES


def inventory_rows() -> list[dict]:
    rows = []
    for entry in ENTRIES:
        apps.get_model(entry.model)._meta.get_field(entry.field)  # a renamed field fails here, not silently
        readers = [str(spec.role.label) for spec in ROLE_SPECS.values() if entry.readers in spec.perms]
        rows.append({"record": entry.record, "what": entry.what, "purpose": entry.purpose, "retention": entry.retention,
                     "readers": "、".join(readers) or "(仅本人)"})
    return rows
