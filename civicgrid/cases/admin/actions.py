"""Maintaining the case engine's routing table and category catalogue (`cases.manage_routing`).

Same shape as cases.actions: keyword-only, `require()` before the transaction, every rule checked before
anything is written, the audit entry written in the same transaction. Errors carry a Chinese message and a
machine code; `details["field"]` names the input a validation error is about, so forms can show it there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from civicgrid.accounts.models import Department
from civicgrid.cases import routing
from civicgrid.cases.choices import QuestionType, Urgency
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.cases.workflow import registry
from civicgrid.cases.workflow.spec import UNITS, Spec
from civicgrid.core import audit, errors
from civicgrid.core.scoping import require, require_table
from civicgrid.geo.choices import district_code
from civicgrid.geo.models import Region

PERM = "cases.manage_routing"
CODE = re.compile(r"^\d{2}(\d{2}){0,9}$")  # 2, 4, … 20 digits: each level adds two
QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
UNIT_LABELS = {"work_hours": "工作时", "work_days": "工作日", "hours": "小时", "days": "天"}
CHOICE_TYPES = {QuestionType.CHOICE, QuestionType.MULTI}


def _invalid(message: str, code: str, field_name: str | None = None, **details) -> errors.ValidationFailed:
    if field_name:
        details["field"] = field_name
    return errors.ValidationFailed(message, code=code, details=details or None)


def _clean(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _department(code: str, field_name: str) -> Department:
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise _invalid(f"部门不存在:{code}", "department_unknown", field_name, value=code)
    if not dept.is_active:
        raise _invalid(f"部门已停用:{dept.name}", "department_inactive", field_name, value=code)
    return dept


# ---- routing rules -----------------------------------------------------------------------------------

def _rule_summary(rule: RoutingRule) -> dict:
    return {
        "region": rule.region.code if rule.region_id else None,
        "category": rule.category.code if rule.category_id else None,
        "department": rule.department.code,
        "co_departments": sorted(d.code for d in rule.co_departments.all()),
        "note": rule.note,
        "is_active": rule.is_active,
    }


def table_of(region_code: str | None) -> str:
    """The routing table a rule belongs to: its region's district ("" for a rule with no region, or one
    placed on the city itself, which applies in every district)."""
    return district_code(_clean(region_code))


def _require_table(actor, region_code: str | None) -> None:
    require_table(actor, PERM, table_of(region_code))


def _require_rule_table(actor, rule_id: int) -> None:
    """The table of an existing rule (a missing rule is left to the NotFound below)."""
    for region_code in RoutingRule.objects.filter(pk=rule_id).values_list("region__code", flat=True):
        _require_table(actor, region_code)


def save_routing_rule(*, actor, rule_id: int | None = None, region_code: str | None, category_code: str | None,
                      department_code: str, co_department_codes: list[str] | tuple[str, ...] = (),
                      note: str = "", is_active: bool = True) -> RoutingRule:
    """Create (no `rule_id`) or change one routing rule. A blank region means the whole tree (under a city
    root: every district), a blank category every category. One rule per (region, category): a second one
    is 409 `routing_rule_exists`. The user must reach the district of the rule's region, before and after
    the change (a district's administrator keeps to their district's table)."""
    require(actor, PERM)
    region_code, category_code = _clean(region_code), _clean(category_code)
    department_code, note = _clean(department_code), _clean(note)
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise _invalid(f"区域编码不存在:{region_code}", "region_unknown", "region", value=region_code)
    _require_table(actor, region_code)
    if rule_id is not None:
        _require_rule_table(actor, rule_id)
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            raise _invalid(f"类别不存在:{category_code}", "category_unknown", "category", value=category_code)
    if not department_code:
        raise _invalid("请选择主办单位", "department_required", "department")
    department = _department(department_code, "department")
    co_codes = list(dict.fromkeys(c for c in (_clean(c) for c in co_department_codes or ()) if c))
    if department_code in co_codes:
        raise _invalid("协办单位不能与主办单位相同", "co_department_is_main", "co_departments", value=department_code)
    co_departments = [_department(code, "co_departments") for code in co_codes]
    if len(note) > 200:
        raise _invalid("备注最多200字", "note_too_long", "note")

    with transaction.atomic():
        if rule_id is None:
            rule = RoutingRule()
            before = None
        else:
            rule = (RoutingRule.objects.select_for_update(of=("self",)).select_related("region", "category", "department")
                    .filter(pk=rule_id).first())
            if rule is None:
                raise errors.NotFound("派遣规则不存在", code="routing_rule_unknown")
            before = _rule_summary(rule)
        # a friendly answer naming the existing rule; the unique constraint (blank counted as one value)
        # settles a race between two saves
        clash = RoutingRule.objects.filter(region=region, category=category).exclude(pk=rule.pk).first()
        if clash is not None:
            raise errors.Conflict(
                f"已有相同区域和类别的派遣规则(#{clash.pk}),请直接修改该规则", code="routing_rule_exists",
                details={"rule_id": clash.pk})
        rule.region, rule.category, rule.department = region, category, department
        rule.note, rule.is_active = note, bool(is_active)
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:  # a concurrent save of the same pair won
            raise errors.Conflict("已有相同区域和类别的派遣规则,请刷新后修改该规则",
                                  code="routing_rule_exists") from None
        rule.co_departments.set(co_departments)
        after = _rule_summary(rule)
        audit.record(actor=actor, action="cases.save_routing_rule", obj=rule,
                     fields=[k for k in after if before is None or before[k] != after[k]],
                     details={"before": before, "after": after})
    return rule


def delete_routing_rule(*, actor, rule_id: int) -> None:
    require(actor, PERM)
    _require_rule_table(actor, rule_id)
    with transaction.atomic():
        rule = (RoutingRule.objects.select_for_update(of=("self",)).select_related("region", "category", "department")
                .filter(pk=rule_id).first())
        if rule is None:
            raise errors.NotFound("派遣规则不存在", code="routing_rule_unknown")
        audit.record(actor=actor, action="cases.delete_routing_rule", obj=rule, details={"before": _rule_summary(rule)})
        rule.delete()


# ---- categories --------------------------------------------------------------------------------------

def limit_states(spec: Spec) -> list:
    """The states whose time limit a category may set: clocked, non-terminal."""
    return [st for st in spec.states if not st.terminal and st.clock]


def _limits(spec: Spec, limits: Any) -> dict:
    if limits in (None, ""):
        return {}
    if not isinstance(limits, dict):
        raise _invalid("时限格式不正确", "limits_invalid", "limits")
    allowed = {st.key: st for st in limit_states(spec)}
    clean = {}
    for state, limit in limits.items():
        if state not in allowed:
            known = {st.key: st for st in spec.states}
            why = "不计时" if state in known else "不存在"
            label = known[state].label if state in known else state
            raise _invalid(f"“{spec.label}”的状态“{label}”{why},不能设置时限", "limit_state_invalid", "limits",
                           state=state)
        label = allowed[state].label
        if not isinstance(limit, dict):
            raise _invalid(f"“{label}”的时限格式不正确", "limits_invalid", "limits", state=state)
        value, unit = limit.get("value"), limit.get("unit")
        if unit not in UNITS:
            raise _invalid(f"“{label}”的时限单位无效,可选:工作时、工作日、小时、天", "limit_unit_invalid", "limits",
                           state=state)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 or value > 10000:
            raise _invalid(f"“{label}”的时限须为大于0的数字", "limit_value_invalid", "limits", state=state)
        clean[state] = {"value": int(value) if float(value).is_integer() else float(value), "unit": unit}
    return clean


def _questions(questions: Any) -> list[dict]:
    if questions in (None, ""):
        return []
    if not isinstance(questions, list | tuple):
        raise _invalid("附加问题格式不正确", "questions_invalid", "questions")
    clean, seen = [], set()
    for n, q in enumerate(questions, start=1):
        if not isinstance(q, dict):
            raise _invalid(f"第{n}个附加问题格式不正确", "questions_invalid", "questions", index=n - 1)
        key, label, kind = _clean(q.get("key")), _clean(q.get("label")), q.get("type") or QuestionType.TEXT
        where = {"index": n - 1}
        if not QUESTION_KEY.match(key):
            raise _invalid(f"第{n}个附加问题的标识须以小写字母开头,只含小写字母、数字和下划线(最多30个)",
                           "question_key_invalid", "questions", **where)
        if key in seen:
            raise _invalid(f"附加问题标识重复:{key}", "question_key_duplicate", "questions", **where)
        seen.add(key)
        if not label or len(label) > 60:
            raise _invalid(f"请填写第{n}个附加问题的问题文字(最多60字)", "question_label_invalid", "questions", **where)
        if kind not in QuestionType.values:
            raise _invalid(f"第{n}个附加问题的类型无效", "question_type_invalid", "questions", **where)
        item = {"key": key, "label": label, "type": kind, "required": bool(q.get("required"))}
        if kind in CHOICE_TYPES:
            choices = q.get("choices") or []
            if not isinstance(choices, list | tuple):
                raise _invalid(f"第{n}个附加问题的选项格式不正确", "question_choices_invalid", "questions", **where)
            choices = list(dict.fromkeys(c for c in (_clean(c) for c in choices) if c))
            if len(choices) < 2:
                raise _invalid(f"第{n}个附加问题(“{label}”)是选择题,至少需要两个选项", "question_choices_required",
                               "questions", **where)
            item["choices"] = choices
        clean.append(item)
    return clean


def _category_summary(c: Category) -> dict:
    return {
        "name": c.name, "parent": c.parent.code if c.parent_id else None, "case_type": c.case_type,
        "default_department": c.default_department.code if c.default_department_id else None,
        "filing_condition": c.filing_condition, "closing_condition": c.closing_condition, "limits": c.limits,
        "urgency": c.urgency, "questions": c.questions, "is_active": c.is_active,
    }


def save_category(*, actor, code: str, name: str, parent_code: str | None, case_type: str,
                  default_department_code: str | None, filing_condition: str = "", closing_condition: str = "",
                  limits: dict | None = None, urgency: str = Urgency.NORMAL, questions: list | None = None,
                  is_active: bool = True, is_new: bool = False) -> Category:
    """Create or change the category `code` (`is_new=True`: refuse if it exists, 409 `category_exists`).

    A sub-category's parent is its code minus the last two digits and must exist. Limits override the
    workflow's default per state, only for clocked, non-terminal states of the category's case type.
    Note: `sync_categories` resets shipped codes (cases.flows.catalogue) to their shipped values, except is_active.
    """
    require(actor, PERM)
    code, name = _clean(code), _clean(name)
    parent_code, default_department_code = _clean(parent_code), _clean(default_department_code)
    filing_condition, closing_condition = _clean(filing_condition), _clean(closing_condition)
    if not CODE.match(code):
        raise _invalid("类别编码须为2–20位数字,每一级两位(如 01、0102)", "category_code_invalid", "code")
    expected_parent = code[:-2]
    if parent_code != expected_parent:
        raise _invalid(f"上级类别须为编码去掉末两位:{expected_parent or '(无,顶级类别)'}", "category_parent_mismatch",
                       "parent", expected=expected_parent)
    parent = None
    if expected_parent:
        parent = Category.objects.filter(code=expected_parent).first()
        if parent is None:
            raise _invalid(f"上级类别 {expected_parent} 不存在,请先建立上级类别", "category_parent_unknown", "code")
    if not name or len(name) > 60:
        raise _invalid("请填写类别名称(最多60字)", "category_name_invalid", "name")
    spec = registry.SPECS.get(case_type or "")
    if spec is None:
        raise _invalid(f"未知的案件类型:{case_type}", "case_type_unknown", "case_type")
    department = _department(default_department_code, "default_department") if default_department_code else None
    for label, value, field_name in (("立案条件", filing_condition, "filing_condition"),
                                     ("结案条件", closing_condition, "closing_condition")):
        if len(value) > 300:
            raise _invalid(f"{label}最多300字", f"{field_name}_too_long", field_name)
    if urgency not in Urgency.values:
        raise _invalid("紧急程度无效", "urgency_invalid", "urgency")
    clean_limits = _limits(spec, limits)
    clean_questions = _questions(questions)

    values = {
        "name": name, "parent": parent, "case_type": case_type, "default_department": department,
        "filing_condition": filing_condition, "closing_condition": closing_condition, "limits": clean_limits,
        "urgency": urgency, "questions": clean_questions, "is_active": bool(is_active),
    }
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(code=code).first()
        if category is not None and is_new:
            raise errors.Conflict(f"类别编码 {code} 已存在", code="category_exists", details={"field": "code"})
        before = _category_summary(category) if category is not None else None
        category = category or Category(code=code)
        for key, value in values.items():
            setattr(category, key, value)
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:  # created concurrently under the same code
            raise errors.Conflict(f"类别编码 {code} 已存在", code="category_exists",
                                  details={"field": "code"}) from None
        after = _category_summary(category)
        audit.record(actor=actor, action="cases.save_category", obj=category,
                     fields=[k for k in after if before is None or before[k] != after[k]],
                     details={"code": code, "created": before is None, "before": before, "after": after})
    return category


# ---- test the routing --------------------------------------------------------------------------------

@dataclass
class Candidate:
    rule: RoutingRule
    specificity: tuple[int, int]
    won: bool


@dataclass
class RouteExplanation:
    region: Region
    category: Category | None
    department: Department | None
    co_departments: list[Department]
    reason: str
    explanation: dict  # exactly what a case submitted now would store in Case.routing
    candidates: list[Candidate] = field(default_factory=list)  # every matching active rule, winner first
    default_department: Department | None = None  # the category's fallback


def explain_route(region_code: str, category_code: str = "") -> RouteExplanation:
    """Where a case in `region_code` with `category_code` would go now, and why: the same `route()` a new
    case gets, plus every matching rule ordered by specificity. Read only."""
    region_code, category_code = _clean(region_code), _clean(category_code)
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is None:
        raise _invalid(f"区域编码不存在:{region_code}" if region_code else "请填写区域编码", "region_unknown", "region")
    category = None
    if category_code:
        category = Category.objects.select_related("default_department").filter(code=category_code).first()
        if category is None:
            raise _invalid(f"类别不存在:{category_code}", "category_unknown", "category")
    routed = routing.route(region, category)
    winner_id = (routed.explanation.get("rule") or {}).get("id")
    rules = sorted(routing.matching_rules(region, category), key=routing.specificity, reverse=True)
    return RouteExplanation(
        region=region, category=category, department=routed.department, co_departments=routed.co_departments,
        reason=routed.explanation.get("reason", ""), explanation=routed.explanation,
        candidates=[Candidate(rule=r, specificity=routing.specificity(r), won=r.pk == winner_id) for r in rules],
        default_department=category.default_department if category is not None else None,
    )
