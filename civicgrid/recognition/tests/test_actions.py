"""Nominations through verification, the public notice with objections, the listings and consent."""

import pytest

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.recognition import actions, queries
from civicgrid.recognition.models import Honoree, Listing, Material, Nomination, NominationEvent, Objection
from civicgrid.recognition.tests.conftest import PDF, later, nomination_input, png, to_notice

pytestmark = pytest.mark.django_db


def test_self_nomination_through_notice_to_the_monthly_board(rworld):
    w = rworld
    n = actions.submit_nomination(actor=w.resident, data=nomination_input(photo=png(), materials=[png(), PDF]))
    assert (n.state, n.source, n.consent_source, n.honoree.user) == ("submitted", "self", "nominee", w.resident)
    assert sorted(Material.objects.filter(nomination=n).values_list("content_type", flat=True)) == [
        "application/pdf", "image/png"]
    n = to_notice(w, n)
    assert n.state == "notice" and (n.notice_end - n.notice_start).days == 6
    with pytest.raises(errors.Conflict) as exc:
        actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="list")
    assert exc.value.code == "notice_not_over"
    with later(7):
        n = actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="list")
        month = actions.month_start(actions.today())
    assert (n.state, n.listed_month) == ("listed", month)
    board = queries.listing("month", month)
    assert [(i["name"], i["title"], i["photo_url"]) for i in board] == [
        ("滕学民", "十年如一日照顾孤寡老人", f"/recognition/photos/{n.pk}/")]
    assert list(NominationEvent.objects.filter(nomination=n).values_list("action", flat=True)) == [
        "submit", "verify", "approve", "list"]
    assert AuditEvent.objects.filter(action="recognition.list_nomination", object_id=str(n.pk)).count() == 1


def test_nomination_without_consent_writes_nothing(rworld):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_nomination(actor=rworld.resident, data=nomination_input(consent_story=False))
    assert exc.value.code == "consent_required"
    assert (Nomination.objects.count(), Honoree.objects.count()) == (0, 0)


@pytest.mark.parametrize(("change", "code"), [
    ({"category": "wealth"}, "category_invalid"),
    ({"nominee_phone": "12345"}, "phone_invalid"),
    ({"region_code": "211004001"}, "region_unknown"),
    ({"story": "   "}, "story_required"),
    ({"materials": [b"MZ\x90\x00 not a pdf"]}, "material_type_unsupported"),
])
def test_bad_nominations_are_refused_whole(rworld, change, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_nomination(actor=rworld.resident, data=nomination_input(**change))
    assert exc.value.code == code
    assert (Nomination.objects.count(), Material.objects.count()) == (0, 0)


def test_nomination_by_others_needs_the_communitys_confirmed_consent(rworld):
    w = rworld
    n = actions.submit_nomination(actor=w.resident, data=nomination_input(source="other", relation="邻居"))
    assert n.consent_source == "nominator" and n.honoree.user is None
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.transition_nomination(actor=w.community, nomination_id=n.pk, action="verify")
    assert exc.value.code == "consent_confirmation_required"
    n = actions.transition_nomination(actor=w.community, nomination_id=n.pk, action="verify",
                                      consent=actions.Consent(name=False, photo=False, story=True))
    assert (n.consent_source, n.consent_name) == ("community", False)
    assert n.consents.count() == 2


def test_objection_must_be_answered_before_listing(rworld):
    w = rworld
    n = to_notice(w, actions.submit_nomination(actor=w.resident, data=nomination_input()))
    objection = actions.lodge_objection(actor=None, nomination_id=n.pk, contact_name="王女士",
                                        contact_phone="13900002222", body="此事迹与实际不符,请核实。")
    assert objection.lodged_by is None and objection.contact_phone == "13900002222"
    with later(8):
        with pytest.raises(errors.Conflict) as exc:
            actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="list")
        assert exc.value.code == "objection_unanswered"
        assert Listing.objects.count() == 0
        with pytest.raises(errors.ValidationFailed) as late:
            actions.lodge_objection(actor=None, nomination_id=n.pk, contact_name="李", contact_phone="13900003333",
                                    body="迟到的异议")
        assert late.value.code == "notice_period_over"
        actions.answer_objection(actor=w.office, objection_id=objection.pk, outcome="dismissed",
                                 answer="经社区走访核实,事迹属实。")
        with pytest.raises(errors.Conflict) as twice:
            actions.answer_objection(actor=w.office, objection_id=objection.pk, outcome="upheld", answer="再答")
        assert twice.value.code == "objection_already_answered"
        n = actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="list")
    assert n.state == "listed" and Objection.objects.count() == 1


