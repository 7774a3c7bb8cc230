"""The demo district is built once per test module at a tiny population scale, inside a transaction
that is rolled back afterwards, so other apps' tests never see it."""

from __future__ import annotations

import pytest
from django.db import transaction

SEED = 7
SCALE = 0.01
PASSWORD = "Demo#Pass2024"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from civicgrid.demo import builder

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield builder.build(seed=SEED, scale=SCALE, password=PASSWORD)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            from civicgrid.geo.locator import get_locator

            get_locator().invalidate()  # its index holds the rolled-back demo district
