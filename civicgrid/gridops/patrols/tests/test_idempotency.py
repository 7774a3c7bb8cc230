"""A patrol upload's Idempotency-Key stands for its body: the same key with other points, another patrol or
another finding is 422 `idempotency_key_reused` and changes nothing; the same body is a replay."""

from datetime import timedelta

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case
from civicgrid.gridops.patrols.models import Patrol, PatrolBatch, PatrolFinding, PatrolPoint
from civicgrid.gridops.patrols.tests.conftest import T0, walk
from civicgrid.gridops.patrols.tests.test_api import as_json, call, started

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    return response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


def test_a_batch_with_other_points_under_the_same_key_is_refused(client, pw):
    pid = started(client, pw)
    points = as_json(walk(40))
    first = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": points[:20]}, **{"Idempotency-Key": "b"})
    assert first.status_code == 200 and first.json()["stored"] == 20
    replay = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": points[:20]}, **{"Idempotency-Key": "b"})
    assert replay.json()["replay"] is True
    other = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": points[20:]}, **{"Idempotency-Key": "b"})
    assert refused(other), other.content
    assert PatrolPoint.objects.count() == 20 and PatrolBatch.objects.count() == 1


def test_a_whole_patrol_with_another_body_under_the_same_key_is_refused(client, pw):
    body = {"started_at": T0.isoformat(), "ended_at": (T0 + timedelta(minutes=31)).isoformat(),
            "points": as_json(walk(30))}
    assert call(client, pw.gw_a, "post", "/record", body, **{"Idempotency-Key": "w"}).status_code == 201
    later = {**body, "ended_at": (T0 + timedelta(minutes=40)).isoformat()}
    assert refused(call(client, pw.gw_a, "post", "/record", later, **{"Idempotency-Key": "w"}))
    assert Patrol.objects.count() == 1 and PatrolPoint.objects.count() == 30


def test_a_start_at_another_time_under_the_same_key_is_refused(client, pw):
    pid = started(client, pw, key="s")
    assert started(client, pw, key="s") == pid
    other = call(client, pw.gw_a, "post", "", {"started_at": (T0 - timedelta(minutes=5)).isoformat()}, minutes=1,
                 **{"Idempotency-Key": "s"})
    assert refused(other) and Patrol.objects.count() == 1


def test_another_finding_under_the_same_key_is_refused(client, pw):
    sync_categories()
    pid = started(client, pw)
    body = {"category": "0102", "description": "路边堆放垃圾", "lat": 41.121, "lng": 123.121}
    first = call(client, pw.gw_a, "post", f"/{pid}/findings", body, minutes=10, **{"Idempotency-Key": "f"})
    assert first.status_code == 201
    other = call(client, pw.gw_a, "post", f"/{pid}/findings", {**body, "description": "井盖丢失"}, minutes=10,
                 **{"Idempotency-Key": "f"})
    assert refused(other)
    assert Case.objects.count() == 1 and PatrolFinding.objects.count() == 1
