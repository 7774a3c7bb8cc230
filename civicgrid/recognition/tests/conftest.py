import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.recognition import actions
from civicgrid.testing import make_user


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def later(days: int):
    """clock.at a moment `days` days from now (noon, local time)."""
    day = timezone.localdate() + timedelta(days=days)
    return clock.at(datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone()))


@pytest.fixture
def rworld(tree):
    class World:
        pass

    w = World()
    w.tree = tree
    w.resident = make_user("res", "resident")
    w.other_resident = make_user("res2", "resident")
    w.community = make_user("comm_a", "community_admin", tree.community_a)
    w.community_b = make_user("comm_b", "community_admin", tree.community_b)
    w.office = make_user("office", "centre_admin", tree.district)
    w.street_b = make_user("street_b", "street_admin", tree.street_b)
    return w


def nomination_input(**kw) -> actions.NominationInput:
    data = {"source": "self", "nominee_name": "滕学民", "nominee_phone": "13800001111",
            "region_code": "211004001001", "category": "helping", "title": "十年如一日照顾孤寡老人",
            "story": "这些年我一直向道德模范学习,每周为楼里的孤寡老人买菜、打扫。", "consent_name": True,
            "consent_photo": False, "consent_story": True, **kw}
    return actions.NominationInput(**data)


def to_notice(w, nomination):
    actions.transition_nomination(actor=w.community, nomination_id=nomination.pk, action="verify",
                                  consent=actions.Consent(name=True, photo=True, story=True))
    return actions.transition_nomination(actor=w.office, nomination_id=nomination.pk, action="approve")
