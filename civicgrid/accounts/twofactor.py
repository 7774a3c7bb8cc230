"""Two-factor sign-in policy (等保 AUTH-6): who needs a second factor and which of their devices accepts a
code. The writes (enrolment, recovery codes, reset) are in actions/twofactor.py."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.accounts.roles import SEPARATED_ADMIN_ROLES

RECOVERY_CODE_COUNT = 10


def required_roles() -> frozenset[str]:
    """The three administrator roles always; other roles as the deployment sets (CIVICGRID_TWO_FACTOR_ROLES)."""
    return frozenset(str(r) for r in SEPARATED_ADMIN_ROLES) | frozenset(settings.TWO_FACTOR_ROLES)


def required_for(user) -> bool:
    return bool(user.role_codes() & required_roles())


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needed(user) -> bool:
    """A second factor is asked for from whoever must have one or has chosen to."""
    return required_for(user) or enrolled(user)


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:32]


def match(user, code: str):
    """The confirmed device that accepts `code` (used up: a TOTP step or a recovery code is good once), or
    None. Six digits are tried on the authenticator only and anything else on the recovery codes, so a
    mistyped recovery code never counts against the authenticator's own throttle."""
    code = normalise(code)
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True).select_for_update():
        if device.verify_token(code):
            return device
    return None
