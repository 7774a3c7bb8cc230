"""An order's steps through `POST /api/v1/cases/{case_id}/transitions` (civicgrid/api/steps.py hands them
here): `action` is the workflow action, `comment` and `facts` its input, checked by the step's schema
below (422 `invalid_input` naming `facts.<name>`, unknown facts included), then the step's action.
An `Idempotency-Key` header makes a retry answer the step already taken (actions/steps.py)."""

from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from civicgrid.api.params import RequiredText
from civicgrid.volunteers import actions
from civicgrid.volunteers.queries import orders as order_queries


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def inputs(self) -> dict:
        """The keywords of the step's action."""
        return {}


class Accept(Facts):
    comment: str = Field("", max_length=500)

    def inputs(self):
        return {"reason": self.comment}


class Reason(Facts):
    reason: RequiredText = Field(..., max_length=500)

    def inputs(self):
        return {"reason": self.reason}


class Dispatch(Facts):
    station: str = Field(..., max_length=30, description="实践站编码")

    def inputs(self):
        return {"station_code": self.station}


class Assign(Facts):
    team: str = Field(..., max_length=30, description="服务队伍编码")
    volunteer_ids: list[int]

    def inputs(self):
        return {"team_code": self.team, "volunteer_ids": list(self.volunteer_ids)}


class Contact(Facts):
    comment: RequiredText = Field(..., max_length=2000)

    def inputs(self):
        return {"comment": self.comment}


class Record(BaseModel):
    volunteer_id: int
    started_at: AwareDatetime
    ended_at: AwareDatetime
    content: str = Field("", max_length=300)


class Complete(Facts):
    comment: str = Field(..., max_length=4000, description="服务情况")
    records: list[Record]

    def inputs(self):
        return {"report": self.comment, "records": [
            actions.RecordInput(r.volunteer_id, r.started_at, r.ended_at, r.content)
            for r in self.records]}


class Rate(Facts):
    satisfaction: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)

    def inputs(self):
        return {"satisfaction": self.satisfaction, "comment": self.comment}


# the schema of each step's input; the keys are every step an order takes through /transitions
SCHEMAS: dict[str, type[Facts]] = {
    "accept": Accept, "reject": Reason, "dispatch": Dispatch, "station_accept": Facts, "decline": Reason,
    "assign_team": Assign, "centre_assign": Assign, "contact": Contact, "complete": Complete, "rate": Rate,
    "cancel": Reason,
}


def _facts(action: str, comment: str, facts: dict) -> dict:
    schema = SCHEMAS.get(action)
    if schema is None:
        return {}  # take_step refuses it with the steps on offer
    data = {**({"comment": comment} if comment else {}), **facts}
    try:
        return schema.model_validate(data).inputs()
    except PydanticValidationError as exc:
        raise NinjaValidationError([
            {**err, "loc": ("body", "payload", *(() if err["loc"][:1] == ("comment",) else ("facts",)), *err["loc"])}
            for err in exc.errors(include_url=False, include_context=False)]) from None


def take(request, case_id: int, payload) -> dict:
    """The handler `POST /cases/{case_id}/transitions` calls for a volunteer order."""
    order = order_queries.order_of_case(request.auth, case_id)
    result = actions.take_step(actor=request.auth, order_id=order.pk, action=payload.action,
                               inputs=_facts(payload.action, payload.comment, payload.facts),
                               expected_event_count=payload.expected_event_count,
                               idempotency_key=request.headers.get("Idempotency-Key"))
    return {"case": result.order.case, "event": result.event}
