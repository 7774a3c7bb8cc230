"""Disbursements recorded one by one (an application) and the persons paid: the one check of a payment's
fields (`clean`, also used by every row of a batch import), the beneficiary found or made by the ID number's
keyed hash and linked to the resident with that number, and the audited reveal of a person's ID number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from civicgrid.core import audit, errors, idempotency
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.models import Enterprise
from civicgrid.people import idnumber
from civicgrid.people.models import Resident, id_number_hash
from civicgrid.people.validation import clean_name
from civicgrid.subsidies.actions.candidates import check_paid_on, today
from civicgrid.subsidies.actions.programmes import require_programme
from civicgrid.subsidies.choices import Currency, RecipientKind, Source
from civicgrid.subsidies.models import VIEW_DISBURSEMENT, Beneficiary, Disbursement, Programme

PAY = "subsidies.pay"
UNMASK = "people.unmask_personal"
MAX_AMOUNT = Decimal("10000000")  # one payment: at most 10 million yuan


@dataclass(frozen=True)
class PaymentInput:
    amount: str | Decimal | None
    currency: str | None
    paid_on: date | str | None
    uscc: str = ""  # enterprise programmes
    name: str = ""  # person programmes
    id_number: str = ""
    reference: str = ""
    basis: str = ""


def _field(exc: errors.ValidationFailed, field: str) -> errors.ValidationFailed:
    exc.details = {"field": field}
    return exc


def clean(data: PaymentInput, *, programme: Programme, on: date, enterprises: dict | None = None) -> dict:
    """The payment's values, checked; raises ValidationFailed (with details.field) at the first problem."""
    raw = "" if data.amount is None else str(data.amount).strip().replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise _field(errors.ValidationFailed("金额须为数字", code="amount_invalid"), "amount") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise _field(errors.ValidationFailed("金额须为大于0的数字,最多两位小数,单笔不超过1000万元",
                                             code="amount_invalid"), "amount")
    currency = (data.currency or "").strip()
    if not currency:
        raise _field(errors.ValidationFailed("金额须注明币种", code="currency_required"), "currency")
    if currency not in (programme.currency, str(Currency(programme.currency).label)):
        raise _field(errors.ValidationFailed(f"本项目以{Currency(programme.currency).label}发放",
                                             code="currency_mismatch"), "currency")
    paid_on = data.paid_on
    if isinstance(paid_on, str):
        try:
            paid_on = date.fromisoformat(paid_on.strip()[:10])
        except ValueError:
            raise _field(errors.ValidationFailed("发放日期格式应为 YYYY-MM-DD", code="date_invalid"), "paid_on") from None
    if paid_on is None:
        raise _field(errors.ValidationFailed("请填写发放日期", code="paid_on_required"), "paid_on")
    try:
        check_paid_on(programme, paid_on, on)
    except errors.ValidationFailed as exc:
        raise _field(exc, "paid_on") from None
    values = {"amount": amount, "currency": programme.currency, "paid_on": paid_on,
              "reference": (data.reference or "").strip()[:40], "basis": (data.basis or "").strip()[:300]}
    if programme.recipient_kind == RecipientKind.ENTERPRISE:
        code = (data.uscc or "").strip().upper()
        enterprise = (enterprises or {}).get(code) if enterprises is not None else \
            Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            raise _field(errors.ValidationFailed("未找到该统一社会信用代码的企业", code="enterprise_unknown"), "uscc")
        values["enterprise"] = enterprise
    else:
        try:
            values["name"] = clean_name(data.name)
        except errors.ValidationFailed as exc:
            raise _field(exc, "name") from None
        try:
            values["id_number"] = idnumber.parse(data.id_number, today=on).number
        except errors.ValidationFailed as exc:
            raise _field(exc, "id_number") from None
    return values


def beneficiaries_for(people: dict[str, str]) -> dict[str, Beneficiary]:
    """{ID number: beneficiary} for {ID number: name}, made where missing (linked to the resident with that
    number). A number already known under another name is 422 `beneficiary_name_mismatch`. Call inside the
    action's transaction."""
    hashes = {number: id_number_hash(number) for number in people}
    known = {b.id_number_hash: b for b in Beneficiary.objects.filter(id_number_hash__in=hashes.values())}
    for number, name in people.items():
        found = known.get(hashes[number])
        if found is not None and found.name != name:
            raise errors.ValidationFailed(f"身份证号已登记为他人姓名({found.name[0]}*)", code="beneficiary_name_mismatch",
                                          details={"field": "name"})
    residents = dict(Resident.objects.filter(id_number_hash__in=[h for h in hashes.values() if h not in known])
                     .values_list("id_number_hash", "id"))
    new = [Beneficiary(name=name, id_number=number, id_number_hash=hashes[number],
                       resident_id=residents.get(hashes[number]))
           for number, name in people.items() if hashes[number] not in known]
    for row in Beneficiary.objects.bulk_create(new, batch_size=500):
        known[row.id_number_hash] = row
    if any(b.pk is None for b in known.values()):  # a backend that returns no keys from bulk_create
        known = {b.id_number_hash: b for b in Beneficiary.objects.filter(id_number_hash__in=hashes.values())}
    return {number: known[h] for number, h in hashes.items()}


def record_disbursement(*, actor, programme: Programme, data: PaymentInput,
                        idempotency_key: str | None = None) -> Disbursement:
    """Record one payment (an application paid) to an enterprise or a person."""
    require_programme(actor, PAY, programme)
    values = clean(data, programme=programme, on=today())

    def create() -> Disbursement:
        name, number = values.pop("name", None), values.pop("id_number", None)
        if number is not None:
            values["beneficiary"] = beneficiaries_for({number: name})[number]
        row = Disbursement.objects.create(programme=programme, source=Source.MANUAL, created_by=actor, **values)
        audit.record(actor=actor, action="subsidies.record_disbursement", obj=row,
                     details={"programme": programme.code, "amount": str(row.amount)})
        return row

    try:
        with transaction.atomic():
            row, _created = idempotency.run_once(key=idempotency_key, actor=actor, action="subsidies.record_disbursement",
                                                 model=Disbursement, create=create, body=data)
    except IntegrityError:
        raise errors.Conflict("同一人员正由他人登记,请重试", code="disbursement_conflict") from None
    return row


def disbursement_for(actor, disbursement_id: int) -> Disbursement:
    return get_visible(Disbursement.objects.select_related("programme", "programme__department", "enterprise",
                                                           "beneficiary"), actor, VIEW_DISBURSEMENT, pk=disbursement_id)


def reveal_recipient(*, actor, disbursement_id: int, reason: str) -> dict[str, str]:
    """The full ID number of the person a disbursement paid (PIPL: every reveal is audit-logged with its
    reason); needs people.unmask_personal over the disbursement."""
    disbursement = disbursement_for(actor, disbursement_id)
    require(actor, UNMASK, disbursement)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("查看完整信息须填写事由", code="reveal_reason_required")
    if disbursement.beneficiary_id is None:
        raise errors.ValidationFailed("企业补贴没有个人信息", code="reveal_not_person")
    with transaction.atomic():
        audit.record(actor=actor, action="subsidies.reveal_recipient", obj=disbursement.beneficiary,
                     fields="id_number", reason=reason[:200], details={"disbursement": disbursement.pk})
    return {"id_number": disbursement.beneficiary.id_number}
