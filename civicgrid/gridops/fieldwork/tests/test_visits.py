"""Household visits: recording (with opinions that become cases in the same transaction), denials that
change nothing, coverage per grid and the overdue list of tagged households, on hand-built fixtures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from civicgrid.cases.models import Case
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import HouseholdVisit, VisitOpinion
from civicgrid.gridops.fieldwork.queries import visits as q
from civicgrid.gridops.fieldwork.tests.conftest import NOW, TODAY, at


def _visit(world, household, day: date, actor=None, **kwargs):
    with clock.at(at(day)):
        return actions.record_visit(actor=actor or world.grid_a, household=household, **kwargs)


def test_a_visit_is_recorded_in_the_households_micro_grid_and_audited(world):
    visit = actions.record_visit(actor=world.micro_a, household=world.ha1, purpose="elderly_care",
                                 participants="社区志愿者王某", persons_met="赵大爷", notes="身体尚可,冬季取暖正常",
                                 next_follow_up_on=TODAY + timedelta(days=7))

    assert (visit.region, visit.visitor, visit.visited_at, visit.purpose) == (
        world.tree.micro_a, world.micro_a, NOW, "elderly_care")
    event = AuditEvent.objects.get(action="fieldwork.record_visit")
    assert event.object_id == str(visit.pk) and event.details["household"] == "HA-1"


def test_opinions_marked_for_a_case_open_visit_cases_linked_to_the_visit(world):
    visit = actions.record_visit(actor=world.grid_a, household=world.ha1, purpose="opinion", opinions=[
        actions.OpinionInput("楼道灯坏了三天", category_code="0602", to_case=True),
        actions.OpinionInput("希望多组织健康讲座"),
    ])

    first, second = VisitOpinion.objects.filter(visit=visit).order_by("id")
    assert first.case.channel == "visit" and first.case.category.code == "0602"
    assert first.case.region == world.tree.micro_a and first.case.reporter == world.grid_a
    assert second.case is None
    assert Case.objects.count() == 1


def test_a_refused_case_leaves_neither_visit_nor_case(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_visit(actor=world.grid_a, household=world.ha1, opinions=[
            actions.OpinionInput("有意见", category_code="9999", to_case=True)])

    assert exc.value.code == "category_unknown"
    assert (HouseholdVisit.objects.count(), VisitOpinion.objects.count(), Case.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("viewer,error", [
    ("grid_b", errors.NotFound), ("micro_b", errors.NotFound), ("volunteer", errors.NotFound),
    ("police_a", errors.NotFound), ("leader", errors.Forbidden),
])
def test_a_denied_visit_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        actions.record_visit(actor=getattr(world, viewer), household=world.ha1, notes="x")

    assert HouseholdVisit.objects.count() == 0
    assert not AuditEvent.objects.filter(result="ok", action__startswith="fieldwork.").exists()
    assert AuditEvent.objects.filter(result="denied").count() == 1


def test_a_retried_visit_with_the_same_key_is_recorded_once(world):
    first = actions.record_visit(actor=world.grid_a, household=world.ha1, idempotency_key="phone-1")
    second = actions.record_visit(actor=world.grid_a, household=world.ha1, idempotency_key="phone-1")

    assert first == second and HouseholdVisit.objects.count() == 1


@pytest.mark.parametrize("kwargs,code", [
    ({"visited_at": NOW + timedelta(hours=1)}, "time_in_future"),
    ({"purpose": "party"}, "purpose_unknown"),
    ({"next_follow_up_on": TODAY - timedelta(days=1)}, "next_follow_up_too_early"),
    ({"notes": "长" * 4001}, "notes_too_long"),
])
def test_bad_visit_input_is_refused_in_chinese(world, kwargs, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_visit(actor=world.grid_a, household=world.ha1, **kwargs)

    assert exc.value.code == code and HouseholdVisit.objects.count() == 0


def test_an_opinion_becomes_a_case_later_only_once(world):
    visit = actions.record_visit(actor=world.grid_a, household=world.ha1, opinions=[actions.OpinionInput("噪声扰民")])
    opinion = visit.opinions.get()

    actions.raise_case_from_opinion(actor=world.grid_a, opinion=opinion, category_code="3005")

    opinion.refresh_from_db()
    assert opinion.case.category.code == "3005" and opinion.case.channel == "visit"
    with pytest.raises(errors.Conflict):
        actions.raise_case_from_opinion(actor=world.grid_a, opinion=opinion)
    assert Case.objects.count() == 1


def test_coverage_counts_distinct_households_visited_in_the_period_per_grid(world):
    _visit(world, world.ha1, date(2025, 6, 3))
    _visit(world, world.ha1, date(2025, 6, 18))  # same household twice: counted once
    _visit(world, world.ha2, date(2025, 5, 31))  # before the period
    _visit(world, world.hb1, date(2025, 6, 5), actor=world.grid_b)

    report = q.coverage(world.leader, start=date(2025, 6, 1), end=date(2025, 6, 30))

    assert report["rows"] == [
        {"grid_code": world.tree.grid_a.code, "grid_name": "网格A", "households": 3, "visited": 1, "rate": 33.3},
        {"grid_code": world.tree.grid_b.code, "grid_name": "网格B", "households": 1, "visited": 1, "rate": 100.0},
    ]
    assert report["totals"] == {"grids": 2, "households": 4, "visited": 2, "rate": 50.0}
    mine = q.coverage(world.grid_a, start=date(2025, 6, 1), end=date(2025, 6, 30))
    assert [r["grid_code"] for r in mine["rows"]] == [world.tree.grid_a.code]
    assert q.coverage(world.volunteer, start=date(2025, 6, 1), end=date(2025, 6, 30))["rows"] == []


def test_an_inactive_household_leaves_the_coverage(world):
    world.ha3.is_active = False
    world.ha3.save()

    report = q.coverage(world.grid_a, start=date(2025, 6, 1), end=date(2025, 6, 30))

    assert report["rows"][0]["households"] == 2


def test_a_never_visited_tagged_household_is_overdue_from_the_tag_start(world):
    rows = q.tagged_households(world.grid_a, today=TODAY)

    assert rows == [{
        "household_id": world.ha1.pk, "number": "HA-1", "address": "幸福里1号楼 101",
        "region_code": world.tree.micro_a.code, "region_name": "微网格A", "tags": ["独居老人"], "interval_days": 7,
        "last_visit": None, "due_on": date(2025, 5, 8), "days_overdue": 43, "is_overdue": True,
    }]


@pytest.mark.parametrize("visit_day,due,overdue", [
    (date(2025, 6, 10), date(2025, 6, 17), 3),
    (date(2025, 6, 13), date(2025, 6, 20), 0),  # due today: not yet overdue
    (date(2025, 6, 15), date(2025, 6, 22), 0),
])
def test_the_last_visit_restarts_the_tagged_households_clock(world, visit_day, due, overdue):
    _visit(world, world.ha1, date(2025, 6, 1))
    _visit(world, world.ha1, visit_day)

    row = q.tagged_households(world.grid_a, today=TODAY)[0]

    assert (row["last_visit"], row["due_on"], row["days_overdue"]) == (visit_day, due, overdue)
    assert len(q.tagged_households(world.grid_a, today=TODAY, overdue_only=True)) == (1 if overdue else 0)


def test_the_shortest_frequency_of_a_households_members_applies_and_key_person_tags_stay_out(world):
    from civicgrid.people.models import ResidentTag, Tag
    from civicgrid.people.tests.factories import ident, make_resident

    empty_nest = Tag.objects.create(code="empty_nest", name="空巢老人", contact_every_days=14)
    partner = make_resident(world.ha1, "赵大娘", ident(2, date(1942, 1, 1)))
    ResidentTag.objects.create(resident=partner, tag=empty_nest, valid_from=date(2025, 4, 1))

    rows = q.tagged_households(world.grid_a, today=TODAY)

    assert [(r["number"], r["tags"], r["interval_days"], r["due_on"]) for r in rows] == [
        ("HA-1", ["独居老人", "空巢老人"], 7, date(2025, 4, 8))]
    assert q.tagged_households(world.grid_b, today=TODAY) == []  # grid B has only a key person


def test_a_key_person_visit_reads_as_routine_outside_the_sensitive_tag_reach(world, client):
    """A key-person visit tells that a key person lives there (docs/security.md PI-5): the micro-grid worker
    and the leader, who may not see sensitive tags, read it as a routine visit in every list, filter and page;
    the grid worker who made it, and the micro-grid worker's own key-person visit, keep their purpose."""
    theirs = _visit(world, world.ha2, TODAY, actor=world.grid_a, purpose="key_person")
    own = _visit(world, world.ha1, TODAY, actor=world.micro_a, purpose="key_person")
    routine = _visit(world, world.ha3, TODAY, actor=world.grid_a, purpose="routine")

    def purposes(user, purpose=""):
        return {v.pk: q.present_visit(v, user)["purpose"] for v in q.visits_visible(user, purpose=purpose)}

    assert purposes(world.grid_a) == {theirs.pk: "key_person", own.pk: "key_person", routine.pk: "routine"}
    for user in (world.micro_a, world.leader):
        shown = purposes(user)
        assert shown[theirs.pk] == "routine" and shown[routine.pk] == "routine"
        assert purposes(user, "key_person") == ({own.pk: "key_person"} if user == world.micro_a else {})
        assert set(purposes(user, "routine")) == {theirs.pk, routine.pk} | ({own.pk} if user == world.leader else set())
    client.force_login(world.micro_a)
    page = client.get(f"/gridops/visits/{theirs.pk}/").content.decode()
    assert "重点人员走访" not in page and "常规走访" in page
    listed = client.get("/api/v1/gridops/visits?purpose=key_person").json()
    assert [v["id"] for v in listed["items"]] == [own.pk]
