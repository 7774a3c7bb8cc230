"""Patrol pages: the worker's phone page (start and end without JavaScript too), the detail with its
track, findings, the compliance report and its Excel export, checkpoints; scoping answers 404/403."""

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from civicgrid.cases.actions import sync_categories
from civicgrid.core import clock
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.models import Checkpoint, Patrol, PatrolFinding
from civicgrid.gridops.patrols.tests.conftest import DAY, T0, walk

pytestmark = pytest.mark.django_db

BASE = "/gridops/patrols/"


def page(client, user, path, data=None, minutes=120, method="get"):
    client.force_login(user)
    with clock.at(T0 + timedelta(minutes=minutes)):
        return getattr(client, method)(BASE + path, data or {})


def walked(pw, minutes=70, worker=None):
    worker = worker or pw.gw_a
    with clock.at(T0):
        patrol, _ = actions.start_patrol(actor=worker)
    with clock.at(T0 + timedelta(minutes=minutes)):
        actions.upload_points(actor=worker, patrol_id=patrol.pk, points=walk(2 * minutes + 1))
        return actions.end_patrol(actor=worker, patrol_id=patrol.pk)


def test_home_sends_each_role_to_its_page(client, pw):
    assert page(client, pw.gw_a, "")["Location"] == BASE + "phone/"
    assert page(client, pw.community_a, "")["Location"] == BASE + "compliance/"
    assert page(client, pw.leader, "")["Location"] == BASE + "compliance/"
    assert page(client, pw.police_a, "")["Location"] == BASE + "list/"
    assert page(client, pw.volunteer, "").status_code == 403


def test_a_worker_starts_and_ends_on_the_phone_page(client, pw):
    first = page(client, pw.gw_a, "phone/", minutes=0)
    assert first.status_code == 200 and b'id="start-form"' in first.content
    key = first.context["form"].initial["idempotency_key"]
    started = page(client, pw.gw_a, "start/", {"idempotency_key": key, "region": pw.tree.grid_a.code}, minutes=0,
                   method="post")
    again = page(client, pw.gw_a, "start/", {"idempotency_key": key, "region": pw.tree.grid_a.code}, minutes=0,
                 method="post")
    assert started.status_code == again.status_code == 302 and Patrol.objects.count() == 1
    patrol = Patrol.objects.get()
    active = page(client, pw.gw_a, "phone/", minutes=1)
    assert active.context["config"]["patrol"]["id"] == patrol.pk
    assert [c["name"] for c in active.context["config"]["patrol"]["checkpoints"]] == ["农贸市场", "实验小学"]
    assert b'id="end-form"' in active.content and b"gridops/patrols/phone.js" in active.content
    ended = page(client, pw.gw_a, f"{patrol.pk}/end/", minutes=65, method="post")
    assert ended["Location"] == BASE + f"{patrol.pk}/"
    patrol.refresh_from_db()
    assert patrol.status == "ended" and patrol.duration_s == 65 * 60


def test_pages_refuse_those_without_the_permission(client, pw):
    assert page(client, pw.volunteer, "phone/").status_code == 403
    assert page(client, pw.community_a, "phone/").status_code == 403
    assert page(client, pw.gw_a, "compliance/").status_code == 403
    assert page(client, pw.resident, "list/").status_code == 403
    assert page(client, pw.volunteer, "start/", {"idempotency_key": "k"}, method="post").status_code == 403
    assert Patrol.objects.count() == 0


