"""Case KPIs: hand-computed figures for a small hand-driven set of cases, rollups == a recomputation after
random operations, the definitions in docs/kpis.md, and the API's permission matrix."""

import random
import threading
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from civicgrid.cases import actions, kpis, queries
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, DailyCaseStat
from civicgrid.cases.tests.conftest import POINT_A, POINT_B
from civicgrid.cases.workflow import engine, registry
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors
from civicgrid.demo import evidence as demo_evidence
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "kpis.md"


def submit(actor, category, point=POINT_A, channel=""):  # blank: the actor's own channel
    data = IntakeInput(description="测试案件", channel=channel, category_code=category, **point)
    return actions.submit_case(actor=actor, data=data).case


def step(actor, case, action, **facts):
    comment = facts.pop("comment", "")  # photos named by a label are generated and uploaded first
    return demo_evidence.take(actor, case.pk, action, facts, comment=comment).case


def make_overdue(*cases):
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(due_at=timezone.now() - timedelta(hours=1))
    actions.check_sla()


def set_handling_hours(case, hours):
    """Closed cases here close within a second; give each a chosen handling time (a repair made with a
    queryset update, as an import would, tracked by kpis.tracking)."""
    case.refresh_from_db()
    with kpis.tracking(case.pk):
        Case.objects.filter(pk=case.pk).update(closed_at=case.created_at + timedelta(hours=hours))


@pytest.fixture
def book(world):
    """Nine cases with chosen outcomes (see the table in each comment)."""
    w = world
    d, h, g = w.dispatcher, w.handler, w.grid_a

    # C1 urban event, on time, rated 非常满意
    c1 = submit(g, "0102")
    for actor, action, facts in [(d, "file", {}), (d, "dispatch", {"department": "CGJ"}), (h, "sign", {}),
                                 (h, "feedback", {"comment": "已清运", "attachments": ["p1"]}),
                                 (g, "verify", {"attachments": ["p2"]}), (d, "close", {}),
                                 (d, "evaluate", {"satisfaction": 5})]:
        c1 = step(actor, c1, action, **facts)

    # C2 request: returned, redispatched, extended, reworked after 不满意, closed 满意 + resolved
    c2 = submit(w.resident, "3001", channel="resident")
    c2 = step(d, c2, "dispatch", department="CGJ")
    c2 = step(h, c2, "return", reason="非本单位职责")
    c2 = step(d, c2, "dispatch", department="CGJ")
    c2 = step(h, c2, "sign")
    c2 = step(h, c2, "contact", comment="已联系")
    c2 = step(h, c2, "request_extension", extension_until=(c2.due_at + timedelta(days=30)).isoformat(), reason="换管")
    c2 = step(d, c2, "approve_extension")
    c2 = step(h, c2, "reply", comment="已修复")
    c2 = step(w.resident, c2, "rework", satisfaction=2, resolved=False, reason="水压低")
    c2 = step(h, c2, "reply", comment="已加压")
    c2 = step(w.resident, c2, "callback", satisfaction=4, resolved=True)

    # C3 request: signed in time, then overdue (auto-supervised), closed 不满意 + unresolved, with a note
    c3 = submit(w.resident, "3003", channel="resident")
    c3 = step(d, c3, "dispatch", department="CGJ")
    c3 = step(h, c3, "sign")
    c3 = step(h, c3, "contact", comment="已联系")
    # C6 request: dispatched, never signed, overdue while waiting
    c6 = submit(w.resident, "3005", channel="resident")
    c6 = step(d, c6, "dispatch", department="CGJ")
    make_overdue(c3, c6)
    c3 = step(h, c3, "reply", comment="已处理")
    c3 = step(w.resident, c3, "callback", satisfaction=2, resolved=False, comment="已说明原因")

    # C4 request: replied, rated 非常不满意 + unresolved, back in handling (open)
    c4 = submit(w.resident, "3001", channel="resident")
    for actor, action, facts in [(d, "dispatch", {"department": "CGJ"}), (h, "sign", {}),
                                 (h, "contact", {"comment": "联系"}), (h, "reply", {"comment": "修"}),
                                 (w.resident, "rework", {"satisfaction": 1, "resolved": False, "reason": "没修好"})]:
        c4 = step(actor, c4, action, **facts)

    # C5 urban event rejected at filing (closed, never dispatched)
    c5 = step(d, submit(g, "0102"), "reject", reason="不属于受理范围")

    # C7 dispute 化解 (written agreement), followed up (基本满意), closed;  C8 dispute 未化解 after one session
    c7 = submit(g, "2002")
    c8 = submit(g, "2002")
    for case in (c7, c8):
        case = step(g, case, "screen", risk_level="blue", complexity="simple")
        case = step(d, case, "assign", tier="community")
        case = step(g, case, "accept")
    c7 = step(g, c7, "resolve", agreement_form="written", agreement_text="双方达成协议")
    c7 = step(g, c7, "follow_up", method="phone", comment="已履行", satisfaction=3)
    c7 = step(g, c7, "close")
    c8 = step(g, c8, "record_mediation", parties="王五、赵六", comment="组织调解一次")
    c8 = step(g, c8, "fail", reason="一方拒绝", outcome="litigation")

    # C9 urban event in grid B, only reported
    c9 = submit(w.grid_b, "0102", point=POINT_B)

    for case, hours in [(c1, 10), (c2, 30), (c3, 50), (c5, 1), (c7, 20), (c8, 9)]:
        set_handling_hours(case, hours)
    cases = {f"c{i}": Case.objects.get(pk=c.pk) for i, c in enumerate([c1, c2, c3, c4, c5, c6, c7, c8, c9], 1)}
    return w, cases


