import pytest

from civicgrid.accounts.models import ApiToken
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_account_page_shows_roles_and_manages_tokens(client, tree):
    user = make_user("gw", "grid_worker", tree.grid_a)
    client.force_login(user)
    page = client.get("/accounts/me/").content.decode()
    assert "网格员" in page and tree.grid_a.code in page
    assert 'href="/privacy/"' in page and 'href="/privacy/inventory/"' in page  # PIPL rights, one click away
    created = client.post("/accounts/me/", {"form": "token", "name": "手机"}).content.decode()
    token = ApiToken.objects.get(user=user)
    assert "cg_" + token.prefix in created
    client.post("/accounts/me/", {"form": "revoke", "token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, tree):
    owner = make_user("a")
    ApiToken.objects.all().delete()
    from civicgrid.accounts import actions

    _, token = actions.issue_token(user=owner)
    client.force_login(make_user("b"))
    client.post("/accounts/me/", {"form": "revoke", "token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_password_change_validates_and_keeps_session(client):
    user = make_user("alice")
    client.force_login(user)
    weak = client.post("/accounts/me/", {"form": "password", "old_password": "Passw0rd!x",
                                         "new_password": "abc", "new_password2": "abc"})
    assert "密码不符合要求" in weak.content.decode()
    ok = client.post("/accounts/me/", {"form": "password", "old_password": "Passw0rd!x",
                                       "new_password": "N3w-Secret-pw", "new_password2": "N3w-Secret-pw"})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("N3w-Secret-pw")
    assert client.get("/accounts/me/").status_code == 200
