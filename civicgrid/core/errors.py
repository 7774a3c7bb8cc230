"""Domain errors: a machine-readable code, a Chinese message for people, details for programs.

Actions raise these; the API turns them into `{code, message, details}` with `status`, and views
show `message`. Nothing else should decide what a failure looks like.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None):
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    @property
    def field(self) -> str | None:
        """The input field the error is about, when the action named it (`details.field`)."""
        return self.details.get("field") if isinstance(self.details, dict) else None


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    message = "输入有误"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "对象不存在或无权查看"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "没有执行此操作的权限"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    message = "请先登录"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "与现有数据冲突"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = "操作过于频繁,请稍后再试"
