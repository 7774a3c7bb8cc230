"""Every write about campaigns: create, design or import the form, publish, close, answer a household,
settle a conflict. Each checks permission before its transaction, writes its audit record inside it and
notifies after commit.

Answers come from phones that may have been offline for hours, so `submit_answer` is idempotent (one
revision per idempotency key; a re-sent key returns the stored result) and settles concurrent edits by
the documented rule (docs/gridops/campaigns.md, "Conflicts"):

* a write based on the current version (base_version == version) is saved as the next version;
* a write based on an older version is a conflict: it is saved as the next version when its device time is
  later than the stored answer's (last write by device time wins; device times are capped at the time of
  receipt), otherwise the stored answer is kept. Either way the revision keeps both values, the answer is
  flagged `has_conflict` and the other writer is notified, until a write based on the current version or
  `resolve_conflict` settles it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Notification
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import can, require
from civicgrid.geo.choices import CODE_LENGTH
from civicgrid.geo.models import Region
from civicgrid.gridops.campaigns import schema
from civicgrid.gridops.campaigns.choices import CampaignKind, CampaignStatus, FormSource, RevisionOutcome
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer, CampaignPhoto, CampaignRevision
from civicgrid.people.models import Household

VIEW, ANSWER, MANAGE = "campaigns.view_campaign", "campaigns.answer_campaign", "campaigns.manage_campaign"
SUBMIT = "campaigns.submit_answer"
WORKER_ROLES = ("micro_grid_worker", "grid_worker")


def require_manage(actor, campaign: Campaign) -> None:
    """Managing needs campaigns.manage_campaign over the campaign's region. Someone who sees the campaign
    (it reaches into their area) but may not manage it gets 403; anyone else 404."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise errors.Unauthenticated()
    if can(actor, MANAGE, campaign):
        return
    if campaign.pk and Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        audit.record(actor=actor, action=MANAGE, obj=campaign, result="denied", reason="forbidden")
        raise errors.Forbidden()
    require(actor, MANAGE, campaign)


def _form_error(exc: schema.DefinitionError) -> errors.ValidationFailed:
    return errors.ValidationFailed(f"表单定义有误:{exc.problems[0].message}", code="form_invalid",
                                   details=[p.as_dict() for p in exc.problems])


def _common_region(targets: list[Region]) -> Region:
    """The deepest region holding every target (targets are region codes; ancestry is a code prefix)."""
    codes = [t.code for t in targets]
    for length in sorted(CODE_LENGTH.values(), reverse=True):
        prefix = codes[0][:length]
        if len(prefix) == length and all(c.startswith(prefix) for c in codes):
            region = Region.objects.filter(code=prefix).first()
            if region is not None:
                return region
    raise errors.ValidationFailed("目标区域不在同一个区内", code="targets_unrelated")


def _outermost(targets: list[Region]) -> list[Region]:
    """Targets without those inside another target (a micro-grid inside a chosen grid adds nothing)."""
    unique = {t.code: t for t in targets}
    return [t for code, t in sorted(unique.items())
            if not any(code != other and code.startswith(other) for other in unique)]


# --- campaigns ------------------------------------------------------------------------------------


