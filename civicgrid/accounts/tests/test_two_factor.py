"""Two-factor sign-in (TOTP via django-otp): required for the three administrators (and the roles set in
CIVICGRID_TWO_FACTOR_ROLES), enrolment at first sign-in, recovery codes that work once."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.accounts import actions, twofactor
from civicgrid.accounts.actions import twofactor as twofactor_actions
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import enrol_totp, make_user, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd!x"


def sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_admins_must_enrol_before_any_page(client, tree, role):
    admin = make_user("adm", role, tree.district)
    response = sign_in(client, "adm")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_enrol")
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get(reverse("accounts:login_enrol"))
    assert page.status_code == 200 and b"<svg" in page.content and b"<script>" not in page.content
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post(reverse("accounts:login_enrol"), {"code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    device.throttle_reset()
    done = client.post(reverse("accounts:login_enrol"), {"code": totp_code(admin)})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:recovery_codes")
    codes = client.get(reverse("accounts:recovery_codes"))
    shown = codes.content.decode()
    assert all(t.token in shown for t in StaticToken.objects.filter(device__user=admin))
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302  # shown once only
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.login", actor=admin, details__factor="totp").exists()


def test_an_enrolled_admin_signs_in_with_the_code(client, tree):
    admin = make_user("aud", "audit_admin", tree.district)
    enrol_totp(admin)
    response = sign_in(client, "aud")
    assert response["Location"] == reverse("accounts:login_verify")
    assert client.get("/audit/").status_code == 302  # the password alone is not a sign-in
    bad = client.post(reverse("accounts:login_verify"), {"code": "123456"})
    assert bad.status_code == 401 and "不正确" in bad.content.decode()
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    good = client.post(reverse("accounts:login_verify"), {"code": totp_code(admin)})
    assert good.status_code == 302
    assert client.get("/audit/").status_code == 200


def test_a_used_code_is_not_good_twice(tree):
    admin = make_user("sys", "system_admin", tree.district)
    enrol_totp(admin)
    device = TOTPDevice.objects.get(user=admin)
    code = totp_code(admin)
    assert actions.authenticate_user(username="sys", password=PASSWORD, otp=code).pk == admin.pk
    device.refresh_from_db()
    with pytest.raises(errors.Unauthenticated) as exc:
        actions.authenticate_user(username="sys", password=PASSWORD, otp=code)
    assert exc.value.code == "invalid_otp"


def test_staff_without_the_requirement_sign_in_with_a_password(client, tree):
    make_user("gw", "grid_worker", tree.grid_a)
    response = sign_in(client, "gw")
    assert response.status_code == 302 and response["Location"] == "/"


def test_other_roles_can_be_required_by_setting(client, tree, settings):
    settings.TWO_FACTOR_ROLES = ["dispatcher"]
    dispatcher = make_user("disp", "dispatcher", tree.district)
    assert twofactor.required_for(dispatcher)
    assert sign_in(client, "disp")["Location"] == reverse("accounts:login_enrol")


def test_a_recovery_code_works_once(client, tree):
    admin = make_user("sec", "security_admin", tree.district)
    twofactor_actions.start_enrolment(user=admin)
    codes = twofactor_actions.confirm_enrolment(user=admin, code=totp_code(admin))
    assert len(codes) == 10 and twofactor.recovery_codes_left(admin) == 10
    sign_in(client, "sec")
    assert client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()}).status_code == 302
    assert twofactor.recovery_codes_left(admin) == 9
    assert AuditEvent.objects.filter(action="accounts.login", actor=admin, details__factor="recovery").exists()
    client.logout()
    sign_in(client, "sec")
    again = client.post(reverse("accounts:login_verify"), {"code": codes[0]})
    assert again.status_code == 401  # used up


def test_the_api_asks_admins_for_the_code(client, tree):
    admin = make_user("sys", "system_admin", tree.district)
    url = "/api/v1/auth/token"
    body = {"username": "sys", "password": PASSWORD}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "otp_enrolment_required"
    enrol_totp(admin)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "otp_required"
    response = client.post(url, {**body, "otp": totp_code(admin)}, content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]


def test_voluntary_enrolment_and_disable(client, tree):
    worker = make_user("gw", "grid_worker", tree.grid_a)
    client.force_login(worker)
    client.post(reverse("accounts:two_factor"), {"step": "start"})
    assert b"<svg" in client.get(reverse("accounts:two_factor")).content
    response = client.post(reverse("accounts:two_factor"), {"step": "confirm", "code": totp_code(worker)})
    assert response["Location"] == reverse("accounts:recovery_codes")
    assert twofactor.enrolled(worker)
    client.logout()
    assert sign_in(client, "gw")["Location"] == reverse("accounts:login_verify")  # now asked every time
    twofactor_actions.disable(user=worker, code=totp_code(worker))
    assert not twofactor.enrolled(worker)


def test_admins_cannot_turn_it_off_and_the_security_admin_resets_a_lost_phone(tree):
    admin = make_user("aud", "audit_admin", tree.district)
    security = make_user("sec", "security_admin", tree.district)
    enrol_totp(admin)
    with pytest.raises(errors.Conflict) as exc:
        twofactor_actions.disable(user=admin, code=totp_code(admin))
    assert exc.value.code == "two_factor_required"
    with pytest.raises(errors.ValidationFailed):
        twofactor_actions.reset(actor=security, user=admin, reason="")
    twofactor_actions.reset(actor=security, user=admin, reason="手机丢失")
    assert not twofactor.enrolled(admin)
    assert AuditEvent.objects.get(action="accounts.reset_totp").reason == "手机丢失"
