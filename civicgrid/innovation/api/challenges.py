"""The 揭榜挂帅 challenges: the board, posting, one challenge (summary or full), transitions, applications,
suggestions, milestones."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RequiredText
from civicgrid.core import errors
from civicgrid.innovation import actions, queries
from civicgrid.innovation.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.innovation.choices import ChallengeStatus
from civicgrid.innovation.choices import Field as TechField

router = Router(tags=TAGS)


class ChallengeSummaryOut(Schema):
    """What the zone-wide board shows of a published need."""

    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    title: str
    fields: list[str]
    goal: str
    budget: Decimal = Field(..., description="榜额(元)")
    deadline: date
    complete_by: date | None
    status: str
    posted_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj["enterprise"].name if isinstance(obj, dict) else obj.enterprise.name


class ApplicationOut(Schema):
    id: int
    team_id: int
    team_name: str = Field(..., alias="team.name")
    lead_organisation: str = Field(..., alias="team.lead_organisation")
    plan: str
    fields: list[str]
    quoted_budget: Decimal | None
    is_selected: bool
    applied_at: datetime


class MilestoneOut(Schema):
    id: int
    seq: int
    title: str
    planned_on: date
    achieved_on: date | None
    evidence: str


class ChallengeOut(ChallengeSummaryOut):
    """The full challenge for those who reach its enterprise; `private` false: only the summary fields."""

    private: bool
    status_reason: str | None = None
    enterprise_choice_id: int | None = None
    department_choice_id: int | None = None
    selected_at: datetime | None = None
    applications: list[ApplicationOut] | None = None
    milestones: list[MilestoneOut] | None = None
    allowed_actions: list[str] = Field(default_factory=list, description="本人现在可以执行的状态变更")


def _present(challenge, full: bool, user=None) -> dict:
    data = {key: getattr(challenge, key) for key in ChallengeSummaryOut.model_fields if key != "enterprise_name"}
    data["enterprise"] = challenge.enterprise
    data["private"] = full
    if full:
        data.update(status_reason=challenge.status_reason, enterprise_choice_id=challenge.enterprise_choice_id,
                    department_choice_id=challenge.department_choice_id, selected_at=challenge.selected_at,
                    applications=list(queries.applications_of(challenge)),
                    milestones=list(queries.milestones_of(challenge)),
                    allowed_actions=queries.moves_for(user, challenge)["moves"] if user is not None else [])
    return data


class ChallengeIn(Schema):
    enterprise_id: Id
    title: str = Field(..., max_length=200)
    fields: list[TechField] = Field(..., max_length=5)
    goal: str = Field(..., max_length=2000)
    budget: Decimal = Field(..., description="榜额(元),须大于0:否则 422 `budget_not_positive`")
    deadline: Day = Field(..., description="揭榜截止日期,须晚于今天:否则 422 `deadline_in_past`")
    complete_by: Day | None = None


class TransitionIn(Schema):
    action: str = Field(..., max_length=40, description="publish | reject | close | enterprise_choose | "
                                                        "department_choose | complete | withdraw")
    reason: str = Field("", max_length=300)
    application_id: Id | None = Field(None, description="enterprise_choose / department_choose:所选申报")


class ApplicationIn(Schema):
    team_id: Id
    plan: RequiredText = Field(..., max_length=4000)
    fields: list[TechField] = Field(default_factory=list, max_length=5)
    quoted_budget: Decimal | None = Field(None, description="申报经费(元)")


class PartsOut(Schema):
    coverage: float
    focus: float
    record: float
    level: float
    load: float


class PlatformSuggestionOut(Schema):
    platform_id: int
    name: str
    score: float
    parts: PartsOut
    common_fields: list[str]


class TeamSuggestionOut(Schema):
    team_id: int
    name: str
    score: float
    parts: PartsOut
    common_fields: list[str]
    applied: bool


class SuggestionsOut(Schema):
    platforms: list[PlatformSuggestionOut]
    teams: list[TeamSuggestionOut]


class MilestoneIn(Schema):
    title: str = Field(..., max_length=200)
    planned_on: Day


class AchievedIn(Schema):
    achieved_on: Day
    evidence: str = Field(..., max_length=500)


@router.get("/challenges", response=list[ChallengeSummaryOut])
@paginate(CountItemsNext)
def list_challenges(request, status: ChallengeStatus | None = None, field: TechField | None = None, q: str = "",
                    mine: bool = False):
    """揭榜挂帅榜单:已发布需求的摘要全区可见;本人可见企业的需求(含待审核、已撤榜)也在其中。
    `mine=true` 只列本人可见企业的需求。"""
    return queries.board(request.auth, status=status or "", field=field or "", q=q, mine=mine)


@router.post("/challenges", response={201: ChallengeOut, **ERRORS})
def post_challenge(request, payload: ChallengeIn):
    """企业发布技术需求(企业联系人,或专员代企业),等待科技创新部审核发布。请带 `Idempotency-Key`。"""
    data = actions.ChallengeInput(**payload.model_dump(exclude={"enterprise_id"}))
    challenge = actions.post_challenge(actor=request.auth, enterprise_id=payload.enterprise_id, data=data,
                                       idempotency_key=idempotency_key(request))
    return Status(201, _present(*queries.challenge_for(request.auth, challenge.pk), request.auth))


@router.get("/challenges/{challenge_id}", response={200: ChallengeOut, **ERRORS})
def get_challenge(request, challenge_id: Id):
    return _present(*queries.challenge_for(request.auth, challenge_id), request.auth)


@router.post("/challenges/{challenge_id}/transitions", response={200: ChallengeOut, **ERRORS})
def transition(request, challenge_id: Id, payload: TransitionIn):
    """状态变更。双方遴选:企业一方 `enterprise_choose`、科技创新部一方 `department_choose`,都选中同一申报即
    确定揭榜团队;未申报的团队 422 `application_not_in_challenge`,已确定后 409 `already_selected`。"""
    actions.transition_challenge(actor=request.auth, challenge_id=challenge_id, action=payload.action,
                                 reason=payload.reason, application_id=payload.application_id)
    return _present(*queries.challenge_for(request.auth, challenge_id), request.auth)


@router.post("/challenges/{challenge_id}/applications", response={201: ApplicationOut, **ERRORS})
def record_application(request, challenge_id: Id, payload: ApplicationIn):
    """科技创新部登记团队的揭榜申报:不在揭榜期(未发布、已截止)409 `challenge_closed`。"""
    return Status(201, actions.record_application(
        actor=request.auth, challenge_id=challenge_id, team_id=payload.team_id, plan=payload.plan,
        fields=list(payload.fields), quoted_budget=payload.quoted_budget, idempotency_key=idempotency_key(request)))


@router.get("/challenges/{challenge_id}/suggestions", response={200: SuggestionsOut, **ERRORS})
def suggestions(request, challenge_id: Id, limit: int = Query(5, ge=1, le=20)):
    """按技术领域推荐的平台和团队,每个得分列出各项(覆盖、专注、业绩、级别、负荷)。"""
    challenge, full = queries.challenge_for(request.auth, challenge_id)
    if not full:
        raise errors.NotFound()
    found = queries.suggestions(request.auth, challenge, limit=limit)
    return {
        "platforms": [{"platform_id": s["platform"].pk, "name": s["platform"].name, "score": s["score"],
                       "parts": s["parts"], "common_fields": s["common_codes"]} for s in found["platforms"]],
        "teams": [{"team_id": s["team"].pk, "name": s["team"].name, "score": s["score"], "parts": s["parts"],
                   "common_fields": s["common_codes"], "applied": s["applied"]} for s in found["teams"]],
    }


@router.post("/challenges/{challenge_id}/milestones", response={201: MilestoneOut, **ERRORS})
def plan_milestone(request, challenge_id: Id, payload: MilestoneIn):
    return Status(201, actions.plan_milestone(actor=request.auth, challenge_id=challenge_id, title=payload.title,
                                              planned_on=payload.planned_on, idempotency_key=idempotency_key(request)))


@router.post("/milestones/{milestone_id}/achieved", response={200: MilestoneOut, **ERRORS})
def record_milestone(request, milestone_id: Id, payload: AchievedIn):
    """记录里程碑实际完成日期和依据:日期在将来 422 `achieved_in_future`。"""
    return actions.record_milestone(actor=request.auth, milestone_id=milestone_id, achieved_on=payload.achieved_on,
                                    evidence=payload.evidence)
