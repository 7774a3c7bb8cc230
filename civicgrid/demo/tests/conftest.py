"""The demo district is built once per test module at a tiny population scale, inside a transaction
that is rolled back afterwards, so other apps' tests never see it."""

from __future__ import annotations

import pytest

from civicgrid.testing import rolled_back

SEED = 7
SCALE = 0.01
PASSWORD = "Demo#Pass2024"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from civicgrid.demo import builder

    with rolled_back(django_db_blocker):
        yield builder.build(seed=SEED, scale=SCALE, password=PASSWORD)
