"""Field rules shared by the actions, the Excel import and the forms: one place decides what a valid
ID number, phone number or choice label is. Pure functions; they raise ValidationFailed."""

from __future__ import annotations

import re
from datetime import date

from django.utils import translation

from civicgrid.core import errors
from civicgrid.people import idnumber
from civicgrid.people.choices import Gender, Relation, ResidenceType

MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# Area code 0xx/0xxx, 7–8 digit number, optional extension: 024-12345678, 02412345678, 024-1234567-801
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)


def clean_phone(value: str | None) -> str:
    """A mainland mobile (1[3-9] + 9 digits) or landline; spaces and a +86 prefix are dropped. Empty is allowed."""
    phone = re.sub(r"[\s()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return ""
    if MOBILE.match(phone) or LANDLINE.match(phone):
        return phone
    raise errors.ValidationFailed(
        "电话号码格式不正确:手机号为11位(1开头),座机为区号加号码,如 024-12345678", code="phone_format"
    )


def check_identity(id_number: str, *, gender: str | None = None, birth_date: date | None = None) -> idnumber.IdInfo:
    """Validate an ID number (GB 11643) and check a stated gender and birth date against it."""
    info = idnumber.parse(id_number)
    if gender and gender != info.gender:
        raise errors.ValidationFailed("性别与身份证号不一致", code="gender_mismatch")
    if birth_date and birth_date != info.birth_date:
        raise errors.ValidationFailed("出生日期与身份证号不一致", code="birth_date_mismatch")
    return info


def clean_name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise errors.ValidationFailed("姓名不能为空", code="name_required")
    if len(name) > 50:
        raise errors.ValidationFailed("姓名过长(最多50个字符)", code="name_too_long")
    return name


def _by_value_or_label(choices, value: str | None, *, default: str, code: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        return default
    # Spreadsheets and forms use the Chinese labels whatever language the page is in.
    with translation.override("zh-hans"):
        for choice in choices:
            if text in (choice.value, str(choice.label)):
                return choice.value
        labels = "、".join(str(c.label) for c in choices)
    raise errors.ValidationFailed(f"{what}“{text}”无效,可选:{labels}", code=code)


def clean_relation(value: str | None) -> str:
    return _by_value_or_label(Relation, value, default=Relation.OTHER, code="relation_unknown", what="与户主关系")


def clean_residence_type(value: str | None) -> str:
    return _by_value_or_label(
        ResidenceType, value, default=ResidenceType.REGISTERED, code="residence_type_unknown", what="人口类型"
    )


def clean_gender(value: str | None) -> str:
    return _by_value_or_label(Gender, value, default="", code="gender_unknown", what="性别")
