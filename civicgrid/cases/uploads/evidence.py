"""Evidence at a workflow step: photos (and PDFs where the spec says a document is the evidence) taken
with a move whose spec asks for `attachments` (Transition.evidence_kinds).

Upload first, then reference: a phone on a flaky network sends each file on its own request with its own
`Idempotency-Key` (a retry returns the same attachment) and then the small step request naming the ids.
An upload writes no case event, so the optimistic lock (`expected_event_count`) the step was opened with
still holds; the step's event records the files' ids and hashes in the case's hash chain.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from civicgrid.cases.models import Attachment, Case, CaseEvent
from civicgrid.cases.queries import allowed_actions, case_roles
from civicgrid.cases.uploads import documents, photos
from civicgrid.cases.workflow import engine
from civicgrid.cases.workflow.vocabulary import EVIDENCE
from civicgrid.cases.workflows import spec_for
from civicgrid.core import audit, errors
from civicgrid.core.idempotency import fingerprint, run_once
from civicgrid.core.scoping import fetch_visible
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY

KIND_OF = {"image/jpeg": "photo", "image/png": "photo", "image/webp": "photo", documents.PDF: "pdf"}


def kinds_label(kinds) -> str:
    return "或".join(EVIDENCE[k].split("(")[0] for k in kinds)


def accepted_kinds(actor, case: Case) -> set[str]:
    """What the actor may upload now: the kinds taken by the moves the engine allows them."""
    return {kind for t in allowed_actions(actor, case) for kind in t.evidence_kinds}


def clean(data: bytes, kinds) -> photos.CleanPhoto | documents.CleanDocument:
    """Checked by content: a photo re-encoded without metadata (its GPS position kept as numbers), a PDF
    rewritten from its pages; a kind the step does not take is 422 `attachment_type_unsupported`."""
    if photos.sniff(data[:16]) and "photo" in kinds:
        return photos.clean(data)
    if documents.is_pdf(data) and "pdf" in kinds:
        return documents.clean(data)
    raise errors.ValidationFailed(f"此环节只能上传{kinds_label(sorted(kinds))}", code="attachment_type_unsupported",
                                  details={"accepted": sorted(kinds)})


def upload(*, actor, case_id: int, data: bytes, name: str = "", idempotency_key: str | None = None) -> Attachment:
    """Store one file as pending evidence for a step the actor may take now on this case."""
    case = fetch_visible(Case, actor, "cases.view_case", pk=case_id,
                         related=(("region", FIELDS_WITHOUT_BOUNDARY), ("workflow", None)))
    if not (case_roles(actor, case) - {"leader"}):
        raise errors.Forbidden("您不是该案件的处理人,不能上传附件", code="not_a_case_party")
    kinds = accepted_kinds(actor, case)
    if not kinds:
        raise errors.Conflict("案件当前环节无需您上传附件", code="no_step_takes_attachments")
    cleaned = clean(data, kinds)
    digest = fingerprint({"case": case_id, "file": data}) if idempotency_key else None
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)

        def create() -> Attachment:
            waiting = Attachment.objects.filter(case=locked, uploaded_by=actor, pending=True).count()
            if waiting >= settings.CASE_MAX_PHOTOS:
                raise errors.ValidationFailed(f"每个环节最多上传 {settings.CASE_MAX_PHOTOS} 个附件",
                                              code="too_many_attachments")
            attachment = Attachment(case=locked, content_type=cleaned.content_type, size=len(cleaned.content),
                                    sha256=cleaned.sha256, lat=cleaned.lat, lng=cleaned.lng, uploaded_by=actor,
                                    name=(name or "")[-120:], pending=True)
            attachment.file.save(f"{cleaned.sha256[:16]}.{cleaned.extension}", ContentFile(cleaned.content),
                                 save=False)
            attachment.save()
            audit.record(actor=actor, action="cases.upload_evidence", obj=locked,
                         details={"attachment": attachment.pk, "content_type": cleaned.content_type})
            return attachment

        attachment, _ = run_once(key=idempotency_key, actor=actor, action="cases.upload_evidence",
                                 model=Attachment, create=create, body=digest)
    return attachment


def refusal(exc: engine.WorkflowError) -> errors.DomainError | None:
    """A step refused only for want of its evidence: 422 `attachments_required`, naming the kinds."""
    if isinstance(exc, engine.MissingFacts) and "attachments" in (exc.details or []):
        return errors.ValidationFailed(f"{exc.message}(请上传照片或文件)", code="attachments_required",
                                       details={"missing": exc.details})
    return None


def _ids(value) -> list[int]:
    items = value if isinstance(value, list | tuple) else str(value).replace(",", ",").split(",")
    ids = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit():
            raise errors.ValidationFailed("附件须为已上传文件的编号", code="attachments_invalid",
                                          details={"value": text[:40]})
        ids.append(int(text))
    return list(dict.fromkeys(ids))


def for_step(case: Case, action: str, facts: dict, actor) -> list[Attachment]:
    """The pending uploads the step names in `attachments`: this case's, the actor's own, of a kind the
    move takes. Called with the case row locked, after the engine allowed the step."""
    value = facts.get("attachments")
    if engine.is_empty(value):
        return []
    kinds = spec_for(case.workflow).transition(action).evidence_kinds
    if not kinds:
        raise errors.ValidationFailed("此环节不接收附件", code="attachments_not_taken")
    ids = _ids(value)
    if len(ids) > settings.CASE_MAX_PHOTOS:
        raise errors.ValidationFailed(f"每个环节最多 {settings.CASE_MAX_PHOTOS} 个附件", code="too_many_attachments")
    found = {a.pk: a for a in Attachment.objects.filter(case=case, pk__in=ids, pending=True,
                                                        uploaded_by_id=getattr(actor, "pk", None))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise errors.ValidationFailed("附件不存在、已被使用或不是您上传的", code="attachments_invalid",
                                      details={"ids": unknown})
    wrong = [i for i in ids if KIND_OF.get(found[i].content_type) not in kinds]
    if wrong:
        raise errors.ValidationFailed(f"此环节只能附{kinds_label(kinds)}", code="attachment_type_unsupported",
                                      details={"ids": wrong})
    return [found[i] for i in ids]


def event_data(files: list[Attachment]) -> dict:
    """What the step's event records of its evidence (hashed into the case's chain with the event)."""
    if not files:
        return {}
    return {"attachments": [a.pk for a in files], "attachment_sha256": [a.sha256 for a in files]}


def bind(files: list[Attachment], event: CaseEvent) -> None:
    if files:
        Attachment.objects.filter(pk__in=[a.pk for a in files]).update(event=event, pending=False)


def transition_with_files(*, actor, case_id: int, action: str, uploads: list[tuple[str, bytes]], comment: str = "",
                          facts: dict | None = None, expected_event_count: int | None = None):
    """The page's form: files and step in one go, all or nothing (a refused step keeps no upload)."""
    from civicgrid.cases import actions

    facts = dict(facts or {})
    with transaction.atomic():
        files = [upload(actor=actor, case_id=case_id, data=data, name=name) for name, data in uploads]
        if files:
            facts["attachments"] = [a.pk for a in files]
        return actions.transition_case(actor=actor, case_id=case_id, action=action, comment=comment, facts=facts,
                                       expected_event_count=expected_event_count)
