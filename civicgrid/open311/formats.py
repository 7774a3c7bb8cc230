"""Open311 answers in XML and JSON, one shape for both (docs/open311.md): a list container becomes a bare
JSON array (the "Spark convention"), repeated XML children take the singular name, booleans are the text
`true`/`false` in XML, ids and codes are strings, and every answer is UTF-8."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MEDIA_TYPES = ("text/xml", "application/json")

# the element name of one item of each list
ITEMS = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format", "notes": "note",
    "service_request_updates": "request_update", "photos": "photo", "groups": "group",
}


class Open311Error(Exception):
    """An answer in the spec's error format: 400 (bad input), 403 (api_key), 404 (no such thing), 429."""

    def __init__(self, status: int, description: str, code: str | int | None = None, headers=None):
        super().__init__(description)
        self.status = status
        self.code = code if code is not None else status
        self.description = description
        self.headers = headers or {}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list | tuple):
        item = ITEMS.get(name, "item")
        for child in value:
            element.append(_element(item, child))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, body) -> bytes:
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, body), encoding="utf-8",
                                                                      xml_declaration=False)


def respond(fmt: str, root: str, body, *, status: int = 200, headers=None) -> HttpResponse:
    """`body` is a list (a list container: bare array in JSON) or a dict (one object)."""
    if fmt == "json":
        response = JsonResponse(body, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = CONTENT_TYPES["json"]
    else:
        response = HttpResponse(to_xml(root, body), status=status, content_type=CONTENT_TYPES["xml"])
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error(fmt: str, exc: Open311Error) -> HttpResponse:
    return respond(fmt, "errors", [{"code": exc.code, "description": exc.description}], status=exc.status,
                   headers=exc.headers)
