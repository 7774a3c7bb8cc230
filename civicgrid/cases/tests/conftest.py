import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.testing import make_department, make_user


@pytest.fixture
def world(tree):
    """The small tree plus departments, categories and one user per role that cases need."""
    cg = make_department("CGJ", "城市管理综合行政执法局")
    make_department("GS-WATER", "自来水公司")
    make_department("SFJ", "司法局")
    make_department("YJJ", "应急管理局")
    make_department("XFJ", "信访局")
    sync_categories()

    class World:
        pass

    w = World()
    w.tree = tree
    w.cg = cg
    w.resident = make_user("res", "resident")
    w.resident_b = make_user("res_b", "resident")
    w.grid_a = make_user("gw_a", "grid_worker", tree.grid_a)
    w.grid_b = make_user("gw_b", "grid_worker", tree.grid_b)
    w.dispatcher = make_user("disp", "dispatcher", tree.district)
    w.handler = make_user("hdl", "department_handler", department=cg)
    w.leader = make_user("boss", "leader", tree.district)
    return w


# a point inside micro-grid A (square 123.10–123.15 E, 41.10–41.15 N)
POINT_A = {"lat": 41.12, "lng": 123.12}
POINT_B = {"lat": 41.12, "lng": 123.22}


def query_plan(sql: str, params) -> str:
    """The database's plan for `sql` (with %s placeholders), as one string. On PostgreSQL, with scans
    that avoid indexes switched off: a test database holds too few rows for the planner's own choice to
    mean anything, so this answers "can the query use the index?"."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params)
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())
