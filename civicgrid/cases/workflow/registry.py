"""The shipped workflow specs by key. A changed workflow ships as a new `version` of its module's SPEC;
older versions stay listed in HISTORY so cases pinned to them can still be read."""

from __future__ import annotations

from civicgrid.cases.workflow.definitions import (
    citizen_request,
    dispute,
    enterprise_relief,
    hard_case,
    project_blocker,
    safety_hazard,
    service_request,
    urban_event,
    volunteer_order,
)
from civicgrid.cases.workflow.spec import Spec

_CURRENT: tuple[Spec, ...] = (
    urban_event.SPEC,
    dispute.SPEC,
    citizen_request.SPEC,
    safety_hazard.SPEC,
    hard_case.SPEC,
    volunteer_order.SPEC,
    enterprise_relief.SPEC,
    project_blocker.SPEC,
    service_request.SPEC,
)

SPECS: dict[str, Spec] = {spec.key: spec for spec in _CURRENT}

# versions replaced by a newer one, kept for the cases pinned to them
_EARLIER: tuple[Spec, ...] = (volunteer_order.SPEC_V1, urban_event.V1, safety_hazard.V1)

# every shipped (key, version), current ones included
HISTORY: dict[tuple[str, int], Spec] = {(spec.key, spec.version): spec for spec in (*_EARLIER, *_CURRENT)}


def get(key: str, version: int | None = None) -> Spec:
    """The current spec for `key`, or the given shipped version; KeyError if unknown."""
    if version is None:
        try:
            return SPECS[key]
        except KeyError:
            raise KeyError(f"unknown workflow {key!r}") from None
    try:
        return HISTORY[(key, version)]
    except KeyError:
        raise KeyError(f"unknown workflow {key!r} version {version}") from None