def create_campaign(
    *, actor, title: str, targets: list[Region], start_date: date, end_date: date,
    kind: str = CampaignKind.SCREENING, description: str = "", form: dict | None = None,
    form_source: str = FormSource.UI, idempotency_key: str | None = None,
) -> Campaign:
    """A draft campaign over `targets` (regions inside the actor's campaigns.manage_campaign reach)."""
    if not targets:
        raise errors.ValidationFailed("请选择排查范围", code="targets_required")
    targets = _outermost(list(targets))
    for target in targets:
        require(actor, MANAGE, Campaign(region=target))
    title = (title or "").strip()
    if not title:
        raise errors.ValidationFailed("请填写任务名称", code="title_required")
    if start_date > end_date:
        raise errors.ValidationFailed("结束日期早于开始日期", code="period_invalid")
    if kind not in CampaignKind.values:
        raise errors.ValidationFailed("任务类型无效", code="kind_invalid")
    try:
        definition = schema.normalize_definition(form or {"fields": []})
    except schema.DefinitionError as exc:
        raise _form_error(exc) from None
    region = _common_region(targets)

    def create() -> Campaign:
        campaign = Campaign.objects.create(
            title=title[:100], description=description.strip(), kind=kind, region=region, start_date=start_date,
            end_date=end_date, form=definition, form_source=form_source, created_by=actor, created_at=clock.now())
        campaign.targets.set(targets)
        audit.record(actor=actor, action="campaigns.create_campaign", obj=campaign,
                     details={"targets": [t.code for t in targets], "fields": len(definition["fields"])})
        return campaign

    with transaction.atomic():
        campaign, _ = run_once(key=idempotency_key, actor=actor, action="campaigns.create_campaign", model=Campaign,
                               create=create, body={"title": title, "targets": sorted(t.code for t in targets),
                                                    "start_date": start_date, "end_date": end_date, "kind": kind,
                                                    "description": description, "form": form,
                                                    "form_source": form_source})
    return campaign


