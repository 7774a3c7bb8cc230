"""The live SLA status: 正常/即将超期/超期 come from the deadlines and the clock at read time, so every
page, count and API answer agrees with "open cases whose deadline has passed" while the clock moves,
whether or not the SLA sweep has run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases import actions, kpis, queries, sla
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A, POINT_B
from civicgrid.core import clock

pytestmark = pytest.mark.django_db


def submit(actor, category, point=POINT_A, channel=""):
    data = IntakeInput(description="测试案件", channel=channel, category_code=category, **point)
    return actions.submit_case(actor=actor, data=data).case


@pytest.fixture
def cases(world):
    """Five open cases with deadlines a few hours to days ahead, one closed, created an hour ago."""
    w = world
    start = timezone.now() - timedelta(hours=1)
    with clock.at(start):
        made = [submit(w.resident, "3001", channel="resident") for _ in range(3)]
        made += [submit(w.grid_a, "0102"), submit(w.grid_b, "0102", point=POINT_B)]
        for case in made[:3]:
            actions.transition_case(actor=w.dispatcher, case_id=case.pk, action="dispatch",
                                    facts={"department": "CGJ"})
        closed = submit(w.resident, "3001", channel="resident")
        actions.transition_case(actor=w.dispatcher, case_id=closed.pk, action="answer_directly",
                                facts={"comment": "已答复"})
    return w, [Case.objects.get(pk=c.pk) for c in made]


def truth(now):
    """Counted straight from the rule: open cases past their deadline, and those past their warning."""
    open_cases = [c for c in Case.objects.all() if c.is_open]
    overdue = sum(1 for c in open_cases if c.due_at and now > c.due_at)
    due_soon = sum(1 for c in open_cases if c.due_at and c.warn_at <= now <= c.due_at)
    return {"open": len(open_cases), "due_soon": due_soon, "overdue": overdue}


def moments(made):
    """Now, then just after each deadline and each warning moment, in order."""
    points = {clock.now()}
    for c in made:
        points |= {c.due_at + timedelta(seconds=1), c.warn_at + timedelta(seconds=1)}
    return sorted(points)


def test_status_is_computed_from_the_deadline_and_the_clock(cases):
    w, made = cases
    case = made[0]
    assert case.warn_at == sla.warn_at(case.state_entered_at, case.due_at)
    assert case.sla_status_at(case.warn_at - timedelta(seconds=1)) == "normal"
    assert case.sla_status_at(case.warn_at) == "due_soon"
    assert case.sla_status_at(case.due_at) == "due_soon"  # the deadline instant itself is on time
    assert case.sla_status_at(case.due_at + timedelta(microseconds=1)) == "overdue"
    with clock.at(case.due_at + timedelta(minutes=1)):
        assert case.sla_status == "overdue" and case.sla_label == "超期"
        assert case.recorded_sla_status == "normal"  # nothing swept, nothing stored: still shown overdue


def test_every_count_follows_the_clock_without_a_sweep(cases, client):
    w, made = cases
    client.force_login(w.dispatcher)
    seen_overdue = set()
    for now in moments(made):
        with clock.at(now):
            expected = truth(now)
            seen_overdue.add(expected["overdue"])
            counts = queries.worklist_counts(w.dispatcher)
            assert (counts["open"], counts["due_soon"], counts["overdue"]) == (
                expected["open"], expected["due_soon"], expected["overdue"])
            board = queries.board_summary(w.dispatcher)
            assert sum(row["overdue"] for row in board["by_department"]) == expected["overdue"]
            assert len(board["overdue"]) == expected["overdue"]
            assert kpis.open_counts(family="all") == expected
            assert sum(r["overdue"] for r in kpis.open_breakdown("region", region_code=w.tree.district.code,
                                                                  family="all")) == expected["overdue"]
            assert kpis.kpis(family="all") == kpis.kpis_from_cases(family="all")
            rows = [queries.present_row(c) for c in queries.list_cases(w.dispatcher, worklist="overdue")]
            assert len(rows) == expected["overdue"] and all(r["sla_status"] == "overdue" for r in rows)
            api = client.get("/api/v1/cases", {"worklist": "overdue"}).json()
            assert api["count"] == expected["overdue"]
            assert all(item["sla_status"] == "overdue" for item in api["items"])
            page = client.get("/cases/", {"tab": "overdue"}).content.decode()
            assert page.count('data-sla="overdue"') == expected["overdue"]
    assert min(seen_overdue) == 0 and max(seen_overdue) == len(made)  # from none to every open case


def test_the_sweep_records_what_reads_already_show(cases):
    w, made = cases
    late = max(c.due_at for c in made) + timedelta(minutes=1)
    with clock.at(late):
        before = (kpis.open_counts(family="all"), kpis.kpis(family="all"))
        assert before[0]["overdue"] == len(made)
        result = actions.check_sla()
        assert result["changed"] == len(made)
        assert kpis.rollup_differences() == []
        assert (kpis.open_counts(family="all"), kpis.kpis(family="all")) == before
        assert actions.check_sla()["checked"] == 0  # nothing left to record
        assert set(Case.objects.filter(is_open=True).values_list("recorded_sla_status", flat=True)) == {"overdue"}


def test_an_extension_makes_an_overdue_case_normal_again(cases):
    w, made = cases
    case = made[0]
    actions.transition_case(actor=w.handler, case_id=case.pk, action="sign")
    actions.transition_case(actor=w.handler, case_id=case.pk, action="contact", facts={"comment": "已联系"})
    case.refresh_from_db()
    with clock.at(case.due_at - timedelta(minutes=1)):
        actions.transition_case(actor=w.handler, case_id=case.pk, action="request_extension",
                                facts={"extension_until": (case.due_at + timedelta(days=10)).isoformat(),
                                       "reason": "换管"})
    late = case.due_at + timedelta(hours=1)
    with clock.at(late):
        assert Case.objects.get(pk=case.pk).sla_status == "overdue"
        actions.transition_case(actor=w.dispatcher, case_id=case.pk, action="approve_extension")
        case.refresh_from_db()
        assert case.sla_status == "normal"
        assert queries.worklist_counts(w.dispatcher)["overdue"] == truth(late)["overdue"]
        assert kpis.open_counts(family="all") == truth(late)
