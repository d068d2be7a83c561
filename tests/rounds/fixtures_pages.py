"""Fixtures of the batch and station page tests. A test module loads them with
`pytest_plugins = ["tests.rounds.fixtures_pages"]` (there is deliberately no tests/rounds/conftest.py); every
fixture name starts with `pages_` so it cannot clash with the other rounds fixtures.

`pages_make(villages, rounds)` builds a township with that many villages, a cadre pool big enough for a "1+2+N"
plan, and a draft batch planned by the planner (proposed stations). `pages_world` is a 4-village batch in 2 rounds
(2 stations a round; the pool has three spare village members) in which users["leader"] leads station "A" (round 1) and users["member"] is a backbone there;
station "B" (round 1 too) and the two stations of round 2 are other people's. `pages_confirmed` is the same world
after batch_confirm."""

from dataclasses import dataclass, field
from datetime import date
from itertools import count

import pytest

from rounds.formulas import formulas_ensure
from rounds.models import Batch, Station, StationMember, TeamFormula
from rounds.services.members import member_replace
from rounds.services.planning import batch_confirm, batch_create, batch_plan
from supervision.models import Person, PersonCategory, Unit
from tests.factories import PersonFactory, TownshipFactory, VillageFactory

FIRST_START = date(2026, 3, 2)
_towns = count(1)


@dataclass
class PagesWorld:
    town: Unit
    villages: list[Unit]
    pool: list[Person]
    batch: Batch
    stations: dict[str, Station] = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def member(self, key: str, person: Person) -> StationMember:
        return StationMember.objects.get(station=self.stations[key], person=person)

    def members(self, key: str) -> list[StationMember]:
        return list(self.stations[key].members.select_related("person", "slot").order_by("slot__order", "id"))


def make_world(users, villages: int, rounds: int) -> PagesWorld:
    formulas_ensure()  # a transactional test's flush removes the migration's rows
    n = next(_towns)
    town = TownshipFactory(name=f"页测{n}镇")
    units = [VillageFactory(name=f"页测{n}镇{i:02d}村", parent=town) for i in range(1, villages + 1)]
    per_round = -(-villages // rounds)
    pool = []
    for i in range(per_round + 1):
        pool.append(PersonFactory(name=f"纪检{n}-{i}", category=PersonCategory.DISCIPLINE_CADRE, home_unit=town))
        pool.append(PersonFactory(name=f"财经{n}-{i}", category=PersonCategory.FINANCE, home_unit=town))
        pool.append(PersonFactory(name=f"民政{n}-{i}", category=PersonCategory.CIVIL_AFFAIRS, home_unit=town))
    for i, village in enumerate(units):
        pool.append(PersonFactory(name=f"委员{n}-{i:02d}", category=PersonCategory.VILLAGE_MEMBER, home_unit=village))
    spare_village = VillageFactory(name=f"页测{n}镇备用村", parent=town)  # not a target: its members are spares
    for i in range(3):
        pool.append(PersonFactory(name=f"备用{n}-{i}", category=PersonCategory.VILLAGE_MEMBER, home_unit=spare_village))
    batch = batch_create(actor=users["commission"], name=f"页测{n}镇巡回驻点", year=2026, organiser=town,
                         formula=TeamFormula.objects.get(code="1-2-n"), targets=units, rounds=rounds,
                         first_start=FIRST_START, days=7, gap_days=2, pool=pool)
    result = batch_plan(actor=users["commission"], batch=batch)
    assert result.ok, result.problems
    stations = list(Station.objects.filter(round__batch=batch).order_by("round__number", "target__name", "id"))
    keys = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return PagesWorld(town=town, villages=units, pool=pool, batch=batch,
                      stations={keys[i]: s for i, s in enumerate(stations)}, users=users)


@pytest.fixture
def pages_make(db, users):
    def make(villages: int = 4, rounds: int = 2) -> PagesWorld:
        return make_world(users, villages, rounds)

    return make


@pytest.fixture
def pages_world(pages_make, users) -> PagesWorld:
    world = pages_make(4, 2)
    leader, member = users["leader"].person, users["member"].person
    member.category = PersonCategory.FINANCE
    member.save()
    team = world.members("A")
    member_replace(actor=users["commission"], member=next(m for m in team if m.slot.is_leader), person=leader)
    member_replace(actor=users["commission"], member=next(m for m in team if m.slot.label == "业务骨干"),
                   person=member)
    return world


@pytest.fixture
def pages_confirmed(pages_world) -> PagesWorld:
    batch_confirm(actor=pages_world.users["commission"], batch=pages_world.batch)
    for key, station in pages_world.stations.items():
        pages_world.stations[key] = Station.objects.get(pk=station.pk)
    pages_world.batch.refresh_from_db()
    return pages_world
