"""The micro-grid worker's on-site steps (核实 before 立案, 核查 before 结案) and merging duplicates from the
case page: who may, the reporters told, the same-day unmerge."""

from datetime import timedelta

import pytest

from civicgrid.cases import actions, merging
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, Notification
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.uploads import evidence
from civicgrid.core import clock, errors
from civicgrid.demo.evidence import photo_bytes
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


def resident_report(world, who=None, text="小区门口井盖丢失了,很危险"):
    return actions.submit_case(actor=who or world.resident, data=IntakeInput(
        description=text, channel="resident", category_code="0601", **POINT_A)).case


def act(actor, case, action, photos=0, **facts):
    uploads = [(f"{i}.jpg", photo_bytes(f"{case.pk}-{action}-{i}")) for i in range(photos)]
    comment = facts.pop("comment", "")
    return evidence.transition_with_files(actor=actor, case_id=case.pk, action=action, uploads=uploads,
                                          comment=comment, facts=facts).case


def test_micro_grid_worker_verifies_on_site_before_filing_and_checks_before_closing(client, world):
    micro = make_user("mg_a", "micro_grid_worker", world.tree.micro_a)
    other_micro = make_user("mg_b", "micro_grid_worker", world.tree.micro_b)
    case = resident_report(world)
    older = resident_report(world, text="垃圾桶满了")  # a case in the same micro-grid that needs nothing on site
    act(world.dispatcher, older, "file")
    assert case.workflow.version == 2

    client.force_login(micro)
    assert case.number in client.get("/cases/?tab=todo").content.decode()
    listed = client.get("/cases/?tab=open").content.decode()  # newest first, but the on-site step ahead
    assert 'data-onsite' in listed and listed.index(case.number) < listed.index(older.number)
    with pytest.raises(errors.NotFound):  # another micro-grid's worker does not see it
        act(other_micro, case, "confirm", photos=1, comment="属实")
    with pytest.raises(errors.ValidationFailed) as exc:
        act(micro, case, "confirm", comment="属实")
    assert exc.value.code == "attachments_required"
    case = act(micro, case, "confirm", photos=1, comment="现场核实,井盖确已丢失")
    assert case.state == "confirmed"

    case = act(world.dispatcher, case, "file")
    case = act(world.dispatcher, case, "dispatch", department="CGJ")
    case = act(world.handler, case, "sign")
    case = act(world.handler, case, "feedback", photos=2, comment="已补装井盖")
    with pytest.raises(errors.Forbidden):  # 核查 is on site: not from the centre's desk
        act(world.dispatcher, case, "verify", photos=1)
    case = act(micro, case, "verify", photos=1)
    assert case.state == "verified"
    case = act(world.dispatcher, case, "close")
    steps = list(case.events.values_list("action", "actor_role"))
    assert ("confirm", "micro_grid_worker") in steps and ("verify", "micro_grid_worker") in steps
    assert case.attachments.filter(pending=False).count() == 4


def test_a_report_found_unfounded_may_still_be_rejected_only_by_the_centre(world):
    micro = make_user("mg_a", "micro_grid_worker", world.tree.micro_a)
    case = resident_report(world)
    case = act(world.dispatcher, case, "send_to_verify")
    assert case.state == "verifying"
    with pytest.raises(errors.Forbidden):
        act(micro, case, "reject", reason="不属实")
    case = act(micro, case, "refute", photos=1, reason="现场井盖完好")
    case = act(world.dispatcher, case, "reject", reason="经核实不属实")
    assert case.state == "rejected" and not case.is_open


def two_reports(world):
    first = resident_report(world, text="小区门口井盖丢失了,很危险")
    second = resident_report(world, who=world.resident_b, text="小区门口的井盖丢失了")
    return first, second


def test_case_page_lists_duplicates_and_the_dispatcher_merges_with_a_reason(client, world):
    first, second = two_reports(world)
    client.force_login(world.dispatcher)
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f'data-duplicate="{first.number}"' in page and "相距 0 米" in page and "描述相似度" in page
    assert f"将本案合并至 {first.number}" in page

    url = f"/cases/{second.pk}/merge/"
    refused = client.post(url, {"into": first.pk, "reason": " ", "back": second.pk})
    assert refused.status_code == 422 and Case.objects.get(pk=second.pk).is_open
    done = client.post(url, {"into": first.pk, "reason": "同一井盖", "back": first.pk})
    assert done.status_code == 302 and done["Location"] == f"/cases/{first.pk}/"
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into_id == first.pk and not second.is_open
    told = Notification.objects.get(user=world.resident_b, case=second)
    assert first.number in told.text and "合并" in told.text

    # the main case's progress reaches the merged case's reporter, on their own case
    act(world.dispatcher, first, "reject", reason="已由供水公司处理")
    outcome = Notification.objects.filter(user=world.resident_b, case=second).order_by("-pk").first()
    assert "不予立案" in outcome.text and first.number in outcome.text


def test_who_may_merge_and_see_duplicates(client, world):
    first, second = two_reports(world)
    client.force_login(world.grid_a)  # sees both, may not merge
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f'data-duplicate="{first.number}"' in page and "确认合并" not in page
    response = client.post(f"{API}/{second.pk}/merge", {"into": first.pk, "reason": "重复"},
                           content_type="application/json")
    assert response.status_code == 403
    client.force_login(world.resident_b)  # the reporter: their own case, no duplicates panel
    assert "data-duplicates" not in client.get(f"/cases/{second.pk}/").content.decode()
    client.force_login(world.dispatcher)
    response = client.post(f"{API}/{second.pk}/merge", {"into": first.pk, "reason": "重复"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["case"]["state"] == "merged"
    again = client.post(f"{API}/{second.pk}/merge", {"into": first.pk, "reason": "重复"},
                        content_type="application/json")
    assert again.status_code == 409


def test_unmerge_the_same_day_restores_the_case_not_later(client, world):
    first, second = two_reports(world)
    merging.merge(actor=world.dispatcher, case_id=second.pk, into_id=first.pk, reason="重复")
    with pytest.raises(errors.Forbidden):
        merging.unmerge(actor=world.grid_a, case_id=second.pk, reason="不是同一个")
    client.force_login(world.dispatcher)
    assert "data-unmerge" in client.get(f"/cases/{second.pk}/").content.decode()
    response = client.post(f"{API}/{second.pk}/unmerge", {"reason": "不是同一个井盖"}, content_type="application/json")
    assert response.status_code == 200, response.content
    second.refresh_from_db()
    assert second.state == "reported" and second.is_open and second.merged_into_id is None
    assert second.closed_at is None and list(second.events.values_list("action", flat=True))[-2:] == ["merge", "unmerge"]
    assert Notification.objects.filter(user=world.resident_b, case=second, text__contains="撤销").exists()
    from civicgrid.cases.chain import verify_case
    assert verify_case(second) is None
    assert client.post(f"{API}/{second.pk}/unmerge", {"reason": "再来"},
                       content_type="application/json").json()["code"] == "not_merged"

    merging.merge(actor=world.dispatcher, case_id=second.pk, into_id=first.pk, reason="确属重复")
    with clock.at(clock.now() + timedelta(days=1)):
        response = client.post(f"{API}/{second.pk}/unmerge", {"reason": "晚了"}, content_type="application/json")
        assert response.status_code == 409 and response.json()["code"] == "unmerge_too_late"
        assert "data-unmerge" not in client.get(f"/cases/{second.pk}/").content.decode()
