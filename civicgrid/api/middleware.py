"""API answers made outside the API's exception handlers (a wrong method is 405 from django-ninja, an
unknown path 404 from Django's resolver) get the same `{code, message, details}` shape as every other
API error."""

from __future__ import annotations

from django.http import JsonResponse

CODES = {
    400: ("bad_request", "请求有误"),
    404: ("not_found", "对象不存在或无权查看"),
    405: ("method_not_allowed", "不支持此请求方法"),
    413: ("payload_too_large", "请求内容过大"),
}


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code in CODES and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            code, message = CODES[response.status_code]
            answer = JsonResponse({"code": code, "message": message, "details": None}, status=response.status_code)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response
