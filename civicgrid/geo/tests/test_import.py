"""import_boundaries: all or nothing, per-feature errors, stamp and audit."""

from __future__ import annotations

import pytest

from civicgrid.core.errors import Forbidden, Unauthenticated, ValidationFailed
from civicgrid.core.models import AuditEvent
from civicgrid.geo import actions
from civicgrid.geo.locator import Locator
from civicgrid.geo.models import BoundaryStamp, Region
from civicgrid.geo.tests.helpers import bowtie, collection, feature, snapshot, square
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree):
    return make_user("sysadmin", "system_admin", tree.district)


def _fails(admin, fc) -> list[tuple]:
    """Run a failing import; assert nothing changed; return (feature, code, error) per error."""
    before, audits = snapshot(), AuditEvent.objects.filter(action="geo.import_boundaries").count()
    with pytest.raises(ValidationFailed) as exc:
        actions.import_boundaries(actor=admin, collection=fc)
    assert exc.value.code == "boundary_import_invalid"
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="geo.import_boundaries").count() == audits
    for error in exc.value.details:
        assert set(error) == {"feature", "code", "error", "message"} and error["message"]
    return [(e["feature"], e["code"], e["error"]) for e in exc.value.details]


def test_malformed_geojson_imports_nothing(admin):
    assert _fails(admin, {"type": "FeatureCollection"}) == [(None, None, "malformed_geojson")]
    assert _fails(admin, ["not", "geojson"]) == [(None, None, "malformed_geojson")]


def test_malformed_feature_is_reported_and_the_good_one_is_not_imported(tree, admin):
    good = feature(tree.grid_a.code + "002", "微网格C", square(123.15, 41.1, 0.05))
    assert _fails(admin, collection(good, {"type": "Feature", "geometry": None})) == [(1, None, "missing_property")]
    assert not Region.objects.filter(code=tree.grid_a.code + "002").exists()


def test_self_intersecting_geometry_is_rejected(tree, admin):
    errors = _fails(admin, collection(feature(tree.grid_a.code + "002", "蝴蝶", bowtie(123.15, 41.1, 0.04))))
    assert errors == [(0, tree.grid_a.code + "002", "invalid_geometry")]


def test_overlap_with_a_sibling_in_the_database_is_rejected(tree, admin):
    errors = _fails(admin, collection(feature(tree.grid_a.code + "002", "压线", square(123.12, 41.12, 0.05))))
    assert errors == [(0, tree.grid_a.code + "002", "overlapping_siblings")]


def test_overlap_between_siblings_in_the_file_is_reported_once_on_the_later_feature(tree, admin):
    errors = _fails(admin, collection(
        feature(tree.grid_a.code + "002", "东半", square(123.15, 41.1, 0.05)),
        feature(tree.grid_a.code + "003", "压东半", square(123.16, 41.11, 0.03)),
    ))
    assert errors == [(1, tree.grid_a.code + "003", "overlapping_siblings")]


def test_touching_siblings_are_fine_and_overlap_across_parents_is_not_checked(tree, admin):
    result = actions.import_boundaries(actor=admin, collection=collection(
        feature(tree.grid_a.code + "002", "东邻", square(123.15, 41.1, 0.05)),  # shares an edge with micro A
        feature(tree.grid_b.code + "002", "东邻B", square(123.25, 41.1, 0.05)),
    ))
    assert sorted(result.created) == [tree.grid_a.code + "002", tree.grid_b.code + "002"]


def test_duplicate_codes_are_rejected(tree, admin):
    code = tree.grid_a.code + "002"
    errors = _fails(admin, collection(
        feature(code, "一", square(123.15, 41.1, 0.02)), feature(code, "二", square(123.18, 41.15, 0.01)),
    ))
    assert errors == [(1, code, "duplicate_code")]


def test_unknown_parent_is_rejected(tree, admin):
    errors = _fails(admin, collection(feature("211004009001", "无主社区", square(123.1, 41.25, 0.01))))
    assert errors == [(0, "211004009001", "unknown_parent")]


