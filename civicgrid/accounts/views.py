from __future__ import annotations

import time
from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts import actions, twofactor
from civicgrid.accounts.actions import onboarding
from civicgrid.accounts.actions import twofactor as twofactor_actions
from civicgrid.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, PasswordSetForm, TokenForm
from civicgrid.accounts.models import User
from civicgrid.accounts.queries import tokens_of
from civicgrid.core import context
from civicgrid.core.errors import DomainError

BACKEND = "django.contrib.auth.backends.ModelBackend"


PENDING = "signin_pending"  # the user between password and second factor: {"user", "at", "next"}
PENDING_SECONDS = 300
RECOVERY = "recovery_codes"  # new recovery codes, shown once then dropped


def _target(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            user, more = actions.password_step(**form.cleaned_data, address=context.from_request(request).ip)
        except DomainError as exc:
            error, status = exc.message, exc.status  # 401, or 429 while throttled
        else:
            if not more:
                login(request, user, backend=BACKEND)
                return redirect(_target(request))
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": _target(request)}
            return redirect("accounts:login_verify" if twofactor.enrolled(user) else "accounts:login_enrol")
    return render(
        request, "accounts/login.html",
        {"form": form, "error": error, "idle": request.GET.get("idle"), "next": request.GET.get("next", "")},
        status=status,
    )


def _pending_user(request) -> User | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending.get("user"), is_active=True).first()


def _signed_in(request, user: User):
    target = request.session.get(PENDING, {}).get("next") or "/"
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    return target


def _expired(request):
    request.session.pop(PENDING, None)
    messages.error(request, "登录已超时,请重新输入用户名和密码")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def login_verify(request):
    """Second step: the authenticator's code, or one recovery code."""
    user = _pending_user(request)
    if user is None:
        return _expired(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.second_factor_step(user=user, code=form.cleaned_data["code"],
                                       address=context.from_request(request).ip)
        except DomainError as exc:
            form.add_error("code", exc.message)
            status = exc.status
        else:
            return redirect(_signed_in(request, user))
    return render(request, "accounts/login_verify.html", {"form": form, "who": user}, status=status)


def _qr_svg(device) -> str:
    import segno

    # segno writes the SVG itself (no user text inside): an inline image, no script
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", border=4))


def _enrolment(device) -> dict:
    return {"qr": _qr_svg(device), "secret": b32encode(device.bin_key).decode()}


@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """Second step for someone who must use two-factor sign-in and has no authenticator yet: bind one now."""
    user = _pending_user(request)
    if user is None:
        return _expired(request)
    if twofactor.enrolled(user):
        return redirect("accounts:login_verify")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor_actions.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
            status = exc.status
        else:
            actions.finish_sign_in(user=user, address=context.from_request(request).ip, factor="totp")
            target = _signed_in(request, user)
            request.session[RECOVERY] = {"codes": codes, "next": target}
            return redirect("accounts:recovery_codes")
    device = twofactor_actions.pending_device(user) or twofactor_actions.start_enrolment(user=user)
    return render(request, "accounts/enrol.html", {"form": form, "who": user, "signing_in": True,
                                                   **_enrolment(device)}, status=status)


@login_required
@require_GET
def recovery_codes(request):
    """The new recovery codes, this once."""
    shown = request.session.pop(RECOVERY, None)
    if not shown:
        messages.warning(request, "恢复码只显示一次。如已遗失,请在此重新生成")
        return redirect("accounts:two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": shown["codes"], "next": shown.get("next") or "/"})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """双因素认证: bind an authenticator, new recovery codes, or turn it off where the role allows."""
    user = request.user
    form = CodeForm(request.POST or None)
    step = request.POST.get("step", "")
    status = 200
    if request.method == "POST" and step == "start":
        twofactor_actions.start_enrolment(user=user)
        return redirect("accounts:two_factor")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if step == "confirm":
                request.session[RECOVERY] = {"codes": twofactor_actions.confirm_enrolment(user=user, code=code),
                                             "next": reverse("accounts:two_factor")}
                return redirect("accounts:recovery_codes")
            if step == "regenerate":
                request.session[RECOVERY] = {"codes": twofactor_actions.regenerate_recovery_codes(user=user, code=code),
                                             "next": reverse("accounts:two_factor")}
                return redirect("accounts:recovery_codes")
            if step == "disable":
                twofactor_actions.disable(user=user, code=code)
                messages.success(request, "已关闭双因素认证")
                return redirect("accounts:two_factor")
        except DomainError as exc:
            form.add_error("code", exc.message)
            status = exc.status
    enrolled = twofactor.enrolled(user)
    pending = None if enrolled else twofactor_actions.pending_device(user)
    return render(request, "accounts/two_factor.html", {
        "form": form, "enrolled": enrolled, "required": twofactor.required_for(user),
        "codes_left": twofactor.recovery_codes_left(user), **(_enrolment(pending) if pending else {}),
        "pending": pending is not None,
    }, status=status)


@require_http_methods(["GET", "POST"])
def activate_view(request, token: str):
    """A new account's one-time link: its owner sets their own password."""
    try:
        found = onboarding.activation_for(token)
    except DomainError as exc:
        return render(request, "accounts/activate.html", {"error": exc.message}, status=exc.status)
    form = PasswordSetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.activate(raw=token, password=form.cleaned_data["password"])
        except DomainError as exc:
            if exc.status == 410:
                return render(request, "accounts/activate.html", {"error": exc.message}, status=410)
            form.add_error("password", exc.message)
            status = exc.status
        else:
            messages.success(request, "密码已设置,请登录")
            return redirect(f"{reverse('accounts:login')}")
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/activate.html", {"form": form, "who": found.user}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def account_view(request):
    """我的账号: roles and scopes, password change, and the user's API tokens."""
    password_form = PasswordChangeForm(request.POST if request.POST.get("form") == "password" else None)
    token_form = TokenForm(request.POST if request.POST.get("form") == "token" else None)
    new_token = None
    try:
        if password_form.is_bound and password_form.is_valid():
            actions.change_password(user=request.user, old_password=password_form.cleaned_data["old_password"],
                                    new_password=password_form.cleaned_data["new_password"])
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("accounts:account")
        if token_form.is_bound and token_form.is_valid():
            new_token, _ = actions.issue_token(user=request.user, name=token_form.cleaned_data["name"])
        if request.POST.get("form") == "revoke":
            actions.revoke_token(actor=request.user, token_id=int(request.POST.get("token_id", 0) or 0))
            messages.success(request, "令牌已撤销")
            return redirect("accounts:account")
    except DomainError as exc:
        bound = password_form if password_form.is_bound else token_form if token_form.is_bound else None
        if bound is None:
            messages.error(request, exc.message)
            return redirect("accounts:account")
        bound.add_error(None, exc.message)
    assignments = request.user.active_assignments()
    return render(request, "accounts/account.html", {
        "password_form": password_form, "token_form": token_form, "new_token": new_token,
        "tokens": tokens_of(request.user), "assignments": assignments,
        # API tokens are for staff integrations: a resident (self-scoped roles only) is not offered them
        "staff": any(a.region_id or a.department_id for a in assignments),
        "two_factor": twofactor.enrolled(request.user), "two_factor_required": twofactor.required_for(request.user),
    })
