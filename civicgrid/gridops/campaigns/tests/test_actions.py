"""Campaign actions: idempotent sync from phones, the conflict rule, scoping, the campaign lifecycle."""

from __future__ import annotations

from io import BytesIO

import pytest

from civicgrid.cases.models import Notification
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.campaigns import actions, examples
from civicgrid.gridops.campaigns.choices import CampaignStatus, RevisionOutcome
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer, CampaignPhoto, CampaignRevision
from civicgrid.gridops.campaigns.tests.conftest import END, GOOD, START, at
from civicgrid.testing import make_user


def _submit(world, actor=None, household=None, answers=None, base=0, key="k-1", device=None, now=None, **kw):
    with clock.at(now or at(2, 12)):
        return actions.submit_answer(
            actor=actor or world.worker_a, campaign=kw.pop("campaign", world.campaign),
            household=household or world.households_a[0], answers=GOOD if answers is None else answers,
            base_version=base, idempotency_key=key, answered_at=device or at(2, 11), **kw)


def _state():
    return (CampaignAnswer.objects.count(), CampaignRevision.objects.count(),
            list(CampaignAnswer.objects.values_list("version", "answers")))


# --- idempotent sync -----------------------------------------------------------------------------

def test_the_same_key_sent_three_times_makes_one_revision(world):
    results = [_submit(world, key="dev1-0001") for _ in range(3)]

    assert [r.replayed for r in results] == [False, True, True]
    assert {r.revision.pk for r in results} == {results[0].revision.pk}
    assert CampaignRevision.objects.count() == 1
    answer = CampaignAnswer.objects.get()
    assert (answer.version, answer.answers, answer.answered_by) == (1, GOOD, world.worker_a)
    assert AuditEvent.objects.filter(action="campaigns.submit_answer").count() == 1


def test_a_new_submission_returns_the_answer_as_stored(world):
    """The answer a submission hands back (the one it wrote, not read again) is the stored row, for a new
    answer, an edit and a conflict that keeps the newer device's answer."""
    def fields(answer):
        return {f.attname: getattr(answer, f.attname) for f in CampaignAnswer._meta.concrete_fields}

    results = []
    for kwargs in ({"key": "n-1"}, {"key": "n-2", "base": 1, "answers": {**GOOD, "members_present": 5}},
                   {"key": "n-3", "base": 1, "device": at(2, 10)}):
        result = _submit(world, **kwargs)
        assert not result.replayed and fields(result.answer) == fields(CampaignAnswer.objects.get(pk=result.answer.pk))
        results.append(result)
    assert [r.revision.outcome for r in results] == [RevisionOutcome.APPLIED, RevisionOutcome.APPLIED,
                                                      RevisionOutcome.CONFLICT_KEPT]
    assert results[-1].answer.answered_by == world.worker_a


def test_a_replayed_key_returns_the_stored_result_even_after_later_edits(world):
    first = _submit(world, key="a")
    _submit(world, key="b", base=1, answers={**GOOD, "members_present": 5})

    again = _submit(world, key="a")

    assert again.replayed and again.revision.pk == first.revision.pk and again.revision.version == 1
    assert again.answer.version == 2  # the current answer is reported alongside


def test_a_key_reused_for_another_household_is_refused(world):
    _submit(world, key="same")

    with pytest.raises(errors.ValidationFailed) as caught:
        _submit(world, key="same", household=world.households_a[1])

    assert caught.value.code == "idempotency_key_reused"
    assert CampaignAnswer.objects.count() == 1


def test_a_key_used_by_another_worker_is_refused(world):
    _submit(world, key="shared")
    before = _state()

    with pytest.raises(errors.Conflict):
        _submit(world, actor=world.grid_worker_a, key="shared", base=1)

    assert _state() == before


# --- the conflict rule ---------------------------------------------------------------------------

def test_an_edit_based_on_the_current_version_becomes_the_next_version(world):
    _submit(world, key="a")

    result = _submit(world, key="b", base=1, answers={**GOOD, "members_present": 4}, device=at(3), now=at(3, 12))

    assert (result.revision.outcome, result.answer.version, result.answer.has_conflict) == (RevisionOutcome.APPLIED, 2, False)
    assert result.revision.previous == GOOD


