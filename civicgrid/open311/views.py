"""/open311/v2/: GeoReport v2 in XML and JSON, with the extensions listed in docs/open311.md. Plain Django
views, not the ninja API: the spec fixes its own shapes (bare arrays, XML, list-shaped errors)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from civicgrid.cases.models import Attachment
from civicgrid.core import confcache
from civicgrid.open311 import actions, formats, mapping, present, queries
from civicgrid.open311.formats import Open311Error

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"


def endpoint(*methods: str):
    """An Open311 view: answers Open311Error, and a method it does not take (405 with `Allow`), in the
    spec's error format and the format the URL asked for. CSRF-exempt: the clients hold an api_key, not a
    browser session (a GET is no write anyway)."""
    allowed = methods or ("GET",)

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, fmt: str, **kwargs):
            try:
                if request.method not in allowed:
                    raise Open311Error(405, f"method {request.method} is not allowed here",
                                       headers={"Allow": ", ".join(allowed)})
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return formats.error(fmt, exc)

        return csrf_exempt(wrapped)

    return decorate


def refused(request, error):
    """The input guard's refusal (a NUL in the input, a body too large) in the Open311 error list."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    status = 400 if error.status == 422 else error.status
    return formats.error(fmt, Open311Error(status, f"{error.code}: {error.message}"))


def index(request):
    """The endpoint's HTML page (recommended by the spec): what is served and how to get a key."""
    return render(request, "open311/index.html", {
        "services": queries.services(), "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE, "case_types": queries.case_types(),
        "states": mapping.STATES,
    })


@endpoint()
def discovery(request, *, fmt: str):
    changeset = present.w3c(_changeset())
    base = request.build_absolute_uri(reverse("open311:index"))
    return formats.respond(fmt, "discovery", {
        "changeset": changeset, "contact": settings.OPEN311_CONTACT, "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [{"specification": SPEC_URL, "url": base.rstrip("/"), "changeset": changeset,
                       "type": settings.OPEN311_ENDPOINT_TYPE, "formats": list(formats.MEDIA_TYPES)}],
    })


def _changeset():
    from django.utils import timezone

    from civicgrid.cases.models import WorkflowDefinition

    latest = WorkflowDefinition.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return latest or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def _service(category) -> dict:
    return {
        "service_code": category.code, "service_name": category.name,
        "description": category.filing_condition or category.name, "metadata": bool(category.questions),
        "type": "realtime", "keywords": ",".join(k for k in (category.case_type, category.parent.name) if k),
        "group": category.parent.name, "groups": [category.parent.name],
    }


@endpoint()
def services(request, *, fmt: str):
    queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    listed = confcache.current().get(("open311_services", queries.case_types()),
                                     lambda: [_service(c) for c in queries.services()])
    return formats.respond(fmt, "services", listed)


@endpoint()
def service_definition(request, code: str, *, fmt: str):
    queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    category = queries.service(code)
    attributes = []
    for order, q in enumerate(category.questions, start=1):
        kind = q.get("type", "text")
        values = q.get("choices", []) if kind in ("choice", "multi") else (
            ["true", "false"] if kind == "boolean" else [])
        attributes.append({
            "variable": True, "code": q["key"], "datatype": mapping.DATATYPES.get(kind, "string"),
            "required": bool(q.get("required")), "datatype_description": q.get("help", ""), "order": order,
            "description": q["label"], "values": [{"key": v, "name": v} for v in values],
        })
    return formats.respond(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


@endpoint("GET", "POST")
def requests(request, *, fmt: str):
    if request.method == "POST":
        return _post(request, fmt)
    region = queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    extensions = request.GET.get("extensions", "").lower() == "true"
    cases = queries.requests(region, request.GET)
    names = queries.region_names(cases) if extensions else None
    return formats.respond(fmt, "service_requests", [
        present.service_request(c, request=request, extensions=extensions, names=names) for c in cases])


def _post(request, fmt: str):
    key = actions.authenticate(request.POST.get("api_key", ""))
    idempotency = request.headers.get("Idempotency-Key", "")
    client_id = request.POST.get("client_request_id", "").strip()
    if not idempotency and client_id:
        device = request.POST.get("device_id", "").strip() or "-"
        idempotency = f"{device}:{client_id}"
    files = request.FILES.getlist("media") + request.FILES.getlist("media[]")
    posted = actions.post_request(key=key, form=request.POST, files=files, idempotency_key=idempotency or None)
    case = posted.case
    notice = f"已受理,编号 {case.number}"
    return formats.respond(fmt, "service_requests", [
        {"service_request_id": case.number, "service_notice": notice, "account_id": ""}],
        status=201 if posted.created else 200)


@endpoint()
def service_request(request, number: str, *, fmt: str):
    region = queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    case = queries.request(region, number)
    extensions = request.GET.get("extensions", "").lower() == "true"
    names = queries.region_names([case]) if extensions else None
    return formats.respond(fmt, "service_requests",
                           [present.service_request(case, request=request, extensions=extensions, names=names)])


@endpoint()
def token(request, token: str, *, fmt: str):
    """Every service is `realtime` (the id comes back at once), so no token ever exists."""
    queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    raise Open311Error(404, f"token {token!r} not found: this server answers every POST with its id at once")


@endpoint("GET", "POST")
def request_updates(request, *, fmt: str):
    if request.method == "POST":
        key = actions.authenticate(request.POST.get("api_key", ""))
        update, created = actions.post_update(key=key, form=request.POST)
        return formats.respond(fmt, "service_request_updates", [{"update_id": f"c{update.pk}"}],
                               status=201 if created else 200)
    region = queries.jurisdiction(request.GET.get("jurisdiction_id", ""))
    return formats.respond(fmt, "service_request_updates",
                           [present.request_update(e) for e in queries.updates(region, request.GET)])


@require_GET
def media(request, pk: int):
    """An intake photo of a published case (re-encoded at upload: no EXIF or other metadata)."""
    from civicgrid.geo.queries import root_region

    root = root_region()  # the whole tree: a district, or a city of many
    attachment = Attachment.objects.filter(pk=pk, pending=False,  # a step's upload not yet taken is nobody's to see
                                           case__in=queries.public_cases(root) if root else []).first()
    if attachment is None or (attachment.event_id and attachment.event.seq != 1):
        raise Http404
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
