"""The patrol API over HTTP: the phone's whole flow with retries and reordering, idempotency, the track
as GeoJSON, compliance, and the permission matrix (404 out of reach, 403 not allowed, nothing written)."""

import math
from datetime import timedelta

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol, PatrolPoint
from civicgrid.gridops.patrols.tests.conftest import DAY, STEP_DEG, T0, walk
from civicgrid.gridops.patrols.track import EARTH_RADIUS_M

pytestmark = pytest.mark.django_db

API = "/api/v1/gridops/patrols"
STEP_M = EARTH_RADIUS_M * math.radians(STEP_DEG)


def call(client, user, method, path, body=None, minutes=120, **headers):
    client.force_login(user)
    with clock.at(T0 + timedelta(minutes=minutes)):
        if method == "get":
            return client.get(API + path, body or {})
        return getattr(client, method)(API + path, body or {}, content_type="application/json", headers=headers)


def as_json(points):
    return [{"recorded_at": p.recorded_at.isoformat(), "lat": p.lat, "lng": p.lng, "accuracy": p.accuracy}
            for p in points]


def started(client, pw, user=None, key="start-1"):
    body = {"started_at": T0.isoformat()}
    response = call(client, user or pw.gw_a, "post", "", body, minutes=1, **{"Idempotency-Key": key})
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


