"""The generated population: buildings inside their micro-grid, valid and unique ID numbers, tags."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from django.db.models import Count
from shapely.geometry import Point, shape

from civicgrid.demo import catalogue, people
from civicgrid.demo.tests.conftest import SCALE
from civicgrid.people import idnumber
from civicgrid.people.models import Building, Household, Resident, ResidentTag, Tag, id_number_hash


def test_population_follows_the_scale(demo, db):
    assert Household.objects.count() == round(people.HOUSEHOLDS_AT_SCALE_1 * SCALE) == demo.counts["households"]
    residents = Resident.objects.count()
    assert 2.2 < residents / Household.objects.count() < 2.9
    assert demo.counts["residents"] == residents
    assert Building.objects.count() == demo.counts["buildings"] > 0


def test_buildings_stand_inside_their_micro_grid(demo, db):
    for building in Building.objects.select_related("region"):
        assert building.region.level == "micro_grid"
        assert building.code.startswith(building.region.code)
        assert shape(building.region.boundary).contains(Point(building.lng, building.lat)), building.code


def test_households_and_residents_share_the_micro_grid(demo, db):
    for household in Household.objects.select_related("building"):
        assert household.region_id == household.building.region_id
    assert not Resident.objects.filter(household__isnull=True).exists()
    mismatched = [r for r in Resident.objects.select_related("household") if r.region_id != r.household.region_id]
    assert mismatched == []
    heads = Counter(Resident.objects.filter(relation="head").values_list("household_id", flat=True))
    assert len(heads) == Household.objects.count() and set(heads.values()) == {1}


def test_id_numbers_are_valid_unique_and_agree_with_the_person(demo, db):
    hashes = list(Resident.objects.exclude(id_number_hash="").values_list("id_number_hash", flat=True))
    assert len(hashes) == len(set(hashes)) > 0
    for resident in Resident.objects.exclude(id_number_hash=""):
        info = idnumber.parse(resident.id_number)
        assert info.gender == resident.gender and info.birth_date == resident.birth_date
        assert id_number_hash(resident.id_number) == resident.id_number_hash


def test_tag_catalogue_and_shares(demo, db):
    tags = {t.code: t for t in Tag.objects.all()}
    assert tags["elderly_alone"].contact_every_days == 7 and not tags["elderly_alone"].is_sensitive
    for code in ["community_correction", "severe_mental_disorder", "drug_user", "released_prisoner", "petition_key"]:
        assert tags[code].is_sensitive and tags[code].contact_every_days
    tagged = ResidentTag.objects.values("resident").distinct().count()
    assert 0 < tagged < Resident.objects.count() * 0.2
    for row in ResidentTag.objects.filter(tag__is_sensitive=True).values("tag__code", "level"):
        spec = next(t for t in catalogue.TAGS if t.code == row["tag__code"])
        assert row["level"] in spec.levels


def test_no_building_holds_duplicate_rooms(demo, db):
    duplicates = (Household.objects.exclude(room="").values("building", "room").annotate(n=Count("id"))
                  .filter(n__gt=1))
    assert not duplicates.exists()


def test_same_seed_same_people():
    def generate(seed):
        rng = random.Random(seed)
        registry = people.Registry(random.Random(seed + 1))
        return [people.household(rng, registry, rural=i % 5 == 0) for i in range(300)]

    assert generate(3) == generate(3)
    assert generate(3) != generate(4)


def test_id_number_counter_never_repeats():
    registry = people.Registry(random.Random(0))
    numbers = [registry.id_number("211004", date(1980, 1, 1), "M")[0] for _ in range(1200)]
    assert len(set(numbers)) == 1200
    assert all(idnumber.parse(n).gender == "M" for n in numbers)


def test_distribute_is_exact():
    assert sum(people.distribute(800, [random.Random(i).random() for i in range(5684)])) == 800
    assert people.distribute(5, [1, 1, 1]) == [2, 2, 1]


def test_planning_beside_gives_the_rows_of_planning_here():
    """A large population is planned in a second process (population.write): its rows must be exactly those
    planned in this one, chunk by chunk, including the hashes the other process computes with its own key."""
    from civicgrid.demo import population, tree
    from civicgrid.demo.beside import BesideStream
    from civicgrid.geo.choices import RegionLevel

    micro_grids = tree.by_level(tree.plan(7))[RegionLevel.MICRO_GRID][:2 * population.CHUNK + 30]
    region_ids = {m.code: i for i, m in enumerate(micro_grids, 1)}
    tag_ids = {spec.code: i for i, spec in enumerate(catalogue.TAGS, 1)}

    def args():
        return (7, micro_grids, 0.05, region_ids, tag_ids, people.Registry(random.Random("7:registry")))

    here = list(population.plan(*args()))
    beside = list(BesideStream("civicgrid.demo.population:plan", *args()).items())
    assert len(here) == 3 and sum(len(c.residents) for c in here) > 100 and sum(len(c.tags) for c in here)
    assert beside == here
