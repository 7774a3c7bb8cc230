"""The zone's 科技创新部, innovation platforms and research teams (reference data, zone-wide)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction

from civicgrid.core import audit, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.models import Enterprise, Qualification
from civicgrid.enterprises.queries import the_zone, today
from civicgrid.innovation.actions._common import MANAGE, fields_of, not_future, required_text, text
from civicgrid.innovation.choices import ENTERPRISE_KINDS, PlatformKind, PlatformLevel
from civicgrid.innovation.models import VIEW, InnovationOffice, Platform, ResearchTeam


def set_innovation_office(*, actor, department_code: str) -> InnovationOffice:
    """Name the zone department that acts as the 科技创新部 (publishes and co-selects challenges)."""
    require(actor, MANAGE)
    zone = the_zone()
    if zone is None:
        raise errors.ValidationFailed("尚未建立高新区", code="zone_missing")
    department = zone.departments.filter(code=str(department_code).strip(), is_active=True).first()
    if department is None:
        raise errors.ValidationFailed("该部门不是高新区的部门", code="department_not_in_zone")
    with transaction.atomic():
        office, _ = InnovationOffice.objects.update_or_create(zone=zone, defaults={
            "department": department, "set_by": actor})
        audit.record(actor=actor, action="innovation.set_innovation_office", obj=office,
                     details={"department": department.code})
    return office


@dataclass
class PlatformInput:
    code: str
    name: str
    kind: str
    level: str
    host_organisation: str
    fields: list[str] = field(default_factory=list)
    recognised_on: date | None = None
    host_enterprise_id: int | None = None
    qualification_id: int | None = None
    description: str = ""


def _clean_platform(actor, data: PlatformInput) -> dict:
    if data.kind not in PlatformKind.values:
        raise errors.ValidationFailed("平台类型无效", code="platform_kind_invalid")
    if data.level not in PlatformLevel.values:
        raise errors.ValidationFailed("平台级别无效", code="platform_level_invalid")
    values = {
        "code": required_text(data.code, 30, "platform_code_required", "请填写平台编码"),
        "name": required_text(data.name, 200, "platform_name_required", "请填写平台名称"),
        "kind": data.kind, "level": data.level,
        "host_organisation": required_text(data.host_organisation, 200, "host_required", "请填写依托单位"),
        "fields": fields_of(data.fields), "recognised_on": data.recognised_on,
        "description": text(data.description, 500), "host_enterprise": None, "qualification": None,
    }
    not_future(data.recognised_on, today(), "recognised_in_future", "认定日期不能晚于今天")
    kinds = ENTERPRISE_KINDS.get(data.kind)
    if kinds and data.host_enterprise_id is None:
        raise errors.ValidationFailed("企业技术中心和博士后工作站须填写依托企业", code="host_enterprise_required")
    if data.host_enterprise_id is not None:
        values["host_enterprise"] = get_visible(Enterprise.objects, actor, "enterprises.view_enterprise",
                                                pk=data.host_enterprise_id)
    if data.qualification_id is not None:
        qualification = Qualification.objects.select_related("kind").filter(pk=data.qualification_id).first()
        if (qualification is None or values["host_enterprise"] is None
                or qualification.enterprise_id != values["host_enterprise"].pk
                or not kinds or qualification.kind.code not in kinds):
            raise errors.ValidationFailed("所选资质不是依托企业的同类资质", code="qualification_mismatch")
        values["qualification"] = qualification
        values["recognised_on"] = values["recognised_on"] or qualification.issued_on
    return values


def record_platform(*, actor, data: PlatformInput, idempotency_key: str | None = None) -> Platform:
    """Record an innovation platform. An enterprise technology centre or postdoctoral station names its
    host enterprise and may link the enterprise's qualification that recognises it (one platform each)."""
    require(actor, MANAGE)
    values = _clean_platform(actor, data)

    def create() -> Platform:
        if Platform.objects.filter(code=values["code"]).exists():
            raise errors.Conflict("平台编码已存在", code="platform_code_taken")
        if values["qualification"] is not None and Platform.objects.filter(qualification=values["qualification"]).exists():
            raise errors.Conflict("该资质已对应一个平台", code="qualification_taken")
        platform = Platform.objects.create(recorded_by=actor, **values)
        audit.record(actor=actor, action="innovation.record_platform", obj=platform,
                     details={"code": platform.code, "kind": platform.kind, "fields": platform.fields})
        return platform

    try:
        with transaction.atomic():
            platform, _ = run_once(key=idempotency_key, actor=actor, action="innovation.record_platform",
                                   model=Platform, create=create, body=dataclasses.asdict(data))
    except IntegrityError:
        raise errors.Conflict("平台编码或资质已被登记", code="platform_code_taken") from None
    return platform


@dataclass
class TeamInput:
    name: str
    lead_organisation: str
    leader_name: str
    fields: list[str] = field(default_factory=list)
    platform_id: int | None = None


def record_team(*, actor, data: TeamInput, idempotency_key: str | None = None) -> ResearchTeam:
    """Record a research team (揭榜团队) with its lead organisation and fields."""
    require(actor, MANAGE)
    values = {
        "name": required_text(data.name, 200, "team_name_required", "请填写团队名称"),
        "lead_organisation": required_text(data.lead_organisation, 200, "lead_required", "请填写牵头单位"),
        "leader_name": required_text(data.leader_name, 50, "leader_required", "请填写团队负责人"),
        "fields": fields_of(data.fields), "platform": None,
    }
    if data.platform_id is not None:
        values["platform"] = get_visible(Platform.objects, actor, VIEW, pk=data.platform_id)

    def create() -> ResearchTeam:
        if ResearchTeam.objects.filter(name=values["name"], lead_organisation=values["lead_organisation"]).exists():
            raise errors.Conflict("该单位已有同名团队", code="team_exists")
        team = ResearchTeam.objects.create(recorded_by=actor, **values)
        audit.record(actor=actor, action="innovation.record_team", obj=team,
                     details={"name": team.name, "fields": team.fields})
        return team

    try:
        with transaction.atomic():
            team, _ = run_once(key=idempotency_key, actor=actor, action="innovation.record_team", model=ResearchTeam,
                               create=create, body=dataclasses.asdict(data))
    except IntegrityError:
        raise errors.Conflict("该单位已有同名团队", code="team_exists") from None
    return team
