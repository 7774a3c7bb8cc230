"""The innovation tests' zone: the enterprise tests' world (parks A and B, officers of each park and of the
zone, contacts of enterprises A and B, a resident, the leader) plus the 科技创新部 with one officer (`kc`),
two research teams and a platform; one helper posts a challenge, another publishes it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.enterprises import actions as eactions
from civicgrid.enterprises.queries import today
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.innovation import actions
from civicgrid.testing import make_user


@pytest.fixture
def iworld(tree):
    w = build_world(tree)
    w.kc_dept = Department.objects.create(code="GX-KC", name="高新区科技创新部", kind=DepartmentKind.ZONE)
    eactions.set_zone_departments(actor=w.admin, zone=w.zone, department_codes=["GXJFJ", "GX-KC"])
    w.kc = make_user("kc", "enterprise_officer", department=w.kc_dept)
    w.kc2 = make_user("kc2", "enterprise_officer", department=w.kc_dept)
    actions.set_innovation_office(actor=w.officer_zone, department_code="GX-KC")
    w.team_chem = actions.record_team(actor=w.kc, data=actions.TeamInput(
        name="绿色合成团队", lead_organisation="某化工大学", leader_name="王教授",
        fields=["fine_chemicals", "green_process"]))
    w.team_digital = actions.record_team(actor=w.kc, data=actions.TeamInput(
        name="数字育种团队", lead_organisation="某农业大学", leader_name="李教授", fields=["digital", "agri_bio"]))
    w.platform = actions.record_platform(actor=w.kc, data=actions.PlatformInput(
        code="P-AROM", name="芳烃技术研究院", kind="industry_institute", level="city",
        host_organisation="某产业研究院", fields=["fine_chemicals"]))
    return w


def post(w, actor=None, enterprise=None, **extra):
    data = {"title": "萘醌类染料绿色合成", "fields": ["fine_chemicals", "green_process"],
            "goal": "收率≥90%,三废减排50%", "budget": "3000000", "deadline": today() + timedelta(days=30), **extra}
    return actions.post_challenge(actor=actor or w.contact_a, enterprise_id=(enterprise or w.ent_a).pk,
                                  data=actions.ChallengeInput(**data))


def published(w, **extra):
    challenge = post(w, **extra)
    return actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="publish")


def apply(w, challenge, team=None, **extra):
    return actions.record_application(actor=w.kc, challenge_id=challenge.pk, team_id=(team or w.team_chem).pk,
                                      plan=extra.pop("plan", "两步法绿色合成路线"), **extra)