def test_child_outside_its_parent_is_rejected(tree, admin):
    errors = _fails(admin, collection(feature(tree.grid_a.code + "002", "越界", square(123.18, 41.1, 0.05))))
    assert errors == [(0, tree.grid_a.code + "002", "outside_parent")]


def test_every_error_of_a_mixed_file_is_listed(tree, admin):
    errors = _fails(admin, collection(
        feature("211004009001", "无主社区", square(123.1, 41.25, 0.01)),
        feature(tree.grid_a.code + "002", "蝴蝶", bowtie(123.15, 41.1, 0.04)),
        feature(tree.grid_a.code + "003", "压线", square(123.12, 41.12, 0.02)),
    ))
    assert [e[2] for e in errors] == ["unknown_parent", "invalid_geometry", "overlapping_siblings"]


def test_create_missing_false_rejects_new_codes(tree, admin):
    with pytest.raises(ValidationFailed) as exc:
        actions.import_boundaries(actor=admin, create_missing=False, collection=collection(
            feature(tree.grid_a.code + "002", "新", square(123.15, 41.1, 0.05))))
    assert exc.value.details[0]["error"] == "unknown_region"


def test_parent_in_the_same_file_and_new_regions_are_created(tree, admin):
    street, community = "211004003", "211004003001"
    result = actions.import_boundaries(actor=admin, collection=collection(
        feature(community, "新社区", square(123.1, 41.2, 0.1), kind="village"),
        feature(street, "新镇", square(123.1, 41.2, 0.1), kind="town"),
    ))
    assert result.created == [street, community]
    created = Region.objects.get(code=community)
    assert (created.parent.code, created.level, created.kind, created.name) == (street, "community", "village", "新社区")
    assert 9.2e7 < created.area_m2 < 9.4e7
    assert (created.center_lng, created.center_lat) == (123.15, 41.25)


def test_good_import_updates_region_bumps_stamp_audits_and_the_locator_sees_it(tree, admin):
    locator = Locator(check_seconds=0)
    assert [r.code for r in locator.locate(123.17, 41.17)] == [r.code for r in
                                                               (tree.district, tree.street_a, tree.community_a, tree.grid_a)]
    version = BoundaryStamp.objects.values_list("version", flat=True).first() or 0
    result = actions.import_boundaries(actor=admin, collection=collection(
        feature(tree.micro_a.code, "微网格A(扩)", square(123.1, 41.1, 0.09), kind="dedicated"),
    ))
    assert result.updated == [tree.micro_a.code] and result.created == []
    assert result.version != version and result.version == BoundaryStamp.objects.get().version
    micro = Region.objects.get(pk=tree.micro_a.pk)
    assert (micro.name, micro.kind, micro.boundary) == ("微网格A(扩)", "dedicated", square(123.1, 41.1, 0.09))
    event = AuditEvent.objects.get(action="geo.import_boundaries")
    assert event.actor_id == admin.pk and event.details["updated"] == 1 and event.details["codes"] == [tree.micro_a.code]
    assert locator.locate(123.17, 41.17)[-1].code == tree.micro_a.code


@pytest.mark.parametrize("who", ["anonymous", "grid_worker"])
def test_denied_import_changes_nothing(tree, who):
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if who == "anonymous" else make_user("gw", "grid_worker", tree.grid_a)
    before = snapshot()
    with pytest.raises(Unauthenticated if who == "anonymous" else Forbidden):
        actions.import_boundaries(actor=actor, collection=collection(
            feature(tree.grid_a.code + "002", "新", square(123.15, 41.1, 0.05))))
    assert snapshot() == before


def test_bump_boundary_version_always_moves_and_never_repeats_from_no_row(db):
    assert not BoundaryStamp.objects.exists()
    versions = [actions.bump_boundary_version() for _ in range(5)]
    assert len(set(versions)) == 5 and 0 not in versions
    assert BoundaryStamp.objects.count() == 1 and BoundaryStamp.objects.get().version == versions[-1]
