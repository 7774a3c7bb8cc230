"""A team's own activity: the station records and thereby confirms its members' hours, which then count
for stars and certificates; wrong input is refused with its code and writes nothing."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.models import ServiceRecord
from civicgrid.volunteers.queries import volunteers as volunteer_queries

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 10, 18, 0))


def record(w, start, hours=3.0, ids=None, actor=None, **kw):
    with clock.at(NOW):
        return actions.record_activity_service(
            actor=actor or w.station_admin, team_code=w.team.code, started_at=start,
            ended_at=start + timedelta(hours=hours), content=kw.get("content", "走访慰问独居老人"),
            volunteer_ids=ids if ids is not None else [w.counsellor.pk, w.helper.pk])


def test_activity_hours_are_confirmed_and_count_for_stars_and_certificates(vworld):
    w = vworld
    for week in range(34):  # three hours a week for 34 weeks: 102 hours, one star
        record(w, NOW - timedelta(weeks=week, hours=6))
    rows = ServiceRecord.objects.filter(volunteer=w.counsellor)
    assert rows.count() == 34 and {r.status for r in rows} == {"confirmed"} and rows.first().order_id is None
    figures = volunteer_queries.volunteer_figures(w.counsellor)
    assert figures["confirmed"] == 102 and figures["stars"] == 1
    with clock.at(NOW):
        cert = actions.issue_certificate(actor=w.station_admin, volunteer_id=w.counsellor.pk, site_code="S1-1")
    assert cert.total_hours == 102 and cert.record_count == 34
    assert AuditEvent.objects.filter(action="volunteers.record_activity_service").count() == 34


@pytest.mark.parametrize("case, code", [
    ("future", "record_in_future"), ("reversed", "record_reversed"), ("long", "record_too_long"),
    ("outsider", "record_volunteer_not_member"), ("overlap", "record_overlap"), ("empty", "content_required"),
])
def test_wrong_activities_are_refused(vworld, case, code):
    w = vworld
    start = NOW - timedelta(hours=5)
    if case == "overlap":
        record(w, start, ids=[w.helper.pk])
    with pytest.raises(errors.ValidationFailed) as refused:
        if case == "future":
            record(w, NOW - timedelta(hours=1), hours=2)
        elif case == "reversed":
            record(w, start, hours=-1)
        elif case == "long":
            record(w, start - timedelta(hours=10), hours=13)
        elif case == "outsider":
            record(w, start, ids=[w.counsellor.pk, 999_999])
        elif case == "overlap":
            record(w, start + timedelta(hours=1), ids=[w.counsellor.pk, w.helper.pk])
        else:
            record(w, start, content="  ")
    assert refused.value.code == code
    assert ServiceRecord.objects.filter(volunteer=w.counsellor).count() == 0


def test_only_the_teams_station_may_record(vworld):
    w = vworld
    for outsider in (w.station_admin_b, make_user("gw_x", "grid_worker", w.tree.grid_a)):
        with pytest.raises(errors.NotFound):  # another station's team is not even shown to them
            record(w, NOW - timedelta(hours=5), actor=outsider)
    assert not ServiceRecord.objects.exists()
