"""Fixtures of the rectification tests. A module loads them with
`pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
"tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]`.

`rect_world`: the results world (station "A" = 水南湾村 led by users["leader"] with users["member"]; station "B" =
柯大兴村, users["other_team"]; users["target_liaison"] = liaison of 水南湾村, users["liaison"] = liaison of another
village) plus, built directly with the ORM (independent of the letter services):
  - station A's report approved (`rect_world.report`), station A in 已交办 (handed_off);
  - `rect_world.letter`: an ISSUED hand-off letter 大箕纪交〔2026〕1号 from 大箕铺镇 to 水南湾村 (no PDF file);
  - `rect_world.items`: its two rectification items (from rect_world.sheet and a second confirmed sheet), state
    open, deadlines 30 and 5 days from today;
  - `rect_world.other_letter`: an issued letter of station B to 柯大兴村 with one item (`rect_world.other_item`);
  - `rect_world.other_liaison`: the liaison of 柯大兴村 (so "the other village's liaison" exists).
`rect_make_item(letter, deadline, **fields)` adds an item (with its own confirmed sheet) to a letter."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from findings.models import Finding, FindingState, ReportState, StationReport
from rectification.models import HandoffLetter, LetterState, RectificationItem
from rounds.models import StationState, Theme
from supervision.roles import Role
from supervision.services.accounts import account_create

PASSWORD = "Pw-for-tests-1"
_numbers = count(1)


def _letter(world, station, recipient, number):
    StationReport.objects.update_or_create(station=station, defaults={
        "state": ReportState.APPROVED, "approved_at": timezone.now(), "overall": "总体较好。"})
    station.state = StationState.HANDED_OFF
    station.save(update_fields=["state"])
    organ = station.round.batch.organiser
    return HandoffLetter.objects.create(
        station=station, organ=organ, recipient=recipient, title=f"关于{recipient.name}巡回驻点监督发现问题的交办函",
        addressee=f"{recipient.name}党支部、村民委员会", basis="根据巡回驻点监督工作安排……",
        reply_due=timezone.localdate() + timedelta(days=30), contact_name="吴开生", contact_phone="0714-8721234",
        state=LetterState.ISSUED, number=f"大箕纪交〔2026〕{number}号", year=2026, sequence=number,
        issued_at=timezone.now(), issued_by=world.users["commission"], created_by=world.users["commission"])


def _sheet(world, station, title):
    n = next(_numbers)
    return Finding.objects.create(station=station, number=f"RECT-{station.pk}-{n}", sequence=100 + n, title=title,
                                  observed=f"{title}（测试）", category=Theme.THREE_ASSETS,
                                  found_on=timezone.localdate(), state=FindingState.CONFIRMED,
                                  responsible_unit=station.target)


@pytest.fixture
def rect_make_item():
    def make(letter, deadline, finding=None, **fields):
        finding = finding or _sheet(None, letter.station, fields.pop("title", "补充问题"))
        sequence = letter.items.count() + 1
        return RectificationItem.objects.create(
            letter=letter, finding=finding, sequence=sequence, problem=finding.title,
            requirement=fields.pop("requirement", "限期整改到位"), responsible=fields.pop("responsible", "村委会主任"),
            deadline=deadline, **fields)

    return make


@pytest.fixture
def rect_world(results_world, rect_make_item):
    world = results_world
    today = timezone.localdate()
    station_a, station_b = world.stations["A"], world.stations["B"]
    world.report = StationReport.objects.get_or_create(station=station_a)[0]
    world.letter = _letter(world, station_a, world.villages["水南湾村"], 1)
    second = _sheet(world, station_a, "白条入账1.2万元")
    world.items = [rect_make_item(world.letter, today + timedelta(days=30), finding=world.sheet),
                   rect_make_item(world.letter, today + timedelta(days=5), finding=second)]
    world.report.refresh_from_db()
    world.other_letter = _letter(world, station_b, station_b.target, 2)
    world.other_item = rect_make_item(world.other_letter, today + timedelta(days=15),
                                      finding=_sheet(world, station_b, "低保公示不到位"))
    world.other_liaison = account_create(actor=None, username="u_other_liaison", password=PASSWORD,
                                         roles=[Role.UNIT_LIAISON], person=None, liaison_unit=station_b.target)
    return world
