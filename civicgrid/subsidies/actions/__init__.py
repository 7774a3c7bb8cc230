"""Every write about subsidies. Each function checks permission with `require()` (NotFound outside the
actor's reach, Forbidden for a reader such as the leader) before its transaction, writes its audit record
inside it, and takes an idempotency key where a client may retry a create; a denied or invalid call changes
nothing."""

from civicgrid.subsidies.actions.candidates import (
    InsuranceInput,
    approve_candidate,
    compute_candidates,
    record_insurance_year,
    reject_candidate,
)
from civicgrid.subsidies.actions.payments import PaymentInput, record_disbursement, reveal_recipient
from civicgrid.subsidies.actions.programmes import programme_by_code, publish_version, seed_programmes

__all__ = [
    "InsuranceInput", "PaymentInput", "approve_candidate", "compute_candidates", "programme_by_code",
    "publish_version", "record_disbursement", "record_insurance_year", "reject_candidate", "reveal_recipient",
    "seed_programmes",
]