def test_upheld_objection_turns_the_nomination_down(rworld):
    w = rworld
    n = to_notice(w, actions.submit_nomination(actor=w.resident, data=nomination_input()))
    o = actions.lodge_objection(actor=w.other_resident, nomination_id=n.pk, contact_name="赵",
                                contact_phone="13900004444", body="不属实")
    actions.answer_objection(actor=w.office, objection_id=o.pk, outcome="upheld", answer="经核实异议成立。")
    n.refresh_from_db()
    assert (n.state, n.decision_note) == ("rejected", "异议成立:经核实异议成立。")
    assert list(queries.objections_of(w.resident, n)) == []  # the nominee never learns who objected
    assert [x.pk for x in queries.objections_of(w.community, n)] == [o.pk]


def test_nothing_is_published_beyond_consent(rworld):
    w = rworld
    n = actions.submit_nomination(actor=w.resident, data=nomination_input(photo=png()))
    actions.transition_nomination(actor=w.community, nomination_id=n.pk, action="verify")
    n = actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="approve")
    item = queries.public_item(n)
    assert (item["name"], item["photo_url"]) == ("滕学民", None)  # the photo was not consented to
    n = actions.change_consent(actor=w.resident, nomination_id=n.pk,
                               consent=actions.Consent(name=False, photo=True, story=True))
    item = queries.public_item(Nomination.objects.get(pk=n.pk))
    assert (item["name"], item["photo_url"], item["person_url"]) == ("某某同志", f"/recognition/photos/{n.pk}/", None)
    text = repr(queries.notices())
    assert "13800001111" not in text and "滕学民" not in text


def test_a_persons_history_joins_only_named_listings(rworld):
    w = rworld
    first = to_notice(w, actions.submit_nomination(actor=w.resident, data=nomination_input()))
    with later(7):
        actions.transition_nomination(actor=w.office, nomination_id=first.pk, action="list")
    with later(8):
        second = to_notice(w, actions.submit_nomination(actor=w.resident, data=nomination_input(category="filial")))
    with later(20):
        actions.transition_nomination(actor=w.office, nomination_id=second.pk, action="list")
    first.refresh_from_db()
    actions.list_yearly(actor=w.office, year=first.listed_month.year, nomination_ids=[first.pk, first.pk])
    history = queries.person_history(first.honoree.public_id)
    assert history["name"] == "滕学民"
    assert sorted(i["period"] for i in history["items"]) == ["month", "month", "year"]
    actions.change_consent(actor=w.resident, nomination_id=second.pk,
                           consent=actions.Consent(name=False, photo=False, story=True))
    assert len(queries.person_history(first.honoree.public_id)["items"]) == 2


def test_scope_and_denials_change_nothing(rworld):
    w = rworld
    n = actions.submit_nomination(actor=w.resident, data=nomination_input())
    with pytest.raises(errors.NotFound):  # another community's admin does not see it
        actions.transition_nomination(actor=w.community_b, nomination_id=n.pk, action="verify")
    with pytest.raises(errors.NotFound):
        actions.transition_nomination(actor=w.other_resident, nomination_id=n.pk, action="withdraw")
    with pytest.raises(errors.Forbidden):  # the nominator sees it but may not verify it
        actions.transition_nomination(actor=w.resident, nomination_id=n.pk, action="verify")
    with pytest.raises(errors.Forbidden):  # the office may not skip the community
        actions.transition_nomination(actor=w.office, nomination_id=n.pk, action="verify")
    n.refresh_from_db()
    assert n.state == "submitted" and n.events.count() == 1
    assert list(queries.nominations_visible(w.street_b)) == []
    assert [x.pk for x in queries.nominations_visible(w.resident)] == [n.pk]
    with pytest.raises(errors.Unauthenticated):
        actions.submit_nomination(actor=None, data=nomination_input())


def test_one_open_self_nomination_at_a_time(rworld):
    actions.submit_nomination(actor=rworld.resident, data=nomination_input())
    with pytest.raises(errors.Conflict) as exc:
        actions.submit_nomination(actor=rworld.resident, data=nomination_input(category="honesty"))
    assert exc.value.code == "nomination_open"
    assert Nomination.objects.count() == 1


def test_retried_submission_makes_one_nomination(rworld):
    a = actions.submit_nomination(actor=rworld.resident, data=nomination_input(), idempotency_key="k1")
    b = actions.submit_nomination(actor=rworld.resident, data=nomination_input(), idempotency_key="k1")
    assert a.pk == b.pk and Nomination.objects.count() == 1
