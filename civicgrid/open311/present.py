"""A published case as an Open311 `request`, and a case step as a mySociety `request_update`. Nothing of
the reporter (name, phone, account) and no internal comment leaves through here: the history shows each
step's public label only."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.workflow import registry
from civicgrid.open311 import mapping


def w3c(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _labels(case_type: str) -> tuple[dict[str, str], dict[str, str]]:
    try:
        spec = registry.get(case_type)
    except KeyError:
        return {}, {}
    return {s.key: s.label for s in spec.states}, {t.action: t.label for t in spec.transitions}


def media_url(request, attachment) -> str:
    return request.build_absolute_uri(reverse("open311:media", args=[attachment.pk]))


def note_type(event: CaseEvent, case_type: str) -> str:
    if event.action == "submit":
        return "submitted"
    if mapping.extended_state(case_type, event.to_state) in mapping.CLOSING:
        return "closed"
    if event.from_state and mapping.extended_state(case_type, event.from_state) == mapping.FOR_TRIAGE:
        return "opened"
    return "activity"


def service_request(case: Case, *, request, extensions: bool = False, names: dict | None = None) -> dict:
    states, actions = _labels(case.case_type)
    extended = mapping.extended_state(case.case_type, case.state)
    status = "closed" if extended in mapping.CLOSING else "open"
    photos = list(case.attachments.all())  # prefetched by queries.with_details
    out = {
        "service_request_id": case.number,
        "status": status,
        "status_notes": states.get(case.state, ""),
        "service_name": case.category.name if case.category_id else "",
        "service_code": case.category.code if case.category_id else "",
        "description": case.description,
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.closed_at if status == "closed" and case.closed_at else case.updated_at),
        "expected_datetime": w3c(case.due_at) if status == "open" else None,
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lng,
        "media_url": media_url(request, photos[0]) if photos else "",
    }
    if extensions:
        code = case.region.code
        names = names or {}
        out["extended_attributes"] = {
            "street": names.get(code[:9], ""), "community": names.get(code[:12], ""),
            "grid": names.get(code[:15], ""), "region_code": code, "channel": case.channel,
            "workflow_state": case.state, "extended_state": extended, "deadline": w3c(case.due_at),
            "photos": [{"media_url": media_url(request, p)} for p in photos],
        }
        out["notes"] = [{
            "datetime": w3c(ev.created_at), "type": note_type(ev, case.case_type),
            "summary": actions.get(ev.action, "上报" if ev.action == "submit" else ev.action),
            "description": states.get(ev.to_state, ev.to_state),
            "extended_attributes": {"state": mapping.update_state(case.case_type, ev.action, ev.to_state)},
        } for ev in case.events.all()]
    return out


def request_update(event: CaseEvent) -> dict:
    case = event.case
    states, actions = _labels(case.case_type)
    extended = mapping.update_state(case.case_type, event.action, event.to_state)
    return {
        "update_id": str(event.pk),
        "service_request_id": case.number,
        "status": extended,
        "updated_datetime": w3c(event.created_at),
        "description": f"{actions.get(event.action, '上报' if event.action == 'submit' else event.action)}:"
                       f"{states.get(event.to_state, event.to_state)}",
        "external_status_code": event.to_state,
        "media_url": "",
    }
