"""Campaign API (/api/v1/gridops/campaigns): campaigns and their forms (designed, from a template or
imported from XLSForm), the lifecycle as transitions, the worker's household list, answer sync from phones
(idempotent, with the conflict rule of docs/gridops/campaigns.md), progress by grid, results and export.
Out-of-scope ids answer 404."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RequiredText
from civicgrid.core import errors
from civicgrid.core.web import XLSX
from civicgrid.geo.models import Region
from civicgrid.gridops.campaigns import actions, examples, queries, schema
from civicgrid.gridops.campaigns.choices import CampaignKind
from civicgrid.gridops.campaigns.excel import export_campaign_xlsx
from civicgrid.gridops.campaigns.models import CampaignAnswer, CampaignRevision

router = Router(tags=["专项排查"])
MAX_PHOTO_CHARS = 14 * 1024 * 1024  # a base64 data URL of a 10 MB photo


class TargetOut(Schema):
    code: str
    name: str


class CampaignOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    phase: str
    region_code: str
    region_name: str
    targets: list[TargetOut]
    start_date: date
    end_date: date
    form_source: str
    is_open: bool
    can_manage: bool


class CampaignDetailOut(CampaignOut):
    form: dict


class CampaignIn(Schema):
    title: RequiredText = Field(..., max_length=100)
    description: str = Field("", max_length=2000)
    kind: CampaignKind = CampaignKind.SCREENING
    target_codes: list[str] = Field(..., min_length=1, description="排查范围:区域编码(社区、网格或微网格)")
    start_date: Day
    end_date: Day
    template: Literal["blank", "epidemic", "gas_safety"] | None = Field(None, description="使用内置表单模板")
    form: dict | None = Field(None, description="表单定义 {fields: [...]},见 docs/gridops/campaigns.md")


class FormIn(Schema):
    form: dict


class ImportOut(CampaignDetailOut):
    warnings: list[str]


class TransitionIn(Schema):
    action: Literal["publish", "close"] = Field(..., description="publish 发布(草稿→进行中);close 结束")


class HouseholdRowOut(Schema):
    id: int
    number: str
    address: str
    room: str
    building: str
    region_code: str
    region_name: str
    version: int
    answers: dict
    has_conflict: bool
    answered_by: str
    answered_at: str


class AnswerIn(Schema):
    household_id: int
    base_version: int = Field(0, ge=0, description="设备上看到的版本号;新填为 0")
    answered_at: datetime | None = Field(None, description="设备上的填写时间(冲突时按此判断先后)")
    answers: dict = Field(..., description="字段名 -> 值;照片题可传 data:image/...;base64 新照片或已存照片的 id")
    idempotency_key: str | None = Field(None, max_length=100, description="也可用 Idempotency-Key 请求头")


class AnswerOut(Schema):
    household_id: int
    answer_id: int
    revision_id: int
    version: int
    outcome: str
    outcome_label: str
    conflict: bool
    has_conflict: bool
    replayed: bool
    answers: dict
    submitted: dict
    answered_by: str


class ResolveIn(Schema):
    revision_id: int | None = Field(None, description="恢复该次冲突提交的答案;为空表示保留当前答卷")


class ProgressRowOut(Schema):
    code: str
    name: str
    total: int
    done: int
    percent: float
    conflicts: int


class ProgressOut(Schema):
    level: str
    rows: list[ProgressRowOut]
    total: int
    done: int
    percent: float
    conflicts: int


class ResultsOut(Schema):
    fields: list[dict]
    crosstab: dict | None = None


def _detail(campaign, user) -> dict:
    return queries.present_campaign(campaign, user)


@router.get("", response=list[CampaignOut])
@paginate(CountItemsNext)
def list_campaigns(request, status: str = ""):
    """本人可见的排查任务(范围与本人辖区相交);草稿只对可管理者可见。"""
    return [queries.present_campaign(c, request.auth) for c in queries.campaigns_visible(request.auth, status=status)]


@router.post("", response={201: CampaignDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def create_campaign(request, payload: CampaignIn):
    """新建排查任务(草稿)。`template` 使用内置表单(epidemic 疫情入户统计),或直接给出 `form`。
    支持 `Idempotency-Key` 请求头。"""
    targets = []
    for code in payload.target_codes:
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise errors.NotFound("区域不存在或不在您的管辖范围内", code="region_out_of_scope")
        targets.append(region)
    form = payload.form if payload.form is not None else examples.TEMPLATES[payload.template or "blank"][1]
    campaign = actions.create_campaign(
        actor=request.auth, title=payload.title, description=payload.description, kind=payload.kind,
        targets=targets, start_date=payload.start_date, end_date=payload.end_date, form=form,
        idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, _detail(queries.get_campaign(request.auth, campaign.pk), request.auth))


@router.get("/{campaign_id}", response={200: CampaignDetailOut, 404: ErrorOut})
def get_campaign(request, campaign_id: Id):
    """任务详情,含表单定义(字段、选项、显示条件)。"""
    return _detail(queries.get_campaign(request.auth, campaign_id), request.auth)


@router.put("/{campaign_id}/form", response={200: CampaignDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                             422: ErrorOut})
def put_form(request, campaign_id: Id, payload: FormIn):
    """替换草稿任务的表单;定义有误返回 422 `form_invalid`,`details` 逐项列出问题。"""
    campaign = actions.update_form(actor=request.auth, campaign=queries.get_campaign(request.auth, campaign_id),
                                   definition=payload.form)
    return _detail(queries.get_campaign(request.auth, campaign.pk), request.auth)


@router.post("/{campaign_id}/xlsform", response={200: ImportOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                 422: ErrorOut})
def import_xlsform(request, campaign_id: Id, file: File[UploadedFile]):
    """上传 XLSForm(.xlsx)作为草稿任务的表单。表格有误返回 422 `xlsform_invalid`,
    `details` 为 `[{sheet, row, reason}]`,不写入任何数据。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    campaign, imported = actions.import_xlsform(actor=request.auth, campaign=campaign, data=file.read())
    return {**_detail(queries.get_campaign(request.auth, campaign.pk), request.auth), "warnings": imported.warnings}


