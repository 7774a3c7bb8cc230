"""Who may open the account-administration pages and call their API: a matrix over the three administrators,
a grid worker and an anonymous visitor, and each page's main form through the web."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook

from civicgrid.accounts.actions import issue_token
from civicgrid.accounts.models import ActivationToken, RoleAssignment, User
from civicgrid.core.xlsx import write_row
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db

PAGES = ["accounts:users", "accounts:user_new", "accounts:user_import", "accounts:import_template",
         "accounts:departments", "accounts:handover"]
# 200 or 403 per viewer
ALLOWED = {
    "system_admin": {"accounts:users", "accounts:user_new", "accounts:departments", "accounts:handover"},
    "security_admin": {"accounts:users", "accounts:user_import", "accounts:import_template"},
    "audit_admin": set(),
    "grid_worker": {"accounts:handover"},
}


@pytest.fixture
def people(tree):
    return {
        "system_admin": make_user("sys", "system_admin", tree.district),
        "security_admin": make_user("sec", "security_admin", tree.district),
        "audit_admin": make_user("aud", "audit_admin", tree.district),
        "grid_worker": make_user("gw", "grid_worker", tree.grid_a),
    }


def test_page_matrix(client, people):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    for role, user in people.items():
        client.force_login(user)
        for name in PAGES:
            expected = 200 if name in ALLOWED[role] else 403
            assert client.get(reverse(name)).status_code == expected, (role, name)


def test_account_pages_by_id_are_for_the_account_admins(client, people, tree):
    worker = make_user("w", "micro_grid_worker", tree.micro_a)
    url = reverse("accounts:user", args=[worker.pk])
    for role, status in [("system_admin", 200), ("security_admin", 200), ("audit_admin", 403), ("grid_worker", 403)]:
        client.force_login(people[role])
        assert client.get(url).status_code == status, role
    department = make_department()
    for role, status in [("system_admin", 200), ("security_admin", 403)]:
        client.force_login(people[role])
        assert client.get(reverse("accounts:department", args=[department.pk])).status_code == status


def test_the_lists_show_labels_not_codes(client, people, tree):
    make_user("w", "micro_grid_worker", tree.micro_a)
    client.force_login(people["security_admin"])
    text = client.get(reverse("accounts:users")).content.decode()
    assert "微网格员 · 微网格A" in text and "micro_grid_worker</" not in text


def test_system_admin_creates_an_account_and_sees_the_link_once(client, people):
    client.force_login(people["system_admin"])
    response = client.post(reverse("accounts:user_new"), {"username": "li.si", "display_name": "李四", "phone": ""})
    user = User.objects.get(username="li.si")
    assert response["Location"] == reverse("accounts:user", args=[user.pk])
    first = client.get(response["Location"]).content.decode()
    assert "/accounts/activate/" in first
    assert "/accounts/activate/" not in client.get(response["Location"]).content.decode()  # once
    bad = client.post(reverse("accounts:user_new"), {"username": "li.si", "display_name": "李四"})
    assert bad.status_code == 409 and "用户名已存在" in bad.content.decode()


def test_security_admin_assigns_on_the_page_and_is_refused_clearly(client, people, tree):
    worker = make_user("w")
    client.force_login(people["security_admin"])
    url = reverse("accounts:user", args=[worker.pk])
    response = client.post(url, {"action": "assign", "role": "micro_grid_worker", "region": tree.micro_a.code})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=worker, role="micro_grid_worker").exists()
    refused = client.post(reverse("accounts:user", args=[people["system_admin"].pk]),
                          {"action": "assign", "role": "audit_admin", "region": tree.district.code})
    assert refused.status_code == 409 and "三名不同人员" in refused.content.decode()
    wrong = client.post(url, {"action": "assign", "role": "grid_worker", "region": tree.micro_a.code})
    assert wrong.status_code == 422 and "网格级区域" in wrong.content.decode()


def test_import_page_reports_rows_and_imports_nothing(client, people, tree):
    book = Workbook()
    sheet = book.active
    write_row(sheet, ["用户名", "姓名", "手机号", "角色", "区域编码", "部门编码"])
    write_row(sheet, ["ok1", "甲", "13900000001", "微网格员", tree.micro_a.code, ""])
    write_row(sheet, ["bad", "乙", "139", "微网格员", tree.micro_a.code, ""])
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "staff.xlsx"
    client.force_login(people["security_admin"])
    response = client.post(reverse("accounts:user_import"), {"file": buffer})
    text = response.content.decode()
    assert response.status_code == 422 and "未导入任何账号" in text and "手机号格式不正确" in text
    assert not User.objects.filter(username="ok1").exists()


def test_a_system_admin_deactivation_without_a_successor_is_refused_on_the_page(client, people, tree):
    from civicgrid.accounts.actions import handover

    worker = make_user("w", "micro_grid_worker", tree.micro_a)
    client.force_login(people["system_admin"])
    url = reverse("accounts:user", args=[worker.pk])
    handover.OpenTasks  # noqa: B018 - the page reads the same counts
    assert client.post(url, {"action": "deactivate"}).status_code == 302  # no open tasks: allowed
    assert not User.objects.get(pk=worker.pk).is_active


def test_the_activation_page(client, people):
    user = User.objects.create_user(username="new", display_name="新人")
    from civicgrid.accounts.actions import onboarding

    link = onboarding.issue_activation(actor=people["system_admin"], user=user, base_url="http://testserver/")
    path = link.replace("http://testserver", "")
    assert "新人" in client.get(path).content.decode()
    mismatch = client.post(path, {"password": "Neue-Pass-2026", "password2": "x"})
    assert mismatch.status_code == 422
    assert client.post(path, {"password": "Neue-Pass-2026", "password2": "Neue-Pass-2026"}).status_code == 302
    assert client.get(path).status_code == 410
    assert ActivationToken.objects.get(user=user).used_at is not None


# --- the API -----------------------------------------------------------------------------------------------


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_token(user=user)[0]}"}


def test_api_matrix(client, people, tree):
    worker = make_user("w", "micro_grid_worker", tree.micro_a)
    new_user = {"username": "api.new", "display_name": "接口新人", "phone": "13900000009"}
    calls = [
        ("post", "/api/v1/accounts/users", new_user, {"system_admin": 201}),
        ("patch", f"/api/v1/accounts/users/{worker.pk}", {"display_name": "改名", "phone": ""}, {"system_admin": 200}),
        ("post", f"/api/v1/accounts/users/{worker.pk}/roles", {"role": "grid_worker", "region_code": tree.grid_a.code},
         {"security_admin": 201}),
        ("get", "/api/v1/accounts/departments", None, {"system_admin": 200}),
        ("post", "/api/v1/accounts/departments", {"code": "ZJJ", "name": "住建局"}, {"system_admin": 201}),
    ]
    for method, url, body, allowed in calls:
        for role in ["grid_worker", "audit_admin", "security_admin", "system_admin"]:
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            response = getattr(client, method)(url, headers=bearer(people[role]), **kwargs)
            expected = allowed.get(role)
            if expected:
                assert response.status_code == expected, (role, url, response.content)
            else:
                assert response.status_code in (403, 404), (role, url, response.status_code)
                assert response.json()["code"] and response.json()["message"]


def test_api_refuses_self_grants_and_joined_admin_roles(client, people, tree):
    security = people["security_admin"]
    url = f"/api/v1/accounts/users/{security.pk}/roles"
    response = client.post(url, {"role": "dispatcher", "region_code": tree.district.code},
                           content_type="application/json", headers=bearer(security))
    assert response.status_code == 409 and response.json()["code"] == "self_assignment"
    url = f"/api/v1/accounts/users/{people['audit_admin'].pk}/roles"
    response = client.post(url, {"role": "system_admin", "region_code": tree.district.code},
                           content_type="application/json", headers=bearer(security))
    assert response.status_code == 409 and response.json()["code"] == "admin_roles_separated"
    assert "不同人员" in response.json()["message"]


def test_api_import_and_deactivate_with_handover(client, people, tree):
    book = Workbook()
    sheet = book.active
    write_row(sheet, ["用户名", "姓名", "手机号", "角色", "区域编码", "部门编码"])
    write_row(sheet, ["api1", "甲", "13900000001", "micro_grid_worker", tree.micro_b.code, ""])
    buffer = BytesIO()
    book.save(buffer)
    upload = BytesIO(buffer.getvalue())
    upload.name = "staff.xlsx"
    response = client.post("/api/v1/accounts/users/import", {"file": upload}, headers=bearer(people["security_admin"]))
    assert response.status_code == 201 and response.json() == {"created": 1, "sms_sent": 1, "usernames": ["api1"]}
    api1 = User.objects.get(username="api1")
    response = client.post(f"/api/v1/accounts/users/{api1.pk}/deactivate", {}, content_type="application/json",
                           headers=bearer(people["system_admin"]))
    assert response.status_code == 200  # no open tasks there
    response = client.post(f"/api/v1/accounts/users/{api1.pk}/activate", headers=bearer(people["system_admin"]))
    assert response.status_code == 200 and response.json()["is_active"] is True


def test_grid_worker_hands_over_on_the_page(client, people, tree):
    leaver = make_user("mg_old", "micro_grid_worker", tree.micro_a)
    successor = make_user("mg_new", "micro_grid_worker", tree.micro_a)
    make_user("mg_far", "micro_grid_worker", tree.micro_b)
    client.force_login(people["grid_worker"])
    listing = client.get(reverse("accounts:handover")).content.decode()
    assert "mg_old" in listing and "mg_far" not in listing  # only the grid worker's own grid
    url = reverse("accounts:handover_user", args=[leaver.pk])
    page = client.get(url).content.decode()
    assert "mg_new" in page and "gw)" not in page  # not offered themself
    assert client.post(url, {"successor": ""}).status_code == 422
    assert client.post(url, {"successor": str(successor.pk), "reason": "调离"}).status_code == 302
    assert not RoleAssignment.objects.get(user=leaver).is_active
    assert RoleAssignment.objects.filter(user=successor, region=tree.micro_a, is_active=True).exists()


def test_the_successor_list_is_the_leavers_grid_and_new_accounts(people, tree):
    from civicgrid.accounts.queries import successor_candidates

    leaver = make_user("mg_old", "micro_grid_worker", tree.micro_a)
    make_user("mg_near", "micro_grid_worker", tree.micro_a)
    make_user("mg_far", "micro_grid_worker", tree.micro_b)
    make_user("newcomer")
    names = {u.username for u in successor_candidates(people["system_admin"], leaver)}
    assert names == {"mg_near", "gw", "newcomer"}
