"""A year of demo cases, replayed through the real case actions in time order.

Every case walks its workflow with realistic detours (returns, extensions, rework, unsatisfied
callbacks, failed mediations); an event queue runs all cases chronologically on `clock.at(...)`, and the
daily SLA sweep runs on each simulated day, so overdue flags, automatic supervision, KPIs and rollups all
come from the same code paths as real use. Deterministic for a seed.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.core import clock, errors
from civicgrid.demo import evidence, photos
from civicgrid.demo import sql as demo_sql
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Region

# share of reports with a scene photo, by who reports: field workers photograph most problems, residents often
PHOTO_SHARE = {"urban_event": 0.75, "safety_hazard": 0.8, "dispute": 0.0, "resident": 0.6}
AFTER_PHOTO_STEPS = {"feedback", "submit_rectification"}  # the handler shows the result
AFTER_PHOTO_SHARE = 0.7
TYPE_SHARE = {"urban_event": 0.42, "citizen_request": 0.36, "dispute": 0.1, "safety_hazard": 0.08, "hard_case": 0.04}
SATISFACTION = [(5, 0.55), (4, 0.27), (3, 0.1), (2, 0.05), (1, 0.03)]
STEP_READS = ("title", "lat", "lng", "due_at", "reporter")
STEP_RELATED = (("region", ("code",)), ("category", ("name",)), ("department", ("code",)))


@dataclass(order=True)
class Job:
    at: datetime
    seq: int
    case_id: int = field(compare=False)
    steps: list = field(compare=False)


def _pick(rng, weighted):
    r, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if r <= acc:
            return value
    return weighted[-1][0]


def _working_time(rng, day: datetime) -> datetime:
    minute = rng.randrange(8 * 60 + 30, 18 * 60)
    return timezone.make_aware(datetime.combine(day.date(), time(minute // 60, minute % 60)))


class Actors:
    """Who does each step: the dispatcher, a handler per department, the grid worker of the case's grid."""

    def __init__(self):
        self.dispatcher = User.objects.get(username="dispatcher")
        self.resident = User.objects.filter(username="resident").first()
        self._grid = {a.region.code: a.user for a in RoleAssignment.objects.filter(
            role="grid_worker", is_active=True).select_related("region", "user")}
        self._handlers = {}
        for a in RoleAssignment.objects.filter(role="department_handler", is_active=True).select_related("user"):
            self._handlers.setdefault(a.department_id, a.user)
        # every department a case can be sent to gets its handler now, before the first case: a new role
        # assignment changes the configuration (confcache), and each change made the next intake reload
        # all of it (6,000 regions, categories, rules), which was a third of the replay's time
        targets = set(Category.objects.filter(is_active=True, default_department__isnull=False)
                      .values_list("default_department_id", flat=True))
        targets |= set(RoutingRule.objects.values_list("department_id", flat=True))
        targets |= set(Department.objects.filter(code="CGJ").values_list("id", flat=True))
        for department_id in sorted(targets):
            self.handler(department_id)

    def grid_worker(self, region: Region) -> User:
        return self._grid.get(region.code[:15]) or self.dispatcher

    def handler(self, department_id: int) -> User:
        if department_id not in self._handlers:
            dept = Department.objects.get(pk=department_id)
            user = User.objects.create(username=f"h-{dept.code.lower()}", display_name=f"{dept.short_name or dept.name}承办人",
                                       password=make_password(None))
            RoleAssignment.objects.create(user=user, role="department_handler", department=dept)
            self._handlers[department_id] = user
        return self._handlers[department_id]


def _sign_delay(rng) -> float:
    """Hours until a department signs: mostly within the hour, sometimes the next day."""
    return rng.uniform(0.1, 1.5) if rng.random() < 0.9 else rng.uniform(3, 30)


