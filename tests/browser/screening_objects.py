"""The objects the page screening opens the object pages (a route with a parameter) on: one real object per
page, made through the apps' actions in the screening world, and the people who use that page.

`object_pages(world)` answers {url name: ObjectPage}. Pages of the enterprise zone (enterprises,
investment, relief, subsidies, innovation) use that zone's own people, built as the enterprise tests
build them (civicgrid/enterprises/tests/conftest.py); the rest use the screening world's viewers (one
per role) and its person (tests/sweep.py).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from civicgrid.accounts.actions import onboarding
from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.core import clock
from civicgrid.testing import make_user


@dataclass
class ObjectPage:
    kwargs: dict  # the URL's parameters
    viewers: list  # who screens it by default (None: a visitor not signed in)
    others: list = field(default_factory=list)  # who else uses it (the slow run screens them too)


def object_pages(world) -> dict[str, ObjectPage]:
    v, p, tree = world.viewers, world.person, world.tree
    pages = {
        "geo:region_detail": ObjectPage({"code": tree.community_a.code}, [v["community_admin"]], [v["leader"]]),
        "people:resident_detail": ObjectPage({"pk": p.resident.pk}, [v["grid_worker"]], [v["community_admin"]]),
        "people:household_detail": ObjectPage({"pk": p.household.pk}, [v["grid_worker"]], [v["community_admin"]]),
        "cases:detail": ObjectPage({"pk": world.cases[1].pk}, [v["dispatcher"], v["grid_worker"]],
                                   [v["leader"], v["community_admin"], p.account]),
        "volunteers:volunteer": ObjectPage({"pk": p.volunteer.pk}, [v["station_admin"]], [v["centre_admin"]]),
        "fieldwork:key_person_detail": ObjectPage({"pk": p.assignment.pk}, [p.worker], [v["police_liaison"]]),
        "dashboard:region": ObjectPage({"code": tree.district.code}, [v["leader"]]),
        "dashboard:department": ObjectPage({"code": p.police.code}, [v["leader"]], [v["department_handler"]]),
        "dashboard:domain": ObjectPage({"kind": "volunteers"}, [v["leader"]], [v["centre_admin"]]),
        "cases:admin_category_edit": ObjectPage({"code": "0102"}, [v["system_admin"]]),
        "cases:admin_routing_edit": ObjectPage({"pk": world.rule.pk}, [v["system_admin"]]),
    }
    pages.update(_accounts(world))
    pages.update(_fieldwork(world))
    pages.update(_patrols(world))
    pages.update(_campaigns(world))
    pages.update(_volunteers(world))
    pages.update(_works(world))
    pages.update(_recognition(world))
    pages.update(_reports(world))
    pages.update(_publicservice(world))
    pages.update(_zone(world))
    return pages


def _accounts(world) -> dict[str, ObjectPage]:
    v = world.viewers
    admin, worker = v["system_admin"], v["grid_worker"]
    newcomer = make_user("s_newcomer")
    link = onboarding.issue_activation(actor=admin, user=newcomer, base_url="http://testserver")
    token = re.search(r"/activate/([^/]+)/", link).group(1)
    return {
        "accounts:user": ObjectPage({"pk": worker.pk}, [admin], [v["security_admin"]]),
        "accounts:department": ObjectPage({"pk": world.person.police.pk}, [admin]),
        "accounts:handover_user": ObjectPage({"pk": worker.pk}, [admin]),
        "accounts:activate": ObjectPage({"token": token}, [None]),
    }


def _fieldwork(world) -> dict[str, ObjectPage]:
    from civicgrid.gridops.fieldwork import actions

    v, p, tree = world.viewers, world.person, world.tree
    worker = v["grid_worker"]
    visit = actions.record_visit(actor=worker, household=p.household, purpose="elderly_care",
                                 participants="社区志愿者王某", persons_met="赵明", notes="身体尚可,冬季取暖正常")
    round_ = actions.record_screening(actor=worker, grid=tree.grid_a, no_new_disputes=True, notes="走访12户,无新增")
    return {
        "fieldwork:visit_detail": ObjectPage({"pk": visit.pk}, [worker], [v["community_admin"]]),
        "fieldwork:screening_detail": ObjectPage({"pk": round_.pk}, [worker], [v["community_admin"]]),
        "fieldwork:refer_case": ObjectPage({"case_id": world.cases[1].pk}, [worker]),
        "fieldwork:key_person_assign": ObjectPage({"resident_id": p.resident.pk, "tag_id": p.tag.pk},
                                                  [v["community_admin"]]),
    }


def _patrols(world) -> dict[str, ObjectPage]:
    from civicgrid.gridops.patrols import actions
    from civicgrid.gridops.patrols.tests.conftest import POINT_A, walk

    v, tree = world.viewers, world.tree
    worker = v["grid_worker"]
    start = clock.now() - timedelta(hours=2)
    patrol, _ = actions.record_patrol(actor=worker, started_at=start, ended_at=start + timedelta(minutes=40),
                                      points=walk(40, start=POINT_A, t0=start))
    checkpoint = actions.create_checkpoint(actor=v["community_admin"], data=actions.CheckpointInput(
        region_code=tree.grid_a.code, name="实验小学", kind="school", lat=41.1245, lng=123.12, radius_m=50))
    return {
        "patrols:detail": ObjectPage({"pk": patrol.pk}, [worker], [v["community_admin"]]),
        "patrols:finding": ObjectPage({"pk": patrol.pk}, [worker]),
        "patrols:checkpoint_edit": ObjectPage({"pk": checkpoint.pk}, [v["community_admin"]]),
    }


def _campaigns(world) -> dict[str, ObjectPage]:
    from civicgrid.gridops.campaigns import actions, examples

    v, tree = world.viewers, world.tree
    admin = v["community_admin"]
    today = timezone.localdate()
    campaign = actions.create_campaign(actor=admin, title="燃气安全入户排查", targets=[tree.community_a],
                                       start_date=today - timedelta(days=3), end_date=today + timedelta(days=20),
                                       form=examples.EPIDEMIC)
    draft = actions.create_campaign(actor=admin, title="独居老人冬季走访登记", targets=[tree.community_a],
                                    start_date=today + timedelta(days=3), end_date=today + timedelta(days=30),
                                    form=examples.EPIDEMIC)
    campaign = actions.publish_campaign(actor=admin, campaign=campaign)
    pk, workers = campaign.pk, [v["micro_grid_worker"]]
    return {
        "campaigns:detail": ObjectPage({"pk": pk}, [admin], [v["street_admin"]]),
        "campaigns:designer": ObjectPage({"pk": draft.pk}, [admin]),
        "campaigns:import": ObjectPage({"pk": pk}, [admin]),
        "campaigns:results": ObjectPage({"pk": pk}, [admin], [v["street_admin"]]),
        "campaigns:collect": ObjectPage({"pk": pk}, workers, [v["grid_worker"]]),
        "campaigns:household": ObjectPage({"pk": pk, "household_id": world.person.household.pk}, workers,
                                          [admin]),
    }


def _volunteers(world) -> dict[str, ObjectPage]:
    from civicgrid.volunteers import actions

    v, p = world.viewers, world.person
    start = timezone.localtime(clock.now() - timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    actions.record_activity_service(actor=v["station_admin"], team_code=p.team.code, started_at=start,
                                    ended_at=start + timedelta(hours=3), content="走访慰问独居老人",
                                    volunteer_ids=[p.volunteer.pk])
    certificate = actions.issue_certificate(actor=v["station_admin"], volunteer_id=p.volunteer.pk,
                                            site_code=p.station.code)
    return {"volunteers:verify_certificate": ObjectPage({"token": certificate.token}, [None], [p.account])}


def _works(world) -> dict[str, ObjectPage]:
    from civicgrid.works import actions

    department = Department.objects.create(code="ZJ", name="住房和城乡建设局", region=world.tree.district)
    handler = make_user("s_zj", "department_handler", department=department)
    work = actions.create_work(actor=handler, data=actions.WorkInput(
        name="健康路破损路面修补", kind="road_repair", department_code="ZJ",
        geometry={"type": "Point", "coordinates": [123.12, 41.12]}, start_date=date(2026, 3, 1),
        end_date=date(2026, 5, 31), budget=Decimal("1250000.00"), quantities={"road_repair_m2": "5200.5"}))
    return {"works:detail": ObjectPage({"pk": work.pk}, [handler], [world.viewers["centre_admin"]])}


def _recognition(world) -> dict[str, ObjectPage]:
    """A nomination listed on last week's board (its person has a public page) and one just submitted."""
    from civicgrid.recognition import actions
    from civicgrid.recognition.tests.conftest import nomination_input

    v, p = world.viewers, world.person
    region = world.tree.community_a.code
    with clock.at(clock.now() - timedelta(days=10)):
        listed = actions.submit_nomination(actor=p.account, data=nomination_input(region_code=region))
        actions.transition_nomination(actor=v["community_admin"], nomination_id=listed.pk, action="verify",
                                      consent=actions.Consent(name=True, photo=True, story=True))
        actions.transition_nomination(actor=v["centre_admin"], nomination_id=listed.pk, action="approve")
    actions.transition_nomination(actor=v["centre_admin"], nomination_id=listed.pk, action="list")
    fresh = actions.submit_nomination(actor=p.account, data=nomination_input(
        region_code=region, source="other", nominee_name="王桂兰", nominee_phone="13800002222",
        title="义务为社区老人理发二十年"))
    return {
        "recognition:detail": ObjectPage({"pk": fresh.pk}, [v["community_admin"]], [v["centre_admin"]]),
        "recognition:person": ObjectPage({"public_id": listed.honoree.public_id}, [None], [p.account]),
    }


