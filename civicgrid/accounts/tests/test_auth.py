from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts import actions
from civicgrid.accounts.models import ApiToken, User
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_correct_password_signs_in():
    user = make_user("alice")
    signed_in = actions.authenticate_user(username="alice", password="Passw0rd!x")
    assert signed_in.pk == user.pk
    user.refresh_from_db()
    assert user.last_login is not None
    assert AuditEvent.objects.filter(action="accounts.login", result="ok", actor=user).count() == 1


def test_unknown_user_and_wrong_password_give_the_same_error():
    make_user("alice")
    with pytest.raises(errors.Unauthenticated) as unknown:
        actions.authenticate_user(username="nobody", password="x")
    with pytest.raises(errors.Unauthenticated) as wrong:
        actions.authenticate_user(username="alice", password="wrong")
    assert unknown.value.code == wrong.value.code == "invalid_credentials"
    assert unknown.value.message == wrong.value.message == "用户名或密码错误"


def test_inactive_user_cannot_sign_in():
    user = make_user("alice")
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(errors.Unauthenticated):
        actions.authenticate_user(username="alice", password="Passw0rd!x")


def test_token_is_stored_hashed_expires_and_revokes(settings):
    user = make_user("alice")
    raw, token = actions.issue_token(user=user)
    assert raw.startswith("cg_") and raw not in token.key_hash
    assert token.expires_at - timezone.now() > timedelta(days=settings.API_TOKEN_DAYS - 1)
    actions.revoke_token(actor=user, raw=raw)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    with pytest.raises(errors.NotFound):
        actions.revoke_token(actor=user, raw=raw)


@pytest.mark.parametrize(
    "password, ok",
    [("short1!", False), ("alllowercase", False), ("lowerand123", False), ("lowerAND123", True), ("Lower123", True), ("Aa1!aaaa", True)],
)
def test_password_complexity(password, ok):
    user = User(username="zhang")
    if ok:
        actions.check_password(password, user)
    else:
        with pytest.raises(errors.ValidationFailed) as exc:
            actions.check_password(password, user)
        assert exc.value.code == "weak_password"


def test_idle_session_is_signed_out(client, settings):
    make_user("alice")
    client.post("/accounts/login/", {"username": "alice", "password": "Passw0rd!x"})
    assert client.get("/").status_code == 200
    session = client.session
    session["civicgrid_last_seen"] -= settings.SESSION_IDLE_MINUTES * 60 + 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "idle=1" in response["Location"]
    assert client.get("/").status_code == 302  # signed out for good


def test_login_page_shows_chinese_error(client):
    make_user("alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": "bad"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
