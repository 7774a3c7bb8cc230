"""Roles as data: what each role may do and how its reach is scoped. docs/roles.md is generated from
and checked against this table (tests/test_docs.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")  # reports problems, orders services; sees own records only
    MICRO_GRID_WORKER = "micro_grid_worker", _("微网格员")  # one micro-grid (a building or a few)
    GRID_WORKER = "grid_worker", _("网格员")  # one base grid
    COMMUNITY_ADMIN = "community_admin", _("社区管理员")  # one community/village
    STREET_ADMIN = "street_admin", _("街道管理员")  # one street/town
    DISPATCHER = "dispatcher", _("指挥中心调度员")  # district command centre
    DEPARTMENT_HANDLER = "department_handler", _("部门承办人")  # a district department (区直部门)
    POLICE_LIAISON = "police_liaison", _("社区民警")  # police–grid joint work in one community
    VOLUNTEER = "volunteer", _("志愿者")
    STATION_ADMIN = "station_admin", _("实践站管理员")  # a 新时代文明实践站
    CENTRE_ADMIN = "centre_admin", _("文明实践中心管理员")  # the district civilisation-practice centre
    ENTERPRISE_OFFICER = "enterprise_officer", _("企业服务专员")  # zone/department staff serving enterprises
    ENTERPRISE_CONTACT = "enterprise_contact", _("企业联系人")  # a company's own contact person
    LEADER = "leader", _("领导(只读)")  # read-only view of everything in scope
    SYSTEM_ADMIN = "system_admin", _("系统管理员")  # 等保 三权分立: configuration, regions, departments
    SECURITY_ADMIN = "security_admin", _("安全管理员")  # 等保 三权分立: accounts, roles, scopes
    AUDIT_ADMIN = "audit_admin", _("审计管理员")  # 等保 三权分立: reads the audit log, nothing else
    API_CLIENT = "api_client", _("接口客户端")  # a client application posting through Open311 (one per key)


class ScopeKind(models.TextChoices):
    REGION = "region", _("区域")  # assignment names a region node
    DEPARTMENT = "department", _("部门")  # assignment names a department
    SELF = "self", _("本人")  # only the user's own records


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    scope: ScopeKind
    perms: frozenset[str]
    region_level: str | None = None  # the region level an assignment of this role names


def _spec(role, scope, level, *perms) -> RoleSpec:
    return RoleSpec(role=role, scope=scope, region_level=level, perms=frozenset(perms))


_PEOPLE_READ = ("people.view_building", "people.view_household", "people.view_resident")
_PEOPLE_WRITE = ("people.change_building", "people.change_household", "people.change_resident")
_CASES = ("cases.view_case", "cases.create_case")
# ordering a volunteer service: residents for themselves, grid workers on behalf of elderly residents
_ORDER = ("volunteers.create_order", "volunteers.view_order")
# grid operations (civicgrid.gridops): what field workers do, what their admins oversee
_FIELD = ("patrols.patrol", "patrols.view_patrol", "campaigns.view_campaign", "campaigns.answer_campaign",
          "fieldwork.view_visit", "fieldwork.record_visit", "fieldwork.view_screening", "fieldwork.screen_disputes",
          "fieldwork.view_activity", "fieldwork.record_activity", "fieldwork.view_joint_work")
_FIELD_ADMIN = ("patrols.view_patrol", "patrols.view_compliance", "patrols.manage_checkpoints",
                "campaigns.view_campaign", "campaigns.manage_campaign", "fieldwork.view_visit",
                "fieldwork.view_screening", "fieldwork.view_activity", "fieldwork.record_activity",
                "fieldwork.view_joint_work")
# key-person work shows who carries a sensitive tag: it comes with people.view_sensitive_tags, which bounds
# the key-person permissions' reach (docs/security.md PI-5)
_KEY_PERSONS = ("fieldwork.view_key_person", "fieldwork.follow_up_key_person", "people.view_sensitive_tags")
# full ID numbers and phones: the audited reveal, and the audited, rate-limited exact look-up by either
_PERSONAL = ("people.unmask_personal", "people.lookup_personal")
_VOLUNTEER_ADMIN = ("volunteers.view_order", "volunteers.view_volunteer", "volunteers.change_volunteer",
                    "volunteers.view_team", "volunteers.record_service", "volunteers.confirm_service",
                    "volunteers.issue_certificate", "volunteers.view_donation", "volunteers.change_donation",
                    "volunteers.view_stats")

# the high-tech zone's enterprise services (civicgrid.enterprises)
_ENTERPRISE_READ = ("enterprises.view_zone", "enterprises.view_enterprise", "enterprises.view_metrics")
_ENTERPRISE_OFFICER = (*_ENTERPRISE_READ, "enterprises.change_enterprise", "enterprises.report_metrics",
                       "enterprises.import_enterprises", "enterprises.export_enterprises", "enterprises.run_precheck")
# projects, fixed-asset investment, leads and funds in place (civicgrid.investment)
_INVESTMENT_READ = ("investment.view_project", "investment.view_attraction")
_INVESTMENT_OFFICER = (*_INVESTMENT_READ, "investment.change_project", "investment.report_investment",
                       "investment.review_report", "investment.manage_attraction")
# subsidy programmes and disbursements, 免申即享 (civicgrid.subsidies): the paying department's officers; the
# full ID number of a person paid is shown with people.unmask_personal over the disbursement (audited)
_SUBSIDY_READ = ("subsidies.view_programme", "subsidies.view_disbursement", "subsidies.view_candidate")
_SUBSIDY_OFFICER = (*_SUBSIDY_READ, "subsidies.record_facts", "subsidies.review_candidate", "subsidies.pay",
                    "subsidies.export", "people.unmask_personal")

# public services (civicgrid.publicservice): residents book and apply for themselves; an office's window staff
# are department handlers of its department row; the 办不成事 window registers walk-ins and records meetings
_PS_RESIDENT = ("publicservice.book", "publicservice.apply", "publicservice.view_booking", "publicservice.view_request")
_PS_WINDOW = ("publicservice.view_booking", "publicservice.check_in", "publicservice.view_request",
              "publicservice.handle_request")
_PS_HARD_CASE = ("publicservice.register_hard_case", "publicservice.record_meeting")
# innovation platforms, 产学研 agreements and the 揭榜挂帅 list (civicgrid.innovation): review_challenge acts only
# on challenges of the department the officer is assigned to (the zone's 科技创新部, innovation.InnovationOffice)
_INNOVATION_READ = ("innovation.view_innovation", "innovation.view_agreement", "innovation.view_challenge")
_INNOVATION_OFFICER = (*_INNOVATION_READ, "innovation.manage_platforms", "innovation.change_agreement",
                       "innovation.post_challenge", "innovation.review_challenge")

# enterprise relief cases and project blockers (civicgrid.relief): the cases themselves move through the case
# engine; record_external lets an officer record a step of a body outside the district (a city bureau, a bank)
_RELIEF_OFFICER = ("relief.view_relief", "relief.record_outcome", "cases.create_case", "cases.record_external",
                   "cases.view_kpis")

# the good-people board (civicgrid.recognition): residents nominate (themselves or others) and see their own;
# the community verifies; the 文明办 is the district civilisation-practice centre's administrator (centre_admin),
# who reviews, runs the public notice, answers objections and lists
_RECOGNITION_NOMINATE = ("recognition.nominate", "recognition.view_nomination")
# the improvement-works register (civicgrid.works): departments record their works, the 文明办 (which runs
# 创城) all of them
_WORKS = ("works.view_work", "works.change_work")

ROLE_SPECS: dict[str, RoleSpec] = {
    spec.role.value: spec
    for spec in [
        _spec(Role.RESIDENT, ScopeKind.SELF, None, *_RECOGNITION_NOMINATE, *_CASES, *_ORDER, *_PS_RESIDENT),
        _spec(Role.MICRO_GRID_WORKER, ScopeKind.REGION, "micro_grid", "geo.view_region", *_PEOPLE_READ, *_PEOPLE_WRITE,
              *_CASES, *_ORDER, *_FIELD),
        # a grid worker chooses who takes over a leaving micro-grid worker's tasks (accounts.hand_over)
        _spec(Role.GRID_WORKER, ScopeKind.REGION, "grid", "geo.view_region", *_PEOPLE_READ, *_PEOPLE_WRITE,
              *_PERSONAL, *_CASES, *_ORDER, *_FIELD, *_KEY_PERSONS, "accounts.view_user", "accounts.hand_over"),
        _spec(Role.COMMUNITY_ADMIN, ScopeKind.REGION, "community", *_RECOGNITION_NOMINATE,
              "recognition.verify_nomination", "geo.view_region", *_PEOPLE_READ, *_PEOPLE_WRITE,
              *_PERSONAL, "people.import_people", "people.export_people", "accounts.view_user",
              "accounts.hand_over", *_CASES, "cases.view_kpis", *_FIELD_ADMIN, *_KEY_PERSONS),
        _spec(Role.STREET_ADMIN, ScopeKind.REGION, "street", "recognition.view_nomination", "works.view_work",
              "geo.view_region", *_PEOPLE_READ, *_PEOPLE_WRITE,
              *_PERSONAL, "people.import_people", "people.export_people", "accounts.view_user",
              *_CASES, "cases.view_kpis", *_FIELD_ADMIN, *_PS_HARD_CASE),
        _spec(Role.DISPATCHER, ScopeKind.REGION, "district", "geo.view_region", *_PEOPLE_READ,
              "accounts.view_user", "accounts.view_department", *_CASES, "cases.view_kpis", *_PS_HARD_CASE,
              "relief.view_relief", "cases.record_external", "enterprises.view_enterprise"),
        _spec(Role.DEPARTMENT_HANDLER, ScopeKind.DEPARTMENT, None, *_WORKS, "accounts.view_department", "cases.view_case",
              "cases.view_kpis", *_PS_WINDOW,
              "relief.view_relief", "relief.record_outcome"),
        _spec(Role.POLICE_LIAISON, ScopeKind.REGION, "community", "geo.view_region", *_PEOPLE_READ,
              *_PERSONAL, *_CASES, *_KEY_PERSONS,
              "fieldwork.view_joint_work", "fieldwork.record_joint_work", "patrols.view_patrol"),
        # a member of a volunteer team: one assignment per team (the team's department row)
        _spec(Role.VOLUNTEER, ScopeKind.DEPARTMENT, None, "cases.view_case", "volunteers.view_order",
              "volunteers.record_service"),
        # a practice station: its department row is the handling unit of the orders dispatched to it
        _spec(Role.STATION_ADMIN, ScopeKind.DEPARTMENT, None, "cases.view_case", *_VOLUNTEER_ADMIN),
        _spec(Role.CENTRE_ADMIN, ScopeKind.REGION, "district", *_RECOGNITION_NOMINATE,
              "recognition.review_nomination", *_WORKS, "geo.view_region", *_CASES, *_VOLUNTEER_ADMIN,
              "volunteers.create_order", "volunteers.manage_sites", "cases.view_kpis"),
        # a park's office department (that park) or one of the zone's departments (the whole zone)
        _spec(Role.ENTERPRISE_OFFICER, ScopeKind.DEPARTMENT, None, "accounts.view_department", "cases.view_case",
              *_ENTERPRISE_OFFICER, "figures.view_figures", *_INNOVATION_OFFICER, *_INVESTMENT_OFFICER, *_SUBSIDY_OFFICER,
              *_RELIEF_OFFICER),
        # the enterprises the user is a contact of (enterprises.EnterpriseContact)
        _spec(Role.ENTERPRISE_CONTACT, ScopeKind.SELF, None, "enterprises.view_enterprise", "enterprises.view_metrics",
              "enterprises.report_metrics", "enterprises.use_portal", *_INNOVATION_READ, "innovation.post_challenge",
              "investment.view_project", "investment.report_investment",
              "subsidies.view_programme", "subsidies.view_disbursement",
              "relief.view_relief", "cases.view_case", "cases.create_case"),
        _spec(Role.LEADER, ScopeKind.REGION, "district", "recognition.view_nomination", "works.view_work",
              "geo.view_region", *_PEOPLE_READ,
              "accounts.view_user", "accounts.view_department", "cases.view_case", "cases.view_kpis",
              "volunteers.view_order", "volunteers.view_stats", "patrols.view_compliance", "campaigns.view_campaign",
              "fieldwork.view_visit", "fieldwork.view_screening", "fieldwork.view_joint_work",
              "fieldwork.view_activity", *_ENTERPRISE_READ, "figures.view_figures", *_INNOVATION_READ, *_INVESTMENT_READ,
              *_SUBSIDY_READ, "relief.view_relief"),
        _spec(Role.SYSTEM_ADMIN, ScopeKind.REGION, "district", "geo.view_region", "geo.change_region",
              "accounts.view_user", "accounts.change_user", "accounts.hand_over", "accounts.view_department",
              "accounts.manage_department", "cases.manage_routing", "core.change_calendar",
              "enterprises.manage_catalogue", "open311.manage_keys", "webhooks.manage_webhooks", "publicservice.manage_catalogue",
              "subsidies.view_programme", "subsidies.manage_programme"),
        _spec(Role.SECURITY_ADMIN, ScopeKind.REGION, "district", "geo.view_region", "accounts.view_user",
              "accounts.manage_user", "accounts.import_users", "accounts.view_department",
              "privacy.export_subject_data"),  # the 个人信息保护负责人's desk: copies on a resident's request
        _spec(Role.AUDIT_ADMIN, ScopeKind.REGION, "district", "core.view_auditevent"),
        # the account an Open311 key posts as: its region is the key's jurisdiction (the district or a street)
        _spec(Role.API_CLIENT, ScopeKind.REGION, None, "cases.create_case"),
    ]
}

# 等保 AC-1: the three administrator roles are never held together by one user.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# the roles whose region is a worker's own patch: on hand-over it passes to a successor (actions.handover)
FIELD_ROLES = (Role.MICRO_GRID_WORKER, Role.GRID_WORKER)