def test_two_devices_later_device_time_wins_and_both_values_are_kept(world):
    # both phones saw no answer (base 0); the micro-grid worker's syncs first, the grid worker answered later
    _submit(world, key="micro", answers=GOOD, device=at(2, 9))
    theirs = {"members_present": 2, "test_done": "no", "not_tested_reason": "away", "id_verified": "yes"}

    result = _submit(world, actor=world.grid_worker_a, key="grid", answers=theirs, device=at(2, 10))

    answer = result.answer
    assert (result.revision.outcome, answer.version, answer.answers, answer.has_conflict) == (
        RevisionOutcome.CONFLICT_APPLIED, 2, theirs, True)
    assert (result.revision.answers, result.revision.previous, result.revision.previous_by) == (
        theirs, GOOD, world.worker_a)


def test_two_devices_an_older_stale_write_is_recorded_but_not_applied(world, django_capture_on_commit_callbacks):
    _submit(world, key="micro", answers=GOOD, device=at(2, 9))
    theirs = {**GOOD, "members_present": 7}

    with django_capture_on_commit_callbacks(execute=True):
        result = _submit(world, actor=world.grid_worker_a, key="grid", answers=theirs, device=at(2, 8))

    answer = CampaignAnswer.objects.get()
    assert (result.revision.outcome, answer.version, answer.answers, answer.has_conflict) == (
        RevisionOutcome.CONFLICT_KEPT, 1, GOOD, True)
    assert result.revision.answers == theirs and result.revision.previous == GOOD
    note = Notification.objects.get(kind="campaign_conflict")
    assert note.user == world.worker_a and "HA-001" in note.text


def test_a_device_time_in_the_future_counts_as_the_time_of_receipt(world):
    result = _submit(world, device=at(20), now=at(2, 12))

    assert result.answer.answered_at == at(2, 12)


def test_a_write_based_on_the_current_version_settles_a_conflict(world):
    _submit(world, key="a", device=at(2, 9))
    _submit(world, actor=world.grid_worker_a, key="b", answers={**GOOD, "members_present": 1}, device=at(2, 8))

    result = _submit(world, key="c", base=1, answers={**GOOD, "members_present": 6}, device=at(3))

    assert (result.answer.version, result.answer.has_conflict, result.answer.answers["members_present"]) == (2, False, 6)


def test_resolving_a_conflict_can_restore_the_other_value(world):
    _submit(world, key="a", device=at(2, 9))
    lost = _submit(world, actor=world.grid_worker_a, key="b", answers={**GOOD, "members_present": 1}, device=at(2, 8))

    with clock.at(at(4)):
        answer = actions.resolve_conflict(actor=world.admin_a, answer=lost.answer, revision=lost.revision)

    assert (answer.version, answer.answers["members_present"], answer.has_conflict) == (2, 1, False)
    assert CampaignRevision.objects.order_by("id").last().outcome == RevisionOutcome.RESOLVED
    with pytest.raises(errors.Conflict):
        actions.resolve_conflict(actor=world.admin_a, answer=answer)


# --- scoping and checks --------------------------------------------------------------------------

def test_an_out_of_scope_household_is_404_and_nothing_changes(world):
    before = _state()

    with pytest.raises(errors.NotFound):
        _submit(world, household=world.households_b[0], campaign=world.campaign_b)
    with pytest.raises(errors.NotFound):  # in reach of the grid worker? no: another grid
        _submit(world, actor=world.grid_worker_a, household=world.households_b[0], campaign=world.campaign_b)

    assert _state() == before
    assert AuditEvent.objects.filter(action="campaigns.answer_campaign", result="denied").count() == 2


def test_a_household_outside_the_campaign_targets_is_404(world):
    street_worker = make_user("gw_b", "grid_worker", world.tree.grid_b)

    with pytest.raises(errors.NotFound) as caught:
        _submit(world, actor=street_worker, household=world.households_b[0])  # campaign A targets community A

    assert caught.value.code == "household_not_in_campaign"


def test_invalid_answers_write_nothing(world):
    with pytest.raises(errors.ValidationFailed) as caught:
        _submit(world, answers={"members_present": 2, "test_done": "no", "id_verified": "yes"})

    assert (caught.value.code, caught.value.details) == ("answers_invalid", {"not_tested_reason": "必填"})
    assert _state() == (0, 0, [])


def test_answers_outside_the_period_or_after_closing_are_refused(world):
    with pytest.raises(errors.ValidationFailed) as caught:
        _submit(world, device=at(1, 1).replace(month=4, day=30), now=at(2))
    assert caught.value.code == "outside_period"

    with clock.at(at(20)):
        actions.close_campaign(actor=world.admin_a, campaign=world.campaign)
    with pytest.raises(errors.Conflict) as caught:
        _submit(world, now=at(21), device=at(20, 9))
    assert caught.value.code == "campaign_not_active"
    assert _state() == (0, 0, [])


