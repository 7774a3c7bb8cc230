"""Every case type from intake to closing through the HTTP API, with the roles that really act."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Department
from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Case, Category, FollowUp
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.demo.cases import _script
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

CASE_TYPES = ["urban_event", "citizen_request", "dispute", "safety_hazard", "hard_case"]
FINAL = {"urban_event": "evaluated", "citizen_request": "closed", "dispute": "closed", "safety_hazard": "closed",
         "hard_case": "closed"}


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def upload(client, cid, label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicgrid.demo.evidence import photo_bytes

    photo = SimpleUploadedFile("p.jpg", photo_bytes(label), content_type="image/jpeg")
    response = client.post(f"/api/v1/cases/{cid}/attachments", {"file": photo}, headers={"Idempotency-Key": label})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def happy_script(case_type, category):
    """A seeded script that ends in the type's normal closing state (no rejection, no failed mediation)."""
    for seed in range(200):
        steps = _script(random.Random(seed), case_type, category)
        if steps[-1][0] in ("evaluate", "callback", "close", "pass_review") and len(steps) > 2:
            return steps
    raise AssertionError("no happy script found")


@pytest.mark.parametrize("case_type", CASE_TYPES)
def test_case_type_journey_through_the_api(client, world, case_type):
    category = Category.objects.filter(case_type=case_type, parent__isnull=False,
                                       default_department__isnull=False).order_by("code").first()
    handlers = {d.pk: make_user(f"h_{d.code}", "department_handler", department=d) for d in Department.objects.all()}
    reporter = world.resident
    client.force_login(reporter)
    created = post(client, "/api/v1/cases", {"description": f"{category.name}问题", "category": category.code,
                                             "channel": "resident", **POINT_A})
    assert created.status_code == 201, created.content
    cid = created.json()["id"]

    for action, who, facts, _hours in happy_script(case_type, category):
        case = Case.objects.get(pk=cid)
        actor = {"dispatcher": world.dispatcher, "grid": world.grid_a, "reporter": reporter,
                 "handler": handlers.get(case.department_id)}[who]
        facts = dict(facts)
        if "extension_days" in facts:
            facts["extension_until"] = ((case.due_at or timezone.now()) + timedelta(days=facts.pop("extension_days"))).isoformat()
        if "deadline" in facts:
            facts["deadline"] = (timezone.now() + timedelta(days=facts["deadline"])).date().isoformat()
        if "leader" in facts:
            facts["leader"] = world.leader.username
        client.force_login(actor)
        allowed = [a["action"] for a in client.get(f"/api/v1/cases/{cid}").json()["allowed_actions"]]
        assert action in allowed, (action, allowed, case.state)
        if facts.get("attachments"):  # each photo uploaded first, as a phone does, then referenced
            facts["attachments"] = [upload(client, cid, f"{cid}-{label}") for label in facts["attachments"]]
        response = post(client, f"/api/v1/cases/{cid}/transitions",
                        {"action": action, "comment": facts.pop("comment", ""), "facts": facts})
        assert response.status_code == 200, (action, response.json())

    case = Case.objects.get(pk=cid)
    assert case.state == FINAL[case_type] and not case.is_open and case.closed_at is not None
    assert verify_case(case) is None
    if case_type in ("urban_event", "citizen_request", "hard_case"):
        assert case.satisfaction is not None and FollowUp.objects.filter(case=case).exists()
    client.force_login(reporter)
    mine = client.get("/api/v1/cases").json()
    assert [c["id"] for c in mine["items"]] == [cid] and mine["items"][0]["state"] == FINAL[case_type]