def _script(rng, case_type: str, category: Category) -> list[tuple[str, str, dict, float]]:
    """(action, who, facts, hours until the step) for one case; `who` is dispatcher/handler/grid/reporter.
    The department named is the category's default; a replay sends the case where routing put it."""
    dept = category.default_department.code if category.default_department_id else "CGJ"
    sat = _pick(rng, SATISFACTION)
    steps: list[tuple[str, str, dict, float]] = []
    if case_type == "urban_event":
        if rng.random() < 0.05:
            return [("reject", "dispatcher", {"reason": "不符合立案条件"}, 1)]
        steps += [("file", "dispatcher", {}, 0.5), ("dispatch", "dispatcher", {"department": dept}, 0.5)]
        if rng.random() < 0.07:
            steps += [("return", "handler", {"reason": "非本单位职责"}, 1), ("dispatch", "dispatcher", {"department": dept}, 1)]
        steps += [("sign", "handler", {}, _sign_delay(rng))]
        if rng.random() < 0.08:
            steps += [("request_extension", "handler", {"extension_days": 5, "reason": "需协调施工"}, 24),
                      ("approve_extension" if rng.random() < 0.7 else "deny_extension", "dispatcher",
                       {"reason": "请按期办理"}, 3)]
        steps += [("feedback", "handler", {"comment": "已处置完毕", "attachments": ["处置后照片"]}, rng.uniform(2, 150))]
        if rng.random() < 0.1:
            steps += [("rework", "grid", {"reason": "现场仍未整改到位"}, 4),
                      ("feedback", "handler", {"comment": "已返工", "attachments": ["返工照片"]}, 24)]
        steps += [("verify", "grid", {"attachments": ["核查照片"]}, rng.uniform(1, 8)), ("close", "dispatcher", {}, 1),
                  ("evaluate", "dispatcher", {"satisfaction": sat,
                                              "comment": "" if sat >= 3 else "已向反映人说明处置情况"}, 24)]
    elif case_type == "citizen_request":
        if rng.random() < 0.08:
            return [("answer_directly", "dispatcher", {"comment": "已电话解答政策"}, 0.3)]
        co = ["CGJ"] if rng.random() < 0.1 and dept != "CGJ" else []
        steps += [("dispatch", "dispatcher", {"department": dept, "co_departments": co}, rng.uniform(0.2, 20))]
        if rng.random() < 0.06:
            steps += [("return", "handler", {"reason": "诉求信息不全"}, 2),
                      ("dispatch", "dispatcher", {"department": dept}, 2)]
        steps += [("sign", "handler", {}, _sign_delay(rng)), ("contact", "handler", {"comment": "已联系诉求人"}, 2)]
        if rng.random() < 0.07:
            steps += [("request_extension", "handler", {"extension_days": 7, "reason": "需跨部门协调"}, 48),
                      ("approve_extension", "dispatcher", {}, 2)]
        steps += [("reply", "handler", {"comment": "已办理并答复"}, rng.uniform(8, 200))]
        if sat <= 2 and rng.random() < 0.75:
            steps += [("rework", "reporter", {"satisfaction": sat, "resolved": False, "reason": "问题未解决"}, 24),
                      ("reply", "handler", {"comment": "已重新办理"}, rng.uniform(24, 120))]
            sat = _pick(rng, SATISFACTION[:3])
        steps += [("callback", "reporter", {"satisfaction": sat, "resolved": sat >= 3,
                                            "comment": "" if sat >= 3 else "已向诉求人解释政策"}, 24)]
    elif case_type == "dispute":
        risk = _pick(rng, [("blue", 0.7), ("yellow", 0.25), ("red", 0.05)])
        tier = {"blue": "community", "yellow": "street", "red": "district"}[risk]
        steps += [("screen", "grid", {"risk_level": risk, "complexity": "simple" if risk == "blue" else "complex"}, 4),
                  ("assign", "dispatcher", {"tier": tier}, 4), ("accept", "grid", {}, 4)]
        for _ in range(rng.randint(1, 3)):
            steps += [("record_mediation", "grid", {"parties": "双方当事人", "comment": "组织调解一次"}, rng.uniform(24, 120))]
        if rng.random() < 0.82:
            form = "written" if rng.random() < 0.7 else "oral"
            steps += [("resolve", "grid", {"agreement_form": form, "agreement_text": "双方自愿达成调解协议"}, 24),
                      ("follow_up", "grid", {"method": "visit", "comment": "协议已履行"}, rng.uniform(48, 240)),
                      ("close", "dispatcher", {}, 24)]
        else:
            steps += [("fail", "grid", {"reason": "双方分歧较大", "outcome": _pick(rng, [("litigation", 0.6),
                                                                                    ("arbitration", 0.3), ("petition", 0.1)])}, 24)]
    elif case_type == "safety_hazard":
        steps += [("issue_notice", "grid", {"responsible_party": "物业服务企业", "deadline": 7}, 2),
                  ("acknowledge", "handler", {}, 12),
                  ("submit_rectification", "handler", {"comment": "已整改", "attachments": ["整改照片"]}, rng.uniform(24, 300))]
        if rng.random() < 0.15:
            steps += [("fail_review", "grid", {"reason": "整改不到位", "deadline": 3}, 24),
                      ("submit_rectification", "handler", {"comment": "再次整改", "attachments": ["整改照片"]}, 48)]
        steps += [("pass_review", "grid", {"comment": "复查合格,予以销号", "attachments": ["复查照片"]}, 24)]
    else:  # hard_case
        steps += [("assign_leader", "dispatcher", {"leader": "leader"}, 4), ("convene", "dispatcher", {}, 48),
                  ("decide", "dispatcher", {"department": dept, "comment": "会商确定办理方案"}, 24),
                  ("conclude", "handler", {"comment": "事项已办成"}, rng.uniform(48, 240)),
                  ("follow_up", "dispatcher", {"satisfaction": sat, "method": "phone"}, 24),
                  ("close", "dispatcher", {"comment": "" if sat >= 3 else "已说明情况"}, 4)]
    return steps


