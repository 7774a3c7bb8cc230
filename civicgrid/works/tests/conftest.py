from datetime import date

import pytest

from civicgrid.testing import make_department, make_user, square
from civicgrid.works import actions

POINT_A = {"type": "Point", "coordinates": [123.12, 41.12]}  # street A
POINT_B = {"type": "Point", "coordinates": [123.25, 41.15]}  # street B


@pytest.fixture
def wworld(tree):
    class World:
        pass

    w = World()
    w.tree = tree
    w.dept = make_department("ZJ", "住建局")
    w.other_dept = make_department("YL", "园林处")
    w.handler = make_user("zj", "department_handler", department=w.dept)
    w.other_handler = make_user("yl", "department_handler", department=w.other_dept)
    w.office = make_user("office", "centre_admin", tree.district)
    w.street_b = make_user("street_b", "street_admin", tree.street_b)
    w.resident = make_user("res", "resident")
    return w


def work_input(**kw) -> actions.WorkInput:
    data = {"name": "健康路破损路面修补", "kind": "road_repair", "department_code": "ZJ", "geometry": POINT_A,
            "start_date": date(2026, 3, 1), "end_date": date(2026, 5, 31), "budget": "1250000.00",
            "quantities": {"road_repair_m2": "5200.5"}, "description": "", **kw}
    return actions.WorkInput(**data)


POLYGON_A = square(123.13, 41.13, 0.01)
