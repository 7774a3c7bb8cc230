"""The per-case event hash chain: each CaseEvent stores sha256(previous hash + canonical event), and the
case row keeps the head (`event_count`, `last_event_hash`), so an edited, inserted or deleted event is
found, the newest ones included.

The canonical event holds every stored field but the id and the two hashes: the list comes from the
model, so a new field is hashed too. Format 2 names the fields and leaves empty values out (a field added
later, empty on older events, keeps their hashes); format 1, before issue 13, left out `actor_name`.
Events written then still verify by that rule; within a case no format-1 event may follow a format-2 one.
"""

from __future__ import annotations

import hashlib
import json
import operator
from datetime import UTC

from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core.audit import canonical_row

HASHED_FIELDS = tuple(f.attname for f in CaseEvent._meta.concrete_fields if f.name not in {"id", "prev_hash", "hash"})
_hashed_values = operator.attrgetter(*HASHED_FIELDS)
FORMAT = 2
ANONYMISE = "anonymise"  # the tombstone event's action


def canonical(event: CaseEvent) -> str:
    return canonical_row(HASHED_FIELDS, _hashed_values(event), FORMAT)


def _canonical_format_1(event: CaseEvent) -> str:
    return json.dumps(
        [event.case_id, event.seq, event.actor_id, event.actor_role, event.action, event.from_state,
         event.to_state, event.comment, event.data, event.created_at.astimezone(UTC).isoformat()],
        ensure_ascii=False, sort_keys=True, default=str,
    )


def event_hash(prev_hash: str, event: CaseEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def _event_hash_format_1(prev_hash: str, event: CaseEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical_format_1(event)).encode()).hexdigest()


def check_case(case: Case) -> tuple[int, str] | None:
    """None when the case's chain is intact, else (seq of the first event that does not verify, what is
    wrong in plain words)."""
    prev = ""
    expected_seq = 1
    switched = False
    events = list(case.events.order_by("seq"))
    # events anonymised in place (PIPL retention) keep their link but no longer match their hash; the
    # tombstone event appended then, itself in the chain, names them
    redacted = {seq for e in events if e.action == ANONYMISE for seq in e.data.get("redacted", [])}
    for event in events:
        if event.seq != expected_seq or event.prev_hash != prev:
            after = f"event {expected_seq - 1}" if expected_seq > 1 else "the start of the log"
            return event.seq, (f"event {event.seq} does not follow {after}: an event between them was deleted, "
                               "or this one was inserted out of band")
        if event.hash == event_hash(prev, event):
            switched = True
        elif event.seq in redacted:
            pass
        elif switched or event.hash != _event_hash_format_1(prev, event):
            return event.seq, f"event {event.seq} was changed after it was written: its fields no longer match its hash"
        prev = event.hash
        expected_seq += 1
    last = expected_seq - 1
    if last != case.event_count:
        return expected_seq, (f"the case records {case.event_count} events but its log ends at event {last}: the "
                              "newest events were deleted, or the case's event count was changed out of band")
    if prev != case.last_event_hash:
        return last, (f"the case's last event hash does not match event {last}: the newest event was replaced, or "
                      "the case's chain head was changed out of band")
    return None


def verify_case(case: Case) -> int | None:
    """None when the chain is intact, else the seq of the first event that does not verify (a missing
    event shows as a gap in seq or a wrong prev_hash; the case row's head hash must match the last)."""
    problem = check_case(case)
    return None if problem is None else problem[0]
