"""Sign-in throttling (issue 13, finding 6b): unknown and known usernames answer alike, an attacker at one
address cannot keep a worker at another out, refusals grow, and web and API sign-in share the counts."""

from datetime import timedelta

import pytest
from django.contrib.auth import base_user
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts import actions, throttle
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

RIGHT = "Passw0rd!x"
T0 = timezone.now().replace(microsecond=0)


def sign_in(username, password="wrong", address="10.0.0.1", at=T0):
    """The action's answer: "ok", or the error's (status, code, message, details)."""
    with clock.at(at):
        try:
            actions.authenticate_user(username=username, password=password, address=address)
        except errors.DomainError as exc:
            return exc.status, exc.code, exc.message, exc.details
    return "ok"


def api_sign_in(client, username, password="wrong", address="10.0.0.1", at=T0):
    with clock.at(at):
        response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                               content_type="application/json", REMOTE_ADDR=address)
    return response.status_code, response.json() if response.status_code != 200 else "ok"


def web_sign_in(client, username, password="wrong", address="10.0.0.1", at=T0):
    with clock.at(at):
        response = client.post(reverse("accounts:login"), {"username": username, "password": password},
                               REMOTE_ADDR=address)
    return response.status_code, response.context["error"] if response.status_code != 302 else "ok"


def test_unknown_and_known_usernames_answer_identically_through_the_api(client):
    make_user("alice")
    known = [api_sign_in(client, "alice") for _ in range(7)]
    unknown = [api_sign_in(client, "nobody") for _ in range(7)]
    assert known == unknown
    assert [status for status, _ in known] == [401] * 5 + [429] * 2
    assert known[0][1] == {"code": "invalid_credentials", "message": "用户名或密码错误", "details": None}
    assert known[5][1] == {"code": "too_many_attempts", "message": "登录尝试次数过多,请稍后再试",
                           "details": {"retry_after": 61}}


def test_unknown_and_known_usernames_answer_identically_on_the_sign_in_page(client):
    make_user("alice")
    known = [web_sign_in(client, "alice") for _ in range(6)]
    unknown = [web_sign_in(client, "nobody") for _ in range(6)]
    assert known == unknown
    assert known[0] == (401, "用户名或密码错误") and known[5] == (429, "登录尝试次数过多,请稍后再试")


def test_the_password_hasher_runs_for_unknown_usernames_too(monkeypatch):
    make_user("alice")
    calls = []
    for name in ("make_password", "check_password"):
        real = getattr(base_user, name)
        monkeypatch.setattr(base_user, name, lambda *a, real=real, name=name, **k: calls.append(name) or real(*a, **k))
    sign_in("alice")
    sign_in("nobody")
    sign_in("inactive_or_not")
    assert calls == ["check_password", "make_password", "make_password"]


def test_an_attacker_at_one_address_cannot_keep_the_worker_at_another_out(client):
    make_user("alice")
    for minute in range(50):  # an attacker guessing all afternoon from X
        api_sign_in(client, "alice", address="6.6.6.6", at=T0 + timedelta(minutes=minute))
    later = T0 + timedelta(minutes=50)
    assert api_sign_in(client, "alice", RIGHT, address="6.6.6.6", at=later)[1]["code"] == "too_many_attempts"
    assert api_sign_in(client, "alice", RIGHT, address="10.0.0.7", at=later) == (200, "ok")
    assert web_sign_in(client, "alice", RIGHT, address="10.0.0.8", at=later) == (302, "ok")
    # and the worker's own typos elsewhere are counted apart from the attacker's
    assert [api_sign_in(client, "alice", address="10.0.0.7", at=later)[0] for _ in range(5)] == [401] * 5


def test_refusals_grow_after_each_further_failure_up_to_the_cap(settings):
    assert (settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCKOUT_MINUTES) == (5, 30)
    make_user("alice")
    now = T0
    for _ in range(4):
        assert sign_in("alice", at=now)[0] == 401
    waits = []
    for _ in range(7):
        assert sign_in("alice", at=now)[1] == "invalid_credentials"  # the failure that starts a refusal
        refused = sign_in("alice", RIGHT, at=now)  # even the right password waits
        assert refused[1] == "too_many_attempts"
        waits.append(refused[3]["retry_after"])
        just_before = now + timedelta(seconds=waits[-1] - 2)
        assert sign_in("alice", RIGHT, at=just_before)[1] == "too_many_attempts"
        now += timedelta(seconds=waits[-1])
    assert waits == [61, 121, 241, 481, 961, 1801, 1801]  # 1, 2, 4, 8, 16 minutes, then the 30-minute cap
    assert sign_in("alice", RIGHT, at=now) == "ok"


def test_a_right_password_clears_the_count_of_its_own_address():
    make_user("alice")
    for _ in range(4):
        sign_in("alice")
    assert sign_in("alice", RIGHT) == "ok"
    assert [sign_in("alice")[1] for _ in range(5)] == ["invalid_credentials"] * 5


def test_an_address_guessing_many_names_is_refused_for_every_name(settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 10
    make_user("alice")
    for i in range(10):  # one try each at ten names: no pair reaches its limit
        assert sign_in(f"guess{i}", address="6.6.6.6")[1] == "invalid_credentials"
    assert sign_in("alice", RIGHT, address="6.6.6.6")[1] == "too_many_attempts"
    assert sign_in("alice", RIGHT, address="10.0.0.7") == "ok"
    assert sign_in("alice", RIGHT, address="6.6.6.6", at=T0 + timedelta(minutes=31)) == "ok"


def test_web_and_api_sign_in_share_the_count(client):
    make_user("alice")
    for _ in range(3):
        assert web_sign_in(client, "alice")[0] == 401
    for _ in range(2):
        assert api_sign_in(client, "alice")[0] == 401
    assert api_sign_in(client, "alice", RIGHT)[1]["code"] == "too_many_attempts"
    assert web_sign_in(client, "alice", RIGHT) == (429, "登录尝试次数过多,请稍后再试")
    assert web_sign_in(client, "alice", RIGHT, address="10.0.0.9") == (302, "ok")


def test_refusals_and_failures_are_audited_and_no_account_is_locked():
    user = make_user("alice")
    for _ in range(6):
        sign_in("alice")
    reasons = list(AuditEvent.objects.filter(action="accounts.login").order_by("pk").values_list("result", "reason"))
    assert reasons == [("failed", "bad_password")] * 5 + [("denied", "too_many_attempts")]
    user.refresh_from_db()
    assert not hasattr(user, "locked_until")  # nothing on the account to lock


def test_delay_after_counts_from_the_limit(settings):
    settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCKOUT_MINUTES = 3, 10
    assert [throttle.delay_after(n) for n in (1, 2, 3, 4, 5, 6, 40)] == [
        timedelta(0), timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(minutes=8), timedelta(minutes=10)]