def test_the_detail_shows_the_track_for_playback(client, pw):
    patrol = walked(pw)
    response = page(client, pw.gw_a, f"{patrol.pk}/")
    assert response.status_code == 200
    track = response.context["map"]["track"]["features"][0]
    assert track["properties"]["kind"] == "track" and len(track["geometry"]["coordinates"]) == 141
    assert [f["properties"]["kind"] for f in response.context["map"]["outlines"]["features"]] == ["grid", "region"]
    assert b"gridops/patrols/playback.js" in response.content
    assert page(client, pw.community_a, f"{patrol.pk}/").status_code == 200
    assert page(client, pw.gw_b, f"{patrol.pk}/").status_code == 404
    assert page(client, pw.mw_a, f"{patrol.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="patrols.view_track").count() == 1  # the community admin's read


def test_the_list_is_scoped_and_filtered(client, pw):
    mine = walked(pw)
    walked(pw, worker=pw.gw_b)
    response = page(client, pw.police_a, "list/", {"day": DAY.isoformat()})
    assert [p.pk for p in response.context["page"].object_list] == [mine.pk]
    assert page(client, pw.police_a, "list/", {"day": (DAY + timedelta(days=1)).isoformat()}).context[
        "page"].paginator.count == 0


def test_a_finding_from_the_phone_page(client, pw):
    sync_categories()
    with clock.at(T0):
        patrol, _ = actions.start_patrol(actor=pw.gw_a)
    form = page(client, pw.gw_a, f"{patrol.pk}/finding/", {"lat": "41.121", "lng": "123.121"}, minutes=5)
    assert form.status_code == 200 and form.context["form"]["lat"].value() == "41.121"
    codes = {code for _, items in form.context["form"].fields["category"].choices[1:] for code, _ in items}
    assert "0601" in codes and "2002" in codes and "3001" not in codes
    key = form.context["form"].initial["idempotency_key"]
    posted = page(client, pw.gw_a, f"{patrol.pk}/finding/", {
        "category": "0601", "description": "井盖缺失", "lat": "41.121", "lng": "123.121", "idempotency_key": key,
        "title": "", "address": ""}, minutes=5, method="post")
    assert posted.status_code == 302 and posted["Location"] == BASE + "phone/"
    finding = PatrolFinding.objects.get()
    assert finding.patrol == patrol and finding.case.channel == "patrol"
    missing = page(client, pw.gw_a, f"{patrol.pk}/finding/", {
        "category": "0601", "description": "井盖缺失", "idempotency_key": "k2"}, minutes=5, method="post")
    assert missing.status_code == 422 and PatrolFinding.objects.count() == 1
    assert page(client, pw.gw_b, f"{patrol.pk}/finding/").status_code == 404


def test_the_compliance_report_and_its_export(client, pw):
    walked(pw, minutes=40)
    walked(pw, minutes=20, worker=pw.mw_a)  # not under the rule: listed, not judged
    response = page(client, pw.community_a, "compliance/", {"day": DAY.isoformat()})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(w.username, w.reasons) for w in rows] == [("gw_a", ["too_short", "checkpoints_missed"])]
    assert "巡查时长不足" in response.content.decode()
    everyone = page(client, pw.community_a, "compliance/", {"day": DAY.isoformat(), "show": "all"})
    assert [w.username for w in everyone.context["rows"]] == ["gw_a", "mw_a"]
    default = page(client, pw.community_a, "compliance/", minutes=24 * 60 + 5)  # next morning: yesterday
    assert default.context["report"].day == DAY
    export = page(client, pw.community_a, "compliance/export/", {"day": DAY.isoformat()})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(export.content))
    people = list(book.worksheets[0].values)
    assert people[0][4] == "姓名" and [r[5] for r in people[1:]] == ["gw_a", "mw_a"]
    assert people[1][-2:] == ("否", "巡查时长不足、必巡点位未到") and people[2][-2:] == ("—", None)
    grids = list(book.worksheets[1].values)
    assert grids[1][1:8] == (pw.tree.grid_a.code, "网格A", 1, 1, 0, 1, 0)
    assert AuditEvent.objects.filter(action="patrols.export_compliance").count() == 1
    assert page(client, pw.community_a, "compliance/", {"day": DAY.isoformat(),
                                                         "region": pw.tree.grid_b.code}).context["report"].region is None


def test_checkpoints_are_managed_by_admins(client, pw):
    listing = page(client, pw.gw_a, "checkpoints/")
    assert listing.status_code == 200 and listing.context["form"] is None
    assert {c.name for c in listing.context["page"].object_list} == {"实验小学", "农贸市场"}
    assert page(client, pw.gw_a, "checkpoints/", {"name": "x"}, method="post").status_code == 403
    body = {"region": pw.tree.grid_a.code, "name": "桥洞", "kind": "hazard", "lat": "41.15", "lng": "123.15",
            "radius_m": "40", "is_required": "on"}
    created = page(client, pw.community_a, "checkpoints/", body, method="post")
    assert created.status_code == 302 and Checkpoint.objects.filter(name="桥洞").exists()
    outside = page(client, pw.community_a, "checkpoints/", {**body, "name": "外面", "lng": "123.25"}, method="post")
    assert outside.status_code == 422 and "不在网格A范围内" in outside.content.decode()
    cp = Checkpoint.objects.get(name="桥洞")
    assert page(client, pw.street_b, f"checkpoints/{cp.pk}/").status_code == 404
    edited = page(client, pw.street_a, f"checkpoints/{cp.pk}/", {**body, "radius_m": "70", "is_active": "on"},
                  method="post")
    assert edited.status_code == 302
    cp.refresh_from_db()
    assert cp.radius_m == 70 and cp.is_active
