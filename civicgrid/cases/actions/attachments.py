"""Photos added to a case after intake, each with its own event on the case's chain."""

from __future__ import annotations

from django.db import transaction

from civicgrid.cases.actions._common import _append_event, _role_label, _store_photo
from civicgrid.cases.models import Case
from civicgrid.cases.queries import case_roles
from civicgrid.core import audit, errors
from civicgrid.core.idempotency import fingerprint, run_once
from civicgrid.core.scoping import fetch_visible
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY


def add_photo(*, actor, case_id: int, data: bytes, idempotency_key: str | None = None):
    """Attach a photo to a case: checked, EXIF position kept as numbers, metadata stripped from the file.
    Anyone who plays a role on the case (reporter, worker, handler, dispatcher) may add one; leaders only read."""
    from django.conf import settings

    from civicgrid.cases.models import Attachment
    from civicgrid.cases.uploads import photos

    case = fetch_visible(Case, actor, "cases.view_case", pk=case_id, related=(("region", FIELDS_WITHOUT_BOUNDARY),))
    if not (case_roles(actor, case) - {"leader"}):
        raise errors.Forbidden("您不是该案件的处理人,不能上传照片", code="not_a_case_party")
    photo = photos.clean(data)
    digest = fingerprint({"case": case_id, "photo": data}) if idempotency_key else None  # before the lock
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        mine = Attachment.objects.filter(case=locked, uploaded_by=actor).count()
        if mine >= settings.CASE_MAX_PHOTOS:
            raise errors.ValidationFailed(f"每人每案最多上传 {settings.CASE_MAX_PHOTOS} 张照片", code="too_many_photos")

        def create():
            attachment = _store_photo(locked, photo, actor, event=None)
            event = _append_event(locked, actor=actor, role=_role_label(actor, locked), action="attach",
                                  source=locked.state, target=locked.state,
                                  data={"attachment": attachment.pk, "sha256": photo.sha256})
            attachment.event = event
            attachment.save(update_fields=["event"])
            locked.save(update_fields=["event_count", "last_event_hash", "updated_at"])
            audit.record(actor=actor, action="cases.add_photo", obj=locked, details={"attachment": attachment.pk})
            return attachment

        attachment, _ = run_once(key=idempotency_key, actor=actor, action="cases.add_photo", model=Attachment,
                                 create=create, body=digest)
    return attachment
