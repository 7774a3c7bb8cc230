import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from civicgrid.cases.actions import sync_categories
from civicgrid.open311 import actions
from civicgrid.testing import make_department, make_user

SCHEMAS = Path(__file__).parent / "schemas"


def validate(name: str, data) -> None:
    """Check an answer against the JSON Schema kept as test data (schemas/<name>.json)."""
    resources = [(p.name, Resource.from_contents(json.loads(p.read_text()))) for p in SCHEMAS.glob("*.json")]
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator(schema, registry=Registry().with_resources(resources)).validate(data)


@pytest.fixture
def o311(tree):
    """The small tree with the case catalogue, a system administrator and one key for the whole district."""
    for code, name in (("CGJ", "城市管理综合行政执法局"), ("GS-WATER", "自来水公司"), ("SFJ", "司法局"),
                       ("YJJ", "应急管理局"), ("XFJ", "信访局")):
        make_department(code, name)
    sync_categories()

    class World:
        pass

    w = World()
    w.tree = tree
    w.admin = make_user("sysadmin", "system_admin", tree.district)
    w.dispatcher = make_user("disp", "dispatcher", tree.district)
    w.key, w.key_row = actions.issue_key(actor=w.admin, name="随手拍", rate_per_minute=100)
    return w


POINT_A = {"lat": "41.12", "long": "123.12"}  # inside micro-grid A
OUTSIDE = {"lat": "40.00", "long": "120.00"}
