"""Shared fixtures of the rounds tests. A test module loads them with
`pytest_plugins = ["tests.rounds.fixtures_rounds"]` (there is deliberately no tests/rounds/conftest.py).

`rounds_world`: a township (大箕铺镇, document prefix 大箕纪) with four villages, a "1+2+N" batch of two rounds
over two of them, and two proposed stations whose teams were put together with the assignment service:

    round 1 (2026-03-02..08) at 水南湾村: 组长 但建华 (users["leader"]), 业务骨干 柯国强 (users["member"]) + 蒋海燕,
                                        村纪检委员 杜金华 (柯大兴村) + 叶翠萍 (程家湾村)
    round 2 (2026-03-11..17) at 柯大兴村: 组长 李卫东, 业务骨干 陈立新 + 杨国平,
                                        村纪检委员 余秀英 (水南湾村) + 程晓明 (大箕铺村)

Spare people of the pool: 袁国平 (纪检干部), 赵永红 (民政所), 柯桂芳 (五金村的村纪检委员), 王报账 (财经所, works
at 水南湾村 itself). `confirmed_world` is the same after batch_confirm.

`group_world`: a "2+5" batch of 第七纪检监察组 over 市教育局 with one proposed station and an empty team; its pool
has two staff of 市民政局, one of 市财政局 and one of 市教育局.

`rounds_demo`: the demo data (`load_demo`), with both demo batches.

`zh_hans`: Chinese active for the test (modules asserting messages use `pytestmark = usefixtures("zh_hans")`).

Test modules use the fixtures only (importing this module too would defeat pytest's assertion rewriting of it)."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from rounds.formulas import formulas_ensure
from rounds.models import Batch, FormulaSlot, Station, StationState, TeamFormula
from rounds.services.members import member_assign
from rounds.services.planning import batch_confirm, batch_create
from supervision.models import Person, PersonCategory, Unit, UnitKind
from tests.factories import PersonFactory, TownshipFactory, UnitFactory, VillageFactory

ROUND1 = (date(2026, 3, 2), date(2026, 3, 8))
ROUND2 = (date(2026, 3, 11), date(2026, 3, 17))


@dataclass
class World:
    town: Unit
    villages: dict[str, Unit]
    people: dict[str, Person]
    formula: TeamFormula
    slots: dict[str, FormulaSlot]
    batch: Batch
    stations: dict[str, Station] = field(default_factory=dict)  # "A" (round 1), "B" (round 2)
    users: dict = field(default_factory=dict)

    @staticmethod
    def make_station(batch: Batch, number: int, target: Unit) -> Station:
        return make_station(batch, number, target)

    def refresh(self) -> "World":
        for key, station in self.stations.items():
            self.stations[key] = Station.objects.select_related("round__batch", "target").get(pk=station.pk)
        self.batch.refresh_from_db()
        return self


def formula(code: str) -> TeamFormula:
    formulas_ensure()  # a transactional test's flush removes the migration's rows
    return TeamFormula.objects.get(code=code)


def slots_of(team_formula: TeamFormula) -> dict[str, FormulaSlot]:
    return {slot.label: slot for slot in team_formula.slots.all()}


def make_station(batch: Batch, number: int, target: Unit) -> Station:
    """A proposed station, as the planner would save it (stations have no service of their own but batch_plan)."""
    return Station.objects.create(round=batch.rounds.get(number=number), target=target, state=StationState.PROPOSED)


@pytest.fixture
def zh_hans():
    """Messages in Chinese whatever an earlier test left active in the thread (a request in English does)."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def rounds_world(db, users) -> World:
    town = TownshipFactory(name="大箕铺镇", doc_prefix="大箕纪")
    villages = {name: VillageFactory(name=name, parent=town)
                for name in ("水南湾村", "柯大兴村", "程家湾村", "大箕铺村", "五金村")}
    people: dict[str, Person] = {}

    def login_person(role, name, category):
        person = users[role].person
        person.name, person.category, person.home_unit = name, category, town
        person.save()
        people[name] = person

    login_person("leader", "但建华", PersonCategory.DISCIPLINE_CADRE)
    login_person("member", "柯国强", PersonCategory.FINANCE)
    for name, category, unit in [
        ("李卫东", PersonCategory.DISCIPLINE_CADRE, town),
        ("袁国平", PersonCategory.DISCIPLINE_CADRE, town),
        ("陈立新", PersonCategory.FINANCE, town),
        ("蒋海燕", PersonCategory.CIVIL_AFFAIRS, town),
        ("杨国平", PersonCategory.CIVIL_AFFAIRS, town),
        ("赵永红", PersonCategory.CIVIL_AFFAIRS, town),
        ("王报账", PersonCategory.FINANCE, villages["水南湾村"]),
        ("余秀英", PersonCategory.VILLAGE_MEMBER, villages["水南湾村"]),
        ("杜金华", PersonCategory.VILLAGE_MEMBER, villages["柯大兴村"]),
        ("叶翠萍", PersonCategory.VILLAGE_MEMBER, villages["程家湾村"]),
        ("程晓明", PersonCategory.VILLAGE_MEMBER, villages["大箕铺村"]),
        ("柯桂芳", PersonCategory.VILLAGE_MEMBER, villages["五金村"]),
    ]:
        people[name] = PersonFactory(name=name, category=category, home_unit=unit)

    team_formula = formula("1-2-n")
    batch = batch_create(actor=users["commission"], name="大箕铺镇测试批次", year=2026, organiser=town,
                         formula=team_formula, targets=[villages["水南湾村"], villages["柯大兴村"]], rounds=2,
                         first_start=ROUND1[0], days=7, gap_days=2, pool=list(people.values()))
    world = World(town=town, villages=villages, people=people, formula=team_formula, slots=slots_of(team_formula),
                  batch=batch, users=users)
    teams = {
        "A": (1, "水南湾村", [("组长", "但建华"), ("业务骨干", "柯国强"), ("业务骨干", "蒋海燕"),
                            ("村纪检委员", "杜金华"), ("村纪检委员", "叶翠萍")]),
        "B": (2, "柯大兴村", [("组长", "李卫东"), ("业务骨干", "陈立新"), ("业务骨干", "杨国平"),
                            ("村纪检委员", "余秀英"), ("村纪检委员", "程晓明")]),
    }
    for key, (number, target, team) in teams.items():
        station = make_station(batch, number, villages[target])
        for label, name in team:
            member_assign(actor=users["commission"], station=station, person=people[name], slot=world.slots[label])
        world.stations[key] = station
    return world.refresh()


