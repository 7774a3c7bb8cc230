"""import_boundaries / export_boundaries management commands."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from civicgrid.geo.models import Region
from civicgrid.geo.tests.helpers import bowtie, collection, feature, snapshot, square
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree):
    return make_user("sysadmin", "system_admin", tree.district)


def test_export_then_import_round_trips(tree, admin, tmp_path, capsys):
    out = tmp_path / "grids.geojson"
    call_command("export_boundaries", "--level", "grid", "-o", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in exported["features"]] == [tree.grid_a.code, tree.grid_b.code]
    call_command("import_boundaries", str(out), "--actor", admin.username)
    assert "更新 2 个" in capsys.readouterr().out


def test_export_to_stdout_by_parent(tree, capsys):
    call_command("export_boundaries", "--parent", tree.street_a.code)
    body = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in body["features"]] == [tree.community_a.code]


def test_export_rejects_unknown_level(tree):
    with pytest.raises(CommandError, match="invalid_level"):
        call_command("export_boundaries", "--level", "village")


def test_import_prints_per_feature_errors_and_imports_nothing(tree, admin, tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection(
        feature(tree.grid_a.code + "002", "好", square(123.15, 41.1, 0.05)),
        feature(tree.grid_a.code + "003", "蝴蝶", bowtie(123.16, 41.16, 0.02)),
    )), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as exc:
        call_command("import_boundaries", str(path), "--actor", admin.username)
    assert exc.value.returncode == 1
    err = capsys.readouterr().err
    assert f"要素#1\t{tree.grid_a.code}003\tinvalid_geometry\t" in err
    assert snapshot() == before
    assert not Region.objects.filter(code=tree.grid_a.code + "002").exists()


def test_import_of_a_non_json_file_fails(tree, admin, tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_boundaries", str(path), "--actor", admin.username)
    assert exc.value.returncode == 1 and "malformed_geojson" in capsys.readouterr().err


def test_import_needs_a_permitted_actor(tree, tmp_path):
    make_user("gw", "grid_worker", tree.grid_a)
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps(collection(feature(tree.grid_a.code + "002", "新", square(123.15, 41.1, 0.05)))))
    with pytest.raises(CommandError, match="forbidden"):
        call_command("import_boundaries", str(path), "--actor", "gw")
    with pytest.raises(CommandError, match="超级用户"):
        call_command("import_boundaries", str(path))
