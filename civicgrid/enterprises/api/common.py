"""What every part of the enterprise API shares: the error shape, tags."""


from civicgrid.api.errors import ErrorOut

TAGS = ["高新区与企业 enterprises"]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def idempotency_key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None
