"""Generated households: who lives in a micro-grid. Pure generation (no database): the builder turns the
plans into rows. Ages are computed against a fixed reference date so that a seed always gives the same
people, whatever day the demo is built."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from civicgrid.demo import names
from civicgrid.demo.catalogue import TAGS
from civicgrid.people import idnumber
from civicgrid.people.choices import Gender, Relation, ResidenceType

REFERENCE_DATE = date(2025, 6, 30)
HOUSEHOLDS_AT_SCALE_1 = 80_000
DISTRICT_AREA = "211004"
# Other GB/T 2260 area codes for people registered elsewhere (流动人口): Liaoyang, Anshan, Shenyang, Tieling…
OTHER_AREAS = ["211002", "211003", "211005", "211011", "211021", "211081", "210302", "210102", "211202", "230102"]
# tuples: `pick` prepares a tuple's cumulative weights once (a list's on every call)
ETHNICITIES = (("汉族", 0.915), ("满族", 0.065), ("回族", 0.008), ("蒙古族", 0.006), ("朝鲜族", 0.006))
URBAN_RESIDENCE = ((ResidenceType.REGISTERED, 0.76), (ResidenceType.FLOATING, 0.20),
                   (ResidenceType.LEFT_BEHIND, 0.03), (ResidenceType.OVERSEAS, 0.01))
RURAL_RESIDENCE = ((ResidenceType.REGISTERED, 0.84), (ResidenceType.LEFT_BEHIND, 0.11),
                   (ResidenceType.FLOATING, 0.05))
URBAN_SIZES = ((1, 0.21), (2, 0.31), (3, 0.30), (4, 0.13), (5, 0.05))  # mean ≈ 2.5
RURAL_SIZES = ((1, 0.15), (2, 0.28), (3, 0.29), (4, 0.18), (5, 0.10))


def pick(rng: random.Random, weighted):
    """One value of [(value, weight), …]; the same draw as `rng.choices(values, weights)`."""
    values, cumulative = _prepared(weighted) if isinstance(weighted, tuple) else _prepare(weighted)
    return rng.choices(values, cum_weights=cumulative)[0]


def _prepare(weighted) -> tuple[tuple, list[float]]:
    values, weights = zip(*weighted, strict=True)
    return values, list(accumulate(weights))


_prepared = functools.lru_cache(maxsize=64)(_prepare)


@dataclass
class PersonPlan:
    name: str
    gender: str
    birth_date: date
    relation: str
    residence_type: str
    ethnicity: str
    id_number: str
    phone: str
    tags: list[tuple[str, str]] = field(default_factory=list)  # (tag code, level)

    @property
    def age(self) -> int:
        b = self.birth_date
        return REFERENCE_DATE.year - b.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (b.month, b.day))


class Registry:
    """Hands out unique ID numbers (a per-area, per-birthday, per-gender counter) and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.sequences: dict[tuple[str, date, str], int] = {}
        self.phones: set[str] = set()

    def id_number(self, area: str, birth: date, gender: str) -> tuple[str, date]:
        while True:
            k = self.sequences.get((area, birth, gender), 0)
            if k < 499:
                self.sequences[(area, birth, gender)] = k + 1
                sequence = 2 * k + 1 if gender == Gender.MALE else 2 * k + 2
                return idnumber.build(area, birth, sequence), birth
            birth += timedelta(days=1)  # that day is full: the person is a day younger

    def phone(self) -> str:
        while True:
            number = "1" + self.rng.choice("3456789") + f"{self.rng.randrange(10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def birth_for_age(rng: random.Random, age: int) -> date:
    return REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(365))


def household(rng: random.Random, registry: Registry, *, rural: bool) -> tuple[str, list[PersonPlan]]:
    """(residence type, members head first) of one generated household."""
    residence = pick(rng, RURAL_RESIDENCE if rural else URBAN_RESIDENCE)
    size = pick(rng, RURAL_SIZES if rural else URBAN_SIZES)
    area = rng.choice(OTHER_AREAS) if residence == ResidenceType.FLOATING else DISTRICT_AREA
    head_gender = Gender.MALE if rng.random() < 0.7 else Gender.FEMALE
    if size == 1:
        head_age = rng.randint(60, 92) if rng.random() < 0.45 else rng.randint(20, 59)
    elif residence == ResidenceType.LEFT_BEHIND:
        head_age = rng.randint(55, 80)  # grandparents raising the children
    else:
        head_age = rng.randint(26, 78)

    def person(gender, age, relation, surname=None):
        birth = birth_for_age(rng, max(age, 0))
        name = names.child_name(rng, surname, gender) if surname else names.person_name(rng, gender)
        number = ""
        if residence != ResidenceType.OVERSEAS:
            number, birth = registry.id_number(area, birth, gender)
        phone = registry.phone() if age >= 18 and rng.random() < 0.9 else ""
        return PersonPlan(name, gender, birth, relation, residence, pick(rng, ETHNICITIES), number, phone)

    head = person(head_gender, head_age, Relation.HEAD)
    members = [head]
    other = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
    if size >= 2 and (rng.random() < 0.85 or head_age >= 60):
        members.append(person(other, max(20, head_age + rng.randint(-5, 3)), Relation.SPOUSE))
    surname = names.surname_of(head.name)
    generation = head_age - rng.randint(24, 34)
    while len(members) < size:
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        if residence == ResidenceType.LEFT_BEHIND or (head_age >= 62 and rng.random() < 0.5):
            members.append(person(gender, max(0, head_age - rng.randint(48, 62)), Relation.GRANDCHILD, surname))
        elif generation >= 0 and rng.random() < 0.8:
            members.append(person(gender, max(0, generation - rng.randint(0, 6)), Relation.CHILD, surname))
        elif head_age <= 55:
            members.append(person(gender, head_age + rng.randint(24, 32), Relation.PARENT))
        else:
            members.append(person(gender, head_age + rng.randint(-8, 8), Relation.SIBLING, surname))
    _tag(rng, residence, members)
    return residence, members


_TAG_SPECS = {t.code: t for t in TAGS}
_SENSITIVE = [t for t in TAGS if t.is_sensitive]


def _tag(rng: random.Random, residence: str, members: list[PersonPlan]) -> None:
    """Care and key-person tags at realistic small shares (see catalogue.TAGS)."""
    shares = _TAG_SPECS
    head = members[0]
    if len(members) == 1 and head.age >= 65 and rng.random() < shares["elderly_alone"].share:
        head.tags.append(("elderly_alone", ""))
    if len(members) == 2 and min(m.age for m in members) >= 65 and rng.random() < shares["empty_nest"].share:
        for m in members:
            m.tags.append(("empty_nest", ""))
    if rng.random() < shares["low_income"].share:
        head.tags.append(("low_income", ""))
    for m in members:
        if residence == ResidenceType.LEFT_BEHIND and m.age < 16 and rng.random() < shares["left_behind_child"].share:
            m.tags.append(("left_behind_child", ""))
        if rng.random() < shares["disabled"].share:
            m.tags.append(("disabled", rng.choice(["一级", "二级", "三级", "四级"])))
        if m.age >= 40 and rng.random() < shares["preferential_care"].share:
            m.tags.append(("preferential_care", ""))
        if 18 <= m.age <= 75:
            for spec in _SENSITIVE:
                if rng.random() < spec.share:
                    # the strictest tier is the rarest
                    m.tags.append((spec.code, rng.choices(spec.levels, weights=[1, 3, 6])[0]))


def distribute(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` by largest remainders (exact, deterministic)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    short = total - sum(counts)
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[:short]:
        counts[i] += 1
    return counts
