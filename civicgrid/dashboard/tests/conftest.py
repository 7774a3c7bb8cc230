"""A few cases in both halves of the small tree, some handled, one overdue: enough for every panel to
have figures whose lists can be counted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A, POINT_B, world  # noqa: F401 (the fixture)
from civicgrid.demo import evidence as demo_evidence
from civicgrid.testing import make_user


def submit(actor, category, point=POINT_A, channel=""):
    data = IntakeInput(description="测试案件", channel=channel, category_code=category, **point)
    return actions.submit_case(actor=actor, data=data).case


def step(actor, case, action, **facts):
    comment = facts.pop("comment", "")  # photos named by a label are generated and uploaded first
    return demo_evidence.take(actor, case.pk, action, facts, comment=comment).case


@pytest.fixture
def cases(world):  # noqa: F811
    w = world
    d, h, g = w.dispatcher, w.handler, w.grid_a
    c1 = submit(g, "0102")
    for actor, action, facts in [(d, "file", {}), (d, "dispatch", {"department": "CGJ"}), (h, "sign", {}),
                                 (h, "feedback", {"comment": "已清运", "attachments": ["p1"]}),
                                 (g, "verify", {"attachments": ["p2"]}), (d, "close", {}),
                                 (d, "evaluate", {"satisfaction": 5})]:
        c1 = step(actor, c1, action, **facts)
    c2 = submit(w.resident, "3001", channel="resident")
    c2 = step(d, c2, "dispatch", department="CGJ")
    c3 = submit(w.resident, "3003", channel="resident")
    c3 = step(d, c3, "dispatch", department="CGJ")
    Case.objects.filter(pk=c3.pk).update(due_at=timezone.now() - timedelta(hours=1))
    submit(g, "0102")
    submit(w.grid_b, "0102", point=POINT_B)
    submit(w.grid_b, "2002", point=POINT_B)
    w.street_a = make_user("st_a", "street_admin", w.tree.street_a)
    w.community_a = make_user("cm_a", "community_admin", w.tree.community_a)
    return w