@router.post("/{campaign_id}/transitions", response={200: CampaignDetailOut, 403: ErrorOut, 404: ErrorOut,
                                                     409: ErrorOut, 422: ErrorOut})
def transition(request, campaign_id: Id, payload: TransitionIn):
    """发布(publish)或结束(close)任务。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    actions.transition_campaign(actor=request.auth, campaign=campaign, action=payload.action)
    return _detail(queries.get_campaign(request.auth, campaign_id), request.auth)


@router.get("/{campaign_id}/households", response={200: list[HouseholdRowOut], 404: ErrorOut})
@paginate(CountItemsNext)
def list_households(request, campaign_id: int):  # not Id: @paginate hides this module's names
    """本人可填报的户(任务范围 ∩ 本人辖区),附当前答卷和版本号。"""
    return queries.collect_rows(queries.get_campaign(request.auth, campaign_id), request.auth)


def _photos(campaign, answers: dict) -> tuple[dict, dict[str, bytes]]:
    """Split data-URL photos out of the answers: (answers with "new" in their place, raw bytes by field)."""
    out, photos = dict(answers), {}
    for field in campaign.fields():
        value = out.get(field["name"])
        if field["type"] != "photo" or not isinstance(value, str) or not value.startswith("data:"):
            continue
        if len(value) > MAX_PHOTO_CHARS:
            raise errors.ValidationFailed("照片过大", code="photo_too_large", details={field["name"]: "照片过大"})
        try:
            photos[field["name"]] = base64.b64decode(value.partition(",")[2], validate=True)
        except (binascii.Error, ValueError):
            raise errors.ValidationFailed("照片数据有误,请重新拍摄", code="answers_invalid",
                                          details={field["name"]: "照片数据有误"}) from None
        out[field["name"]] = schema.NEW_PHOTO
    return out, photos


def _answer_out(submission) -> dict:
    answer: CampaignAnswer = submission.answer
    revision: CampaignRevision = submission.revision
    return {
        "household_id": answer.household_id, "answer_id": answer.pk, "revision_id": revision.pk,
        "version": answer.version, "outcome": revision.outcome, "outcome_label": str(revision.get_outcome_display()),
        "conflict": revision.is_conflict, "has_conflict": answer.has_conflict, "replayed": submission.replayed,
        "answers": answer.answers, "submitted": revision.answers, "answered_by": str(answer.answered_by or ""),
    }


@router.post("/{campaign_id}/answers", response={200: AnswerOut, 201: AnswerOut, 404: ErrorOut, 409: ErrorOut,
                                                 422: ErrorOut})
def submit_answer(request, campaign_id: Id, payload: AnswerIn):
    """同步一户的答卷(离线队列逐条提交)。每条带幂等键:重复提交返回 200 和原结果(`replayed`),
    不会产生第二条记录;新提交返回 201。`base_version` 早于当前版本时按冲突规则处理(`outcome`
    为 conflict_applied 或 conflict_kept),双方答案都保留在修订记录中。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    household = queries.get_household(campaign, request.auth, payload.household_id, actions.ANSWER)
    answers, photos = _photos(campaign, payload.answers)
    submission = actions.submit_answer(
        actor=request.auth, campaign=campaign, household=household, answers=answers,
        base_version=payload.base_version, answered_at=payload.answered_at, photos=photos,
        idempotency_key=payload.idempotency_key or request.headers.get("Idempotency-Key"))
    return Status(200 if submission.replayed else 201, _answer_out(submission))