HAND_COUNTS = {
    "created": 9,
    "dispatched": 7,  # all but C5 (rejected) and C9 (reported)
    "response_due": 5,  # C1–C4 signed/returned by the handler + C6 waiting past its deadline
    "responded_in_time": 4,  # C1–C4
    "closed": 6,  # C1 C2 C3 C5 C7 C8
    "closed_in_time": 5,  # all closed but C3
    "overdue": 2,  # C3 C6
    "reworked": 2,  # C2 C4
    "extended": 1,  # C2
    "followed_up": 4,  # closed with a FollowUp: C1 (evaluate) C2 C3 (callback) C7 (follow_up); C4 is open
    "rated": 5,  # C1 5, C2 4, C3 2, C4 1, C7 3
    "satisfied": 2,  # C1 C2
    "resolution_known": 3,  # C2 yes, C3 no, C4 no
    "resolved": 1,
    "handling_seconds": (10 + 30 + 50 + 1 + 20 + 9) * 3600,
    "dispute_concluded": 2,  # C7 C8
    "dispute_resolved": 1,  # C7
    "dispute_mediated": 1,  # C8 (C7 was settled without a recorded session)
    "dispute_written": 1,  # C7
    "open": 3,  # C4 C6 C9
    "open_due_soon": 0,
    "open_overdue": 1,  # C6
}
HAND_KPIS = {
    "response_rate": 0.8,  # 4 / 5
    "resolution_rate": 0.3333,  # 1 / 3
    "satisfaction_rate": 0.4,  # 2 / 5
    "on_time_close_rate": 0.8333,  # 5 / 6
    "overdue_rate": 0.2222,  # 2 / 9
    "rework_rate": 0.2857,  # 2 / 7
    "extension_rate": 0.1429,  # 1 / 7
    "follow_up_rate": 0.6667,  # 4 / 6
    "mean_handling_hours": 20.0,  # 120 h / 6
    "dispute_resolution_rate": 0.5,  # 1 / 2
    "mediation_record_rate": 0.5,  # 1 / 2
    "written_agreement_rate": 1.0,  # 1 / 1
}


def test_hand_computed_kpis(book):
    w, cases = book
    assert cases["c3"].was_overdue and cases["c3"].is_supervised and not cases["c3"].closed_in_time
    assert cases["c6"].sla_status == "overdue" and cases["c6"].responded_at is None
    expected = {**HAND_KPIS, "counts": HAND_COUNTS}
    assert kpis.kpis() == expected
    assert kpis.kpis_from_cases() == expected
    assert kpis.rollup_differences() == []


