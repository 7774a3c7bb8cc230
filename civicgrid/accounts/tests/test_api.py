import pytest

from civicgrid.accounts.models import User
from civicgrid.testing import make_department, make_matrix, make_user

pytestmark = pytest.mark.django_db


def token_for(client, username, password="Passw0rd!x"):
    response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_flow_and_bearer_auth(client):
    make_user("alice")
    token = token_for(client, "alice")
    me = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "alice"
    revoked = client.post("/api/v1/auth/token/revoke", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 204
    again = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    assert again.json() == {"code": "unauthenticated", "message": "请先登录或提供有效令牌", "details": None}


def test_bad_credentials_answer_the_error_format(client):
    make_user("alice")
    response = client.post("/api/v1/auth/token", {"username": "alice", "password": "nope"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码错误", "details": None}


def test_malformed_body_is_422_with_details(client):
    response = client.post("/api/v1/auth/token", {"username": "alice"}, content_type="application/json")
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_input"
    assert any("password" in item["loc"] for item in body["details"])


def test_expired_token_is_refused(client):
    make_user("alice")
    token = token_for(client, "alice")
    from django.utils import timezone

    from civicgrid.accounts.models import ApiToken

    ApiToken.objects.update(expires_at=timezone.now())
    assert client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_users_list_permission_matrix(client, tree):
    matrix = make_matrix(tree, "community_admin", level="community")
    make_user("gw_a", "grid_worker", tree.grid_a)
    make_user("gw_b", "grid_worker", tree.grid_b)

    assert client.get("/api/v1/accounts/users").status_code == 401  # anonymous

    def listed(user, **params):
        client.force_login(user)
        response = client.get("/api/v1/accounts/users", params)
        assert response.status_code == 200
        return {item["username"] for item in response.json()["items"]}

    assert listed(matrix.no_permission) == set()
    assert listed(matrix.other_region, role="grid_worker") == {"gw_b"}
    assert listed(matrix.same_region, role="grid_worker") == {"gw_a"}


def test_users_list_paginates_with_next(client, tree):
    viewer = make_user("disp", "dispatcher", tree.district)
    for i in range(7):
        make_user(f"mg{i}", "micro_grid_worker", tree.micro_a)
    client.force_login(viewer)
    first = client.get("/api/v1/accounts/users", {"role": "micro_grid_worker", "is_active": "true", "limit": 5}).json()
    assert first["count"] == 7 and len(first["items"]) == 5 and "offset=5" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 2 and second["next"] is None
    User.objects.filter(username="mg0").update(is_active=False)
    assert client.get("/api/v1/accounts/users", {"role": "micro_grid_worker", "is_active": "true"}).json()["count"] == 6


def test_invalid_role_filter_is_422(client, tree):
    client.force_login(make_user("disp", "dispatcher", tree.district))
    response = client.get("/api/v1/accounts/users", {"role": "emperor"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_user_list_without_permission_is_empty_but_me_works(client, tree):
    handler = make_user("h", "department_handler", department=make_department())
    client.force_login(handler)
    assert client.get("/api/v1/accounts/users").json()["count"] == 0
    assert client.get("/api/v1/accounts/me").json()["roles"][0]["department_name"] == "城管局"
