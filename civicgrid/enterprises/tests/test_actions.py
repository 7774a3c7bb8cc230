"""Enterprise actions: the scope matrix (officer of another park, contact of another enterprise, resident:
NotFound; leader: Forbidden on writes), bad input with its codes and nothing written, metrics and size
class, qualifications with their validity, patents counted for any date, reminders sent once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from civicgrid.cases.models import Notification
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.enterprises import actions, queries
from civicgrid.enterprises.models import (
    Enterprise,
    Patent,
    Qualification,
    QualificationReminder,
    YearMetrics,
)
from civicgrid.enterprises.tests.conftest import enterprise_input, make_uscc

pytestmark = pytest.mark.django_db


def snapshot():
    return (Enterprise.objects.count(), YearMetrics.objects.count(), Qualification.objects.count(),
            Patent.objects.count(), list(Enterprise.objects.values_list("name", "is_abnormal_operation")))


# --- scope matrix ------------------------------------------------------------------------------------

def test_who_sees_which_enterprise(zworld):
    w = zworld
    visible = {user: set(queries.enterprises_visible(user).values_list("pk", flat=True))
               for user in (w.officer_a, w.officer_b, w.officer_zone, w.leader, w.resident, w.contact_a, w.contact_b)}
    assert visible[w.officer_a] == {w.ent_a.pk}
    assert visible[w.officer_b] == {w.ent_b.pk}
    assert visible[w.officer_zone] == visible[w.leader] == {w.ent_a.pk, w.ent_b.pk}
    assert visible[w.contact_a] == {w.ent_a.pk} and visible[w.contact_b] == {w.ent_b.pk}
    assert visible[w.resident] == set()


@pytest.mark.parametrize("who", ["officer_b", "contact_b", "resident"])
def test_out_of_scope_is_not_found_and_changes_nothing(zworld, who):
    w = zworld
    user = getattr(w, who)
    before = snapshot()
    calls = [
        lambda: queries.enterprise_visible(user, w.ent_a.pk),
        lambda: queries.read_metrics(user, w.ent_a),
        lambda: actions.update_enterprise(actor=user, enterprise_id=w.ent_a.pk,
                                          data=enterprise_input(1, "PA", name="改名")),
        lambda: actions.report_metrics(actor=user, enterprise_id=w.ent_a.pk, year=2024, values={"staff": 10}),
        lambda: actions.set_credit_flags(actor=user, enterprise_id=w.ent_a.pk, is_abnormal_operation=True),
        lambda: actions.record_qualification(actor=user, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
            kind="high_tech_enterprise", issued_on=date(2024, 1, 1))),
        lambda: actions.record_patent(actor=user, enterprise_id=w.ent_a.pk, data=actions.PatentInput(
            kind="invention", number="201710601862.3", title="一种催化剂", granted_on=date(2019, 1, 1))),
    ]
    for call in calls:
        with pytest.raises(errors.NotFound):
            call()
    assert snapshot() == before


def test_leader_reads_everything_but_writes_nothing(zworld):
    w = zworld
    assert queries.enterprise_visible(w.leader, w.ent_a.pk) == w.ent_a
    assert queries.read_metrics(w.leader, w.ent_b)["metrics"] == []
    before = snapshot()
    for call in [
        lambda: actions.update_enterprise(actor=w.leader, enterprise_id=w.ent_a.pk,
                                          data=enterprise_input(1, "PA", name="改名")),
        lambda: actions.report_metrics(actor=w.leader, enterprise_id=w.ent_a.pk, year=2024, values={"staff": 10}),
        lambda: actions.set_credit_flags(actor=w.leader, enterprise_id=w.ent_a.pk, is_abnormal_operation=True),
        lambda: actions.register_enterprise(actor=w.leader, data=enterprise_input(9, "PA")),
    ]:
        with pytest.raises(errors.Forbidden):
            call()
    assert snapshot() == before


def test_contact_reads_and_reports_for_their_own_enterprise_only(zworld):
    w = zworld
    row = actions.report_metrics(actor=w.contact_a, enterprise_id=w.ent_a.pk, year=2024,
                                 values={"revenue": "30000000", "staff": 80, "tech_staff": 20})
    assert row.reported_by == w.contact_a and row.enterprise == w.ent_a
    with pytest.raises(errors.Forbidden):  # a contact sees their enterprise but does not change its registry
        actions.set_credit_flags(actor=w.contact_a, enterprise_id=w.ent_a.pk, is_abnormal_operation=True)
    assert queries.own_enterprises(w.contact_a) == [w.ent_a]


def test_zone_officer_reaches_every_park_and_metrics_reads_are_audited(zworld):
    w = zworld
    actions.report_metrics(actor=w.officer_zone, enterprise_id=w.ent_b.pk, year=2024, values={"staff": 12})
    queries.read_metrics(w.officer_zone, w.ent_b)
    event = AuditEvent.objects.filter(action="enterprises.read_metrics").latest("id")
    assert event.actor == w.officer_zone and event.object_id == str(w.ent_b.pk)
    assert "credit_flags" in event.fields


# --- registry input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code"), [
    ("91110108551385082", "uscc_length"),
    ("91110108551385082QQ", "uscc_length"),
    ("91110108551385O82Q", "uscc_forbidden_character"),
    ("91110108551385082R", "uscc_check_character"),
])
def test_bad_uscc_each_has_its_code(zworld, value, code):
    before = snapshot()
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(3, uscc=value))
    assert exc.value.code == code and exc.value.status == 422
    assert snapshot() == before


def test_lower_case_uscc_is_normalised(zworld):
    code = make_uscc(77)
    made = actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(77, uscc=code.lower()))
    assert made.uscc == code


def test_unknown_industry_and_duplicates_are_refused(zworld):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(4, industry_code="C9999"))
    assert exc.value.code == "industry_code_unknown"
    with pytest.raises(errors.Conflict) as exc:
        actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(1))
    assert exc.value.code == "uscc_taken"


def test_register_is_idempotent_with_a_key(zworld):
    first = actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(5), idempotency_key="k-5")
    again = actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(5), idempotency_key="k-5")
    assert first.pk == again.pk and Enterprise.objects.filter(uscc=make_uscc(5)).count() == 1


def test_officer_cannot_register_into_another_park(zworld):
    with pytest.raises(errors.NotFound):  # a park outside the officer's reach is as if it did not exist
        actions.register_enterprise(actor=zworld.officer_a, data=enterprise_input(6, "PB"))


def test_rename_keeps_the_former_name(zworld):
    w = zworld
    actions.update_enterprise(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=enterprise_input(1, name="新名称有限公司"))
    w.ent_a.refresh_from_db()
    assert w.ent_a.name == "新名称有限公司" and w.ent_a.former_names == ["测试企业1有限公司"]


# --- metrics -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "code"), [
    ({"staff": -1}, "metrics_negative"),
    ({"revenue": "-5"}, "metrics_negative"),
    ({"revenue": "100", "rd_expense": "150"}, "metrics_share_above_100"),
    ({"staff": 10, "tech_staff": 11}, "metrics_share_above_100"),
    ({"rd_expense": "10", "rd_expense_domestic": "11"}, "metrics_share_above_100"),
    ({"colour": 1}, "metrics_field_unknown"),
])
def test_bad_metrics_have_codes_and_write_nothing(zworld, values, code):
    before = snapshot()
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.report_metrics(actor=zworld.officer_a, enterprise_id=zworld.ent_a.pk, year=2024, values=values)
    assert exc.value.code == code
    assert snapshot() == before


def test_metrics_set_the_size_class(zworld):
    w = zworld
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=2024,
                           values={"staff": 80, "revenue": "30000000"})
    w.ent_a.refresh_from_db()
    assert w.ent_a.size_class == "small"  # industry (C): staff 20–300 and revenue 3–20 million yuan
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=2024, values={"staff": 400})
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=2024, values={"revenue": "250000000"})
    w.ent_a.refresh_from_db()
    row = YearMetrics.objects.get(enterprise=w.ent_a, year=2024)  # fields left out kept their value
    assert row.staff == 400 and row.revenue == Decimal("250000000") and w.ent_a.size_class == "medium"


# --- qualifications ------------------------------------------------------------------------------------

def test_qualification_validity_defaults_from_its_kind(zworld):
    q = actions.record_qualification(actor=zworld.officer_a, enterprise_id=zworld.ent_a.pk,
                                     data=actions.QualificationInput(kind="high_tech_enterprise",
                                                                     issued_on=date(2024, 11, 28),
                                                                     certificate_no="GR202421000123"))
    assert q.valid_until == date(2027, 11, 27)
    assert q.is_valid_on(date(2027, 11, 27)) and not q.is_valid_on(date(2027, 11, 28))


def test_valid_until_before_issue_is_422(zworld):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_qualification(actor=zworld.officer_a, enterprise_id=zworld.ent_a.pk,
                                     data=actions.QualificationInput(kind="tech_sme", issued_on=date(2024, 5, 1),
                                                                     valid_until=date(2024, 4, 30)))
    assert exc.value.code == "valid_until_before_issue"
    assert Qualification.objects.count() == 0


def test_admin_adds_a_kind(zworld):
    kind = actions.add_qualification_kind(actor=zworld.admin, code="gazelle_city", name="市级瞪羚企业", level="city",
                                          validity_years=2)
    assert kind.validity_years == 2
    with pytest.raises(errors.Forbidden):
        actions.add_qualification_kind(actor=zworld.officer_a, code="x", name="x", level="city")


# --- patents ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "number", "code"), [
    ("invention", "201720601862.3", "patent_type_digit"),
    ("invention", "201710601862.4", "patent_check_digit"),
    ("software_copyright", "2023SR12", "patent_format"),
    ("utility_model", "abc", "patent_format"),
])
def test_patent_number_in_the_wrong_format_is_422(zworld, kind, number, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_patent(actor=zworld.officer_a, enterprise_id=zworld.ent_a.pk,
                              data=actions.PatentInput(kind=kind, number=number, title="x", granted_on=date(2020, 1, 1)))
    assert exc.value.code == code and Patent.objects.count() == 0


def test_patent_counts_for_any_date(zworld):
    w = zworld
    p = actions.record_patent(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.PatentInput(
        kind="invention", number="ZL 201710601862.3", title="一种芳烃分离方法", granted_on=date(2019, 3, 1)))
    assert p.number == "201710601862.3" and p.ip_class == "I"
    actions.set_patent_status(actor=w.officer_a, patent_id=p.pk, status="lapsed", ended_on=date(2023, 6, 30))
    summary = lambda day: queries.patent_summary(w.ent_a, day)  # noqa: E731
    assert summary(date(2019, 2, 28))["granted"] == 0
    assert summary(date(2023, 6, 29))["valid_invention"] == 1
    assert summary(date(2023, 6, 30))["valid_invention"] == 0 and summary(date(2023, 6, 30))["granted"] == 1


# --- reminders ----------------------------------------------------------------------------------------

def test_reminders_are_sent_once_to_officers_and_contacts(zworld):
    w = zworld
    today = date(2026, 3, 1)
    q = actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="high_tech_enterprise", issued_on=date(2023, 5, 1), valid_until=today + timedelta(days=80)))
    assert actions.send_expiry_reminders(today=today, thresholds=(90, 30)) == 1
    assert actions.send_expiry_reminders(today=today, thresholds=(90, 30)) == 0  # run twice: sent once
    assert actions.send_expiry_reminders(today=today + timedelta(days=10), thresholds=(90, 30)) == 0
    recipients = set(Notification.objects.filter(kind="qualification_expiry").values_list("user_id", flat=True))
    assert recipients == {w.officer_a.pk, w.officer_zone.pk, w.contact_a.pk}  # not park B's officer
    assert Notification.objects.filter(kind="qualification_expiry").count() == 3
    # 30 days before: the second threshold, once
    assert actions.send_expiry_reminders(today=today + timedelta(days=55), thresholds=(90, 30)) == 1
    assert actions.send_expiry_reminders(today=today + timedelta(days=55), thresholds=(90, 30)) == 0
    assert sorted(QualificationReminder.objects.filter(qualification=q).values_list("threshold_days", flat=True)) == [30, 90]
    # a renewal (new valid-until) gets its own reminders
    actions.set_qualification_status(actor=w.officer_a, qualification_id=q.pk, status="recognised",
                                     valid_until=today + timedelta(days=400))
    assert actions.send_expiry_reminders(today=today + timedelta(days=320), thresholds=(90, 30)) == 1
