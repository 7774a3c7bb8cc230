"""Reads about subsidies, every one starting at the scoping chokepoint: programmes, candidates, batches,
disbursements (persons masked unless the viewer may unmask them), totals by programme and period with
distinct recipients, the enterprise contact's own subsidies and the panel of the enterprise 360° page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from civicgrid.core import masking
from civicgrid.core.scoping import can, get_visible
from civicgrid.enterprises.precheck.engine import format_amount
from civicgrid.subsidies.choices import CandidateStatus, RecipientKind
from civicgrid.subsidies.models import (
    VIEW_CANDIDATE,
    VIEW_DISBURSEMENT,
    Candidate,
    Disbursement,
    PaymentBatch,
    Programme,
    ProgrammeVersion,
)

VIEW_PROGRAMME = "subsidies.view_programme"
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """A sum as yuan with two places (SQLite's sums of decimals come back without trailing zeros)."""
    return Decimal(value or 0).quantize(CENT)
UNMASK = "people.unmask_personal"


def programmes(user) -> QuerySet[Programme]:
    """The active programmes in reach, with their paying department and its region (what `can` reads of a
    programme)."""
    return Programme.objects.visible_to(user, VIEW_PROGRAMME).select_related("department__region").filter(is_active=True)


def programmes_with_versions(user) -> QuerySet[Programme]:
    """`programmes` with their versions newest first, for a list that shows each one's current version
    (`current_version` reads them): one more query, however many programmes."""
    return programmes(user).prefetch_related(Prefetch(
        "versions", queryset=ProgrammeVersion.objects.order_by("-version"), to_attr="versions_newest_first"))


def programme_visible(user, code: str) -> Programme:
    return get_visible(Programme.objects.select_related("department", "department__region"), user, VIEW_PROGRAMME,
                       code=code)


def candidates_visible(user, *, programme: str = "", year: int | None = None, status: str = "") -> QuerySet[Candidate]:
    qs = Candidate.objects.visible_to(user, VIEW_CANDIDATE).select_related("programme", "enterprise", "version")
    if programme:
        qs = qs.filter(programme__code=programme)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("programme__code", "-year", "status", "-amount", "id")


def candidate_counts(user, programme: str, year: int) -> dict[str, int]:
    rows = (candidates_visible(user, programme=programme, year=year).order_by().values("status")
            .annotate(n=Count("id"), s=Sum("amount")))
    counts = {s: {"count": 0, "amount": Decimal(0)} for s in CandidateStatus.values}
    for row in rows:
        counts[row["status"]] = {"count": row["n"], "amount": _money(row["s"])}
    return counts


def batches_visible(user, *, programme: str = "") -> QuerySet[PaymentBatch]:
    qs = PaymentBatch.objects.visible_to(user, VIEW_DISBURSEMENT).select_related("programme", "imported_by")
    return qs.filter(programme__code=programme) if programme else qs


def disbursements_visible(user, *, programme: str = "", since: date | None = None, until: date | None = None,
                          enterprise_id: int | None = None, batch_id: int | None = None) -> QuerySet[Disbursement]:
    # the paying department and its region: each row's reach is checked through them (scope_values)
    qs = Disbursement.objects.visible_to(user, VIEW_DISBURSEMENT).select_related(
        "programme__department__region", "enterprise", "beneficiary")
    if programme:
        qs = qs.filter(programme__code=programme)
    if since:
        qs = qs.filter(paid_on__gte=since)
    if until:
        qs = qs.filter(paid_on__lte=until)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    return qs


def totals(user, *, since: date | None = None, until: date | None = None, programme: str = "") -> list[dict]:
    """Per programme over [since, until]: payments, distinct recipients (enterprises or persons) and yuan."""
    qs = disbursements_visible(user, programme=programme, since=since, until=until).order_by()
    rows = qs.values("programme__code", "programme__name", "programme__recipient_kind").annotate(
        payments=Count("id"), enterprises=Count("enterprise", distinct=True),
        persons=Count("beneficiary", distinct=True), yuan=Sum("amount"))
    out = []
    for row in sorted(rows, key=lambda r: r["programme__code"]):
        is_person = row["programme__recipient_kind"] == RecipientKind.PERSON
        out.append({"code": row["programme__code"], "name": row["programme__name"],
                    "recipient_kind": row["programme__recipient_kind"], "payments": row["payments"],
                    "recipients": row["persons"] if is_person else row["enterprises"],
                    "yuan": _money(row["yuan"])})
    return out


def programme_total(user, code: str, since: date, until: date) -> dict:
    """One programme's payments, distinct recipients and yuan over [since, until] (the figures use it)."""
    found = totals(user, since=since, until=until, programme=code)
    return found[0] if found else {"code": code, "payments": 0, "recipients": 0, "yuan": _money(0)}


def first_half(on: date) -> tuple[date, date]:
    """The first half of `on`'s year, up to `on` if it is not over yet."""
    return date(on.year, 1, 1), min(on, date(on.year, 6, 30))


def present(d: Disbursement, viewer) -> dict:
    """A disbursement as shown to `viewer`: a person's name and ID number masked (the full number only
    through the audited reveal)."""
    person = d.beneficiary
    return {
        "id": d.pk, "programme": d.programme.code, "programme_name": d.programme.name,
        "recipient_kind": "person" if person else "enterprise",
        "enterprise_id": d.enterprise_id, "enterprise_name": d.enterprise.name if d.enterprise_id else None,
        "uscc": d.enterprise.uscc if d.enterprise_id else None,
        "person_name": masking.mask_name(person.name) if person else None,
        "id_number": masking.mask_id_number(person.id_number) if person else None,
        "resident_linked": bool(person and person.resident_id),
        "amount": d.amount, "currency": d.currency, "paid_on": d.paid_on, "reference": d.reference,
        "basis": d.basis, "source": d.source, "source_label": str(d.get_source_display()),
        "batch_id": d.batch_id, "candidate_id": d.candidate_id,
        "can_reveal": bool(person) and can(viewer, UNMASK, d),
    }


_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _value_text(value, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or unit == "bool":
        return "是" if value else "否"
    return format_amount(float(value), unit)


def criteria_rows(report: list[dict]) -> list[dict]:
    """A candidate's stored criteria in words: the enterprise's value and the threshold that applied."""
    return [{**r, "value_text": _value_text(r.get("value"), r.get("unit", "")),
             "threshold_text": ("" if r.get("threshold") is None
                                else _value_text(r["threshold"], "bool") if isinstance(r["threshold"], bool)
                                else f"{_OP.get(r.get('op'), '')} {_value_text(r['threshold'], r.get('unit', ''))}")}
            for r in report]


def own_subsidies(user) -> list[dict]:
    """The enterprise contact's page: per own enterprise, what was paid to it, newest first (the latest 50),
    with totals per programme: `enterprise_subsidies` of each, in two queries for all of them."""
    from civicgrid.enterprises.queries import own_enterprises

    enterprises = own_enterprises(user)
    qs = disbursements_visible(user).filter(enterprise__in=enterprises)
    items: dict[int, list] = {e.pk: [] for e in enterprises}
    newest = qs.annotate(rank=Window(RowNumber(), partition_by=F("enterprise_id"),
                                     order_by=[F("paid_on").desc(), F("id").desc()])).filter(rank__lte=50)
    for d in newest.order_by("enterprise_id", "-paid_on", "-id"):
        items[d.enterprise_id].append(d)
    sums: dict[int, list] = {e.pk: [] for e in enterprises}
    for r in (qs.order_by().values("enterprise_id", "programme__code", "programme__name")
              .annotate(payments=Count("id"), yuan=Sum("amount")).order_by("enterprise_id", "programme__code")):
        sums[r.pop("enterprise_id")].append({**r, "yuan": _money(r["yuan"])})
    return [{"enterprise": e, "items": items[e.pk], "by_programme": sums[e.pk],
             "total": _money(sum((r["yuan"] for r in sums[e.pk]), Decimal(0)))} for e in enterprises]


def enterprise_subsidies(user, enterprise) -> dict:
    """The subsidies panel of one enterprise (the 360° page includes `subsidies/_enterprise_panel.html` with
    this as `subsidies`): the disbursements the viewer may see, and totals per programme."""
    qs = disbursements_visible(user, enterprise_id=enterprise.pk)
    by_programme = [{**r, "yuan": _money(r["yuan"])} for r in qs.order_by().values("programme__code", "programme__name")
                    .annotate(payments=Count("id"), yuan=Sum("amount")).order_by("programme__code")]
    return {"items": list(qs.order_by("-paid_on", "-id")[:50]), "by_programme": by_programme,
            "total": _money(sum((r["yuan"] for r in by_programme), Decimal(0)))}


def pending_counts(user) -> dict[str, int]:
    """Pending candidates per programme code, for the worklist."""
    rows = (Candidate.objects.visible_to(user, VIEW_CANDIDATE).filter(status=CandidateStatus.PENDING).order_by()
            .values("programme__code").annotate(n=Count("id")))
    return {r["programme__code"]: r["n"] for r in rows}


def search(qs: QuerySet[Disbursement], text: str) -> QuerySet[Disbursement]:
    text = (text or "").strip()
    if not text:
        return qs
    return qs.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc=text.upper()) | Q(reference=text))
