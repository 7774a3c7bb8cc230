from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.actions import sync_categories
from civicgrid.people.idnumber import check_char
from civicgrid.testing import make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import SiteLevel

# inside micro-grid A (community A, station A) and micro-grid B
POINT_A = {"lat": 41.12, "lng": 123.12}
POINT_B = {"lat": 41.12, "lng": 123.22}


def id_number(seq: int, birth: str = "19850312") -> str:
    first17 = f"211004{birth}{seq:03d}"
    return first17 + check_char(first17)


def tomorrow_at(hour: int, hours: int = 2) -> tuple[datetime, datetime]:
    """A window on the next Wednesday (all demo volunteers are free on Wednesdays 08:00–20:00)."""
    today = timezone.localdate()
    day = today + timedelta(days=((2 - today.weekday()) % 7) or 7)
    start = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(hours=hours)


@pytest.fixture
def vworld(tree):
    sync_categories()

    class World:
        pass

    w = World()
    w.tree = tree
    w.centre_admin = make_user("centre", "centre_admin", tree.district)
    w.resident = make_user("res", "resident")
    w.resident_b = make_user("res_b", "resident")
    w.grid_a = make_user("gw_a", "grid_worker", tree.grid_a)
    w.centre = actions.create_site(actor=w.centre_admin, code="C", name="文明实践中心", level=SiteLevel.CENTRE,
                                   region=tree.district)
    w.institute = actions.create_site(actor=w.centre_admin, code="S1", name="街道A文明实践所",
                                      level=SiteLevel.INSTITUTE, region=tree.street_a, parent=w.centre)
    w.station_a = actions.create_site(actor=w.centre_admin, code="S1-1", name="社区A文明实践站",
                                      level=SiteLevel.STATION, region=tree.community_a, parent=w.institute,
                                      capabilities=["7001", "7003"])
    w.station_b = actions.create_site(actor=w.centre_admin, code="S2-1", name="社区B文明实践站",
                                      level=SiteLevel.STATION, region=tree.community_b, parent=w.centre,
                                      capabilities=["7001", "7002", "7003"])
    w.station_admin = make_user("station_a", "station_admin", department=w.station_a.department)
    w.station_admin_b = make_user("station_b", "station_admin", department=w.station_b.department)
    w.team = actions.create_team(actor=w.centre_admin, code="T1", name="暖心心理服务队", site=w.station_a,
                                 capabilities=["7001"], service_region=tree.street_a)
    w.volunteers = []
    slots = [{"weekday": d, "start": time(8), "end": time(20)} for d in range(7)]
    for i, (name, quals) in enumerate([("王心怡", [{"kind": "心理咨询师", "valid_until": None}]),
                                       ("李安", [{"kind": "心理咨询师",
                                                  "valid_until": timezone.localdate() - timedelta(days=1)}]),
                                       ("赵敬", [])]):
        user = make_user(f"vol{i}")
        volunteer = actions.register_volunteer(
            actor=w.centre_admin, user=user, data=actions.VolunteerInput(
                name=name, id_number=id_number(i + 1), phone=f"1380000000{i}", region_code=tree.micro_a.code,
                skills=["7001", "7003"], qualifications=quals, availability=slots, service_radius_km=30,
                lat=41.13, lng=123.13))
        actions.add_member(actor=w.centre_admin, team=w.team, volunteer=volunteer)
        w.volunteers.append(volunteer)
    w.counsellor, w.expired, w.helper = w.volunteers
    return w


def order_input(category: str = "700101", point=POINT_A, **kw) -> actions.OrderInput:
    start, end = tomorrow_at(9)
    data = {"category_code": category, "description": "独居老人近来情绪低落,希望有人聊聊", "window_start": start,
            "window_end": end, "channel": "resident", "reporter_name": "张大爷", "reporter_phone": "13900000001",
            **point, **kw}
    return actions.OrderInput(**data)


def after_service(order, minutes: int = 10):
    """The clock moved to `minutes` after the order's window: service times are only taken once they have
    passed (core/timecheck)."""
    from civicgrid.core import clock

    return clock.at(order.window_end + timedelta(minutes=minutes))
