"""Builds the demo district in one transaction: region tree with boundaries, departments, tag catalogue,
accounts, and the population. Deterministic: every random choice comes from `random.Random` seeded with
the seed and the stage name, so one seed always gives the same codes, names, geometry and people.

The build is all-or-nothing and runs only on a database without district 211004: an existing district
(demo or imported) is never touched, so running the command again changes nothing."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from civicgrid.accounts.models import Department
from civicgrid.accounts.roles import Role
from civicgrid.core import audit, confcache
from civicgrid.demo import catalogue, geometry, logins, people, population, tree
from civicgrid.demo.timing import Timings
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.people.models import Tag

DEFAULT_SEED = 20240701
MAX_SCALE = 10.0
BATCH = 2000


@dataclass
class BuildResult:
    seed: int
    scale: float
    password: str
    password_source: str
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def demo_exists() -> bool:
    return Region.objects.filter(code=tree.DISTRICT_CODE).exists()


def build(*, seed: int = DEFAULT_SEED, scale: float = 1.0, password: str | None = None, progress=None,
          timings: Timings | None = None, after_population: Callable[[], None] | None = None) -> BuildResult:
    """Build everything; raises logins.PasswordRejected for a weak password and ValueError for a bad scale.
    `timings` (civicgrid/demo/timing.py) gets one row per part: regions, accounts, population.
    `after_population` runs in the transaction once the population is written (build_demo starts the patrol
    walks there, to be worked out beside the next stages: the population's own planning runs beside it)."""
    if not 0 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 0 and {MAX_SCALE}")
    say = progress or (lambda message: None)
    timings = timings or Timings()
    started = time.monotonic()
    password, source = logins.resolve_password(password)
    result = BuildResult(seed=seed, scale=scale, password=password, password_source=source)
    with transaction.atomic():
        with timings.stage("regions"):
            root = tree.plan(seed)
            levels = tree.by_level(root)
            region_ids = _create_regions(levels)
            say(f"区域 {len(region_ids)} 个")
            departments = _create_departments(region_ids)
            tag_ids = _create_tags()
        registry = people.Registry(random.Random(f"{seed}:registry"))
        with timings.stage("accounts"):
            firsts = {level: region_ids[nodes[0].code] for level, nodes in levels.items()}
            named, micro, grid = _create_accounts(seed, password, levels, region_ids, firsts, departments, registry)
            say(f"账号 {len(named) + micro + grid} 个")
        with timings.stage("population"):
            result.counts.update(population.write(seed=seed, micro_grids=levels[RegionLevel.MICRO_GRID], scale=scale,
                                                  region_ids=region_ids, tag_ids=tag_ids, registry=registry))
        if after_population is not None:
            after_population()
        result.counts.update({f"regions_{level}": len(nodes) for level, nodes in levels.items()})
        named_roles = [u.assignments.get().role for u in named]
        result.counts.update(
            departments=len(catalogue.DEPARTMENTS), tags=len(catalogue.TAGS), named_logins=len(named),
            micro_grid_workers=micro + named_roles.count(Role.MICRO_GRID_WORKER),
            grid_workers=grid + named_roles.count(Role.GRID_WORKER),
        )
        bump_boundary_version()
        confcache.bump()  # regions, departments and role assignments were bulk-created
        audit.record(actor=None, action="demo.build", object_type="geo.region", object_id=tree.DISTRICT_CODE,
                     details={"seed": seed, "scale": scale, "counts": dict(result.counts)})
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _create_regions(levels: dict[str, list[tree.RegionPlan]]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for level in (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID,
                  RegionLevel.MICRO_GRID):
        rows = []
        for node in levels[level]:
            lng, lat = geometry.center(node.geom)
            rows.append(Region(
                code=node.code, name=node.name, level=node.level, kind=node.kind,
                parent_id=ids[node.parent_code] if node.parent_code else None,
                boundary=geometry.to_geojson(node.geom), area_m2=geometry.area_m2(node.geom),
                center_lng=lng, center_lat=lat,
            ))
        for region in Region.objects.bulk_create(rows, batch_size=BATCH):
            ids[region.code] = region.pk
    return ids


def _create_accounts(seed, password, levels, region_ids, firsts, departments, registry) -> tuple[list, int, int]:
    """The named logins, then a worker per micro-grid and per grid: (named users, micro, grid workers)."""
    rng = random.Random(f"{seed}:accounts")
    named = logins.create_named(password=password, firsts=firsts, departments=departments, rng=rng, registry=registry)
    micro = logins.create_workers(
        regions=[(n.code, region_ids[n.code]) for n in levels[RegionLevel.MICRO_GRID]],
        role=Role.MICRO_GRID_WORKER, prefix="mg", skip_id=firsts[RegionLevel.MICRO_GRID], rng=rng, registry=registry)
    grid = logins.create_workers(
        regions=[(n.code, region_ids[n.code]) for n in levels[RegionLevel.GRID]],
        role=Role.GRID_WORKER, prefix="gw", skip_id=firsts[RegionLevel.GRID], rng=rng, registry=registry)
    return named, micro, grid


def _create_departments(region_ids: dict[str, int]) -> dict[str, int]:
    """The department catalogue; departments that already exist (same code) are kept as they are."""
    zone = next(s for s in tree.STREETS if s.is_zone)
    existing = dict(Department.objects.values_list("code", "id"))
    rows = []
    for code, name, short, kind, where in catalogue.DEPARTMENTS:
        if code in existing:
            continue
        region_code = {"district": tree.DISTRICT_CODE, "zone": tree.DISTRICT_CODE + zone.seq}.get(
            where, tree.DISTRICT_CODE + where)
        rows.append(Department(code=code, name=name, short_name=short, kind=kind, region_id=region_ids[region_code]))
    existing.update({d.code: d.pk for d in Department.objects.bulk_create(rows)})
    return existing


def _create_tags() -> dict[str, int]:
    """The tag catalogue; tags that already exist (same code) are kept as they are."""
    existing = dict(Tag.objects.values_list("code", "id"))
    rows = [Tag(code=t.code, name=t.name, is_sensitive=t.is_sensitive, contact_every_days=t.contact_every_days)
            for t in catalogue.TAGS if t.code not in existing]
    existing.update({t.code: t.pk for t in Tag.objects.bulk_create(rows)})
    return existing


def bump_boundary_version() -> None:
    """Tell every process's locator that boundaries changed."""
    from civicgrid.geo.actions import bump_boundary_version as bump

    bump()


def region_checksum() -> str:
    """sha256 over every region's code, name and boundary: what determinism and re-runs are checked by."""
    digest = hashlib.sha256()
    for code, name, boundary in Region.objects.order_by("code").values_list("code", "name", "boundary"):
        digest.update(f"{code}|{name}|{geometry.canonical(boundary)}\n".encode())
    return digest.hexdigest()
