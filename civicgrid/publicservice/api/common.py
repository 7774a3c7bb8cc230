"""What every part of the public-service API shares."""

from civicgrid.api.errors import ErrorOut

TAGS = ["政务服务 publicservice"]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
