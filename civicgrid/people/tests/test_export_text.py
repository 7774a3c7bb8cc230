"""The people export writes names, addresses and rooms as text, never as a formula, and the importer
reads them back as they were."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from civicgrid.core import xlsx
from civicgrid.people.excel.importer import read_rows
from civicgrid.people.models import Household, Resident
from civicgrid.people.tests.factories import bearer, ident, make_household, make_resident
from civicgrid.testing import FORMULA_TEXT, make_user, xlsx_texts

pytestmark = pytest.mark.django_db


def _fits(model, field: str, text: str) -> str:
    return text[:model._meta.get_field(field).max_length]


@pytest.fixture
def planted(world):
    """One household and resident per piece of formula text, in micro-grid A (cut to each column's length)."""
    for n, text in enumerate(FORMULA_TEXT, start=1):
        household = make_household(world.tree.micro_a, f"HF-{n:04d}", address=_fits(Household, "address", text))
        household.room = _fits(Household, "room", text)
        household.save(update_fields=["room"])
        resident = make_resident(household, _fits(Resident, "name", text), ident(40 + n))
        resident.ethnicity = _fits(Resident, "ethnicity", text)
        resident.save(update_fields=["ethnicity"])
    return make_user("ca_a", "community_admin", world.tree.community_a)


def _stored() -> list[tuple[str, str, str, str]]:
    return [(r.name, r.household.address, r.household.room, r.ethnicity)
            for r in Resident.objects.filter(household__number__startswith="HF-").order_by("household__number")]


@pytest.mark.parametrize("url", [reverse("people:export"), "/api/v1/people/export"])
def test_people_export_writes_names_and_addresses_as_text(client, planted, url):
    headers = bearer(planted) if url.startswith("/api/") else {}
    if not headers:
        client.force_login(planted)

    response = client.get(url, headers=headers)

    assert response.status_code == 200
    assert any(value.startswith("=") for row in _stored() for value in row)
    assert {xlsx.text(value) for row in _stored() for value in row} <= xlsx_texts(response.content)


def test_the_importer_reads_the_exported_text_back(client, planted):
    client.force_login(planted)
    content = client.get(reverse("people:export")).content

    rows = [cells for _, cells in read_rows(BytesIO(content)) if cells["household_number"].startswith("HF-")]

    # the importer trims spaces and tabs around every value, as it does for typed files
    assert [(c["name"], c["address"], c["room"], c["ethnicity"]) for c in rows] == [
        tuple(xlsx.text(value).strip() for value in row) for row in _stored()]
