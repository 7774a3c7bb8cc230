from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civicgrid.publicservice import actions
from civicgrid.publicservice.models import Slot
from civicgrid.testing import make_department, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def next_workday(days: int = 1):
    """A working day at least `days` ahead (Mon–Fri; the test calendar has no holiday rows)."""
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def ten_today() -> datetime:
    """10:00 today, local time: the clock for a test that books a slot shortly ahead and checks it in at once.
    At the real time such a slot falls on the next day late in the evening, where check-in rightly refuses."""
    return timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)


def slot_at(window, day, hour: int = 9, minute: int = 0) -> Slot:
    start = datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())
    return Slot.objects.get(window=window, starts_at=start)


@pytest.fixture
def ps(tree):
    return build_world(tree)


def build_world(tree):
    """Three items at two offices (police 户籍 room, social-insurance hall), their windows and ten days of
    slots, a clerk at each office, two residents, a dispatcher and a leader."""

    class World:
        pass

    w = World()
    w.tree = tree
    w.admin = make_user("ps_admin", "system_admin", tree.district)
    w.resident = make_user("ps_res", "resident")
    w.resident.display_name, w.resident.phone = "张三", "13800000001"
    w.resident.save()
    w.resident_b = make_user("ps_res_b", "resident")
    for code, name, group, days in (("HK01", "户口簿补办", "户籍", 3), ("HK02", "户口迁移", "户籍", 5),
                                    ("SB01", "社保卡补办", "社保", 5)):
        actions.structure.save_item(actor=w.admin, data=actions.ItemInput(
            code=code, name=name, group=group, promised_days=days,
            materials=[{"key": "id_card", "label": "身份证正反面", "required": True},
                       {"key": "statement", "label": "遗失说明", "required": False}],
            fields=[{"key": "reason", "label": "补办原因", "required": True}]))
    w.police = actions.structure.create_office(actor=w.admin, code="PCS1", name="宏伟派出所", region=tree.street_a)
    w.social = actions.structure.create_office(actor=w.admin, code="SBS1", name="社保所", region=tree.street_b)
    w.window = actions.structure.create_window(actor=w.admin, office=w.police, code="W1", name="户籍1号窗口",
                                               item_codes=["HK01", "HK02"], capacity=2)
    w.window_b = actions.structure.create_window(actor=w.admin, office=w.social, code="W1", name="社保窗口",
                                                 item_codes=["SB01"], capacity=2)
    actions.structure.open_slots(windows=[w.window, w.window_b], days=10)
    w.clerk = make_user("ps_clerk", "department_handler", department=w.police.department)
    w.clerk_b = make_user("ps_clerk_b", "department_handler", department=w.social.department)
    w.other_dept = make_department("CGJ", "城管局")
    w.dispatcher = make_user("ps_disp", "dispatcher", tree.district)
    w.leader = make_user("ps_leader", "leader", tree.district)
    w.day = next_workday(2)
    return w
