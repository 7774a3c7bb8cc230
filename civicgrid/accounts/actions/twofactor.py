"""Two-factor enrolment: an authenticator app (TOTP, django-otp) confirmed with its first code, recovery
codes shown once, and the security administrator's reset for a lost phone."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.accounts import twofactor
from civicgrid.accounts.models import User
from civicgrid.core import audit, errors
from civicgrid.core.scoping import require


def start_enrolment(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator key for `user` (an unconfirmed one from before is replaced)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(twofactor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_enrolment(*, user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with a code it shows; returns the new recovery codes (shown once:
    they are not shown again, only counted)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise errors.Conflict("没有待绑定的身份验证器,请重新开始", code="no_pending_device")
        if not device.verify_token(twofactor.normalise(code)):
            raise errors.ValidationFailed("验证码不正确:请输入身份验证器当前显示的6位数字", code="invalid_otp")
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action="accounts.enrol_totp", obj=user)
    return codes


def regenerate_recovery_codes(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current authenticator code."""
    with transaction.atomic():
        device = twofactor.match(user, code)
        if not isinstance(device, TOTPDevice):
            raise errors.ValidationFailed("请输入身份验证器当前显示的6位验证码", code="invalid_otp")
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action="accounts.regenerate_recovery_codes", obj=user)
    return codes


def disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off, where the user's roles do not require it."""
    if twofactor.required_for(user):
        raise errors.Conflict("您的角色要求双因素认证,不能关闭", code="two_factor_required")
    with transaction.atomic():
        if twofactor.match(user, code) is None:
            raise errors.ValidationFailed("验证码或恢复码不正确", code="invalid_otp")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor=user, action="accounts.disable_totp", obj=user)


def reset(*, actor: User, user: User, reason: str) -> None:
    """The security administrator clears a user's authenticator (a lost phone): at the next sign-in the
    user enrols again. Never for oneself."""
    require(actor, "accounts.manage_user", user)
    if actor.pk == user.pk:
        raise errors.Conflict("不能重置自己的双因素认证", code="self_assignment")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise errors.ValidationFailed("请填写重置原因", code="reason_required")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor=actor, action="accounts.reset_totp", obj=user, reason=reason)