@router.get("/{campaign_id}/answers/{household_id}", response={200: dict, 404: ErrorOut})
def get_answer(request, campaign_id: Id, household_id: Id):
    """一户的当前答卷和全部修订记录;冲突记录同时给出本次提交和原答卷的值。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    detail = queries.answer_detail(campaign, queries.get_household(campaign, request.auth, household_id))
    if detail is None:
        raise errors.NotFound("该户尚未填报", code="answer_not_found")
    return _jsonable(detail)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@router.post("/{campaign_id}/answers/{household_id}/resolve", response={200: dict, 403: ErrorOut, 404: ErrorOut,
                                                                        409: ErrorOut, 422: ErrorOut})
def resolve(request, campaign_id: Id, household_id: Id, payload: ResolveIn):
    """处理冲突:保留当前答卷,或以某次冲突提交的答案为新版本。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    household = queries.get_household(campaign, request.auth, household_id)
    answer = CampaignAnswer.objects.filter(campaign=campaign, household=household).select_related(
        "campaign", "household__region").first()
    if answer is None:
        raise errors.NotFound("该户尚未填报", code="answer_not_found")
    revision = None
    if payload.revision_id is not None:
        revision = answer.revisions.filter(pk=payload.revision_id).first()
        if revision is None:
            raise errors.NotFound("修订记录不存在", code="revision_not_found")
    actions.resolve_conflict(actor=request.auth, answer=answer, revision=revision)
    return _jsonable(queries.answer_detail(campaign, household))


@router.get("/{campaign_id}/progress", response={200: ProgressOut, 404: ErrorOut})
def progress(request, campaign_id: Id, level: Literal["community", "grid", "micro_grid"] = "grid"):
    """按网格(或社区、微网格)统计完成户数 / 总户数,限本人辖区。"""
    return queries.progress(queries.get_campaign(request.auth, campaign_id), request.auth, level)


@router.get("/{campaign_id}/results", response={200: ResultsOut, 404: ErrorOut, 422: ErrorOut})
def results(request, campaign_id: Id, region: str = "", row: str = "", col: str = ""):
    """汇总:选择题和是/否题按选项计数,数值题求和、平均、最小、最大;给出 `row` 和 `col`
    (两个选择题的字段名)时附交叉表。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    out = {"fields": queries.summary(campaign, request.auth, region.strip())}
    if row and col:
        try:
            out["crosstab"] = queries.crosstab(campaign, request.auth, row, col, region.strip())
        except ValueError as exc:
            raise errors.ValidationFailed(str(exc), code="crosstab_invalid") from None
    return out


@router.get("/{campaign_id}/export", response={200: None, 403: ErrorOut, 404: ErrorOut})
def export(request, campaign_id: Id):
    """导出 Excel:答卷、进度、汇总、冲突四个工作表(须有 campaigns.manage_campaign 权限)。"""
    campaign = queries.get_campaign(request.auth, campaign_id)
    response = HttpResponse(export_campaign_xlsx(actor=request.auth, campaign=campaign), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(campaign.title + '.xlsx')}"
    return response