def _intake(rng, case_type: str, category: Category, region: Region, actors: Actors) -> tuple[User, IntakeInput]:
    lng = (region.center_lng or 123.2) + rng.uniform(-0.0004, 0.0004)
    lat = (region.center_lat or 41.2) + rng.uniform(-0.0004, 0.0004)
    if region.center_lng and get_locator().locate_code(lng, lat) is None:
        lng, lat = region.center_lng, region.center_lat  # the jitter left the district at its edge
    if case_type == "citizen_request" and actors.resident is not None and rng.random() < 0.15:
        return actors.resident, IntakeInput(description=f"{category.name}:请尽快处理", channel="resident",
                                            category_code=category.code, region_code=region.code,
                                            photos=_photos(rng, category, PHOTO_SHARE["resident"], lat, lng))
    if case_type in ("citizen_request", "hard_case"):
        return actors.dispatcher, IntakeInput(
            description=f"市民来电反映{category.name}问题,请核实处理", channel="hotline", category_code=category.code,
            region_code=region.code, reporter_name="来电市民", reporter_phone=f"139{rng.randrange(10**8):08d}",
            contact_preference="phone")
    channel = "visit" if case_type == "dispute" else "grid"
    return actors.grid_worker(region), IntakeInput(
        description=f"巡查发现{category.name},位置如定位所示", channel=channel, category_code=category.code,
        lat=lat if region.center_lat else None, lng=lng if region.center_lng else None, region_code=region.code,
        photos=_photos(rng, category, PHOTO_SHARE.get(case_type, 0), lat, lng))


def _photos(rng, category: Category, share: float, lat: float, lng: float) -> list[bytes]:
    """One or two scene photos of the problem for `share` of the reports (taken where it was reported)."""
    if rng.random() >= share:
        return []
    return [photos.scene(rng, category.name, stamp="现场", lat=lat, lng=lng) for _ in range(rng.choice((1, 1, 2)))]


def generate(*, seed: int, count: int, end: datetime | None = None, days: int = 365, progress=None) -> dict[str, int]:
    rng = random.Random(seed)
    end = end or timezone.now()
    actors = Actors()
    categories = {}
    for cat in Category.objects.filter(is_active=True, parent__isnull=False).select_related("default_department"):
        categories.setdefault(cat.case_type, []).append(cat)
    micro = list(Region.objects.filter(level="micro_grid").order_by("code").only("id", "code", "center_lng", "center_lat"))
    start = end - timedelta(days=days)
    replay = Replay(rng, actors, end)
    for _ in range(count):
        replay.push(_working_time(rng, start + timedelta(days=rng.random() * days)), 0, [("__submit__",)])

    def submit(job: Job) -> Job:
        case_type = _pick(rng, list(TYPE_SHARE.items()))
        category = rng.choice(categories[case_type])
        region = rng.choice(micro)
        actor, data = _intake(rng, case_type, category, region, actors)
        case = actions.submit_case(actor=actor, data=data).case
        replay.stats["cases"] += 1
        return Job(job.at, job.seq, case.pk, [(*s, actor) for s in _script(rng, case_type, category)])

    replay.run(submit=submit, sweep_from=start.replace(hour=23, minute=0))
    return replay.stats