def test_filters_agree_between_rollups_and_cases(book):
    w, cases = book
    today = timezone.localdate()
    sfj = make_department("SFJ")
    filters = [
        {"region_code": w.tree.street_a.code}, {"region_code": w.tree.grid_b.code},
        {"region_code": [w.tree.grid_a.code, w.tree.grid_b.code]}, {"department_id": w.cg.pk},
        {"department_id": sfj.pk}, {"department_id": 0}, {"case_type": "dispute"},
        {"case_type": ["urban_event", "citizen_request"]}, {"since": today, "until": today},
        {"since": today + timedelta(days=1)}, {"until": today - timedelta(days=1)},
        {"region_code": w.tree.street_a.code, "department_id": w.cg.pk, "case_type": "citizen_request"},
    ]
    for f in filters:
        assert kpis.kpis(**f) == kpis.kpis_from_cases(**f), f
    assert kpis.kpis(region_code=w.tree.grid_b.code)["counts"]["created"] == 1
    assert kpis.kpis(region_code=w.tree.street_a.code)["counts"]["created"] == 8
    assert kpis.kpis(case_type="dispute")["dispute_resolution_rate"] == 0.5
    # the two disputes keep the department their category routed them to (SFJ): nobody re-dispatched them
    assert kpis.kpis(department_id=sfj.pk)["counts"]["created"] == 2
    empty = kpis.kpis(since=today + timedelta(days=1))
    assert empty["counts"] == dict.fromkeys(kpis.COUNTERS, 0)
    assert all(empty[k.name] is None for k in kpis.KPIS)


def test_cohort_is_the_local_creation_day(book):
    w, cases = book
    c1 = cases["c1"]
    # 23:30 UTC on a day is 07:30 the next day in Shanghai
    moment = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0, tzinfo=UTC) - timedelta(days=3)
    with kpis.tracking(c1.pk):
        Case.objects.filter(pk=c1.pk).update(created_at=moment)
    local_day = (moment + timedelta(hours=8)).date()
    assert kpis.kpis(since=local_day, until=local_day)["counts"]["created"] == 1
    assert kpis.kpis(since=moment.date(), until=moment.date())["counts"]["created"] == 0
    assert kpis.kpis_from_cases(since=local_day, until=local_day)["counts"]["created"] == 1
    assert kpis.rollup_differences() == []


def test_recompute_rebuilds_the_same_rows(book):
    stored = kpis.stored_rollups()
    DailyCaseStat.objects.update(created=0, closed=99)
    assert kpis.rollup_differences() != []
    call_command("rebuild_kpi_rollups")
    assert kpis.stored_rollups() == stored
    assert kpis.kpis() == {**HAND_KPIS, "counts": HAND_COUNTS}
    call_command("rebuild_kpi_rollups", "--check")
    DailyCaseStat.objects.update(closed=0)
    with pytest.raises(Exception, match="rollup rows differ"):
        call_command("rebuild_kpi_rollups", "--check")


def test_a_denied_action_changes_no_rollup(world):
    case = step(world.dispatcher, submit(world.grid_a, "0102"), "file")
    before = kpis.stored_rollups()
    with pytest.raises(errors.Conflict):
        step(world.dispatcher, case, "close")
    with pytest.raises(errors.ValidationFailed):
        step(world.dispatcher, case, "dispatch", department="NOPE")  # fails inside the transaction
    assert kpis.stored_rollups() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_count_every_case_once(world):
    """Twelve intakes at once race to insert the same new rollup row: the losers update it instead."""
    barrier = threading.Barrier(12)
    failures = []

    def attempt():
        try:
            barrier.wait()
            submit(world.grid_a, "0102")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert DailyCaseStat.objects.get().created == 12
    assert kpis.rollup_differences() == []


# --- definitions ---------------------------------------------------------------------------------

def test_pre_dispatch_states_follow_from_the_specs():
    expected = {
        "urban_event": {"reported", "verifying", "confirmed", "unfounded", "filed", "rejected", "merged"},
        "citizen_request": {"received", "answered_directly", "merged"},
        "dispute": {"collected", "screened", "dismissed"},
        "safety_hazard": {"found", "dismissed"},
        "hard_case": {"registered", "leader_assigned", "consulting", "transferred"},
        "volunteer_order": {"ordered", "reviewed", "rejected", "cancelled"},
    }
    assert {key: set(kpis.pre_dispatch_states(registry.SPECS[key])) for key in expected} == expected
    dispute = registry.SPECS["dispute"]
    assert kpis.DISPUTE_RESOLVED_STATES | kpis.DISPUTE_FAILED_STATES <= {s.key for s in dispute.states}
    assert dispute.transition("resolve").target in kpis.DISPUTE_RESOLVED_STATES
    assert dispute.transition("fail").target in kpis.DISPUTE_FAILED_STATES


def test_every_kpi_and_counter_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for kpi in kpis.KPIS:
        assert f"`{kpi.name}`" in text and kpi.label in text, kpi.name
    for counter in kpis.COUNTERS:
        assert f"`{counter}`" in text, counter
    assert {f.name for f in DailyCaseStat._meta.fields} - {"id", *kpis.KEY_FIELDS} == set(kpis.COUNTERS)


