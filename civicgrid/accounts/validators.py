from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_CLASSES = [(r"[a-z]", "小写字母"), (r"[A-Z]", "大写字母"), (r"[0-9]", "数字"), (r"[^a-zA-Z0-9]", "特殊字符")]


class CharacterClassValidator:
    """等保 AUTH-2: at least `min_classes` of lower case, upper case, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern, _ in _CLASSES if re.search(pattern, password))
        if present < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、特殊字符中的 {self.min_classes} 类",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"至少包含大写字母、小写字母、数字、特殊字符中的 {self.min_classes} 类。"


MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def clean_mobile(value: str | None) -> str:
    """A mainland mobile number (11 digits starting 1[3-9]; spaces, dashes and +86 dropped), or "" when empty.
    Raises ValueError with the Chinese message when it is not one."""
    raw = re.sub(r"[\s-]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if raw and not MOBILE.match(raw):
        raise ValueError("手机号格式不正确:应为11位,以1开头")
    return raw
