"""Limits every input obeys, kept in one place: the API's parameter types (civicgrid/api/params.py), the
pages' form fields and the request guard below all apply these rules.

- Days lie within FIRST_DAY..LAST_DAY. Date arithmetic next to `date.min`/`date.max` overflows (a
  report's "day after `until`", a month's end), and nobody records a visit in year 9999.
- Whole numbers from a request (ids, offsets, counts) lie within 0..MAX_INT: SQLite overflows beyond
  64 bits and PostgreSQL's integer columns beyond 32.
- Numbers are finite: NaN and infinity are not coordinates, and JSON cannot carry them.
- Text holds no NUL character (PostgreSQL refuses it in text columns), and required free text is more
  than invisible characters (whitespace, zero-width spaces and joiners, BOM, control characters).
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException

from civicgrid.core import errors

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Days a record carries from before the system (an enterprise registered in 1993, a patent granted in 1998).
FIRST_RECORD_DAY = date(1900, 1, 1)
MAX_INT = 2**31 - 1

# Characters that show nothing: Unicode's control (Cc), format (Cf: zero-width space/joiners, BOM,
# word joiner, direction marks) and separator (Z*) categories, plus the fillers that render blank.
_BLANK_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_BLANK_FILLERS = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}


class InvalidInput(errors.ValidationFailed):
    code = "invalid_input"
    message = "请求参数有误"


class NulByte(errors.ValidationFailed):
    code = "nul_byte"
    message = "输入中含有不允许的空字符(NUL)"


class BlankText(errors.ValidationFailed):
    code = "blank_text"
    message = "内容不能为空或只含不可见字符"


def day_message() -> str:
    return f"日期须在 {FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()} 之间"


def day_in_range(value: date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def check_day(value: date) -> date:
    if not day_in_range(value):
        raise InvalidInput(day_message(), details={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()})
    return value


def _day_in_range(value: date) -> None:
    if not day_in_range(value):
        raise ValidationError(day_message(), code="date_out_of_range")


class DayField(forms.DateField):
    """The pages' date field: a form's date obeys the same range as the API's `Day`."""

    default_validators = [_day_in_range]


def _not_blank(value: str) -> None:
    if is_blank(value):
        raise ValidationError(BlankText.message, code=BlankText.code)


class TextField(forms.CharField):
    """The pages' required free text (descriptions, titles, names): more than invisible characters."""

    default_validators = [_not_blank]


def is_blank(text: str) -> bool:
    return all(ch.isspace() or ch in _BLANK_FILLERS or unicodedata.category(ch) in _BLANK_CATEGORIES
               for ch in text)


def has_nul(value) -> bool:
    """True when `value` (a string, or lists and dicts of them, as parsed from JSON) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


class PayloadTooLarge(errors.DomainError):
    status = 413
    code = "payload_too_large"
    message = "请求内容过大"


# path prefix -> answer(request, error): a refusal in the format of the interface that owns the prefix,
# registered by its app (Open311 answers its own error list)
REFUSAL_ANSWERS: dict = {}


class InputGuardMiddleware:
    """Refuses, before any view parses it, a request whose path, query string, form fields or JSON body
    carry a NUL (422 `nul_byte`), or whose body passes MAX_REQUEST_BYTES, or whose fields (files aside)
    pass DATA_UPLOAD_MAX_MEMORY_SIZE (413 `payload_too_large`): one rule for pages and API alike. The API
    answers `{code, message, details}`, a page a short Chinese text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if _content_length(request) > settings.MAX_REQUEST_BYTES:
                raise RequestDataTooBig  # an upload too: refused before a byte of it is read
            refused = NulByte() if self._carries_nul(request) else None
        except RequestDataTooBig:
            refused = PayloadTooLarge()
        if refused is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(refused.as_dict(), status=refused.status)
        for prefix, answer in REFUSAL_ANSWERS.items():
            if request.path.startswith(prefix):
                return answer(request, refused)
        status = 400 if refused.status == 422 else refused.status
        return HttpResponse(refused.message, status=status, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                return has_nul(dict(request.POST.lists()))
            except (RawPostDataException, MultiPartParserError):
                return False  # a body that is no form: Django then reads it as empty, the view answers
        # Any other body is read as JSON by the API, whatever its Content-Type says. A NUL can only reach a
        # JSON string as the escape \u0000 (a raw one is no JSON); decode only when that is there.
        return b"\\u0000" in request.body and has_nul(_json_or_none(request.body))


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _json_or_none(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None  # the view's parser answers for malformed JSON