def test_a_photo_answer_is_stored_without_metadata(world):
    from PIL import Image

    raw = BytesIO()
    Image.new("RGB", (8, 8), "red").save(raw, "JPEG")
    with clock.at(at(1, 9)):
        campaign = actions.create_campaign(actor=world.admin_a, title="燃气安全", targets=[world.tree.micro_a],
                                           start_date=START, end_date=END, form=examples.GAS_SAFETY)
        actions.publish_campaign(actor=world.admin_a, campaign=campaign)
    answers = {"fuel": "bottle", "alarm": "no", "hazards": ["hose"], "occupants": 2, "checked_on": "2024-05-02",
               "photo": "new"}

    result = _submit(world, campaign=campaign, answers=answers, photos={"photo": raw.getvalue()})

    photo = CampaignPhoto.objects.get()
    assert result.answer.answers["photo"] == photo.pk
    assert (photo.field, photo.content_type, photo.household) == ("photo", "image/jpeg", world.households_a[0])
    # the next edit keeps the stored photo by its id
    kept = _submit(world, campaign=campaign, key="k-2", base=1, answers={**answers, "photo": photo.pk})
    assert kept.answer.answers["photo"] == photo.pk and CampaignPhoto.objects.count() == 1


# --- campaign lifecycle --------------------------------------------------------------------------

def test_publishing_freezes_the_form_and_tells_the_workers(world, django_capture_on_commit_callbacks):
    with clock.at(at(1, 9)):
        campaign = actions.create_campaign(actor=world.admin_a, title="人口核查", targets=[world.tree.grid_a],
                                           start_date=START, end_date=END, form=examples.EPIDEMIC)
        assert campaign.region == world.tree.grid_a and campaign.status == CampaignStatus.DRAFT
        with django_capture_on_commit_callbacks(execute=True):
            actions.publish_campaign(actor=world.admin_a, campaign=campaign)

    assert set(Notification.objects.filter(kind="campaign_published", text__contains="人口核查")
               .values_list("user__username", flat=True)) == {"worker_a", "grid_a"}
    with pytest.raises(errors.Conflict):
        actions.update_form(actor=world.admin_a, campaign=campaign, definition={"fields": []})


def test_the_campaign_region_is_the_smallest_region_holding_every_target(world):
    street_admin = make_user("street", "street_admin", world.tree.district)
    with clock.at(at(1)):
        campaign = actions.create_campaign(actor=street_admin, title="全区排查", start_date=START, end_date=END,
                                           targets=[world.tree.micro_a, world.tree.grid_a, world.tree.micro_b])

    assert campaign.region == world.tree.district
    assert sorted(t.code for t in campaign.targets.all()) == [world.tree.grid_a.code, world.tree.micro_b.code]


def test_a_target_outside_the_admins_reach_is_404(world):
    with pytest.raises(errors.NotFound):
        actions.create_campaign(actor=world.admin_a, title="越界", targets=[world.tree.community_b],
                                start_date=START, end_date=END)
    assert Campaign.objects.count() == 2


@pytest.mark.parametrize("who,error", [("admin_b", errors.NotFound), ("worker_a", errors.Forbidden),
                                       ("grid_worker_a", errors.Forbidden)])
def test_only_the_campaigns_admins_may_close_it(world, who, error):
    with pytest.raises(error):
        actions.close_campaign(actor=getattr(world, who), campaign=world.campaign)

    assert Campaign.objects.get(pk=world.campaign.pk).status == CampaignStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="campaigns.close_campaign").exists()


def test_publishing_needs_questions_and_a_current_period(world):
    with clock.at(at(1)):
        empty = actions.create_campaign(actor=world.admin_a, title="空表", targets=[world.tree.micro_a],
                                        start_date=START, end_date=END)
        with pytest.raises(errors.ValidationFailed) as caught:
            actions.publish_campaign(actor=world.admin_a, campaign=empty)
    assert caught.value.code == "form_empty"
    with clock.at(at(1).replace(month=6)):
        actions.update_form(actor=world.admin_a, campaign=empty, definition=examples.EPIDEMIC)
        with pytest.raises(errors.ValidationFailed) as caught:
            actions.publish_campaign(actor=world.admin_a, campaign=empty)
    assert caught.value.code == "period_over"


def test_a_bad_form_definition_is_refused_with_every_problem(world):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_campaign(actor=world.admin_a, title="坏表", targets=[world.tree.micro_a], start_date=START,
                                end_date=END, form={"fields": [{"name": "a b", "type": "text", "label": "甲"}]})
    assert caught.value.code == "form_invalid"
    assert caught.value.details[0]["code"] == "name_invalid"