def _reports(world) -> dict[str, ObjectPage]:
    from civicgrid.reports import actions

    leader = world.viewers["leader"]
    run = actions.request_report(actor=leader, kind="monthly", params={
        "month": f"{timezone.localdate():%Y-%m}", "format": "xlsx", "region": world.tree.district.code})
    return {"reports:run": ObjectPage({"pk": run.pk}, [leader])}


def _publicservice(world) -> dict[str, ObjectPage]:
    from civicgrid.publicservice.actions import appointments
    from civicgrid.publicservice.tests.conftest import build_world, slot_at

    ps = build_world(world.tree)
    booking, _ = appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK01")
    return {"publicservice:booking": ObjectPage({"pk": booking.pk}, [ps.resident])}


def _zone(world) -> dict[str, ObjectPage]:
    """The enterprise zone: an enterprise with a project, a relief case and a blocker on the project, a
    computed 稳岗返还 candidate and a payment, a published challenge."""
    from civicgrid.enterprises import actions as enterprises
    from civicgrid.enterprises.models import Enterprise
    from civicgrid.enterprises.tests.conftest import build_world
    from civicgrid.innovation import actions as innovation
    from civicgrid.investment import actions as investment
    from civicgrid.investment.tests.conftest import project_input
    from civicgrid.relief import actions as relief
    from civicgrid.subsidies import actions as subsidies
    from civicgrid.subsidies.models import Candidate
    from civicgrid.subsidies.tests.conftest import insure, pay_enterprise

    importlib.import_module("civicgrid.enterprises.migrations.0002_qualification_kinds").seed(apps, None)
    z = build_world(world.tree)

    tc = Department.objects.create(code="GX-TC", name="高新区投资促进部", kind=DepartmentKind.ZONE)
    kc = Department.objects.create(code="GX-KC", name="高新区科技创新部", kind=DepartmentKind.ZONE)
    z.rsj = Department.objects.create(code="RSJ", name="人力资源和社会保障局", kind=DepartmentKind.DISTRICT,
                                      region=world.tree.district)
    enterprises.set_zone_departments(actor=z.admin, zone=z.zone, department_codes=["GXJFJ", "GX-TC", "GX-KC"])
    z.rsj_officer = make_user("rsj_officer", "enterprise_officer", department=z.rsj)
    kc_officer = make_user("kc", "enterprise_officer", department=kc)
    make_user("officer_tc", "enterprise_officer", department=tc)
    project = investment.register_project(actor=z.officer_a, data=project_input(z.ent_a, 1, review_department="GX-TC"))
    case, _ = relief.submit_relief(actor=z.contact_a, data=relief.ReliefInput(
        enterprise_id=z.ent_a.pk, category_code="8007", description="外资资本金账户被冻结,增资款无法结汇"))
    blocker, _ = relief.raise_blocker(actor=z.contact_a, data=relief.BlockerInput(
        project_id=project.pk, category_code="8106", description="施工用电迟迟未接入"))
    subsidies.seed_programmes(actor=None)
    year = timezone.localdate().year - 1
    Enterprise.objects.filter(pk=z.ent_a.pk).update(size_class="small")
    insure(z, z.ent_a, year=year, contributions="24000.00", start=40, end=39)
    programme = subsidies.programme_by_code("job_stabilisation_refund")
    subsidies.compute_candidates(actor=z.rsj_officer, programme=programme, year=year)
    candidate = Candidate.objects.get(enterprise=z.ent_a)
    z.refund = programme  # what pay_enterprise pays from
    disbursement = pay_enterprise(z, z.ent_b)
    innovation.set_innovation_office(actor=z.officer_zone, department_code="GX-KC")
    challenge = innovation.post_challenge(actor=z.contact_a, enterprise_id=z.ent_a.pk, data=innovation.ChallengeInput(
        title="萘醌类染料绿色合成", fields=["fine_chemicals", "green_process"], goal="收率≥90%,三废减排50%",
        budget="3000000", deadline=timezone.localdate() + timedelta(days=30)))
    innovation.transition_challenge(actor=kc_officer, challenge_id=challenge.pk, action="publish")
    officer, contact = z.officer_a, z.contact_a
    return {
        "enterprises:detail": ObjectPage({"pk": z.ent_a.pk}, [officer, contact], [z.leader]),
        "enterprises:edit": ObjectPage({"pk": z.ent_a.pk}, [officer]),
        "investment:project": ObjectPage({"pk": project.pk}, [officer], [contact, z.leader]),
        "relief:detail": ObjectPage({"pk": case.pk}, [z.officer_zone, contact]),
        "relief:blocker": ObjectPage({"pk": blocker.pk}, [z.officer_zone], [contact]),
        "subsidies:candidates": ObjectPage({"code": programme.code}, [z.rsj_officer], [z.leader]),
        "subsidies:candidate": ObjectPage({"pk": candidate.pk}, [z.rsj_officer]),
        "subsidies:disbursement": ObjectPage({"pk": disbursement.pk}, [z.rsj_officer], [z.contact_b]),
        "innovation:detail": ObjectPage({"pk": challenge.pk}, [kc_officer, contact]),
    }