@pytest.fixture
def confirmed_world(rounds_world) -> World:
    batch_confirm(actor=rounds_world.users["commission"], batch=rounds_world.batch)
    return rounds_world.refresh()


@pytest.fixture
def group_world(db, users) -> dict:
    commission = UnitFactory(name="市纪委监委", kind=UnitKind.COMMISSION)
    group = UnitFactory(name="第七纪检监察组", kind=UnitKind.DISPATCHED_GROUP, parent=commission)
    depts = {name: UnitFactory(name=name, covered_by=group) for name in ("市教育局", "市民政局", "市财政局")}
    staff = {name: PersonFactory(name=name, category=PersonCategory.UNIT_STAFF, home_unit=depts[dept])
             for name, dept in [("马晓明", "市民政局"), ("朱桂芳", "市民政局"), ("胡明亮", "市财政局"),
                                ("高新民", "市教育局")]}
    team_formula = formula("2-5")
    batch = batch_create(actor=users["commission"], name="派驻组批次", year=2026, organiser=group,
                         formula=team_formula, targets=[depts["市教育局"]], rounds=1, first_start=date(2026, 5, 4),
                         days=5, gap_days=0, pool=list(staff.values()))
    return {"batch": batch, "station": make_station(batch, 1, depts["市教育局"]), "slots": slots_of(team_formula),
            "staff": staff, "depts": depts}


@pytest.fixture
def rounds_demo(db):
    """The demo organisation and both demo batches, as `make run` loads them."""
    with open("/dev/null", "w") as devnull:
        call_command("load_demo", stdout=devnull)
