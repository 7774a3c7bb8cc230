"""What every part of the investment API shares: the error shape, tags, the idempotency header."""

from civicgrid.api.errors import ErrorOut

TAGS = ["项目与招商 investment"]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def idempotency_key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None
