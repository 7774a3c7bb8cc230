"""The routing table and category admin: who may use it (anonymous -> login, dispatcher -> 403 and nothing
changes, system admin ok), the actions' validation, and that a rule change routes the next case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicgrid.cases import actions
from civicgrid.cases.admin import actions as admin_actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return make_user("sysadmin", "system_admin", world.tree.district)


def save_rule(actor, **kw):
    data = {"region_code": "", "category_code": "3001", "department_code": "CGJ", "co_department_codes": [],
            "note": "", "is_active": True, **kw}
    return admin_actions.save_routing_rule(actor=actor, **data)


def category_data(**kw) -> dict:
    return {"code": "3013", "name": "停车难", "parent_code": "30", "case_type": "citizen_request",
            "default_department_code": "CGJ", "filing_condition": "", "closing_condition": "",
            "limits": {"handling": {"value": 5, "unit": "work_days"}}, "urgency": "normal",
            "questions": [{"key": "spaces", "label": "车位数", "type": "number", "required": False}],
            "is_active": True, **kw}


def submit(world, **data):
    data = {"description": "小区停水了", "channel": "resident", "category_code": "3001", **POINT_A, **data}
    return actions.submit_case(actor=world.resident, data=IntakeInput(**data)).case


ADMIN_URLS = ["cases:admin_routing", "cases:admin_routing_new", "cases:admin_routing_test", "cases:admin_categories",
              "cases:admin_category_new"]


# ---- permission matrix ------------------------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, world):
    rule = save_rule(make_user("a0", "system_admin", world.tree.district))
    urls = [reverse(name) for name in ADMIN_URLS] + [
        reverse("cases:admin_routing_edit", args=[rule.pk]), reverse("cases:admin_category_edit", args=["3001"])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(reverse("cases:admin_routing_delete", args=[rule.pk]))
    assert response.status_code == 302 and RoutingRule.objects.filter(pk=rule.pk).exists()


def test_dispatcher_gets_403_and_nothing_changes(client, world, admin):
    rule = save_rule(admin)
    before = (list(RoutingRule.objects.values()), list(Category.objects.values()))
    client.force_login(world.dispatcher)
    for name in ADMIN_URLS:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("cases:admin_routing_edit", args=[rule.pk])).status_code == 403
    posts = [
        (reverse("cases:admin_routing_new"), {"region": "", "category": "3002", "department": "CGJ", "is_active": "on"}),
        (reverse("cases:admin_routing_edit", args=[rule.pk]), {"category": "3001", "department": "SFJ"}),
        (reverse("cases:admin_routing_delete", args=[rule.pk]), {}),
        (reverse("cases:admin_category_edit", args=["3001"]), {"name": "改名", "case_type": "citizen_request"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert (list(RoutingRule.objects.values()), list(Category.objects.values())) == before


def test_actions_refuse_without_permission_and_audit_the_denial(world, admin):
    rule = save_rule(admin)
    with pytest.raises(errors.Forbidden):
        save_rule(world.dispatcher, category_code="3002")
    with pytest.raises(errors.Forbidden):
        admin_actions.delete_routing_rule(actor=world.dispatcher, rule_id=rule.pk)
    with pytest.raises(errors.Forbidden):
        admin_actions.save_category(actor=world.dispatcher, **category_data())
    with pytest.raises(errors.Unauthenticated):
        save_rule(None, category_code="3002")
    assert list(RoutingRule.objects.values_list("pk", flat=True)) == [rule.pk]
    assert not Category.objects.filter(code="3013").exists()
    assert AuditEvent.objects.filter(action="cases.manage_routing", result="denied").count() == 3


def test_system_admin_sees_the_pages(client, world, admin):
    save_rule(admin, region_code=world.tree.street_a.code, co_department_codes=["SFJ"], note="试点")
    client.force_login(admin)
    for name in ADMIN_URLS:
        assert client.get(reverse(name)).status_code == 200, name
    body = client.get(reverse("cases:admin_routing")).content.decode()
    assert "街道A" in body and "供水问题" in body and "司法局" in body and "试点" in body
    body = client.get(reverse("cases:admin_categories")).content.decode()
    assert 'data-category="0101"' in body and "处置中:20 工作日" in body and "城市管理综合行政执法局" in body
    assert client.get(reverse("cases:admin_category_edit", args=["0101"])).status_code == 200
    assert client.get(reverse("cases:admin_category_edit", args=["9999"])).status_code == 404
    assert client.get(reverse("cases:admin_routing_edit", args=[9999])).status_code == 404


# ---- routing rules: actions and pages ---------------------------------------------------------------

def test_save_edit_and_delete_a_rule_are_audited(world, admin):
    rule = save_rule(admin, region_code=world.tree.street_a.code, co_department_codes=["SFJ", "SFJ"], note="试点")
    assert (rule.region, rule.category.code, rule.department.code) == (world.tree.street_a, "3001", "CGJ")
    assert [d.code for d in rule.co_departments.all()] == ["SFJ"]

    save_rule(admin, rule_id=rule.pk, region_code=world.tree.street_a.code, department_code="GS-WATER")
    rule.refresh_from_db()
    assert rule.department.code == "GS-WATER" and list(rule.co_departments.all()) == [] and rule.note == ""

    admin_actions.delete_routing_rule(actor=admin, rule_id=rule.pk)
    assert not RoutingRule.objects.exists()
    events = AuditEvent.objects.filter(action__startswith="cases.").exclude(action="cases.sync_categories")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "cases.save_routing_rule", "cases.save_routing_rule", "cases.delete_routing_rule"]
    changed = events.order_by("id")[1]
    assert changed.fields == "department,co_departments,note"
    assert changed.details["before"]["department"] == "CGJ" and changed.details["after"]["department"] == "GS-WATER"


@pytest.mark.parametrize("kw,code", [
    ({"region_code": "999999"}, "region_unknown"),
    ({"category_code": "7777"}, "category_unknown"),
    ({"department_code": "NOPE"}, "department_unknown"),
    ({"department_code": ""}, "department_required"),
    ({"co_department_codes": ["CGJ"]}, "co_department_is_main"),
    ({"co_department_codes": ["NOPE"]}, "department_unknown"),
])
def test_rule_validation(world, admin, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        save_rule(admin, **kw)
    assert exc.value.code == code
    assert not RoutingRule.objects.exists()


def test_inactive_department_is_refused(world, admin):
    old = make_department("OLD", "撤并的局")
    old.is_active = False
    old.save()
    with pytest.raises(errors.ValidationFailed) as exc:
        save_rule(admin, department_code="OLD")
    assert exc.value.code == "department_inactive"


def test_duplicate_rule_is_a_conflict_also_for_blank_region_and_category(world, admin):
    rule = save_rule(admin)
    with pytest.raises(errors.Conflict) as exc:
        save_rule(admin, department_code="SFJ")  # same (全区, 3001)
    assert exc.value.code == "routing_rule_exists" and exc.value.details == {"rule_id": rule.pk}
    catch_all = save_rule(admin, category_code="")
    with pytest.raises(errors.Conflict):
        save_rule(admin, category_code="", department_code="SFJ")  # NULL × NULL is not covered by the DB
    with pytest.raises(errors.Conflict):  # moving a rule onto another rule's pair
        save_rule(admin, rule_id=catch_all.pk, category_code="3001")
    assert RoutingRule.objects.count() == 2


def test_rule_form_shows_chinese_errors_next_to_the_field(client, world, admin):
    save_rule(admin)
    client.force_login(admin)
    url = reverse("cases:admin_routing_new")
    response = client.post(url, {"region": "", "category": "3001", "department": "SFJ", "is_active": "on"})
    assert response.status_code == 422
    assert "已有相同区域和类别的派遣规则" in response.content.decode()

    response = client.post(url, {"category": "3002", "department": "CGJ", "co_departments": ["CGJ"]})
    assert response.status_code == 422
    assert response.context["form"].errors["co_departments"] == ["协办单位不能与主办单位相同"]

    response = client.post(url, {"category": "3002"})
    assert response.context["form"].errors["department"] == ["请填写主办单位"]
    assert RoutingRule.objects.count() == 1


def test_rule_pages_add_edit_delete(client, world, admin):
    client.force_login(admin)
    response = client.post(reverse("cases:admin_routing_new"), {
        "region": world.tree.street_a.code, "category": "3001", "department": "GS-WATER",
        "co_departments": ["SFJ"], "note": "街道A供水", "is_active": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:admin_routing")
    rule = RoutingRule.objects.get()
    assert (rule.department.code, rule.note, rule.is_active) == ("GS-WATER", "街道A供水", True)

    edit = reverse("cases:admin_routing_edit", args=[rule.pk])
    form = client.get(edit).context["form"]
    assert form.initial["co_departments"] == ["SFJ"]
    assert client.post(edit, {"region": world.tree.street_a.code, "category": "3001", "department": "CGJ"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.department.code, rule.is_active) == ("CGJ", False)

    assert client.post(reverse("cases:admin_routing_delete", args=[rule.pk])).status_code == 302
    assert not RoutingRule.objects.exists()
    assert client.post(reverse("cases:admin_routing_delete", args=[rule.pk])).status_code == 404


# ---- the rule decides where the next case goes ------------------------------------------------------

def test_a_rule_change_routes_the_next_case(world, admin):
    first = submit(world)
    assert first.department.code == "GS-WATER"  # the category's default department

    rule = save_rule(admin, region_code=world.tree.street_a.code, co_department_codes=["SFJ"])
    second = submit(world)
    assert second.department.code == "CGJ"
    assert [d.code for d in second.co_departments.all()] == ["SFJ"]
    assert second.routing["rule"]["id"] == rule.pk

    save_rule(admin, rule_id=rule.pk, region_code=world.tree.street_a.code, department_code="SFJ", is_active=False)
    third = submit(world)
    assert third.department.code == "GS-WATER"
    first.refresh_from_db()
    assert first.department.code == "GS-WATER"  # cases already routed stay where they are


def test_most_specific_rule_wins_in_the_test_form(client, world, admin):
    tree = world.tree
    district_all = save_rule(admin, region_code="", category_code="", department_code="XFJ")
    top = save_rule(admin, region_code=tree.district.code, category_code="30", department_code="SFJ")
    street = save_rule(admin, region_code=tree.street_a.code, category_code="30", department_code="YJJ")
    leaf = save_rule(admin, region_code="", category_code="3001", department_code="CGJ")
    save_rule(admin, region_code=tree.street_b.code, category_code="3001", department_code="SFJ")  # other side

    result = admin_actions.explain_route(tree.micro_a.code, "3001")
    assert result.department.code == "CGJ"  # the longer category code beats the longer region code
    assert [c.rule.pk for c in result.candidates] == [leaf.pk, street.pk, top.pk, district_all.pk]
    assert [c.won for c in result.candidates] == [True, False, False, False]

    client.force_login(admin)
    response = client.get(reverse("cases:admin_routing_test"), {"region": tree.micro_a.code, "category": "3002"})
    assert response.status_code == 200
    body = response.content.decode()
    result = response.context["result"]
    assert result.department.code == "YJJ" and [c.won for c in result.candidates] == [True, False, False]
    assert "派遣规则:街道A × 群众诉求 → 应急管理局" in body
    assert f'data-candidate="{street.pk}" class="won" data-won' in body

    # what the form says is what a case gets
    case = submit(world, category_code="3002")
    assert case.department.code == "YJJ" and case.routing["reason"] == result.reason


def test_test_form_without_rules_and_with_bad_input(client, world, admin):
    client.force_login(admin)
    response = client.get(reverse("cases:admin_routing_test"), {"region": world.tree.grid_a.code, "category": "3001"})
    result = response.context["result"]
    assert result.candidates == [] and result.department.code == "GS-WATER"
    assert "类别“供水问题”的默认承办部门:自来水公司" in response.content.decode()

    response = client.get(reverse("cases:admin_routing_test"), {"region": "123", "category": "3001"})
    assert response.status_code == 422
    assert response.context["form"].errors["region"] == ["区域编码不存在:123"]
    response = client.get(reverse("cases:admin_routing_test"), {"region": ""})
    assert response.status_code == 422 and response.context["form"].errors["region"] == ["请填写区域编码"]


# ---- categories -------------------------------------------------------------------------------------

def test_create_and_edit_a_category(world, admin):
    category = admin_actions.save_category(actor=admin, is_new=True, **category_data())
    assert category.parent.code == "30" and category.default_department.code == "CGJ"
    assert category.limits == {"handling": {"value": 5, "unit": "work_days"}}
    assert category.questions == [{"key": "spaces", "label": "车位数", "type": "number", "required": False}]

    admin_actions.save_category(actor=admin, **category_data(name="停车难问题", limits={}, is_active=False))
    category.refresh_from_db()
    assert (category.name, category.limits, category.is_active) == ("停车难问题", {}, False)
    with pytest.raises(errors.Conflict) as exc:
        admin_actions.save_category(actor=admin, is_new=True, **category_data())
    assert exc.value.code == "category_exists"
    audit = AuditEvent.objects.filter(action="cases.save_category").order_by("id")
    assert [e.details["created"] for e in audit] == [True, False]
    assert audit[1].fields == "name,limits,is_active"


def test_category_limits_change_the_next_case_deadline(world, admin):
    row = category_data(code="3001", name="供水问题", default_department_code="GS-WATER", questions=[],
                        limits={"received": {"value": 2, "unit": "days"}})
    admin_actions.save_category(actor=admin, **row)
    case = submit(world)
    assert case.state == "received"
    assert (case.due_at - case.state_entered_at).total_seconds() == 2 * 86400


@pytest.mark.parametrize("kw,code", [
    ({"code": "30a1"}, "category_code_invalid"),
    ({"code": "301"}, "category_code_invalid"),
    ({"code": "8801", "parent_code": "88"}, "category_parent_unknown"),
    ({"parent_code": "20"}, "category_parent_mismatch"),
    ({"name": ""}, "category_name_invalid"),
    ({"case_type": "parking"}, "case_type_unknown"),
    ({"default_department_code": "NOPE"}, "department_unknown"),
    ({"urgency": "asap"}, "urgency_invalid"),
    ({"limits": {"handling": {"value": 5, "unit": "weeks"}}}, "limit_unit_invalid"),
    ({"limits": {"handling": {"value": 0, "unit": "work_days"}}}, "limit_value_invalid"),
    ({"limits": {"handling": {"value": "5", "unit": "work_days"}}}, "limit_value_invalid"),
    ({"limits": {"closed": {"value": 5, "unit": "work_days"}}}, "limit_state_invalid"),  # terminal
    ({"limits": {"suspended": {"value": 5, "unit": "work_days"}}}, "limit_state_invalid"),  # clock paused
    ({"limits": {"processing": {"value": 5, "unit": "work_days"}}}, "limit_state_invalid"),  # urban_event's
    ({"questions": [{"key": "a", "label": "甲", "type": "text"}, {"key": "a", "label": "乙", "type": "text"}]},
     "question_key_duplicate"),
    ({"questions": [{"key": "Bad Key", "label": "甲", "type": "text"}]}, "question_key_invalid"),
    ({"questions": [{"key": "a", "label": "甲", "type": "colour"}]}, "question_type_invalid"),
    ({"questions": [{"key": "a", "label": "甲", "type": "choice", "choices": ["只有一个"]}]}, "question_choices_required"),
    ({"questions": [{"key": "a", "label": "", "type": "text"}]}, "question_label_invalid"),
])
def test_category_validation(world, admin, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        admin_actions.save_category(actor=admin, **category_data(**kw))
    assert exc.value.code == code
    assert not Category.objects.filter(code__in=["3013", "301", "8801", "30a1"]).exists()


def test_category_form_creates_with_limits_and_questions(client, world, admin):
    client.force_login(admin)
    data = {"code": "3013", "name": "停车难", "case_type": "citizen_request", "default_department": "CGJ",
            "urgency": "normal", "is_active": "on", "limit_handling_value": "3", "limit_handling_unit": "work_days",
            "limit_received_unit": "work_days",
            "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0",
            "q-0-key": "when", "q-0-label": "时段", "q-0-type": "choice", "q-0-choices": "白天、夜间",
            "q-0-required": "on", "q-1-type": "text"}
    response = client.post(reverse("cases:admin_category_new"), data)
    assert response.status_code == 302, response.context["form"].errors
    category = Category.objects.get(code="3013")
    assert category.limits == {"handling": {"value": 3, "unit": "work_days"}}
    assert category.questions == [{"key": "when", "label": "时段", "type": "choice", "required": True,
                                   "choices": ["白天", "夜间"]}]
    body = client.get(reverse("cases:admin_categories")).content.decode()
    assert "办理中:3 工作日" in body and "时段(单选,必答)" in body


def test_category_form_shows_chinese_errors(client, world, admin):
    client.force_login(admin)
    url = reverse("cases:admin_category_edit", args=["0101"])
    form = client.get(url).context["form"]
    assert form.initial["limit_processing_value"] == 20 and form.initial["limit_processing_unit"] == "work_days"
    data = {"name": "私搭乱建", "case_type": "urban_event", "default_department": "CGJ", "urgency": "normal",
            "is_active": "on", "limit_processing_value": "-1", "limit_processing_unit": "work_days",
            "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0",
            "q-0-key": "x", "q-0-label": "甲", "q-0-type": "multi", "q-0-choices": "",
            "q-1-key": "", "q-1-label": "", "q-1-type": "text"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert response.context["form"].errors["limit_processing_value"] == ["时限须大于0"]

    data["limit_processing_value"] = "10"
    response = client.post(url, data)
    assert response.status_code == 422
    assert "是选择题,至少需要两个选项" in response.content.decode()
    assert Category.objects.get(code="0101").limits == {"processing": {"value": 20, "unit": "work_days"}}

    response = client.post(reverse("cases:admin_category_new"), {**data, "code": "0101", "q-0-choices": "甲,乙"})
    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["类别编码 0101 已存在"]


def test_limits_fragment_follows_the_case_type(client, world, admin):
    client.force_login(admin)
    body = client.get(reverse("cases:admin_category_limits"), {"case_type": "citizen_request"}).content.decode()
    states = [s for s in ("received", "dispatched", "signed", "handling", "replied", "suspended", "closed")
              if f'data-state="{s}"' in body]
    assert states == ["received", "dispatched", "signed", "handling", "replied"]
    assert 'placeholder="默认7工作日"' in body


def test_the_database_refuses_a_second_blank_region_rule_for_one_category(world):
    """The explicit check is for the message; the constraint closes the race (NULLs count as one value)."""
    from django.db import IntegrityError, transaction

    from civicgrid.accounts.models import Department
    from civicgrid.cases.models import Category, RoutingRule

    dept = Department.objects.get(code="CGJ")
    category = Category.objects.get(code="3001")
    RoutingRule.objects.create(region=None, category=category, department=dept)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(region=None, category=category, department=dept)
    RoutingRule.objects.create(region=None, category=None, department=dept)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(region=None, category=None, department=dept)