def test_a_patrol_recorded_offline_is_sent_whole_and_a_retry_changes_nothing(client, pw):
    points = as_json(walk(60))
    body = {"started_at": T0.isoformat(), "ended_at": (T0 + timedelta(minutes=31)).isoformat(),
            "points": points[30:] + points[:30][::-1]}  # any order
    first = call(client, pw.gw_a, "post", "/record", body, **{"Idempotency-Key": "whole-1"})
    again = call(client, pw.gw_a, "post", "/record", body, **{"Idempotency-Key": "whole-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "ended"
    assert (first.json()["point_count"], first.json()["duration_s"]) == (60, 31 * 60)
    assert first.json()["distance_m"] == pytest.approx(59 * STEP_M, abs=0.01)
    assert Patrol.objects.count() == 1 and PatrolPoint.objects.count() == 60


def test_a_patrol_sent_whole_may_not_overlap_another(client, pw):
    started(client, pw)  # a live patrol running since T0
    body = {"started_at": (T0 + timedelta(minutes=5)).isoformat(),
            "ended_at": (T0 + timedelta(minutes=30)).isoformat(), "points": as_json(walk(3))}
    response = call(client, pw.gw_a, "post", "/record", body, **{"Idempotency-Key": "overlap"})
    assert response.status_code == 422 and response.json()["code"] == "patrol_overlap"
    assert Patrol.objects.count() == 1


def test_a_patrol_sent_whole_must_end_after_it_starts(client, pw):
    body = {"started_at": T0.isoformat(), "ended_at": (T0 - timedelta(minutes=1)).isoformat(),
            "points": as_json(walk(3))}
    response = call(client, pw.gw_a, "post", "/record", body, **{"Idempotency-Key": "bad"})
    assert response.status_code == 422 and response.json()["code"] == "ended_before_start"
    assert Patrol.objects.count() == 0


def test_the_phone_flow_resends_and_reorders_yet_gives_one_track(client, pw):
    pid = started(client, pw)
    assert started(client, pw) == pid  # a retried start is the same patrol
    points = as_json(walk(60))
    batches = [points[40:], points[:20], points[20:40]]  # the last batch arrives first
    answers = [call(client, pw.gw_a, "post", f"/{pid}/points", {"points": b[::-1]}, **{"Idempotency-Key": f"b{i}"})
               for i, b in enumerate(batches)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    replay = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": batches[1]}, **{"Idempotency-Key": "b1"})
    resent = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": points[10:30]}, **{"Idempotency-Key": "x"})
    assert replay.json()["replay"] is True and replay.json()["stored"] == 20
    assert (resent.json()["replay"], resent.json()["stored"]) == (False, 0)
    ended = call(client, pw.gw_a, "post", f"/{pid}/end", {"ended_at": (T0 + timedelta(minutes=31)).isoformat()})
    body = ended.json()
    assert ended.status_code == 200 and body["status"] == "ended"
    assert (body["point_count"], body["duration_s"]) == (60, 31 * 60)
    assert body["distance_m"] == pytest.approx(59 * STEP_M, abs=0.01)
    assert PatrolPoint.objects.count() == 60 and Patrol.objects.count() == 1


def test_start_conflicts_and_bad_input(client, pw):
    pid = started(client, pw)
    second = call(client, pw.gw_a, "post", "", {}, minutes=5, **{"Idempotency-Key": "start-2"})
    assert second.status_code == 409 and second.json()["code"] == "patrol_active"
    assert second.json()["details"] == {"patrol_id": pid}
    bad = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": [{"recorded_at": "2025-03-10T08:00:00",
                                                                        "lat": 41.1, "lng": 123.1}]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"  # a time without a zone
    assert PatrolPoint.objects.count() == 0


@pytest.mark.parametrize("point", [
    {"lat": 41.1, "lng": 123.1},  # no time
    {"recorded_at": "2025-03-10T08:00:00+08:00", "lat": 91, "lng": 123.1},
    {"recorded_at": "2025-03-10T08:00:00+08:00", "lat": 41.1, "lng": -181},
    {"recorded_at": "2025-03-10T08:00:00+08:00", "lat": "north", "lng": 123.1},
    {"recorded_at": "2025-03-10T08:00:00+08:00", "lat": 41.1, "lng": 123.1, "accuracy": -1},
    {"recorded_at": "yesterday", "lat": 41.1, "lng": 123.1},
    "41.1,123.1",
])
def test_a_bad_point_refuses_the_batch_and_the_whole_patrol(client, pw, point):
    pid = started(client, pw)
    good = as_json(walk(2))
    batch = call(client, pw.gw_a, "post", f"/{pid}/points", {"points": [*good, point]})
    whole = call(client, pw.gw_b, "post", "/record", {"started_at": T0.isoformat(), "points": [*good, point],
                                                      "ended_at": (T0 + timedelta(minutes=5)).isoformat()})
    for response in (batch, whole):
        assert response.status_code == 422 and response.json()["code"] == "invalid_input"
        assert response.json()["details"][0]["loc"][:4] == ["body", "payload", "points", "2"]
    assert call(client, pw.gw_a, "post", f"/{pid}/points", {"points": "all"}).json()["code"] == "invalid_input"
    assert PatrolPoint.objects.count() == 0 and Patrol.objects.count() == 1


def test_detail_track_and_checkpoints(client, pw):
    pid = started(client, pw)
    call(client, pw.gw_a, "post", f"/{pid}/points", {"points": as_json(walk(12))})
    detail = call(client, pw.gw_a, "get", f"/{pid}").json()
    assert [v["name"] for v in detail["visits"]] == ["实验小学"]
    assert detail["required_missed"] == [pw.market.pk]
    assert {c["name"] for c in detail["checkpoints"]} == {"实验小学", "农贸市场"}
    track = call(client, pw.gw_a, "get", f"/{pid}/track").json()
    kinds = [f["properties"]["kind"] for f in track["features"]]
    assert kinds == ["track", "checkpoint", "checkpoint"]
    line = track["features"][0]
    assert len(line["geometry"]["coordinates"]) == 12 and len(line["properties"]["times"]) == 12
    far = call(client, pw.gw_a, "post", f"/{pid}/checkins", {"checkpoint_id": pw.market.pk, "lat": 41.12, "lng": 123.12})
    assert far.status_code == 422 and far.json()["code"] == "too_far"
    near = call(client, pw.gw_a, "post", f"/{pid}/checkins", {"checkpoint_id": pw.market.pk, "lat": 41.16,
                                                                "lng": 123.18, "accuracy": 5})
    assert near.status_code == 201 and near.json()["method"] == "manual"


def test_reading_someone_elses_track_is_audited(client, pw):
    pid = started(client, pw)
    call(client, pw.gw_a, "get", f"/{pid}/track")
    assert not AuditEvent.objects.filter(action="patrols.view_track").exists()
    call(client, pw.community_a, "get", f"/{pid}/track")
    assert AuditEvent.objects.filter(action="patrols.view_track", actor=pw.community_a).count() == 1


def test_a_finding_through_the_api(client, pw):
    sync_categories()
    pid = started(client, pw)
    body = {"category": "0102", "description": "路边堆放垃圾", "lat": 41.121, "lng": 123.121}
    first = call(client, pw.gw_a, "post", f"/{pid}/findings", body, minutes=10, **{"Idempotency-Key": "f1"})
    again = call(client, pw.gw_a, "post", f"/{pid}/findings", body, minutes=10, **{"Idempotency-Key": "f1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["case_id"] == again.json()["case_id"] and first.json()["case_type"] == "urban_event"
    assert Case.objects.get().channel == "patrol"
    wrong = call(client, pw.gw_a, "post", f"/{pid}/findings", {**body, "category": "3001"}, minutes=10)
    assert wrong.status_code == 422 and wrong.json()["code"] == "finding_case_type"


def test_lists_are_scoped(client, pw):
    mine = started(client, pw)
    other = started(client, pw, user=pw.gw_b, key="b-start")
    micro = started(client, pw, user=pw.mw_a, key="m-start")

    def ids(user, **params):
        return {p["id"] for p in call(client, user, "get", "", params).json()["items"]}

    assert ids(pw.gw_a) == {mine}
    assert ids(pw.community_a) == {mine, micro}
    assert ids(pw.street_b) == {other}
    assert ids(pw.police_a, day=DAY.isoformat()) == {mine, micro}
    assert ids(pw.leader) == set()  # the leader reads the compliance report, not tracks
    assert call(client, pw.gw_b, "get", f"/{mine}").status_code == 404
    assert call(client, pw.mw_a, "get", f"/{mine}/track").status_code == 404
    assert call(client, pw.street_b, "get", f"/{mine}").status_code == 404


@pytest.mark.parametrize("who, status", [("gw_b", 404), ("mw_a", 404), ("community_a", 403), ("police_a", 403),
                                         ("volunteer", 403), ("resident", 403)])
def test_only_the_worker_writes_to_a_patrol(client, pw, who, status):
    pid = started(client, pw)
    user = getattr(pw, who)
    tries = [call(client, user, "post", f"/{pid}/points", {"points": as_json(walk(3))}),
             call(client, user, "post", f"/{pid}/end", {}),
             call(client, user, "post", f"/{pid}/checkins", {"checkpoint_id": pw.school.pk, "lat": 41.1245,
                                                             "lng": 123.12}),
             call(client, user, "post", f"/{pid}/findings", {"case_type": "dispute", "description": "x",
                                                             "lat": 41.12, "lng": 123.12})]
    assert [t.status_code for t in tries] == [status] * 4
    assert PatrolPoint.objects.count() == CheckpointVisit.objects.count() == Case.objects.count() == 0
    assert Patrol.objects.get().status == "active"


@pytest.mark.parametrize("who", ["volunteer", "resident", "community_a", "leader"])
def test_those_who_do_not_patrol_cannot_start(client, pw, who):
    response = call(client, getattr(pw, who), "post", "", {})
    assert response.status_code == 403 and Patrol.objects.count() == 0


def test_anonymous_gets_401(client):
    assert client.get(API).status_code == 401
    assert client.post(API, {}, content_type="application/json").status_code == 401


def test_checkpoints_api(client, pw):
    body = {"region": pw.tree.grid_a.code, "name": "桥下积水点", "kind": "hazard", "lat": 41.15, "lng": 123.15,
            "radius_m": 40}
    created = call(client, pw.community_a, "post", "/checkpoints", body)
    assert created.status_code == 201 and created.json()["region_code"] == pw.tree.grid_a.code
    assert call(client, pw.street_b, "post", "/checkpoints", body).status_code == 404
    assert call(client, pw.gw_a, "post", "/checkpoints", body).status_code == 403
    cid = created.json()["id"]
    changed = call(client, pw.street_a, "put", f"/checkpoints/{cid}", {**body, "is_active": False})
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert call(client, pw.street_b, "put", f"/checkpoints/{cid}", body).status_code == 404
    names = {c["name"] for c in call(client, pw.gw_a, "get", "/checkpoints").json()["items"]}
    assert names == {"实验小学", "农贸市场"}
    assert call(client, pw.gw_b, "get", "/checkpoints").json()["count"] == 0
    assert Checkpoint.objects.count() == 3


def test_compliance_api(client, pw):
    pid = started(client, pw)
    call(client, pw.gw_a, "post", f"/{pid}/points", {"points": as_json(walk(150))}, minutes=80)
    call(client, pw.gw_a, "post", f"/{pid}/end", {"ended_at": (T0 + timedelta(minutes=75)).isoformat()}, minutes=80)
    body = call(client, pw.community_a, "get", "/compliance", {"day": DAY.isoformat()}).json()
    workers = {w["username"]: w for w in body["workers"]}
    assert set(workers) == {"gw_a"}
    assert (workers["gw_a"]["minutes"], workers["gw_a"]["reasons"]) == (75, ["checkpoints_missed"])
    assert workers["gw_a"]["covered_checkpoints"] == ["实验小学"]
    assert body["grids"][0]["grid_code"] == pw.tree.grid_a.code and body["totals"]["missed"] == 1
    assert call(client, pw.gw_a, "get", "/compliance", {"day": DAY.isoformat()}).status_code == 403
    out = call(client, pw.community_a, "get", "/compliance", {"day": DAY.isoformat(), "region": pw.tree.grid_b.code})
    assert out.status_code == 404