# --- rollups == recomputation after random operations --------------------------------------------

FACTS = {
    "reason": "原因", "comment": "说明", "attachments": ["p"], "risk_level": "yellow", "complexity": "simple",
    "tier": "community", "parties": "甲、乙", "agreement_form": "written", "agreement_text": "协议",
    "outcome": "litigation", "method": "phone", "leader": "boss", "responsible_party": "物业",
    "deadline": "2031-01-01",
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_recomputation_after_random_operations(world, seed):
    rng = random.Random(seed)
    w = world
    water = make_department("GS-WATER")
    actors = [w.dispatcher, w.handler, w.grid_a, w.grid_b, w.leader, w.resident,
              make_user("street_a", "street_admin", w.tree.street_a),
              make_user("hdl_water", "department_handler", department=water)]
    intake = [(w.grid_a, "0102", POINT_A, "grid"), (w.grid_b, "0102", POINT_B, "grid"),
              (w.resident, "3001", POINT_A, "resident"), (w.grid_a, "2002", POINT_A, "grid"),
              (w.grid_a, "4001", POINT_A, "grid"), (w.grid_a, "9001", POINT_A, "grid"),
              (w.resident, "3005", POINT_B, "resident")]
    ids = [submit(a, cat, point, channel).pk for a, cat, point, channel in intake]
    moves = 0
    for _ in range(200):
        roll = rng.random()
        case = Case.objects.select_related("workflow", "region").get(pk=rng.choice(ids))
        if roll < 0.08 and case.is_open:  # the deadline passes; the sweep runs
            Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=5))
            actions.check_sla()
            continue
        if roll < 0.12:  # an import backdates a case (moves its row to another day)
            with kpis.tracking(case.pk):
                Case.objects.filter(pk=case.pk).update(created_at=case.created_at - timedelta(days=rng.randint(1, 40)))
            continue
        if roll < 0.15:
            ids.append(submit(*rng.choice(intake)[:1], rng.choice(["0102", "2002", "9001"])).pk)
            continue
        spec = spec_for(case.workflow)
        options = [(actor, t) for actor in actors for t in engine.allowed(
            spec, case.state, queries.case_roles(actor, case)) if t.action != "merge"]
        if not options:
            continue
        actor, t = rng.choice(options)
        facts = {**FACTS, "department": rng.choice(["CGJ", "GS-WATER"]), "satisfaction": rng.randint(1, 5),
                 "resolved": rng.random() < 0.6,
                 "extension_until": (timezone.now() + timedelta(days=rng.randint(30, 90))).isoformat()}
        if "attachments" not in t.requires:
            facts.pop("attachments")  # a move that takes no files refuses them
        try:
            demo_evidence.take(actor, case.pk, t.action, facts, comment="说明")
            moves += 1
        except errors.DomainError:
            pass
    assert moves > 30
    assert kpis.rollup_differences() == []
    assert kpis.kpis() == kpis.kpis_from_cases()
    for code in (w.tree.street_a.code, w.tree.grid_b.code):
        assert kpis.kpis(region_code=code) == kpis.kpis_from_cases(region_code=code)
    assert kpis.kpis(department_id=w.cg.pk) == kpis.kpis_from_cases(department_id=w.cg.pk)
    stored = kpis.stored_rollups()
    kpis.recompute_rollups()
    assert kpis.stored_rollups() == stored


# --- API -----------------------------------------------------------------------------------------

URL = "/api/v1/cases/kpis"


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def test_api_permission_matrix(book, client):
    w, cases = book
    tree = w.tree
    assert get(client, None).status_code == 401
    assert get(client, make_user("audit", "audit_admin", tree.district)).status_code == 403
    assert get(client, w.grid_a).status_code == 403  # grid workers do not hold cases.view_kpis
    client.logout()
    street_b = make_user("sb", "street_admin", tree.street_b)
    assert get(client, street_b, region=tree.grid_a.code).status_code == 404
    street_a = make_user("sa", "street_admin", tree.street_a)
    ok = get(client, street_a, region=tree.community_a.code)
    assert ok.status_code == 200
    body = ok.json()
    assert body["filters"] == {"region": tree.community_a.code, "department": None, "since": None,
                               "until": None, "case_type": None, "family": "governance"}
    assert body["counts"]["created"] == 8
    assert {k: body[k.name] for k in kpis.KPIS} == {k: kpis.kpis(region_code=tree.community_a.code)[k.name]
                                                    for k in kpis.KPIS}


