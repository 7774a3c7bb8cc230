"""Signed deliveries to a live local receiver, verified with the Standard Webhooks library; retries with
backoff; automatic disabling; the outbox writes nothing without a subscriber; the admin API."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from civicgrid.cases.models import Notification
from civicgrid.core import clock
from civicgrid.testing import make_user
from civicgrid.webhooks import actions, delivery, outbox
from civicgrid.webhooks.models import Attempt, Delivery, Event

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP receiver answering 500 to its first `fail` requests, then 204."""

    def __init__(self, fail: int):
        self.fail, self.seen = fail, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.seen.append((dict(self.headers), body))
                self.send_response(500 if len(receiver.seen) <= receiver.fail else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def admin(tree):
    return make_user("sysadmin", "system_admin", tree.district)


@pytest.fixture
def receiver():
    r = Receiver(fail=2)
    yield r
    r.close()


def test_each_event_arrives_signed_at_least_once_across_failures(admin, receiver):
    subscription, secret = actions.create_subscription(actor=admin, name="大数据局", url=receiver.url,
                                                       events=["case.created"])
    event_id = outbox.publish("case.created", {"number": "20261206000001"})
    [row] = Delivery.objects.filter(subscription=subscription)
    start = clock.now()
    states = []
    for offset in (0, 31, 31 + 61):
        with clock.at(start + timedelta(seconds=offset)):
            assert delivery.attempt(row.pk + 1000) is None  # no such delivery: nothing happens
            states.append(delivery.attempt(row.pk))
    assert states == ["pending", "pending", "succeeded"]
    assert len(receiver.seen) == 3
    verifier = Webhook(secret)
    for headers, body in receiver.seen:
        lowered = {k.lower(): v for k, v in headers.items()}
        assert verifier.verify(body, lowered)["id"] == event_id
        assert lowered["webhook-id"] == event_id  # the same id each time: receivers de-duplicate by it
    assert json.loads(receiver.seen[0][1])["data"] == {"number": "20261206000001"}
    assert [a.status for a in Attempt.objects.order_by("id")] == [500, 500, 204]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == ("succeeded", 3, None)


def test_a_retry_waits_for_its_backoff(admin, receiver):
    subscription, _ = actions.create_subscription(actor=admin, name="甲", url=receiver.url, events=["case.closed"])
    outbox.publish("case.closed", {"number": "1"})
    pk = Delivery.objects.get().pk
    start = clock.now()
    with clock.at(start):
        assert delivery.attempt(pk) == "pending"
    with clock.at(start + timedelta(seconds=10)):
        assert delivery.attempt(pk) is None and delivery.due() == []
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [30, 60, 120, 6 * 3600]


def test_persistent_failure_disables_the_subscription_and_tells_the_administrators(admin, settings):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_DISABLE_AFTER = 1, 2
    dead = "http://127.0.0.1:9/nothing-listens"
    subscription, _ = actions.create_subscription(actor=admin, name="失联", url=dead, events=["case.created"])
    for n in range(3):
        outbox.publish("case.created", {"number": str(n)})
    first, second, third = Delivery.objects.order_by("id")
    assert delivery.attempt(first.pk) == "failed"
    assert delivery.attempt(second.pk) == "failed"
    subscription.refresh_from_db()
    assert not subscription.is_active and "2 次" in subscription.disabled_reason
    third.refresh_from_db()
    assert third.state == "failed"  # nothing more is sent to a disabled receiver
    assert Notification.objects.filter(user=admin, kind="webhook_disabled").count() == 1
    assert outbox.publish("case.created", {"number": "x"}) is None  # a disabled subscription gets nothing
    actions.set_active(actor=admin, subscription_id=subscription.pk, is_active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failures_in_a_row == 0


def test_no_subscriber_no_rows_and_only_declared_events(admin):
    assert outbox.publish("case.created", {}) is None and Event.objects.count() == 0
    actions.create_subscription(actor=admin, name="乙", url="https://example.org/h", events=["case.rated"])
    assert outbox.publish("case.created", {}) is None
    with pytest.raises(ValueError):
        outbox.publish("case.deleted", {})


def test_subscription_api(client, admin, tree):
    client.force_login(admin)
    made = client.post("/api/v1/webhooks/subscriptions",
                       {"name": "城运中心", "url": "https://hooks.example.org/in", "events": ["case.closed"]},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks/subscriptions").json()
    assert [s["name"] for s in listed] == ["城运中心"] and "secret" not in listed[0]
    for body, code in (({"name": "x", "url": "ftp://a/b", "events": ["case.closed"]}, "url_invalid"),
                       ({"name": "x", "url": "https://a.org/", "events": ["case.gone"]}, "events_invalid"),
                       ({"name": "x", "url": "https://a.org/", "events": []}, "events_invalid")):
        response = client.post("/api/v1/webhooks/subscriptions", body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (422, code)
    pk = listed[0]["id"]
    assert client.get(f"/api/v1/webhooks/subscriptions/{pk}/attempts").json() == []
    paused = client.post(f"/api/v1/webhooks/subscriptions/{pk}/active", {"is_active": False},
                         content_type="application/json")
    assert paused.json()["is_active"] is False
    client.force_login(make_user("disp", "dispatcher", tree.district))
    assert client.get("/api/v1/webhooks/subscriptions").status_code == 403
    assert client.post(f"/api/v1/webhooks/subscriptions/{pk}/active", {"is_active": True},
                       content_type="application/json").status_code == 403


def test_case_actions_publish_their_events(admin, tree):
    """The one intake and every workflow step publish through the outbox, without reporter data."""
    from civicgrid.cases.actions import submit_case, sync_categories, transition_case
    from civicgrid.cases.intake import IntakeInput
    from civicgrid.testing import make_department

    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    actions.create_subscription(actor=admin, name="全部", url="https://example.org/h",
                                events=["case.created", "case.state_changed", "case.closed", "case.rated"])
    dispatcher = make_user("disp", "dispatcher", tree.district)
    case = submit_case(actor=dispatcher, data=IntakeInput(
        description="路灯不亮", channel="hotline", category_code="0102", region_code=tree.micro_a.code,
        reporter_name="王五", reporter_phone="13800000000")).case
    transition_case(actor=dispatcher, case_id=case.pk, action="reject", facts={"reason": "重复上报"})
    assert list(Event.objects.order_by("id").values_list("type", flat=True)) == [
        "case.created", "case.state_changed", "case.closed"]
    text = json.dumps(list(Event.objects.values_list("payload", flat=True)), ensure_ascii=False)
    assert case.number in text and "王五" not in text and "13800000000" not in text
