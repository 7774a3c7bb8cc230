"""Every write of the innovation app. Each function checks permission before its transaction (NotFound
outside the actor's reach, Forbidden for a reader), writes its audit record inside it and takes an
idempotency key where a phone or a client may retry a create; a denied or invalid call changes nothing."""

from civicgrid.innovation.actions.agreements import (
    AgreementInput,
    record_agreement,
    record_output,
    set_agreement_status,
)
from civicgrid.innovation.actions.challenges import (
    ChallengeInput,
    plan_milestone,
    post_challenge,
    record_application,
    record_milestone,
    transition_challenge,
)
from civicgrid.innovation.actions.platforms import (
    PlatformInput,
    TeamInput,
    record_platform,
    record_team,
    set_innovation_office,
)

__all__ = [
    "AgreementInput", "ChallengeInput", "PlatformInput", "TeamInput", "plan_milestone",
    "post_challenge", "record_agreement", "record_application", "record_milestone", "record_output",
    "record_platform", "record_team", "set_agreement_status", "set_innovation_office", "transition_challenge",
]