def test_api_scopes_to_the_callers_reach(book, client):
    w, cases = book
    tree = w.tree
    everything = get(client, w.dispatcher).json()
    assert everything["counts"] == HAND_COUNTS
    assert {k.name: everything[k.name] for k in kpis.KPIS} == HAND_KPIS
    client.logout()
    assert get(client, make_user("sb2", "street_admin", tree.street_b)).json()["counts"]["created"] == 1
    client.logout()
    # a department handler sees the cases its department handles as main department, in any region
    handler = get(client, w.handler).json()
    assert handler["counts"] == kpis.kpis_from_cases(department_id=w.cg.pk)["counts"]
    assert handler["counts"]["created"] == 7  # C1–C6 and C9: the disputes went to SFJ
    assert get(client, w.handler, region=tree.grid_b.code).json()["counts"]["created"] == 1
    assert get(client, w.handler, department="SFJ").status_code == 404
    assert get(client, w.handler, department="CGJ").json()["filters"]["department"] == "CGJ"
    client.logout()
    assert get(client, w.dispatcher, department="SFJ", case_type="dispute").json()["counts"]["created"] == 2


def test_api_bad_input(book, client):
    w, cases = book
    client.force_login(w.dispatcher)
    assert client.get(URL, {"since": "2024-13-01"}).status_code == 422
    assert client.get(URL, {"until": "yesterday"}).status_code == 422
    assert client.get(URL, {"since": "2024-02-02", "until": "2024-02-01"}).status_code == 422
    assert client.get(URL, {"case_type": "nope"}).status_code == 422
    assert client.get(URL, {"region": w.tree.micro_a.code}).status_code == 422  # finer than a grid
    assert client.get(URL, {"region": "999999"}).status_code == 404
    assert client.get(URL, {"department": "NOPE"}).status_code == 404
    since = client.get(URL, {"since": "2000-01-01", "until": "2000-12-31"}).json()
    assert since["counts"]["created"] == 0 and since["response_rate"] is None


def test_every_workflow_has_exactly_one_family():
    declared = [t for types in kpis.FAMILIES.values() for t in types]
    assert len(declared) == len(set(declared))
    assert set(registry.SPECS) <= set(declared), "add the new case type to kpis.FAMILIES and docs/kpis.md"
    assert kpis.case_types() == list(kpis.FAMILIES["governance"])
    assert kpis.case_types(family="all") is None
    assert kpis.case_types(case_type="volunteer_order", family="governance") == ["volunteer_order"]
    with pytest.raises(errors.ValidationFailed):
        kpis.case_types(family="nope")


def test_month_rollups_answer_whole_months_and_days_around_them(book):
    w, cases = book
    today = timezone.localdate()
    first, last = kpis.month_range(today)
    assert first.day == 1 and (last + timedelta(days=1)).day == 1 and first <= today <= last
    assert kpis._split_period(first, last) == ((first, first), [])
    assert kpis._split_period(today, today)[0] is None or today.day == 1
    for since, until in [(first, last), (today, today), (first - timedelta(days=40), last),
                         (first - timedelta(days=3), today), (None, None), (None, last), (first, None)]:
        for f in [{}, {"region_code": w.tree.street_a.code}, {"department_id": w.cg.pk},
                  {"region_code": w.tree.grid_b.code, "category": "01"}]:
            assert kpis.kpis(since=since, until=until, **f) == kpis.kpis_from_cases(since=since, until=until, **f)
    streets = kpis.breakdown("region", region_code=w.tree.district.code, since=first, until=last)
    assert sum(r["counts"]["created"] for r in streets) == HAND_COUNTS["created"]
    assert {r["key"] for r in streets} == {w.tree.street_a.code[:9], w.tree.grid_b.code[:9]}
    by_type = {r["key"]: r["counts"]["created"] for r in kpis.breakdown("case_type")}
    assert by_type == {"citizen_request": 4, "dispute": 2, "urban_event": 3}
    assert sum(r["counts"]["created"] for r in kpis.breakdown("department")) == HAND_COUNTS["created"]
    assert sum(r["counts"]["created"] for r in kpis.breakdown("category")) == HAND_COUNTS["created"]
    assert [r["key"] for r in kpis.breakdown("month")] == [first]
    assert kpis.open_counts() == {"open": 3, "due_soon": 0, "overdue": 1}
