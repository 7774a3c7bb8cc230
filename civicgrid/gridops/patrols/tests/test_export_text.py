"""The compliance export writes worker names, grid names and checkpoint names as text, never as a formula."""

from datetime import timedelta

import pytest

from civicgrid.accounts.models import User
from civicgrid.core import clock, xlsx
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.models import Checkpoint
from civicgrid.gridops.patrols.tests.conftest import DAY, T0, walk
from civicgrid.testing import FORMULA_TEXT, xlsx_texts

pytestmark = pytest.mark.django_db


def test_compliance_export_writes_names_as_text(client, pw):
    name, grid, checkpoint = FORMULA_TEXT[0], FORMULA_TEXT[1], FORMULA_TEXT[2]
    User.objects.filter(pk=pw.gw_a.pk).update(display_name=name)
    Region.objects.filter(pk=pw.tree.grid_a.pk).update(name=grid)
    Checkpoint.objects.filter(pk=pw.market.pk).update(name=checkpoint)
    with clock.at(T0):
        patrol, _ = actions.start_patrol(actor=pw.gw_a)
    with clock.at(T0 + timedelta(minutes=40)):
        actions.upload_points(actor=pw.gw_a, patrol_id=patrol.pk, points=walk(81))
        actions.end_patrol(actor=pw.gw_a, patrol_id=patrol.pk)
    client.force_login(pw.community_a)

    with clock.at(T0 + timedelta(minutes=120)):
        response = client.get("/gridops/patrols/compliance/export/", {"day": DAY.isoformat()})

    assert response.status_code == 200
    assert {xlsx.text(name), xlsx.text(grid), xlsx.text(checkpoint)} <= xlsx_texts(response.content)
