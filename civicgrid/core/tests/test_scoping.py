"""The scoping door's own pieces: filters for aggregates (filter_for, grant_q), roles kept to their own
rows (Scope.own_only_roles), and which assignments reach one object (assignments_on)."""

from django.db.models import Q

from civicgrid.core.scoping import (
    EVERYTHING,
    NOTHING,
    Grant,
    Scope,
    assignments_on,
    filter_for,
    grant_for,
    grant_q,
)
from civicgrid.geo.models import Region
from civicgrid.testing import make_user


def test_filter_for_a_model_selects_what_visible_to_does(tree):
    street_admin = make_user("s", "street_admin", tree.street_a)
    through_door = set(Region.objects.filter(filter_for(street_admin, "geo.view_region", Region))
                       .values_list("code", flat=True))
    assert through_door == set(Region.objects.visible_to(street_admin).values_list("code", flat=True))
    assert tree.street_b.code not in through_door


def test_filter_for_a_scope_of_paths_and_the_ends_of_reach(tree):
    street_admin = make_user("s", "street_admin", tree.street_a)
    nobody = make_user("n")
    assert filter_for(street_admin, "geo.view_region", Scope(region="region__code")) == Q(
        region__code__startswith=tree.street_a.code)
    assert filter_for(nobody, "geo.view_region", Region) == NOTHING
    assert not Region.objects.filter(NOTHING).exists()
    everyone = Grant(unrestricted=True)
    assert grant_q(everyone, Region) == EVERYTHING
    # EVERYTHING stays everything when OR-ed, where Q() would vanish
    assert Region.objects.filter(Q(code="none") | EVERYTHING).count() == Region.objects.count()


def test_grant_q_takes_a_prefix_test_and_a_path():
    grant = Grant(region_codes=("211004001",), department_ids=(4,))
    q = grant_q(grant, Scope(region="code", department="department_id"), path="case",
                prefix=lambda field, code: Q(**{f"{field}__gte": code}))
    assert q == Q(case__code__gte="211004001") | Q(case__department_id__in=(4,))


def test_own_only_roles_keep_a_role_to_its_own_rows(tree):
    worker = make_user("w", "grid_worker", tree.grid_a)
    wide = worker.grant_for("geo.view_region")
    own = worker.grant_for("geo.view_region", own_only=frozenset({"grid_worker"}))
    assert wide.region_codes == (tree.grid_a.code,) and wide.own_user_id is None
    assert own == Grant(own_user_id=worker.pk)


def test_the_chokepoint_applies_the_models_own_only_roles(tree):
    from civicgrid.gridops.patrols.models import VIEW, Patrol

    worker = make_user("w", "grid_worker", tree.grid_a)
    admin = make_user("c", "community_admin", tree.community_a)
    assert grant_for(worker, VIEW, Patrol) == Grant(own_user_id=worker.pk)
    assert grant_for(admin, VIEW, Patrol).region_codes == (tree.community_a.code,)


def test_assignments_on_says_which_assignments_reach_an_object(tree):
    admin = make_user("s", "street_admin", tree.street_a)
    reaching = assignments_on(admin, tree.grid_a)
    assert [(a.role, how) for a, how in reaching] == [("street_admin", "region")]
    assert assignments_on(admin, tree.grid_b) == []
