"""Bulk onboarding: the Excel import is all-or-nothing with a row report; new accounts get a one-time
activation link by SMS, never a password in a list."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from civicgrid.accounts import actions
from civicgrid.accounts.actions import onboarding
from civicgrid.accounts.models import ActivationToken, RoleAssignment, User
from civicgrid.core import errors, sms
from civicgrid.core.models import AuditEvent
from civicgrid.core.xlsx import write_row
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db
HEADER = ["用户名", "姓名", "手机号", "角色", "区域编码", "部门编码"]
BASE = "https://grid.example.cn/"


def workbook(rows) -> BytesIO:
    book = Workbook()
    sheet = book.active
    write_row(sheet, HEADER)
    for row in rows:
        write_row(sheet, row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def security(tree):
    return make_user("sec", "security_admin", tree.district)


@pytest.fixture(autouse=True)
def outbox():
    sms.LogBackend.outbox.clear()
    yield sms.LogBackend.outbox
    sms.LogBackend.outbox.clear()


def good_rows(tree, n=3):
    return [[f"wgy{i:02d}", f"微网格员{i}", f"1390000{i:04d}", "微网格员", tree.micro_a.code, ""] for i in range(n)]


def test_import_creates_accounts_roles_and_sends_links(tree, security, outbox, django_capture_on_commit_callbacks):
    department = make_department()
    rows = [*good_rows(tree), ["cg01", "城管承办", "13700000001", "department_handler", "", department.code.lower()]]
    with django_capture_on_commit_callbacks(execute=True):
        result = onboarding.import_staff(actor=security, file=workbook(rows), base_url=BASE)
    assert [u.username for u in result.created] == ["wgy00", "wgy01", "wgy02", "cg01"]
    assert set(RoleAssignment.objects.filter(user__username="wgy01").values_list("role", "region__code")) == {
        ("micro_grid_worker", tree.micro_a.code)}
    assert RoleAssignment.objects.get(user__username="cg01").department == department
    assert not any(u.has_usable_password() for u in result.created)
    assert len(outbox) == 4 and outbox[0][0] == "13900000000"
    assert f"{BASE}accounts/activate/" in outbox[0][1] and "wgy00" in outbox[0][1]
    assert ActivationToken.objects.filter(user__username="wgy00", used_at__isnull=True, delivery="sms").count() == 1
    assert AuditEvent.objects.filter(action="accounts.import_users", result="ok").get().details["rows"] == 4


def test_bad_rows_import_nothing_and_are_reported_row_by_row(tree, security, outbox):
    make_user("taken")
    rows = [
        *good_rows(tree, 2),
        ["taken", "重名", "13900001111", "微网格员", tree.micro_a.code, ""],  # row 4: username exists
        ["wgy00", "重复", "13900002222", "微网格员", tree.micro_a.code, ""],  # row 5: repeated in the file
        ["new1", "", "12345", "超级管理员", "", ""],  # row 6: no name, bad phone, unknown role
        ["new2", "网格员", "13900003333", "网格员", tree.community_a.code, ""],  # row 7: wrong level
        ["new3", "审计", "13900004444", "审计管理员", tree.district.code, ""],  # row 8: an admin role
        ["new4", "无号", "", "微网格员", "211004999999999999", ""],  # row 9: no phone, unknown region
        ["new5", "承办", "13900005555", "部门承办人", "", ""],  # row 10: no department
    ]
    with pytest.raises(errors.ValidationFailed) as exc:
        onboarding.import_staff(actor=security, file=workbook(rows), base_url=BASE)
    assert exc.value.code == "import_rows_invalid" and exc.value.status == 422
    report = {(e["row"], e["code"]) for e in exc.value.details}
    assert report == {(4, "username_taken"), (5, "username_repeated"), (6, "name_required"), (6, "phone_format"),
                      (6, "unknown_role"), (7, "wrong_region_level"), (8, "admin_role_not_importable"),
                      (9, "phone_required"), (9, "region_not_found"), (10, "department_required")}
    assert all(e["message"] and e["column"] in HEADER for e in exc.value.details)
    assert not User.objects.filter(username__in=["wgy00", "wgy01", "new2"]).exists()  # nothing written
    assert not ActivationToken.objects.exists() and outbox == []
    assert AuditEvent.objects.filter(action="accounts.import_users", result="failed").count() == 1


def test_import_needs_the_security_admin(tree):
    system = make_user("sys", "system_admin", tree.district)
    with pytest.raises(errors.Forbidden):
        onboarding.import_staff(actor=system, file=workbook(good_rows(tree)), base_url=BASE)
    assert not User.objects.filter(username="wgy00").exists()


def test_a_file_that_is_no_workbook_is_a_coded_422(security):
    with pytest.raises(errors.ValidationFailed) as exc:
        onboarding.import_staff(actor=security, file=BytesIO(b"not a workbook"), base_url=BASE)
    assert exc.value.code == "import_file_invalid"


def test_the_template_lists_the_columns_and_roles():
    book = load_workbook(BytesIO(onboarding.template_workbook()))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    roles = {row[1] for row in book["填写说明"].iter_rows(values_only=True)}
    assert "micro_grid_worker" in roles and "audit_admin" not in roles


def _link_token(text: str) -> str:
    return text.split("/accounts/activate/")[1].split("/")[0]


def test_activation_link_is_single_use(tree, security, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.import_staff(actor=security, file=workbook(good_rows(tree, 1)), base_url=BASE)
    raw = _link_token(outbox[0][1])
    with pytest.raises(errors.ValidationFailed) as exc:
        onboarding.activate(raw=raw, password="short")
    assert exc.value.code == "weak_password"
    user = onboarding.activate(raw=raw, password="Neue-Pass-2026")
    assert user.check_password("Neue-Pass-2026")
    assert actions.authenticate_user(username="wgy00", password="Neue-Pass-2026").pk == user.pk
    with pytest.raises(onboarding.Gone) as exc:
        onboarding.activate(raw=raw, password="Other-Pass-2026")
    assert exc.value.code == "activation_used" and exc.value.status == 410
    assert User.objects.get(pk=user.pk).check_password("Neue-Pass-2026")


def test_activation_link_expires_and_a_new_one_replaces_it(tree, security, outbox, django_capture_on_commit_callbacks):
    system = make_user("sys", "system_admin", tree.district)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.import_staff(actor=security, file=workbook(good_rows(tree, 1)), base_url=BASE)
    first = _link_token(outbox[0][1])
    ActivationToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(onboarding.Gone) as exc:
        onboarding.activate(raw=first, password="Neue-Pass-2026")
    assert exc.value.code == "activation_expired"
    user = User.objects.get(username="wgy00")
    with django_capture_on_commit_callbacks(execute=True):
        assert onboarding.issue_activation(actor=system, user=user, base_url=BASE) is None  # by SMS
    second = _link_token(outbox[1][1])
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.issue_activation(actor=system, user=user, base_url=BASE)
    with pytest.raises(onboarding.Gone):  # the newer link replaced it
        onboarding.activate(raw=second, password="Neue-Pass-2026")
    onboarding.activate(raw=_link_token(outbox[2][1]), password="Neue-Pass-2026")
    with pytest.raises(errors.NotFound):
        onboarding.activation_for("no-such-token")


def test_without_a_phone_the_link_is_shown_once_to_the_admin(tree):
    system = make_user("sys", "system_admin", tree.district)
    user = actions.create_user(actor=system, username="nophone", password=None, display_name="无手机")
    link = onboarding.issue_activation(actor=system, user=user, base_url=BASE)
    assert link.startswith(f"{BASE}accounts/activate/")
    assert ActivationToken.objects.get(user=user).delivery == "shown"
    assert _link_token(link) not in str(list(ActivationToken.objects.values()))  # only its hash is kept
