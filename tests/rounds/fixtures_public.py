"""Stations for the notice and public-page tests, built directly (the planner has its own tests):

- `stationed`: round 1 at 金牛镇/袁铺村 (the liaison's own village), under way, its notice issued
  (金牛纪告〔2026〕1号); led by users["leader"], with users["member"];
- `planned`: round 2 at 金牛镇/新华村, confirmed, no notice yet; led by users["leader"], with `other_member`;
- `proposed`: in a second batch still being planned, at 金牛镇/胡家湾村, with users["member"] (given the view
  permission anyway, to show that a proposal stays invisible).

Team members hold object permissions as batch confirmation grants them: view_station, and lead_station for
the leader."""

from dataclasses import dataclass
from datetime import date

import pytest
from guardian.shortcuts import assign_perm

from rounds.models import Batch, BatchState, Round, Station, StationMember, StationState, TeamFormula, Theme
from rounds.services.stations import notice_issue
from supervision.roles import Role
from supervision.services.accounts import account_create
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, VillageFactory

ORGAN = "中共金牛镇纪律检查委员会"
SCOPE = "村“两委”干部违反“四议两公开”决策程序、侵占挪用集体资金资产资源、优亲厚友截留惠民惠农补贴等问题"
PHONE = "0714-8721234"
MAILBOX = "金牛镇纪委办公室（镇政府一楼）"


@dataclass
class Stations:
    batch: Batch
    stationed: Station
    planned: Station
    proposed: Station
    other_member: object  # a team member's user account, on `planned` only


def _team(station, leader, members, slots):
    leader_slot, member_slot = slots
    people = [(leader, leader_slot)] + [(user, member_slot) for user in members]
    for user, slot in people:
        StationMember.objects.create(station=station, person=user.person, slot=slot)
        assign_perm("rounds.view_station", user, station)
        if slot.is_leader:
            assign_perm("rounds.lead_station", user, station)


@pytest.fixture
def public_stations(users, org) -> Stations:
    town = org["town"]
    town.organ_name, town.doc_prefix = ORGAN, "金牛纪"
    town.save()
    formula = TeamFormula.objects.get(code="1-2-n")
    slots = (formula.slots.get(is_leader=True), formula.slots.filter(is_leader=False).order_by("order").first())
    batch = Batch.objects.create(
        year=2026, name="2026年金牛镇村级巡回驻点监督", organiser=town, formula=formula, state=BatchState.CONFIRMED,
        focus_themes=[Theme.FOUR_TWO, Theme.THREE_ASSETS, Theme.SUBSIDIES],
        complaint_phone=PHONE, complaint_mailbox=MAILBOX, complaint_scope=SCOPE)
    first = Round.objects.create(batch=batch, number=1, start_date=date(2026, 11, 16), end_date=date(2026, 11, 22))
    second = Round.objects.create(batch=batch, number=2, start_date=date(2026, 11, 25), end_date=date(2026, 12, 1))
    other_member = account_create(actor=None, username="u_member2", password=PASSWORD, roles=[Role.TEAM_MEMBER],
                                  person=PersonFactory(name="另组组员", home_unit=town))

    stationed = Station.objects.create(round=first, target=org["village"], state=StationState.PLANNED)
    _team(stationed, users["leader"], [users["member"]], slots)
    stationed = notice_issue(actor=users["commission"], station=stationed)
    Station.objects.filter(pk=stationed.pk).update(state=StationState.STATIONED)
    stationed.refresh_from_db()

    planned = Station.objects.create(round=second, target=org["other_village"], state=StationState.PLANNED)
    _team(planned, users["leader"], [other_member], slots)

    draft = Batch.objects.create(year=2026, name="2026年金牛镇第二批", organiser=town, formula=formula,
                                 complaint_phone=PHONE, complaint_scope=SCOPE)
    draft_round = Round.objects.create(batch=draft, number=1, start_date=date(2026, 12, 7),
                                       end_date=date(2026, 12, 13))
    proposed = Station.objects.create(round=draft_round, target=VillageFactory(name="胡家湾村", parent=town),
                                      state=StationState.PROPOSED)
    _team(proposed, users["leader"], [users["member"]], slots)
    return Stations(batch=batch, stationed=stationed, planned=planned, proposed=proposed, other_member=other_member)
