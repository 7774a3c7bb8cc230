import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_docs(settings):
    """Outside development the docs need a sign-in (tests/test_security_headers.py checks that)."""
    settings.API_DOCS_PUBLIC = True


def test_openapi_document_lists_the_foundation_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/auth/token", "/api/v1/accounts/users", "/api/v1/accounts/me"]:
        assert path in paths, path
    assert response.json()["components"]["securitySchemes"]


def test_docs_page_renders(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200


def test_unknown_api_path_is_404(client):
    assert client.get("/api/v1/nothing-here").status_code == 404


def test_docs_page_loads_no_cdn(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "/static/ninja/" in html
