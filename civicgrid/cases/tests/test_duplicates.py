import pytest

from civicgrid.cases import actions, duplicates
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, Notification
from civicgrid.cases.tests.conftest import POINT_A, query_plan


def test_bigram_similarity():
    assert duplicates.similarity("小区门口井盖丢失", "门口的井盖丢失了") > 0.5
    assert duplicates.similarity("井盖丢失", "噪声扰民") == 0.0
    assert duplicates.similarity("", "井盖") == 0.0


def test_distance():
    assert duplicates.distance_m(41.12, 123.12, 41.12, 123.12) == 0
    assert 1100 < duplicates.distance_m(41.12, 123.12, 41.13, 123.12) < 1120


@pytest.mark.django_db
def test_intake_suggests_near_similar_case_and_merge_informs_both_reporters(client, world):
    def report(user, text, lat=POINT_A["lat"], lng=POINT_A["lng"], code="3001"):
        return actions.submit_case(actor=user, data=IntakeInput(
            description=text, channel="resident", category_code=code, lat=lat, lng=lng)).case

    first = report(world.resident, "幸福小区3号楼停水两天")
    far = report(world.resident, "幸福小区3号楼停水两天", lat=41.14)  # ~2 km away
    other_kind = report(world.resident, "幸福小区3号楼停水两天", code="3005")
    second = report(world.resident_b, "3号楼又停水了两天")
    assert [d["number"] for d in second.routing["duplicates"]] == [first.number]
    assert far.number not in [d["number"] for d in second.routing["duplicates"]]
    assert other_kind.routing["duplicates"] == []

    client.force_login(world.dispatcher)
    listed = client.get(f"/api/v1/cases/{second.pk}/duplicates").json()
    assert listed[0]["number"] == first.number and listed[0]["distance_m"] == 0.0

    actions.transition_case(actor=world.dispatcher, case_id=second.pk, action="merge",
                            facts={"merge_into": first.number})
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into == first and not second.is_open
    for action, facts, actor in [("dispatch", {"department": "CGJ"}, world.dispatcher), ("sign", {}, world.handler),
                                 ("contact", {"comment": "已联系"}, world.handler),
                                 ("reply", {"comment": "已恢复供水"}, world.handler),
                                 ("callback", {"satisfaction": 5, "resolved": True}, world.dispatcher)]:
        actions.transition_case(actor=actor, case_id=first.pk, action=action, facts=facts)
    assert Case.objects.get(pk=first.pk).state == "closed"
    # the reporter of the merged duplicate hears the outcome too, on their own case (the one they may open)
    outcome = Notification.objects.filter(user=world.resident_b, case=second).order_by("-pk").first()
    assert "已办结" in outcome.text and first.number in outcome.text
    assert not Notification.objects.filter(user=world.resident_b, case=first).exists()


@pytest.mark.django_db
def test_candidate_search_uses_the_open_cases_index(world):
    """The search must walk the partial (category, lat) index of open cases, not every case of the
    category ever reported: intake would slow down as the district's history grows."""
    from civicgrid.cases.sql import duplicate_statement

    sql = duplicate_statement(by_category=True, by_point=True, exclude=False)
    params = ["urban_event", "2026-01-01 00:00:00", 1, 41.0, 41.1, 123.0, 123.1]
    assert "case_open_category_lat" in query_plan(sql, params)
