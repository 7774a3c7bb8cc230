"""An intake on PostgreSQL costs four round trips: the bearer token (with the configuration version and
the health check), then the transaction in three — BEGIN with the duplicate search, the new case's id and
the idempotency key's look-up; the case's writes with the audit head's lock; the audit entry and the key
with COMMIT. A change that adds one fails here (docs/performance.md)."""

import pytest
from django.db import connection

from civicgrid.accounts.models import ApiToken
from civicgrid.accounts.queries import token_hash
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.testing import driver_statements, psycopg_commands

pytestmark = [pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's round trips"),
              pytest.mark.django_db(transaction=True)]


def test_an_api_intake_takes_four_round_trips(client, world, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    ApiToken.objects.create(user=world.grid_a, key_hash=token_hash("grid-token"), prefix="grid-tok",
                            expires_at=timezone.now() + timedelta(days=1), last_used_at=timezone.now())
    body = {"description": "井盖丢失", "category": "0601", "channel": "grid", **POINT_A}
    headers = {"Authorization": "Bearer grid-token"}
    first = client.post("/api/v1/cases", body, content_type="application/json", headers={**headers, "Idempotency-Key": "a"})
    assert first.status_code == 201, first.content  # caches filled, statements built
    connection.close()  # as between two requests of a worker: a connection that needs its health check
    connection.ensure_connection()
    connection.health_check_done = False
    seen, sent = driver_statements(monkeypatch), psycopg_commands(monkeypatch)
    response = client.post("/api/v1/cases", {**body, "description": "井盖又丢了"}, content_type="application/json",
                           headers={**headers, "Idempotency-Key": "b"})
    assert response.status_code == 201, response.content
    assert sent == []  # psycopg sent no BEGIN, COMMIT or health check of its own
    assert len(seen) == 4, seen
    token, opening, writes, closing = seen
    assert "core_configversion" in token and "key_hash" in token
    assert opening.startswith("BEGIN;") and "nextval" in opening and "core_idempotencykey" in opening
    assert "cases_caseevent" in writes and "FOR UPDATE" in writes
    assert "core_auditevent" in closing and closing.endswith("COMMIT")
    case = Case.objects.get(pk=response.json()["id"])
    assert case.number.endswith(f"{case.pk:06d}") and case.routing["duplicates"][0]["id"] == first.json()["id"]
