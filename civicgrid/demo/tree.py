"""The demo region tree as a pure plan: district 宏伟区 > streets/town/zone > communities/villages >
279 grids > 5,684 micro-grids, with codes, names and boundaries. Same seed, same plan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from civicgrid.demo import geometry as geo
from civicgrid.demo import names
from civicgrid.geo.choices import RegionKind, RegionLevel

DISTRICT_CODE = "211004"
DISTRICT_NAME = "宏伟区"
GRID_COUNT = 279
MICRO_GRID_COUNT = 5684
LARGE_GRIDS = MICRO_GRID_COUNT - 20 * GRID_COUNT  # 104 grids hold 21 micro-grids, the rest 20
SUBDIVISION = {20: (4, 5), 21: (3, 7)}  # micro-grids per grid -> (columns, rows)

# Lattice cells left out so the district outline is not a rectangle (col, row).
OUTSIDE = frozenset({
    (0, 0), (1, 0), (0, 1),
    (18, 0), (19, 0), (20, 0), (20, 1),
    (19, 13), (20, 13), (20, 12),
    (0, 13), (1, 13), (2, 13), (0, 12), (1, 12),
})


@dataclass(frozen=True)
class StreetSpec:
    seq: str  # GB/T 10114: 0xx street office, 1xx town, 4xx government-enterprise unit
    name: str
    kind: str
    # rectangles of lattice cells: (col_from, col_to, row_from, row_to, column_blocks, row_blocks)
    areas: tuple[tuple[int, int, int, int, int, int], ...]

    @property
    def is_town(self) -> bool:
        return self.kind == RegionKind.TOWN

    @property
    def is_zone(self) -> bool:
        return self.seq.startswith("4")


STREETS = (
    StreetSpec("001", "新华街道", RegionKind.STANDARD, ((0, 4, 0, 8, 2, 3),)),
    StreetSpec("002", "光华街道", RegionKind.STANDARD, ((5, 8, 0, 8, 2, 3),)),
    StreetSpec("003", "长征街道", RegionKind.STANDARD, ((9, 12, 0, 8, 2, 3),)),
    StreetSpec("004", "工农街道", RegionKind.STANDARD, ((13, 16, 0, 8, 2, 3),)),
    StreetSpec("101", "曙光镇", RegionKind.TOWN, ((0, 13, 9, 13, 4, 2),)),
    StreetSpec("401", "高新技术产业开发区", RegionKind.STANDARD, ((17, 20, 0, 8, 2, 3), (14, 20, 9, 13, 2, 2))),
)


@dataclass
class RegionPlan:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    geom: object  # shapely geometry
    quad: list | None = None  # micro-grids: their ring (sw, se, ne, nw, sw), used to place buildings
    rural: bool = False  # in a village: buildings are courtyards, one household each
    estate: str = ""  # micro-grids: the residential estate (小区) or village group the buildings belong to
    children: list[RegionPlan] = field(default_factory=list, repr=False)


def _split(lo: int, hi: int, parts: int) -> list[list[int]]:
    return [list(map(int, chunk)) for chunk in np.array_split(np.arange(lo, hi + 1), parts)]


def _blocks(street: StreetSpec) -> list[list[tuple[int, int]]]:
    """Lattice cells of each community of `street`, north to south, west to east."""
    blocks = []
    for c0, c1, r0, r1, ncb, nrb in street.areas:
        for rows in _split(r0, r1, nrb):
            for cols in _split(c0, c1, ncb):
                cells = [(c, r) for r in rows for c in cols if (c, r) not in OUTSIDE]
                if cells:
                    blocks.append(cells)
    return blocks


def plan(seed: int) -> RegionPlan:
    """The whole tree, district first; raises if the figures of the article are not met."""
    rng = random.Random(f"{seed}:regions")
    points = geo.lattice(random.Random(f"{seed}:lattice"))
    community_words = names.take_unique(rng, names.COMMUNITY_WORDS, 60)
    village_words = names.take_unique(rng, names.VILLAGE_WORDS, 30)
    district = RegionPlan(DISTRICT_CODE, DISTRICT_NAME, RegionLevel.DISTRICT, RegionKind.STANDARD, None, None)
    grids: list[RegionPlan] = []
    for spec in STREETS:
        street = RegionPlan(DISTRICT_CODE + spec.seq, spec.name, RegionLevel.STREET, spec.kind, district.code, None)
        district.children.append(street)
        for index, cells in enumerate(_blocks(spec)):
            if spec.is_town:
                code, name, kind = f"{street.code}{201 + index:03d}", village_words.pop(0) + "村", RegionKind.VILLAGE
            else:
                code, name, kind = f"{street.code}{1 + index:03d}", community_words.pop(0) + "社区", RegionKind.STANDARD
            community = RegionPlan(code, name, RegionLevel.COMMUNITY, kind, street.code, None, rural=spec.is_town)
            street.children.append(community)
            grids += _grids(rng, community, cells, points, dedicated_share=0.3 if spec.is_zone else 0.0)
    if len(grids) != GRID_COUNT:
        raise AssertionError(f"demo lattice yields {len(grids)} grids, not {GRID_COUNT}")
    large = set(rng.sample(range(GRID_COUNT), LARGE_GRIDS))
    for index, grid in enumerate(sorted(grids, key=lambda g: g.code)):
        _micro_grids(rng, grid, 21 if index in large else 20)
    _merge_boundaries(district)
    return district


def _grids(rng, community: RegionPlan, cells, points, dedicated_share: float) -> list[RegionPlan]:
    short = community.name.removesuffix("社区").removesuffix("村")
    grids, normal, dedicated = [], 0, 0
    for col, row in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        corners = geo.cell_corners(points, col, row)
        if rng.random() < dedicated_share:
            dedicated += 1
            seq, kind = 900 + dedicated, RegionKind.DEDICATED
            name = f"{short}{rng.choice(names.ENTERPRISE_WORDS)}产业园专属网格{names.chinese_number(dedicated)}"
        else:
            normal += 1
            seq, kind = normal, RegionKind.COMPREHENSIVE
            name = f"{community.name}第{names.chinese_number(normal)}网格"
        grid = RegionPlan(f"{community.code}{seq:03d}", name, RegionLevel.GRID, kind, community.code,
                          geo.polygon(geo.ring(*corners)), quad=list(corners), rural=community.rural)
        community.children.append(grid)
        grids.append(grid)
    return grids


def _micro_grids(rng, grid: RegionPlan, count: int) -> None:
    ncols, nrows = SUBDIVISION[count]
    if grid.rural:
        estates = [f"{k}组" for k in range(1, 4)]
    else:
        word = rng.choice(names.COMMUNITY_WORDS)
        estates = [word + rng.choice(names.ESTATE_SUFFIXES), rng.choice(names.COMMUNITY_WORDS) + "小区"]
    for index, sub_ring in enumerate(geo.subdivide(grid.quad, ncols, nrows), start=1):
        estate = estates[(index - 1) * len(estates) // count]
        grid.children.append(RegionPlan(
            f"{grid.code}{index:03d}", f"{grid.name}{index}号微网格", RegionLevel.MICRO_GRID, RegionKind.STANDARD,
            grid.code, geo.polygon(sub_ring), quad=sub_ring, rural=grid.rural, estate=estate,
        ))


def _merge_boundaries(node: RegionPlan):
    """Communities, streets and the district are unions of their grids."""
    if node.geom is None:
        node.geom = geo.union(_merge_boundaries(child) for child in node.children)
    return node.geom


def walk(node: RegionPlan):
    """Every node, parents before children, in code order within a level."""
    yield node
    for child in node.children:
        yield from walk(child)


def by_level(root: RegionPlan) -> dict[str, list[RegionPlan]]:
    levels: dict[str, list[RegionPlan]] = {}
    for node in walk(root):
        levels.setdefault(node.level, []).append(node)
    return levels
