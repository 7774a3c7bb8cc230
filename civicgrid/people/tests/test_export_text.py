"""The people export writes names, addresses and rooms as text, never as a formula, and the importer
reads them back as they were."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from civicgrid.core import xlsx
from civicgrid.people.excel.importer import read_rows
from civicgrid.people.tests.factories import bearer, ident, make_household, make_resident
from civicgrid.testing import FORMULA_TEXT, make_user, xlsx_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(world):
    """One household and resident per piece of formula text, in micro-grid A."""
    for n, text in enumerate(FORMULA_TEXT, start=1):
        household = make_household(world.tree.micro_a, f"HF-{n:04d}", address=text)
        household.room = text
        household.save(update_fields=["room"])
        resident = make_resident(household, text, ident(40 + n))
        resident.ethnicity = text
        resident.save(update_fields=["ethnicity"])
    return make_user("ca_a", "community_admin", world.tree.community_a)


@pytest.mark.parametrize("url", [reverse("people:export"), "/api/v1/people/export"])
def test_people_export_writes_names_and_addresses_as_text(client, planted, url):
    headers = bearer(planted) if url.startswith("/api/") else {}
    if not headers:
        client.force_login(planted)

    response = client.get(url, headers=headers)

    assert response.status_code == 200
    assert {xlsx.text(text) for text in FORMULA_TEXT} <= xlsx_texts(response.content)


def test_the_importer_reads_the_exported_text_back(client, planted):
    client.force_login(planted)
    content = client.get(reverse("people:export")).content

    rows = [cells for _, cells in read_rows(BytesIO(content)) if cells["household_number"].startswith("HF-")]

    # the importer trims spaces and tabs around every value, as it does for typed files
    expected = [xlsx.text(text).strip() for text in FORMULA_TEXT]
    assert [(c["name"], c["address"], c["room"], c["ethnicity"]) for c in rows] == [(e, e, e, e) for e in expected]

