"""The closed vocabulary that workflow specs may use: roles, facts and effects.

`validate()` rejects a spec that names anything not listed here, and the Django action layer implements
exactly the effects below, so adding a word here is a contract change for both sides.
"""

from __future__ import annotations

# The account roles' codes (civicgrid/accounts/roles.py `Role`, less the API client; the package is pure, so
# a test holds them equal): their labels come from there (cases.queries.ROLE_LABELS), not repeated here.
ACCOUNT_ROLES: frozenset[str] = frozenset({
    "resident", "micro_grid_worker", "grid_worker", "community_admin", "street_admin", "dispatcher",
    "department_handler", "police_liaison", "volunteer", "station_admin", "centre_admin", "enterprise_officer",
    "enterprise_contact", "leader", "system_admin", "security_admin", "audit_admin",
})
# Pseudo-roles the action layer grants per case: "reporter" (the user who reported this very case),
# "system" (the periodic SLA task), and the staff of the case's departments where a workflow names them
# (cases.queries).
CASE_ROLE_LABELS: dict[str, str] = {
    "reporter": "报告人(本案)",
    "system": "系统(定时任务)",
    "lead_unit": "主办单位人员(本案)",
    "co_unit": "协办单位人员(本案)",
}
ROLES: frozenset[str] = ACCOUNT_ROLES | frozenset(CASE_ROLE_LABELS)

# Facts: named inputs a transition may require (present and non-empty, see engine.is_empty).
FACTS: dict[str, str] = {
    "comment": "free-text note: handling result, check result, supervision instruction (意见/说明)",
    "reason": "why: not filed, returned, denied, rework, suspension, failure (原因)",
    "department": "code of the main handling department (主办单位)",
    "co_departments": "codes of assisting departments (协办单位), optional",
    "extension_until": "the requested or granted new deadline, ISO date or datetime (延期至)",
    "satisfaction": "rating 1-5, 1 = very unsatisfied, 5 = very satisfied (满意度)",
    "resolved": "whether the caller says the problem is solved, a boolean (是否解决)",
    "risk_level": "dispute risk colour red | yellow | blue (风险等级 红/黄/蓝)",
    "complexity": "dispute difficulty simple | complex | difficult (简单/复杂/疑难)",
    "tier": "handling tier community | street | district (村社/街道/区)",
    "agreement_form": "form of the mediation agreement: written | oral (书面/口头)",
    "agreement_text": "content of the agreement: parties' rights, duties, how and when performed (协议内容)",
    "parties": "the parties present at a mediation session (当事人)",
    "attachments": "ids of uploaded photos or files, e.g. after-handling photos (附件/照片)",
    "leader": "the leader who takes personal charge of the case (包案领导)",
    "method": "how a follow-up was made: phone | visit | sms | online (回访方式)",
    "outcome": "where an unresolved dispute goes: litigation | arbitration | petition | escalate (去向)",
    "merge_into": "number of the main case a duplicate is merged into (合并至)",
    "follow_up_date": "planned date of the next follow-up visit (计划回访日期)",
    "responsible_party": "the unit or person who must rectify a hazard (责任单位/责任人)",
    "deadline": "the rectification deadline set in a notice, ISO date (整改期限)",
    "tasks": "co-handling tasks: a list of {department, task, due (ISO date, optional)} (协办任务)",
    "on_behalf_of": "code of an external department on the case whose step an officer records (代外部单位登记)",
}

FACT_LABELS: dict[str, str] = {
    "comment": "意见说明",
    "reason": "原因",
    "department": "主办单位",
    "co_departments": "协办单位",
    "extension_until": "延期至",
    "satisfaction": "满意度",
    "resolved": "是否解决",
    "risk_level": "风险等级",
    "complexity": "难易程度",
    "tier": "调处层级",
    "agreement_form": "协议形式",
    "agreement_text": "协议内容",
    "parties": "当事人",
    "attachments": "附件",
    "leader": "包案领导",
    "method": "回访方式",
    "outcome": "去向",
    "merge_into": "合并至",
    "follow_up_date": "计划回访日期",
    "responsible_party": "责任单位/责任人",
    "deadline": "整改期限",
    "tasks": "协办任务",
    "on_behalf_of": "代为登记的外部单位",
}

# How closed-choice values read to people (forms offer them, timelines show them).
FACT_VALUE_LABELS: dict[str, dict[str, str]] = {
    "risk_level": {"red": "红", "yellow": "黄", "blue": "蓝"},
    "complexity": {"simple": "简单", "complex": "复杂", "difficult": "疑难"},
    "tier": {"community": "村社", "street": "街道", "district": "区"},
    "agreement_form": {"written": "书面", "oral": "口头"},
    "outcome": {"litigation": "诉讼", "arbitration": "仲裁", "petition": "信访", "escalate": "提级"},
    "method": {"phone": "电话", "visit": "上门", "sms": "短信", "online": "网上"},
}

# Allowed values of closed-choice facts; the engine compares str(value) so form input ("3") passes.
FACT_CHOICES: dict[str, tuple[str, ...]] = {
    "satisfaction": ("1", "2", "3", "4", "5"),
    "risk_level": ("red", "yellow", "blue"),
    "complexity": ("simple", "complex", "difficult"),
    "tier": ("community", "street", "district"),
    "agreement_form": ("written", "oral"),
    "method": ("phone", "visit", "sms", "online"),
    "outcome": ("litigation", "arbitration", "petition", "escalate"),
}

# Evidence: the kinds of file a transition may take as its `attachments` (Transition.evidence), checked by
# content when uploaded (cases/uploads/evidence.py).
EVIDENCE: dict[str, str] = {
    "photo": "照片(JPEG、PNG、WebP)",
    "pdf": "PDF 文件",
}

# Effects: side effects the Django action layer performs after the engine allows a step.
EFFECTS: dict[str, str] = {
    "start_clock": "start or restart the handling clock; deadline = the deadline fact, else the limit",
    "stop_clock": "stop the handling clock and record whether the work was done in time",
    "set_department": "make the department fact the main handling department (主办)",
    "add_co_departments": "add the co_departments fact as assisting departments (协办), if given",
    "set_tier": "record the handling tier (村社/街道/区) from the tier fact",
    "supervise": "mark the case as supervised (督办) and notify the handling department",
    "remind": "count a reminder (催办) and notify the handling department",
    "request_extension": "store the pending extension request (extension_until, reason)",
    "grant_extension": "move the deadline to the approved date and count an extension",
    "deny_extension": "drop the pending extension request; the deadline stays",
    "count_return": "count a return (退单/回退) and clear the handling department",
    "count_rework": "count a rework (返工/重办)",
    "record_follow_up": "write a follow-up record (回访: method, performance, satisfaction)",
    "record_rating": "store the satisfaction rating (好差评) and whether the problem is solved",
    "record_mediation": "write a mediation session record (调解笔录: parties, comment)",
    "record_agreement": "store the mediation agreement (form and text)",
    "merge": "merge this case into the merge_into case as a duplicate",
    "close": "mark the case finished: set closed_at and whether it closed in time",
    "reopen": "clear the finished marks (closed_at) so the case is handled again",
    "assign_leader": "record the leader who takes charge of the case (领导包案)",
    "escalate": "raise the case to the next tier and notify leaders",
    "assign_tasks": "give each department in the tasks fact its own task and deadline (协办任务), as co-handler",
    "complete_task": "mark the acting department's task done with the comment as its feedback, on time or late",
    "require_tasks_done": "refuse the move while a co-handling department's task is still open",
}
