"""The per-case event hash chain: each CaseEvent stores sha256(previous hash + canonical event)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from civicgrid.cases.models import Case, CaseEvent


def canonical(event: CaseEvent) -> str:
    return json.dumps(
        [event.case_id, event.seq, event.actor_id, event.actor_role, event.action, event.from_state,
         event.to_state, event.comment, event.data, event.created_at.astimezone(UTC).isoformat()],
        ensure_ascii=False, sort_keys=True, default=str,
    )


def event_hash(prev_hash: str, event: CaseEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def verify_case(case: Case) -> int | None:
    """None when the chain is intact, else the seq of the first event that does not verify (a missing
    event shows as a gap in seq or a wrong prev_hash; the case row's head hash must match the last)."""
    prev = ""
    expected_seq = 1
    for event in case.events.order_by("seq"):
        if event.seq != expected_seq or event.prev_hash != prev or event_hash(prev, event) != event.hash:
            return event.seq
        prev = event.hash
        expected_seq += 1
    if prev != case.last_event_hash or expected_seq - 1 != case.event_count:
        return expected_seq
    return None
