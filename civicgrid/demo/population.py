"""Writes buildings, households, residents and their tags, a chunk of micro-grids at a time (bounded
memory), as tuples of values loaded in bulk (people.sql: bulk_create's per-field compilation, then a model
instance per row, took most of the time). ID numbers and phones are encrypted by their field on the way in."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from civicgrid.core import crypto
from civicgrid.demo import geometry, names, people
from civicgrid.demo.beside import BesideStream
from civicgrid.demo.tree import RegionPlan
from civicgrid.people import sql
from civicgrid.people.models import (
    ID_NUMBER_PURPOSE,
    PHONE_PURPOSE,
    Building,
    Household,
    Resident,
    ResidentTag,
)

CHUNK = 400  # micro-grids per round of inserts
FLOORS = [(6, 0.5), (7, 0.2), (11, 0.15), (18, 0.15)]


def household_counts(micro_grids: list[RegionPlan], scale: float, rng: random.Random) -> list[int]:
    """Households per micro-grid: villages are thinner than town estates, dedicated grids nearly empty."""
    weights = []
    for micro in micro_grids:
        base = 0.1 if micro.parent_code[-3] == "9" else (0.6 if micro.rural else 1.0)
        weights.append(base * rng.uniform(0.6, 1.4))
    return people.distribute(round(people.HOUSEHOLDS_AT_SCALE_1 * scale), weights)


# a population of more households than this is planned in a second process (demo/beside.py) while this
# one writes: at the default scale the planning (names, ID numbers, hashes) is half of the stage
PLAN_BESIDE_FROM = 20_000


@dataclass
class Chunk:
    """One round of rows, as tuples (people.sql): households name their building, residents their household
    and tags their resident by position in the chunk, until those ids come back."""

    buildings: list = field(default_factory=list)
    households: list = field(default_factory=list)  # (region id, building index, …)
    residents: list = field(default_factory=list)  # (region id, household index, …)
    tags: list = field(default_factory=list)  # (resident index, tag id, level, valid from)


def write(*, seed: int, micro_grids: list[RegionPlan], scale: float, region_ids: dict[str, int],
          tag_ids: dict[str, int], registry: people.Registry) -> Counter:
    """Plan and write the population; the planning runs beside when it is large (the rows are the same)."""
    args = (seed, micro_grids, scale, region_ids, tag_ids, registry)
    if people.HOUSEHOLDS_AT_SCALE_1 * scale >= PLAN_BESIDE_FROM:
        chunks = BesideStream("civicgrid.demo.population:plan", *args).items()
    else:
        chunks = plan(*args)
    counts: Counter = Counter()
    for chunk in chunks:
        counts.update(load(chunk))
    return counts


def load(chunk: Chunk) -> Counter:
    building_ids = sql.load_rows(Building, sql.BUILDING, chunk.buildings)
    household_ids = sql.load_rows(Household, sql.HOUSEHOLD, [
        (region_id, building_ids[building], *rest) for region_id, building, *rest in chunk.households])
    resident_ids = sql.load_rows(Resident, sql.RESIDENT, [
        (region_id, household_ids[household], *rest) for region_id, household, *rest in chunk.residents])
    sql.load_rows(ResidentTag, sql.RESIDENT_TAG, [
        (resident_ids[resident], *rest) for resident, *rest in chunk.tags])
    return Counter(buildings=len(chunk.buildings), households=len(chunk.households), residents=len(chunk.residents),
                   resident_tags=len(chunk.tags))


def plan(seed: int, micro_grids: list[RegionPlan], scale: float, region_ids: dict[str, int],
         tag_ids: dict[str, int], registry: people.Registry) -> Iterator[Chunk]:
    """The population's rows, a chunk of micro-grids at a time (bounded memory). Pure: every choice comes
    from the seed's stream and the registry, so it gives the same rows in any process."""
    planner = Planner(seed=seed, region_ids=region_ids, tag_ids=tag_ids, registry=registry)
    counts = household_counts(micro_grids, scale, planner.rng)
    for start in range(0, len(micro_grids), CHUNK):
        yield planner.chunk(micro_grids[start:start + CHUNK], counts[start:start + CHUNK])


class Planner:
    def __init__(self, *, seed: int, region_ids: dict[str, int], tag_ids: dict[str, int], registry: people.Registry):
        self.rng = random.Random(f"{seed}:population")
        self.registry = registry
        self.region_ids = region_ids
        self.tag_ids = tag_ids
        self.estates: dict[tuple[str, str], dict] = {}  # (grid code, estate) -> road, next building number
        self.id_number_hash = crypto.lookup_hasher(ID_NUMBER_PURPOSE)  # as people.models.id_number_hash
        self.phone_hash = crypto.lookup_hasher(PHONE_PURPOSE)

    def chunk(self, micro_grids, counts) -> Chunk:
        buildings, households, members = [], [], []  # households: (building index); members per household
        for micro, count in zip(micro_grids, counts, strict=True):
            if count:
                self._micro_grid(micro, count, buildings, households, members)
        chunk = Chunk(buildings=buildings, households=households)
        plans = []
        for household, ((region_id, *_), persons) in enumerate(zip(households, members, strict=True)):
            for person in persons:
                chunk.residents.append((
                    region_id, household, person.relation, person.name, person.gender, person.birth_date,
                    person.ethnicity, person.id_number,
                    self.id_number_hash(person.id_number) if person.id_number else "",
                    person.phone, self.phone_hash(person.phone) if person.phone else "", person.residence_type,
                ))
                plans.append(person)
        for resident, person in enumerate(plans):
            for code, level in person.tags:
                valid_from = people.REFERENCE_DATE - timedelta(days=self.rng.randrange(30, 1500))
                chunk.tags.append((resident, self.tag_ids[code], level, valid_from))
        return chunk

    def _micro_grid(self, micro: RegionPlan, count: int, buildings, households, members) -> None:
        rng = self.rng
        region_id = self.region_ids[micro.code]
        estate = self.estates.setdefault((micro.parent_code, micro.estate), {
            "road": rng.choice(names.ROAD_WORDS), "number": rng.randrange(1, 200), "next": 1,
        })
        seq = 0
        remaining = count
        while remaining:
            seq += 1
            lng, lat = geometry.point_in_quad(micro.quad, rng)
            building_no = estate["next"]
            estate["next"] += 1
            if micro.rural:
                village = micro.name[: micro.name.index("村") + 1]
                name = f"{village}{micro.estate}{building_no}号"
                floors, units, rooms = 1, 1, [""]
                address = f"辽阳市宏伟区曙光镇{name}"
            else:
                floors = people.pick(rng, FLOORS)
                units = rng.randint(2, 6)
                name = f"{micro.estate}{building_no}号楼"
                address = f"辽阳市宏伟区{estate['road']}{estate['number'] + building_no}号{name}"
                # rooms "单元 floor 0r" in (unit, floor, r) order: sample their positions, which draws the same
                # numbers as sampling the list of names, and name only the rooms taken
                capacity = units * floors * 2
                rooms = sorted(f"{i // (floors * 2) + 1}单元{i // 2 % floors + 1}{i % 2 + 1:02d}"
                               for i in rng.sample(range(capacity), min(remaining, capacity)))
            building = len(buildings)
            buildings.append((region_id, f"{micro.code}{seq:03d}", name, address, floors, units, lng, lat))
            for room in rooms:
                residence, persons = people.household(rng, self.registry, rural=micro.rural)
                number = f"{micro.code}{count - remaining + 1:04d}"
                households.append((region_id, building, number, room, f"{address}{room}", residence))
                members.append(persons)
                remaining -= 1
