"""An idempotency key stands for one request body: a retry of the same body returns the first object, the
same key with another body is refused and writes nothing."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from civicgrid.cases.models import Notification
from civicgrid.core import errors, idempotency
from civicgrid.core.models import IdempotencyKey
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@dataclass
class Body:
    text: str
    photo: bytes = b""
    when: datetime | None = None


def notify(user, text):
    return lambda: Notification.objects.create(user=user, kind="k", text=text)


def test_the_same_body_in_another_key_order_is_the_same_fingerprint():
    first = idempotency.fingerprint({"a": 1, "b": [date(2026, 1, 2), b"\x00\xff"], "c": Body("x")})
    again = idempotency.fingerprint({"c": Body("x"), "b": [date(2026, 1, 2), b"\x00\xff"], "a": 1})
    assert first == again and len(first) == 64
    assert idempotency.fingerprint(first) is first  # a digest passed on is used as it is


@pytest.mark.parametrize("other", [
    Body("y"), Body("x", photo=b"\x01"), Body("x", when=datetime(2026, 1, 1, tzinfo=UTC)), Body("x "),
])
def test_a_different_body_is_a_different_fingerprint(other):
    assert idempotency.fingerprint(Body("x")) != idempotency.fingerprint(other)


def test_the_fingerprint_is_keyed(settings):
    """Bodies may hold ID numbers: their stored hash cannot be checked against guesses without the data key."""
    import base64

    before = idempotency.fingerprint({"id_number": "110101199003070017"})
    settings.DATA_KEY = base64.urlsafe_b64encode(b"another data key, 32 bytes long!").decode()
    assert idempotency.fingerprint({"id_number": "110101199003070017"}) != before


def test_the_same_key_and_body_returns_the_first_object(tree):
    user = make_user("alice")
    body = Body("井盖丢失", photo=b"jpeg")
    first, created = idempotency.run_once(key="k", actor=user, action="a", model=Notification,
                                          create=notify(user, "一"), body=body)
    again, created_again = idempotency.run_once(key="k", actor=user, action="a", model=Notification,
                                                create=notify(user, "二"), body=Body("井盖丢失", photo=b"jpeg"))
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert list(Notification.objects.values_list("text", flat=True)) == ["一"]
    assert IdempotencyKey.objects.get().body_hash == idempotency.fingerprint(body)


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(tree):
    user = make_user("alice")
    idempotency.create_once(key="k", actor=user, action="a", model=Notification, create=notify(user, "一"),
                            body=Body("井盖丢失"))
    with pytest.raises(errors.ValidationFailed) as exc:
        idempotency.create_once(key="k", actor=user, action="a", model=Notification, create=notify(user, "二"),
                                body=Body("路灯不亮"))
    assert (exc.value.status, exc.value.code) == (422, "idempotency_key_reused")
    assert list(Notification.objects.values_list("text", flat=True)) == ["一"]
    assert IdempotencyKey.objects.count() == 1


def test_keys_are_per_actor_and_action(tree):
    alice, bob = make_user("alice"), make_user("bob")
    for actor, action in ((alice, "a"), (bob, "a"), (alice, "b")):
        _, created = idempotency.run_once(key="k", actor=actor, action=action, model=Notification,
                                          create=notify(actor, action), body=Body(action))
        assert created
    assert Notification.objects.count() == 3


def test_a_key_stored_before_bodies_were_hashed_matches_any_body(tree):
    user = make_user("alice")
    first, _ = idempotency.run_once(key="k", actor=user, action="a", model=Notification, create=notify(user, "一"),
                                    body=Body("一"))
    IdempotencyKey.objects.update(body_hash="")  # as the migration leaves older keys
    again, created = idempotency.run_once(key="k", actor=user, action="a", model=Notification,
                                          create=notify(user, "二"), body=Body("二"))
    assert (created, again.pk) == (False, first.pk)


def test_without_a_key_every_call_creates(tree):
    user = make_user("alice")
    for _ in range(2):
        idempotency.run_once(key=None, actor=user, action="a", model=Notification, create=notify(user, "x"),
                             body=Body("x"))
    assert Notification.objects.count() == 2 and IdempotencyKey.objects.count() == 0


def test_times_in_different_offsets_are_different_bodies():
    """Canonical, not clever: the phone re-sends the very same text, so the same instant written in another
    offset is another body (the key's owner chose to send something else)."""
    moment = datetime(2026, 1, 1, 8, tzinfo=UTC)
    shifted = moment.astimezone(timezone(timedelta(hours=8)))
    assert idempotency.fingerprint({"at": moment}) != idempotency.fingerprint({"at": shifted})
