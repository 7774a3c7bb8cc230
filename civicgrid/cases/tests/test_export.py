"""The case list's Excel export (built in the background, reports app) writes what residents and
dispatchers typed as text, never as a formula."""

from __future__ import annotations

import pytest

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import xlsx
from civicgrid.reports.tests.helpers import export_through_page
from civicgrid.testing import FORMULA_TEXT, xlsx_texts

pytestmark = pytest.mark.django_db


def test_case_export_writes_titles_addresses_and_names_as_text(client, world):
    for text in FORMULA_TEXT:
        actions.submit_case(actor=world.dispatcher, data=IntakeInput(
            description="楼道堆物", title=text, address=text, reporter_name=text, reporter_phone="13812345678",
            channel="hotline", category_code="3001", **POINT_A))
    stored = {value for case in Case.objects.all() for value in (case.title, case.address, case.reporter_name)}
    assert any(value.startswith("=") for value in stored)  # the intake kept the dangerous first character
    client.force_login(world.dispatcher)

    run, response = export_through_page(client, "case_export", tab="all")

    assert run.rows == len(FORMULA_TEXT)
    assert {xlsx.text(value) for value in stored} <= xlsx_texts(b"".join(response.streaming_content))
