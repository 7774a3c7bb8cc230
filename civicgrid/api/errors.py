"""Every API error answers `{code, message, details}` with a 4xx status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from civicgrid.core.errors import DomainError


def _answer(api: NinjaAPI, request, status: int, code: str, message: str, details=None):
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


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
        return _answer(api, request, 422, "invalid_input", "请求参数有误", details)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _answer(api, request, 401, "unauthenticated", "请先登录或提供有效令牌")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _answer(api, request, 404, "not_found", "对象不存在或无权查看")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return _answer(api, request, 403, "forbidden", "没有执行此操作的权限")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return _answer(api, request, exc.status_code, "http_error", str(exc))
