"""The bridge between the pure workflow specs and their frozen rows in WorkflowDefinition."""

from __future__ import annotations

from functools import lru_cache

from django.db import IntegrityError, transaction

from civicgrid.cases.models import WorkflowDefinition
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.spec import Spec
from civicgrid.core import confcache, errors


def sync_workflows() -> list[WorkflowDefinition]:
    """Freeze every shipped spec version as a row (idempotent). A spec whose content changed without a
    new version number is refused: cases in flight must never see a different workflow."""
    rows = []
    for spec in registry.SPECS.values():
        rows.append(current_definition(spec.key))
    return rows


def current_definition(key: str, snapshot: confcache.Snapshot | None = None) -> WorkflowDefinition:
    """The frozen row of the current version of workflow `key` (created on first use); with a
    configuration snapshot, looked up once per snapshot."""
    if snapshot is not None:
        return snapshot.get(("workflow", key), lambda: current_definition(key))
    spec = registry.SPECS.get(key)
    if spec is None:
        raise errors.ValidationFailed(f"未知的案件类型:{key}", code="unknown_case_type")
    checksum = spec.checksum()
    row = WorkflowDefinition.objects.filter(key=key, version=spec.version).first()
    if row is None:
        try:
            with transaction.atomic():
                row = WorkflowDefinition.objects.create(
                    key=key, version=spec.version, label=spec.label, spec=spec.to_dict(), checksum=checksum
                )
        except IntegrityError:
            row = WorkflowDefinition.objects.get(key=key, version=spec.version)
    if row.checksum != checksum:
        raise RuntimeError(
            f"workflow {key} v{spec.version} changed without a new version number; bump `version` in its spec"
        )
    return row


@lru_cache(maxsize=64)
def _spec_of(definition_id: int, checksum: str) -> Spec:
    return Spec.from_dict(WorkflowDefinition.objects.get(pk=definition_id).spec)


def spec_for(definition: WorkflowDefinition) -> Spec:
    """The spec a case pinned (frozen rows never change, so caching by id is safe)."""
    return _spec_of(definition.pk, definition.checksum)
