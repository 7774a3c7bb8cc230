"""Sign-in (password, then the second factor where one is needed), API tokens, password changes."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.accounts import throttle, twofactor
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.queries import token_hash
from civicgrid.core import audit, errors
from civicgrid.core.models import AuditResult

INVALID_CREDENTIALS = errors.Unauthenticated("用户名或密码错误", code="invalid_credentials")
INVALID_OTP = errors.Unauthenticated("动态验证码或恢复码不正确,或已使用过", code="invalid_otp")


def _first_factor(username: str, password: str, address: str) -> User:
    """Check a password from a source `address`, throttled (等保 AUTH-4, accounts.throttle): failures are
    counted per (username, address) and per address — for unknown usernames exactly as for known ones — and
    earn growing refusals (429 too_many_attempts); the account itself is never locked, so nobody can lock a
    worker out. Unknown users and wrong passwords give the same answer, after the same work."""
    try:
        throttle.check(username, address)
    except throttle.TooManyAttempts:
        audit.record(actor=None, action="accounts.login", object_type="accounts.user", object_id=username[:64],
                     result=AuditResult.DENIED, reason="too_many_attempts")
        raise
    user = User.objects.filter(username=username).first()
    known = user is not None and user.is_active
    if known:
        right = user.check_password(password)
    else:
        User().set_password(password)  # spend the same time as a real check
        right = False
    if not right:
        throttle.failed(username, address)
        audit.record(actor=None, action="accounts.login", object_type="accounts.user",
                     object_id=str(user.pk) if known else username[:64], result=AuditResult.FAILED,
                     reason="bad_password" if known else "unknown_or_inactive_user")
        raise INVALID_CREDENTIALS
    return user


def finish_sign_in(*, user: User, address: str = "", factor: str = "password") -> User:
    """Record a completed sign-in; `factor` is what the last step checked (password, totp, recovery)."""
    now = timezone.now()
    throttle.succeeded(user.username, address)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=now)
        audit.record(actor=user, action="accounts.login", obj=user, details={"factor": factor})
    user.last_login = now
    return user


def password_step(*, username: str, password: str, address: str = "") -> tuple[User, bool]:
    """The web sign-in's first step: (user, whether a second factor must follow). Without one the user is
    signed in here; with one, the counts stay until the code is right (a right password does not reset
    them, so a stolen password buys no fresh guesses at the code)."""
    user = _first_factor(username, password, address)
    if twofactor.needed(user):
        return user, True
    return finish_sign_in(user=user, address=address), False


def second_factor_step(*, user: User, code: str, address: str = "") -> User:
    """Check a TOTP code or a recovery code (each good once) and complete the sign-in."""
    try:
        throttle.check(user.username, address)
    except throttle.TooManyAttempts:
        audit.record(actor=None, action="accounts.login", obj=user, result=AuditResult.DENIED,
                     reason="too_many_attempts")
        raise
    with transaction.atomic():
        device = twofactor.match(user, code)
    if device is None:
        throttle.failed(user.username, address)
        audit.record(actor=None, action="accounts.login", obj=user, result=AuditResult.FAILED, reason="bad_otp")
        raise INVALID_OTP
    return finish_sign_in(user=user, address=address, factor="totp" if isinstance(device, TOTPDevice) else "recovery")


def authenticate_user(*, username: str, password: str, address: str = "", otp: str = "") -> User:
    """Both steps at once (the API's token exchange): a user who needs a second factor sends it as `otp`."""
    user, more = password_step(username=username, password=password, address=address)
    if not more:
        return user
    if not twofactor.enrolled(user):
        raise errors.Unauthenticated("须先在网页登录并绑定动态验证码(双因素认证)", code="otp_enrolment_required")
    if not otp:
        raise errors.Unauthenticated("请提供动态验证码(otp)", code="otp_required")
    return second_factor_step(user=user, code=otp, address=address)


def issue_token(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token; the raw value is returned once and only its hash is kept."""
    raw = "cg_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, key_hash=token_hash(raw), prefix=raw[3:11], name=name[:100],
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        )
        audit.record(actor=user, action="accounts.issue_token", obj=token)
    return raw, token


def revoke_token(*, actor: User, raw: str | None = None, token_id: int | None = None) -> None:
    """Revoke one of the actor's own tokens (by raw value or id); a security admin may revoke any."""
    qs = ApiToken.objects.filter(revoked_at__isnull=True)
    if raw is not None:
        qs = qs.filter(key_hash=token_hash(raw))
    else:
        qs = qs.filter(pk=token_id)
    if not actor.has_role("security_admin"):
        qs = qs.filter(user=actor)
    with transaction.atomic():
        token = qs.select_for_update().first()
        if token is None:
            raise errors.NotFound("令牌不存在或已撤销", code="token_not_found")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.revoke_token", obj=token)


def check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise errors.ValidationFailed("密码不符合要求:" + ";".join(exc.messages), code="weak_password",
                                      details={"password": exc.messages}) from None


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise errors.ValidationFailed("原密码不正确", code="wrong_password")
    check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(actor=user, action="accounts.change_password", obj=user)
