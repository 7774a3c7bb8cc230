"""The audit-log page: permission matrix, filters, pagination, and that reading it is itself audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from civicgrid.core import audit
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_tree, make_user

URL = "/audit/"


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def auditor(tree):
    return make_user("auditor", "audit_admin", tree.district)


@pytest.fixture
def events(tree):
    gw = make_user("gw", "grid_worker", tree.grid_a)
    leader = make_user("boss", "leader", tree.district)
    audit.record(actor=gw, action="people.change_resident", object_type="people.resident", object_id=7)
    audit.record(actor=gw, action="people.unmask_personal", object_type="people.resident", object_id=8,
                 fields=["id_number"])
    audit.record(actor=leader, action="geo.change_region", object_type="geo.region", object_id=3,
                 result="denied", reason="forbidden")
    return AuditEvent.objects.order_by("id")


def test_url_name_resolves_to_audit_path():
    assert reverse("core:audit_list") == URL


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/")


@pytest.mark.parametrize("role,level", [("grid_worker", "grid_a"), ("leader", "district"),
                                        ("security_admin", "district"), ("system_admin", "district")])
def test_users_without_view_auditevent_get_403_and_the_denial_is_recorded(client, tree, events, role, level):
    user = make_user("nosy", role, getattr(tree, level))
    client.force_login(user)
    before = AuditEvent.objects.count()

    response = client.get(URL)

    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert "people.unmask_personal" not in response.content.decode()
    denial = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (denial.actor_username, denial.action, denial.result) == ("nosy", "core.view_auditevent", "denied")


def test_audit_admin_sees_rows_newest_first(client, auditor, events):
    client.force_login(auditor)

    response = client.get(URL)

    assert response.status_code == 200
    ids = [e.pk for e in response.context["events"]]
    assert ids == sorted(ids, reverse=True)
    body = response.content.decode()
    for action in ("people.change_resident", "people.unmask_personal", "geo.change_region"):
        assert action in body


def test_reading_the_log_is_itself_audited(client, auditor, events):
    client.force_login(auditor)

    client.get(URL, {"actor": "gw"})

    last = AuditEvent.objects.order_by("-id").first()
    assert (last.actor_username, last.action, last.result) == ("auditor", "core.view_auditevent", "ok")
    assert last.details["filters"] == {"actor": "gw"}


def _shown(client, **params) -> list[tuple[str, str]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [(e.actor_username, e.action) for e in response.context["events"]]


def test_filters(client, auditor, events):
    client.force_login(auditor)

    assert _shown(client, actor="GW") == [("gw", "people.unmask_personal"), ("gw", "people.change_resident")]
    assert _shown(client, action="people.") == [("gw", "people.unmask_personal"), ("gw", "people.change_resident")]
    assert _shown(client, object_type="geo.region") == [("boss", "geo.change_region")]
    assert _shown(client, object_type="people.resident", object_id="8") == [("gw", "people.unmask_personal")]
    assert _shown(client, result="denied") == [("boss", "geo.change_region")]


def test_date_range_filter_uses_local_dates(client, auditor, events):
    old = events.first()
    AuditEvent.objects.filter(pk=old.pk).update(ts=timezone.now() - timedelta(days=10))
    client.force_login(auditor)
    today = timezone.localdate().isoformat()
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()

    recent = _shown(client, actor="gw", date_from=today)
    early = _shown(client, actor="gw", date_from=ten_days_ago, date_to=ten_days_ago)

    assert recent == [("gw", "people.unmask_personal")]
    assert early == [("gw", "people.change_resident")]


def test_reversed_date_range_is_reported_and_ignored(client, auditor, events):
    client.force_login(auditor)

    response = client.get(URL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})

    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert response.context["page"].paginator.count == AuditEvent.objects.count()


def test_pagination_keeps_filters(client, auditor, tree):
    gw = make_user("gw", "grid_worker", tree.grid_a)
    for i in range(60):
        audit.record(actor=gw, action="people.change_resident", object_type="people.resident", object_id=i)
    client.force_login(auditor)

    first = client.get(URL, {"actor": "gw"})
    second = client.get(URL, {"actor": "gw", "page": 2})

    assert len(first.context["events"]) == 50
    assert "actor=gw&amp;page=2" in first.content.decode()
    assert len(second.context["events"]) == 10
    assert {e.object_id for e in second.context["events"]} == {str(i) for i in range(10)}


def test_page_is_read_only(client, auditor, events):
    client.force_login(auditor)
    before = AuditEvent.objects.count()

    response = client.post(URL, {"actor": "gw"})

    assert response.status_code == 405
    assert AuditEvent.objects.count() == before


def test_verify_audit_reports_rows_checked(events, capsys):
    call_command("verify_audit")

    out = capsys.readouterr().out
    assert "rows checked: 3" in out
    assert "broken" not in out


def test_verify_audit_exits_1_at_the_first_edited_row(events, capsys):
    second = events[1]
    AuditEvent.objects.filter(pk=second.pk).update(object_id="999")

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")

    assert excinfo.value.returncode == 1
    out = capsys.readouterr().out
    assert "rows checked: 1" in out
    assert f"first broken id: {second.pk}" in out


def test_actions_and_roles_show_as_labels_with_the_code_kept_in_the_title(client, auditor, events):
    client.force_login(auditor)
    body = client.get(URL).content.decode()
    assert ">查看完整身份证号和电话<" in body and 'title="people.unmask_personal"' in body
    assert ">网格员<" in body and ">grid_worker<" not in body
