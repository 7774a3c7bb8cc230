"""Region permission matrix in the UI and the API, and visible_to counts per role."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.geo import queries
from civicgrid.geo.models import Region
from civicgrid.testing import make_matrix, make_user

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "no_permission", "other_region", "same_region"]


@pytest.fixture
def matrix(tree):
    return make_matrix(tree, "grid_worker", "grid")


def client_for(matrix, who) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(matrix, who))
    return client


@pytest.mark.parametrize(("who", "status"), list(zip(VIEWERS, [302, 404, 404, 200], strict=True)))
def test_region_detail_page(tree, matrix, who, status):
    response = client_for(matrix, who).get(f"/geo/regions/{tree.grid_a.code}/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    if status == 200:
        assert tree.grid_a.name in response.content.decode() and tree.micro_a.name in response.content.decode()


@pytest.mark.parametrize(("who", "status"), list(zip(VIEWERS, [401, 404, 404, 200], strict=True)))
def test_region_detail_api(tree, matrix, who, status):
    response = client_for(matrix, who).get(f"/api/v1/geo/regions/{tree.grid_a.code}")
    assert response.status_code == status
    body = response.json()
    if status == 200:
        assert body["code"] == tree.grid_a.code and body["children_count"] == 1
        assert [r["code"] for r in body["chain"]] == [tree.grid_a.code]  # ancestors are out of scope
    else:
        assert body["code"] == {401: "unauthenticated", 404: "not_found"}[status] and body["message"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("no_permission", []), ("other_region", ["grid_b", "micro_b"]), ("same_region", ["grid_a", "micro_a"])],
)
def test_region_list_api_is_scoped(tree, matrix, who, expected):
    body = client_for(matrix, who).get("/api/v1/geo/regions?limit=50").json()
    assert body["count"] == len(expected)
    assert [i["code"] for i in body["items"]] == [getattr(tree, name).code for name in expected]


def test_region_list_api_anonymous_is_401(tree):
    assert Client().get("/api/v1/geo/regions").status_code == 401


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [("no_permission", [], ["grid_a", "grid_b"]), ("other_region", ["grid_b"], ["grid_a"]),
     ("same_region", ["grid_a"], ["grid_b"])],
)
def test_region_browser_page_is_scoped(tree, matrix, who, shown, hidden):
    response = client_for(matrix, who).get("/geo/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in shown:
        assert f'data-code="{getattr(tree, name).code}"' in html
    for name in hidden:
        assert f'data-code="{getattr(tree, name).code}"' not in html
    if not shown:
        assert "没有可查看的区域" in html


def test_region_browser_page_anonymous_redirects(tree):
    assert Client().get("/geo/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("who", "status"), list(zip(VIEWERS, [302, 200, 200, 200], strict=True)))
def test_map_page(tree, matrix, who, status):
    assert client_for(matrix, who).get("/geo/map/").status_code == status


@pytest.mark.parametrize(("who", "status"), list(zip(VIEWERS, [302, 404, 404, 200], strict=True)))
def test_map_page_of_a_parent(tree, matrix, who, status):
    assert client_for(matrix, who).get(f"/geo/map/?parent={tree.grid_a.code}").status_code == status


@pytest.mark.parametrize(
    ("role", "where", "total", "grids"),
    [
        ("dispatcher", "district", 9, 2), ("street_admin", "street_a", 4, 1), ("community_admin", "community_a", 3, 1),
        ("grid_worker", "grid_a", 2, 1), ("micro_grid_worker", "micro_a", 1, 0), ("audit_admin", "district", 0, 0),
        ("resident", None, 0, 0),
    ],
)
def test_visible_to_counts_per_role(tree, role, where, total, grids):
    user = make_user(f"u_{role}", role, getattr(tree, where) if where else None)
    assert Region.objects.visible_to(user).count() == total
    assert queries.count_regions(user) == total
    assert queries.count_regions(user, "grid") == grids


def test_superuser_sees_everything(tree):
    from civicgrid.accounts.models import User

    root = User.objects.create_superuser(username="root", password="Passw0rd!x")
    assert queries.count_regions(root) == 9
    assert [r.code for r in queries.scope_roots(root)] == [tree.district.code]
