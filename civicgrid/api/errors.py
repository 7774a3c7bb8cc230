"""Every API error answers `{code, message, details}` with a 4xx status.

What an error echoes back is bounded (`safe`): an answer is valid JSON whatever the input was (no NaN or
Infinity), and a huge input is not sent back whole.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from civicgrid.core.errors import DomainError

MAX_TEXT = 200  # characters of any one string echoed back
MAX_ITEMS = 20  # items of any one list or dict echoed back
MAX_DEPTH = 4

# pydantic error types that have a code of their own (else `invalid_input`)
SPECIFIC_CODES = {"blank_text": "blank_text", "finite_number": "non_finite_number"}


def safe(value, depth: int = 0):
    """`value` cut down to what an error may echo: strings capped, lists and dicts shortened, non-finite
    numbers as text, anything else as its (capped) text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if depth >= MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {safe(str(k)): safe(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, list | tuple | set | frozenset):
        return [safe(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return safe(str(value))


def _answer(api: NinjaAPI, request, status: int, code: str, message: str, details=None):
    return api.create_response(request, {"code": code, "message": safe(message), "details": safe(details)},
                               status=status)


def _code(errors: list[dict]) -> str:
    """The first error with a code of its own names the answer; the details still list every error."""
    for err in errors:
        if err.get("type") in SPECIFIC_CODES:
            return SPECIFIC_CODES[err["type"]]
    return "invalid_input"


class ErrorOut(Schema):
    """An error answer, as the routes declare their error statuses (every app's API uses this one)."""

    code: str
    message: str
    details: Any = None


ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["code", "message", "details"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
    "additionalProperties": False,
}


class API(NinjaAPI):
    """A NinjaAPI whose OpenAPI document declares, for every operation, the error answer any 4xx has
    (`4XX`: `{code, message, details}`) besides the statuses the operation names itself."""

    def get_openapi_schema(self, **kwargs):
        document = super().get_openapi_schema(**kwargs)
        document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"description": "错误:{code, message, details}",
                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in document["paths"].values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("4XX", error)
        return document


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return _answer(api, request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc: NinjaValidationError):
        details = [
            {"loc": [str(p) for p in err.get("loc", [])], "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors
        ]
        return _answer(api, request, 422, _code(exc.errors), "请求参数有误", details)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _answer(api, request, 401, "unauthenticated", "请先登录或提供有效令牌")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _answer(api, request, 404, "not_found", "对象不存在或无权查看")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return _answer(api, request, 403, "forbidden", "没有执行此操作的权限")

    @api.exception_handler(RequestDataTooBig)
    def payload_too_large(request, exc):
        return _answer(api, request, 413, "payload_too_large", "请求内容过大")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return _answer(api, request, exc.status_code, "http_error", str(exc))
