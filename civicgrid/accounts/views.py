from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts import actions
from civicgrid.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from civicgrid.accounts.queries import tokens_of
from civicgrid.core import context
from civicgrid.core.errors import DomainError


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.authenticate_user(**form.cleaned_data, address=context.from_request(request).ip)
        except DomainError as exc:
            error, status = exc.message, exc.status  # 401, or 429 while throttled
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    return render(
        request, "accounts/login.html",
        {"form": form, "error": error, "idle": request.GET.get("idle"), "next": request.GET.get("next", "")},
        status=status,
    )


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
    })