class Replay:
    """Runs case jobs in time order on `clock.at(...)`: each job does its next step and is queued again at
    the following step's time, until the script ends, a step is refused or its time is past `end`."""

    def __init__(self, rng, actors: Actors, end: datetime):
        self.rng, self.actors, self.end = rng, actors, end
        self.queue: list[Job] = []
        self.seq = 0
        self.stats = {"cases": 0, "steps": 0, "refused": 0, "sweeps": 0, "photos": 0}
        self.cgj = None

    def push(self, at: datetime, case_id: int, steps: list) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Job(at, self.seq, case_id, steps))

    def after(self, at: datetime, hours: float) -> datetime:
        """`hours` after `at`, moved into the working day (8:30–18:00) when it falls outside."""
        nxt = timezone.localtime(at + timedelta(hours=hours))  # times read back from the database are UTC
        if nxt.hour < 8 or nxt.hour >= 18:
            nxt = _working_time(self.rng, nxt + timedelta(days=1 if nxt.hour >= 18 else 0))
        return nxt

    def run(self, *, submit=None, sweep_from: datetime | None = None) -> None:
        """`submit` turns a ("__submit__",) job into a case's job; the daily SLA sweep runs from `sweep_from`
        (none when not given, but once at the end)."""
        next_sweep = sweep_from
        while self.queue and self.queue[0].at <= self.end:
            job = heapq.heappop(self.queue)
            while next_sweep is not None and next_sweep <= job.at:
                actions.check_sla(now=next_sweep)
                self.stats["sweeps"] += 1
                next_sweep += timedelta(days=1)
            with clock.at(job.at):
                if job.steps[0] == ("__submit__",):
                    job = submit(job)
                elif not self._step(job):
                    continue
            if job.steps:
                self.push(self.after(job.at, job.steps[0][3]), job.case_id, job.steps)
        actions.check_sla(now=self.end)

    def _step(self, job: Job) -> bool:
        """The job's next step through the case actions; False when the engine refused it."""
        action, who, facts, _hours, reporter = job.steps.pop(0)
        # what the script reads of the case (its wide row and the region's boundary are not needed here)
        case = demo_sql.step_case(job.case_id, STEP_READS, STEP_RELATED)
        actor = self._actor(case, who, reporter)
        facts = self._facts(case, facts, job.at)
        try:
            # with generated photos where the step takes them, uploaded as a phone would
            scene = case.category.name if case.category_id else case.title[:10]
            evidence.take(actor, case.pk, action, facts, comment=facts.pop("comment", ""),
                          make_photo=lambda i, label: photos.scene(self.rng, scene, stamp=str(label)[:8],
                                                                   lat=case.lat, lng=case.lng))
        except errors.DomainError:
            self.stats["refused"] += 1
            return False
        self.stats["steps"] += 1
        if action in AFTER_PHOTO_STEPS and self.rng.random() < AFTER_PHOTO_SHARE:
            # the handler photographs the result (处置后), at the place the case was reported
            label = case.category.name if case.category_id else case.title[:10]
            actions.add_photo(actor=actor, case_id=case.pk, data=photos.scene(
                self.rng, label, stamp="处置后", lat=case.lat, lng=case.lng))
            self.stats["photos"] += 1
        return True

    def _actor(self, case, who: str, reporter) -> User:
        actors = self.actors
        if who == "handler":
            if self.cgj is None:
                self.cgj = Department.objects.get(code="CGJ").pk
            return actors.handler(case.department_id or self.cgj)
        if who == "reporter" and reporter is not None and reporter.pk == (case.reporter_id or 0):
            return reporter
        return actors.grid_worker(case.region) if who == "grid" else actors.dispatcher

    def _facts(self, case, facts: dict, at: datetime) -> dict:
        facts = dict(facts)
        if "department" in facts and case.department_id:  # where routing (a rule, or the default) put it
            facts["department"] = case.department.code
        if "co_departments" in facts:
            facts["co_departments"] = [c for c in facts["co_departments"] if c != facts.get("department")]
        if "extension_days" in facts:
            facts["extension_until"] = (case.due_at or at) + timedelta(days=facts.pop("extension_days"))
        if "deadline" in facts:
            facts["deadline"] = (timezone.localtime(at) + timedelta(days=facts["deadline"])).date().isoformat()
        return facts
