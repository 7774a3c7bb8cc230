"""What every part of the innovation API shares: tags, the error answers, the idempotency header."""

from civicgrid.api.errors import ErrorOut

TAGS = ["科技创新 innovation"]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def idempotency_key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None