def _locked_draft(campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise errors.Conflict("任务已发布,表单不能再修改", code="campaign_not_draft")
    return campaign


def update_form(*, actor, campaign: Campaign, definition: dict, source: str = FormSource.UI) -> Campaign:
    """Replace the form of a draft campaign (a published form is frozen: answers refer to it)."""
    require_manage(actor, campaign)
    try:
        normalized = schema.normalize_definition(definition)
    except schema.DefinitionError as exc:
        raise _form_error(exc) from None
    with transaction.atomic():
        campaign = _locked_draft(campaign)
        campaign.form, campaign.form_source = normalized, source
        campaign.save(update_fields=["form", "form_source"])
        audit.record(actor=actor, action="campaigns.update_form", obj=campaign,
                     details={"source": source, "fields": [f["name"] for f in normalized["fields"]]})
    return campaign


def import_xlsform(*, actor, campaign: Campaign, data: bytes):
    """Replace a draft campaign's form with the one in an XLSForm workbook. A malformed sheet raises
    ValidationFailed (code xlsform_invalid, details [{sheet, row, reason}]) and nothing is written."""
    from civicgrid.gridops.campaigns.xlsform import read_xlsform

    require_manage(actor, campaign)
    imported = read_xlsform(data)
    with transaction.atomic():
        campaign = _locked_draft(campaign)
        campaign.form, campaign.form_source = imported.definition, FormSource.XLSFORM
        campaign.save(update_fields=["form", "form_source"])
        audit.record(actor=actor, action="campaigns.import_xlsform", obj=campaign,
                     details={"fields": [f["name"] for f in imported.definition["fields"]],
                              "warnings": imported.warnings[:20]})
    return campaign, imported


def _notify(user_ids, kind: str, text: str, skip_id=None) -> None:
    Notification.objects.bulk_create([Notification(user_id=uid, kind=kind, text=text[:300])
                                      for uid in dict.fromkeys(user_ids) if uid and uid != skip_id])


def _worker_ids(campaign: Campaign) -> list[int]:
    ids: list[int] = []
    for target in campaign.targets.all():
        qs = RoleAssignment.objects.filter(is_active=True, user__is_active=True, role__in=WORKER_ROLES)
        # workers below the target, and grid workers whose grid holds a target micro-grid
        ids += qs.filter(region__code__startswith=target.code).values_list("user_id", flat=True)
        ids += qs.filter(region__code__in=[target.code[:n] for n in CODE_LENGTH.values() if n < len(target.code)]
                         ).values_list("user_id", flat=True)
    return ids


def publish_campaign(*, actor, campaign: Campaign) -> Campaign:
    """Draft -> active: the form is frozen and the workers of the target regions are told."""
    require_manage(actor, campaign)
    with transaction.atomic():
        campaign = _locked_draft(campaign)
        if not campaign.fields():
            raise errors.ValidationFailed("表单还没有题目,不能发布", code="form_empty")
        if campaign.end_date < timezone.localtime(clock.now()).date():
            raise errors.ValidationFailed("排查期限已过,请先调整日期", code="period_over")
        campaign.status, campaign.published_at = CampaignStatus.ACTIVE, clock.now()
        campaign.save(update_fields=["status", "published_at"])
        audit.record(actor=actor, action="campaigns.publish_campaign", obj=campaign)
        workers = _worker_ids(campaign)
        text = f"新的入户任务:{campaign.title}({campaign.start_date:%m月%d日}至{campaign.end_date:%m月%d日})"
        transaction.on_commit(lambda: _notify(workers, "campaign_published", text, skip_id=actor.pk))
    return campaign


def close_campaign(*, actor, campaign: Campaign) -> Campaign:
    """Active -> closed: no more answers; the results are final."""
    require_manage(actor, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.ACTIVE:
            raise errors.Conflict("只有进行中的任务可以结束", code="campaign_not_active")
        campaign.status, campaign.closed_at = CampaignStatus.CLOSED, clock.now()
        campaign.save(update_fields=["status", "closed_at"])
        answered = campaign.answers.count()
        audit.record(actor=actor, action="campaigns.close_campaign", obj=campaign, details={"answers": answered})
    return campaign


TRANSITIONS = {"publish": publish_campaign, "close": close_campaign}


def transition_campaign(*, actor, campaign: Campaign, action: str) -> Campaign:
    if action not in TRANSITIONS:
        raise errors.ValidationFailed("不支持的操作", code="transition_unknown")
    return TRANSITIONS[action](actor=actor, campaign=campaign)


# --- answers --------------------------------------------------------------------------------------


@dataclass
class Submission:
    answer: CampaignAnswer
    revision: CampaignRevision
    replayed: bool  # True when the key had been seen: the stored result, nothing written


def in_targets(campaign: Campaign, household: Household) -> bool:
    code = household.region.code
    return any(code.startswith(t.code) for t in campaign.targets.all())


def _answers_error(exc: schema.AnswerError) -> errors.ValidationFailed:
    first = next(iter(exc.errors.items()))
    return errors.ValidationFailed(f"答卷有误:{first[1]}", code="answers_invalid", details=exc.errors)


def _prepare(campaign: Campaign, household: Household, answers, photos: dict[str, bytes]):
    """Check the answers and photos before anything is written: (cleaned answers, cleaned photos)."""
    from civicgrid.cases.uploads import photos as photo_checks

    if not isinstance(answers, dict):
        raise errors.ValidationFailed("答卷格式有误", code="answers_invalid")
    fields = schema.field_map(campaign.form)
    raw = dict(answers)
    cleaned_photos = {}
    for name, data in photos.items():
        if fields.get(name, {}).get("type") != "photo":
            raise errors.ValidationFailed("答卷有误:该字段不是照片题", code="answers_invalid",
                                          details={name: "该字段不是照片题"})
        cleaned_photos[name] = photo_checks.clean(data)
        raw[name] = schema.NEW_PHOTO
    try:
        cleaned = schema.clean_answers(campaign.form, raw)
    except schema.AnswerError as exc:
        raise _answers_error(exc) from None
    kept = {name: value for name, value in cleaned.items()
            if fields[name]["type"] == "photo" and value != schema.NEW_PHOTO}
    if kept:
        known = set(CampaignPhoto.objects.filter(campaign=campaign, household=household, pk__in=kept.values())
                    .values_list("pk", flat=True))
        bad = {name: "照片无效,请重新拍摄" for name, pk in kept.items() if pk not in known}
        if bad:
            raise errors.ValidationFailed("答卷有误:照片无效,请重新拍摄", code="answers_invalid", details=bad)
    return cleaned, cleaned_photos


def _store_photos(campaign, household, actor, cleaned: dict, photos: dict) -> dict:
    from django.core.files.base import ContentFile

    out = dict(cleaned)
    for name, photo in photos.items():
        if out.get(name) != schema.NEW_PHOTO:
            continue  # the photo's question is not shown for these answers
        row = CampaignPhoto(campaign=campaign, household=household, field=name, content_type=photo.content_type,
                            size=len(photo.content), sha256=photo.sha256, uploaded_by=actor, created_at=clock.now())
        row.file.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()
        out[name] = row.pk
    return out


def submit_answer(
    *, actor, campaign: Campaign, household: Household, answers: dict, base_version: int = 0,
    idempotency_key: str | None = None, answered_at: datetime | None = None, photos: dict[str, bytes] | None = None,
) -> Submission:
    """Save one household's answers from a worker's phone (see the module docstring for the conflict
    rule). `base_version` is the version the device had seen (0 for none), `answered_at` the device time,
    `photos` raw uploads for photo questions. Re-sending a key returns the stored result."""
    require(actor, ANSWER, household)
    if not in_targets(campaign, household):
        raise errors.NotFound("该户不在本次排查范围内", code="household_not_in_campaign")
    if base_version < 0:
        raise errors.ValidationFailed("版本号无效", code="base_version_invalid")
    key = (idempotency_key or "").strip() or uuid.uuid4().hex

    def create() -> CampaignRevision:
        return _write(actor, campaign, household, answers, base_version, key, answered_at, photos or {})

    with transaction.atomic():
        revision, created = run_once(key=key, actor=actor, action=SUBMIT, model=CampaignRevision, create=create,
                                     body={"campaign": campaign.pk, "household": household.pk, "answers": answers,
                                           "base_version": base_version, "answered_at": answered_at,
                                           "photos": photos or {}})
    if revision.campaign_id != campaign.pk or revision.household_id != household.pk:  # a key from before hashing
        raise errors.ValidationFailed("该幂等键已用于另一户的答卷", code="idempotency_key_reused")
    # a new revision holds the answer it wrote; a replay reads the answer as it stands now
    answer = revision.answer if created else CampaignAnswer.objects.select_related("answered_by").get(
        pk=revision.answer_id)
    return Submission(answer=answer, revision=revision, replayed=not created)


def _write(actor, campaign, household, answers, base_version, key, answered_at, photos) -> CampaignRevision:
    campaign = Campaign.objects.get(pk=campaign.pk)
    now = clock.now()
    device = min(answered_at, now) if answered_at else now
    if campaign.status != CampaignStatus.ACTIVE:
        raise errors.Conflict("该排查任务未在进行中,不能填报", code="campaign_not_active")
    if not campaign.accepts_on(timezone.localtime(device).date()):
        raise errors.ValidationFailed("填报时间不在排查期限内", code="outside_period")
    cleaned, cleaned_photos = _prepare(campaign, household, answers, photos)
    cleaned = _store_photos(campaign, household, actor, cleaned, cleaned_photos)

    answer = CampaignAnswer.objects.select_for_update().filter(campaign=campaign, household=household).first()
    created = False
    if answer is None:
        try:
            with transaction.atomic():
                answer = CampaignAnswer.objects.create(
                    campaign=campaign, household=household, region=household.region, answers=cleaned, version=1,
                    answered_by=actor, answered_at=device, received_at=now)
            created = True
        except IntegrityError:  # another device created it first: settle against theirs below
            answer = CampaignAnswer.objects.select_for_update().get(campaign=campaign, household=household)
    if created:
        outcome, previous, previous_by, previous_at = RevisionOutcome.APPLIED, None, None, None
    else:
        if base_version > answer.version:
            raise errors.ValidationFailed("版本号无效:该户答卷没有这个版本", code="base_version_invalid")
        previous, previous_by, previous_at = answer.answers, answer.answered_by_id, answer.answered_at
        if base_version == answer.version:
            outcome, answer.has_conflict = RevisionOutcome.APPLIED, False
        elif device > answer.answered_at:
            outcome, answer.has_conflict = RevisionOutcome.CONFLICT_APPLIED, True
        else:
            outcome, answer.has_conflict = RevisionOutcome.CONFLICT_KEPT, True
        if outcome != RevisionOutcome.CONFLICT_KEPT:
            answer.answers, answer.version = cleaned, answer.version + 1
            answer.answered_by, answer.answered_at, answer.received_at = actor, device, now
            answer.region = household.region
        answer.save()
    try:
        with transaction.atomic():
            revision = CampaignRevision.objects.create(
                campaign=campaign, answer=answer, household=household, idempotency_key=key, base_version=base_version,
                version=answer.version, outcome=outcome, answers=cleaned, previous=previous, previous_by_id=previous_by,
                previous_at=previous_at, answered_by=actor, answered_at=device, received_at=now)
    except IntegrityError:
        raise errors.Conflict("该幂等键已被使用", code="idempotency_key_reused") from None
    audit.record(actor=actor, action=SUBMIT, obj=answer,
                 details={"household": household.number, "version": answer.version, "outcome": outcome,
                          "base_version": base_version, "key": key})
    if revision.is_conflict and previous_by and previous_by != actor.pk:
        text = f"入户排查“{campaign.title}”:{household.number} 的答卷出现冲突(他人基于旧版本提交),请核对"
        transaction.on_commit(lambda: _notify([previous_by], "campaign_conflict", text))
    return revision


def resolve_conflict(*, actor, answer: CampaignAnswer, revision: CampaignRevision | None = None) -> CampaignAnswer:
    """Settle a flagged conflict: keep the current answer (`revision` None) or restore the values of one of
    its conflict revisions as the next version. Allowed to the worker who may answer the household and
    to the campaign's managers; only while the campaign is active."""
    campaign = answer.campaign
    if not (can(actor, MANAGE, campaign) or can(actor, ANSWER, answer.household)):
        require(actor, ANSWER, answer.household)
    if revision is not None and (revision.answer_id != answer.pk or not revision.is_conflict):
        raise errors.ValidationFailed("只能恢复本户答卷中发生冲突的那次提交", code="revision_invalid")
    with transaction.atomic():
        answer = CampaignAnswer.objects.select_for_update().select_related("campaign", "household").get(pk=answer.pk)
        if answer.campaign.status != CampaignStatus.ACTIVE:
            raise errors.Conflict("该排查任务未在进行中", code="campaign_not_active")
        if not answer.has_conflict:
            raise errors.Conflict("该户答卷没有待处理的冲突", code="no_conflict")
        now = clock.now()
        before, before_by, before_at, base = answer.answers, answer.answered_by_id, answer.answered_at, answer.version
        if revision is not None:
            answer.answers, answer.version = revision.answers, answer.version + 1
            answer.answered_by, answer.answered_at, answer.received_at = actor, now, now
        answer.has_conflict = False
        answer.save()
        CampaignRevision.objects.create(
            campaign=answer.campaign, answer=answer, household=answer.household, idempotency_key=uuid.uuid4().hex,
            base_version=base, version=answer.version, outcome=RevisionOutcome.RESOLVED, answers=answer.answers,
            previous=before, previous_by_id=before_by, previous_at=before_at, answered_by=actor, answered_at=now,
            received_at=now)
        audit.record(actor=actor, action="campaigns.resolve_conflict", obj=answer,
                     details={"household": answer.household.number, "restored_revision": getattr(revision, "pk", None),
                              "version": answer.version})
    return answer
