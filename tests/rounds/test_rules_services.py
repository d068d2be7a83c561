"""The recusal rules and the write services of rounds: member assignment and swaps, team checks, confirmation,
the station lifecycle, recusal declarations and gap-free notice numbers."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from guardian.shortcuts import get_perms

from rounds.models import BatchState, FormulaSlot, Station, StationMember, StationState, TeamFormula
from rounds.services.members import (
    member_assign,
    member_declare,
    member_exempt_training,
    member_remove,
    member_replace,
    team_problems,
)
from rounds.services.planning import batch_confirm, batch_create, batch_plan
from rounds.services.stations import (
    notice_issue,
    opening_problems,
    station_transition,
    training_attendance_set,
    training_create,
)
from rounds.states import TRANSITIONS
from supervision.models import AuditEvent, ConflictDeclaration, DocumentNumber, Unit, UnitKind
from supervision.services.numbering import document_number_next
from tests.factories import TownshipFactory

pytest_plugins = ["tests.rounds.fixtures_rounds"]
pytestmark = pytest.mark.usefixtures("zh_hans")


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.messages


def assign(world, key, name, label):
    return member_assign(actor=world.users["commission"], station=world.stations[key], person=world.people[name],
                         slot=world.slots[label])


def transitions(station) -> list[tuple[str, str]]:
    return [(e.changes["state"]["before"], e.changes["state"]["after"])
            for e in AuditEvent.objects.filter(action="station.transition", object_type="rounds.station",
                                               object_id=str(station.pk)).order_by("id")]


def one_slot_formula(code="solo") -> TeamFormula:
    """A formula of a single leader, enough for a second batch that books someone elsewhere."""
    team_formula = TeamFormula.objects.create(code=code, name="单人督导")
    FormulaSlot.objects.create(formula=team_formula, order=1, label="组长", categories=["discipline_cadre"], count=1,
                               is_leader=True)
    return team_formula


def other_batch(world, *, person, target, first_start, confirm=True):
    """A one-station batch of another organiser that puts `person` at `target` from `first_start` for 7 days."""
    team_formula = TeamFormula.objects.filter(code="solo").first() or one_slot_formula()
    organiser = TownshipFactory(name=f"邻镇{person.pk}")
    batch = batch_create(actor=world.users["commission"], name=f"另一批次{person.pk}", year=2026, organiser=organiser,
                         formula=team_formula, targets=[target], rounds=1, first_start=first_start, days=7,
                         gap_days=0, pool=[person])
    station = world.make_station(batch, 1, target)
    member_assign(actor=None, station=station, person=person, slot=team_formula.slots.get())
    if confirm:
        batch_confirm(actor=world.users["commission"], batch=batch)
    return batch, station


# --- assignment rules: one refusal per rule, naming the person and the rule -----------------------------------------


def test_the_fixture_teams_pass_every_rule(rounds_world):
    for station in rounds_world.stations.values():
        assert team_problems(station) == []
        assert station.members.count() == 5


def test_home_unit_is_refused(rounds_world):
    assert refusal(lambda: assign(rounds_world, "A", "王报账", "业务骨干")) == [
        "王报账的所在单位就是水南湾村，不能监督本单位（本单位回避）"]


def test_village_member_in_own_village_is_refused(rounds_world):
    assert refusal(lambda: assign(rounds_world, "A", "余秀英", "村纪检委员")) == [
        "余秀英是水南湾村的村纪检委员，不能在本村驻点（交叉驻点回避）"]
    assert not rounds_world.stations["A"].members.filter(person=rounds_world.people["余秀英"]).exists()


def test_declared_conflict_is_refused(rounds_world):
    ConflictDeclaration.objects.create(person=rounds_world.people["赵永红"], unit=rounds_world.villages["水南湾村"],
                                       reason="relative")
    assert refusal(lambda: assign(rounds_world, "A", "赵永红", "业务骨干")) == [
        "赵永红已申报回避水南湾村（近亲属在该单位任职）"]
    # The same person may go where they declared nothing.
    assign(rounds_world, "B", "赵永红", "业务骨干")


def test_overlapping_station_in_another_batch_is_refused(rounds_world):
    other_batch(rounds_world, person=rounds_world.people["袁国平"], target=rounds_world.villages["程家湾村"],
                first_start=date(2026, 3, 4))
    assert refusal(lambda: assign(rounds_world, "A", "袁国平", "组长")) == [
        "袁国平已安排在程家湾村驻点（2026-03-04至2026-03-10），时间重叠"]
    # Round 2 starts on 11 March, the day after: no overlap.
    assign(rounds_world, "B", "袁国平", "组长")


def test_overlap_within_the_batch_counts_too(rounds_world):
    """The batch's own proposals count: a third round overlapping round 2 may not take round 2's people."""
    third = rounds_world.batch.rounds.create(number=3, start_date=date(2026, 3, 15), end_date=date(2026, 3, 21))
    station = Station.objects.create(round=third, target=rounds_world.villages["程家湾村"])
    with pytest.raises(ValidationError) as caught:
        member_assign(actor=None, station=station, person=rounds_world.people["李卫东"],
                      slot=rounds_world.slots["组长"])
    assert caught.value.messages == ["李卫东已安排在柯大兴村驻点（2026-03-11至2026-03-17），时间重叠"]


def test_wrong_category_is_refused(rounds_world):
    assert refusal(lambda: assign(rounds_world, "A", "赵永红", "组长")) == [
        "赵永红是民政所人员，不能担任组长（需要纪检干部）"]
    assert refusal(lambda: assign(rounds_world, "B", "袁国平", "村纪检委员")) == [
        "袁国平是纪检干部，不能担任村纪检委员（需要村纪检委员）"]


def test_duplicate_in_team_is_refused(rounds_world):
    assert refusal(lambda: assign(rounds_world, "A", "柯国强", "业务骨干")) == ["柯国强已在本组"]


def test_every_broken_rule_is_listed(rounds_world):
    ConflictDeclaration.objects.create(person=rounds_world.people["王报账"], unit=rounds_world.villages["水南湾村"],
                                       reason="interest")
    assert refusal(lambda: assign(rounds_world, "A", "王报账", "组长")) == [
        "王报账是财经所人员，不能担任组长（需要纪检干部）",
        "王报账的所在单位就是水南湾村，不能监督本单位（本单位回避）",
        "王报账已申报回避水南湾村（存在利害关系）",
    ]


def test_inactive_person_is_refused(rounds_world):
    person = rounds_world.people["赵永红"]
    person.is_active = False
    person.save()
    assert refusal(lambda: assign(rounds_world, "A", "赵永红", "业务骨干")) == ["赵永红已不在册，不能安排"]


def test_slot_of_another_formula_is_refused(rounds_world):
    other_slot = TeamFormula.objects.get(code="2-5").slots.get(label="对口单位人员")
    with pytest.raises(ValidationError) as caught:
        member_assign(actor=None, station=rounds_world.stations["A"], person=rounds_world.people["赵永红"],
                      slot=other_slot)
    assert caught.value.messages == ["组内角色不属于本批次的组队模式"]


def test_one_per_unit_is_refused(group_world):
    station, slot, staff = group_world["station"], group_world["slots"]["对口单位人员"], group_world["staff"]
    member_assign(actor=None, station=station, person=staff["马晓明"], slot=slot)
    member_assign(actor=None, station=station, person=staff["胡明亮"], slot=slot)
    with pytest.raises(ValidationError) as caught:
        member_assign(actor=None, station=station, person=staff["朱桂芳"], slot=slot)
    assert caught.value.messages == ["朱桂芳与组内另一名对口单位人员来自同一单位（市民政局）"]
    with pytest.raises(ValidationError) as caught:
        member_assign(actor=None, station=station, person=staff["高新民"], slot=slot)
    assert caught.value.messages == ["高新民的所在单位就是市教育局，不能监督本单位（本单位回避）"]


def test_team_problems_say_which_one_per_unit_slot_repeats_a_unit(group_world):
    station, slot, staff = group_world["station"], group_world["slots"]["对口单位人员"], group_world["staff"]
    # Rows written past the service (as an old import could): the team check still names the slot and the unit.
    StationMember.objects.create(station=station, person=staff["马晓明"], slot=slot)
    StationMember.objects.create(station=station, person=staff["朱桂芳"], slot=slot)
    assert team_problems(station) == [
        "组长缺少1人（需要1名纪检干部）",
        "纪检监察干部缺少1人（需要1名纪检干部）",
        "对口单位人员缺少3人（需要5名单位工作人员）",
        "对口单位人员须来自不同单位：市民政局有2人",
    ]


def test_replace_uses_the_same_rules_and_keeps_the_member_on_refusal(rounds_world):
    member = rounds_world.stations["A"].members.get(person=rounds_world.people["杜金华"])
    with pytest.raises(ValidationError) as caught:
        member_replace(actor=None, member=member, person=rounds_world.people["余秀英"])
    assert caught.value.messages == ["余秀英是水南湾村的村纪检委员，不能在本村驻点（交叉驻点回避）"]
    with pytest.raises(ValidationError) as caught:
        member_replace(actor=None, member=member, person=rounds_world.people["叶翠萍"])
    assert caught.value.messages == ["叶翠萍已在本组"]
    member.refresh_from_db()
    assert member.person == rounds_world.people["杜金华"]
    member_replace(actor=rounds_world.users["commission"], member=member, person=rounds_world.people["柯桂芳"])
    member.refresh_from_db()
    assert member.person == rounds_world.people["柯桂芳"]
    event = AuditEvent.objects.get(action="station.member_swap")
    assert event.changes == {"村纪检委员": {"before": "杜金华", "after": "柯桂芳"}}


def test_replace_moves_the_object_permissions(confirmed_world):
    station = confirmed_world.stations["A"]
    member = station.members.get(person=confirmed_world.people["柯国强"])
    member_replace(actor=None, member=member, person=confirmed_world.people["赵永红"])
    assert get_perms(confirmed_world.users["member"], station) == []
    assert set(get_perms(confirmed_world.users["leader"], station)) == {"view_station", "lead_station"}


def test_no_changes_once_stationed(confirmed_world):
    station = confirmed_world.stations["A"]
    Station.objects.filter(pk=station.pk).update(state=StationState.STATIONED)
    station.refresh_from_db()
    assert refusal(lambda: member_assign(actor=None, station=station, person=confirmed_world.people["赵永红"],
                                         slot=confirmed_world.slots["业务骨干"])) == ["驻点处于“驻点中”阶段，不能再调整成员"]


# --- team checks and confirmation -------------------------------------------------------------------------------


def test_team_problems_name_the_slot_short_or_over(rounds_world):
    station = rounds_world.stations["A"]
    member_remove(actor=None, member=station.members.get(person=rounds_world.people["蒋海燕"]))
    assert team_problems(station) == ["业务骨干缺少1人（需要2名财经所人员/民政所人员）"]
    assign(rounds_world, "A", "蒋海燕", "业务骨干")
    assign(rounds_world, "A", "赵永红", "业务骨干")
    assert team_problems(station) == ["业务骨干超出1人（应为2人）"]
    for name in ("杜金华", "叶翠萍"):
        member_remove(actor=None, member=station.members.get(person=rounds_world.people[name]))
    assert team_problems(station) == ["业务骨干超出1人（应为2人）", "村纪检委员至少需要1人（村纪检委员），现有0人"]
    # N is a minimum: a third village member is not "over".
    for name in ("杜金华", "叶翠萍", "柯桂芳"):
        assign(rounds_world, "A", name, "村纪检委员")
    assert team_problems(station) == ["业务骨干超出1人（应为2人）"]


def test_confirm_refuses_with_every_problem_and_changes_nothing(rounds_world):
    world = rounds_world
    member_remove(actor=None, member=world.stations["A"].members.get(person=world.people["蒋海燕"]))
    # A village member slipped into their own village past the service (e.g. an old row): confirmation catches it.
    StationMember.objects.filter(station=world.stations["B"], person=world.people["程晓明"]).update(
        person=world.people["杜金华"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        batch_confirm(actor=world.users["commission"], batch=world.batch)
    assert caught.value.messages == [
        "第1轮·水南湾村：业务骨干缺少1人（需要2名财经所人员/民政所人员）",
        "第2轮·柯大兴村：杜金华是柯大兴村的村纪检委员，不能在本村驻点（交叉驻点回避）",
    ]
    world.refresh()
    assert world.batch.state == BatchState.DRAFT
    assert {s.state for s in world.stations.values()} == {StationState.PROPOSED}
    assert AuditEvent.objects.count() == events
    for role in ("leader", "member"):
        assert get_perms(world.users[role], world.stations["A"]) == []


def test_confirm_without_stations_is_refused(rounds_world):
    village = Unit.objects.create(name="孤村", kind=UnitKind.VILLAGE, parent=rounds_world.town)
    batch = batch_create(actor=None, name="空批次", year=2026, organiser=rounds_world.town,
                         formula=rounds_world.formula, targets=[village], rounds=1, first_start=date(2026, 4, 6))
    with pytest.raises(ValidationError) as caught:
        batch_confirm(actor=rounds_world.users["commission"], batch=batch)
    assert caught.value.messages == ["还没有驻点方案，请先生成方案"]
    station = rounds_world.make_station(batch, 1, rounds_world.villages["程家湾村"])
    StationMember.objects.create(station=station, person=rounds_world.people["袁国平"],
                                 slot=rounds_world.slots["组长"])
    with pytest.raises(ValidationError) as caught:
        batch_confirm(actor=rounds_world.users["commission"], batch=batch)
    assert caught.value.messages == [
        "孤村没有安排驻点",
        "第1轮·程家湾村：业务骨干缺少2人（需要2名财经所人员/民政所人员）",
        "第1轮·程家湾村：村纪检委员至少需要1人（村纪检委员），现有0人",
    ]


def test_confirm_plans_the_stations_grants_permissions_and_audits(rounds_world):
    world = rounds_world
    batch_confirm(actor=world.users["commission"], batch=world.batch)
    world.refresh()
    assert world.batch.state == BatchState.CONFIRMED
    assert {s.state for s in world.stations.values()} == {StationState.PLANNED}
    a, b = world.stations["A"], world.stations["B"]
    assert set(get_perms(world.users["leader"], a)) == {"view_station", "lead_station"}
    assert set(get_perms(world.users["member"], a)) == {"view_station"}
    assert get_perms(world.users["leader"], b) == [] and get_perms(world.users["member"], b) == []
    assert world.users["leader"].has_perm("rounds.lead_station", a)
    assert not world.users["member"].has_perm("rounds.lead_station", a)
    for station in (a, b):
        assert transitions(station) == [("方案待确认", "已排定")]
    assert AuditEvent.objects.filter(action="batch.confirm", object_id=str(world.batch.pk)).count() == 1
    # A confirmed batch is neither replanned nor confirmed again.
    assert refusal(lambda: batch_plan(actor=None, batch=world.batch)) == ["批次已确定，不能重新编排"]
    assert refusal(lambda: batch_confirm(actor=None, batch=world.batch)) == ["批次已确定，不能重新编排"]


def test_a_proposal_of_another_batch_does_not_block_confirmation(rounds_world):
    """Proposals are tentative: the planner ignores other batches' proposals, and so does confirmation. The
    first batch confirmed wins; the other is then refused, naming the overlap."""
    world = rounds_world
    other, _station = other_batch(world, person=world.people["但建华"], target=world.villages["程家湾村"],
                                  first_start=date(2026, 3, 4), confirm=False)
    batch_confirm(actor=world.users["commission"], batch=world.batch)
    with pytest.raises(ValidationError) as caught:
        batch_confirm(actor=world.users["commission"], batch=other)
    assert caught.value.messages == ["第1轮·程家湾村：但建华已安排在水南湾村驻点（2026-03-02至2026-03-08），时间重叠"]


# --- the station lifecycle --------------------------------------------------------------------------------------


def test_transition_table_is_the_lifecycle():
    order = [StationState.PROPOSED, StationState.PLANNED, StationState.TRAINING, StationState.STATIONED,
             StationState.REPORTING, StationState.HANDED_OFF, StationState.FOLLOWING_UP, StationState.CLOSED]
    assert list(TRANSITIONS) == list(zip(order, order[1:], strict=False))


def _prepare_entry(world, station):
    """Every member declared, two trained, the rest exempted by the leader."""
    for member in station.members.select_related("person__user"):
        if member.person.user_id:
            member_declare(actor=member.person.user, member=member)
        else:
            StationMember.objects.filter(pk=member.pk).update(declared_at="2026-03-01T09:00:00+08:00")
    session = training_create(actor=world.users["commission"], batch=world.batch, topic="巡前培训",
                              date=date(2026, 2, 27))
    training_attendance_set(actor=world.users["commission"], session=session,
                            people=[world.people["但建华"], world.people["柯国强"]])
    for name in ("蒋海燕", "杜金华", "叶翠萍"):
        member_exempt_training(actor=world.users["leader"], member=station.members.get(person=world.people[name]),
                               reason="已参加上一批次培训")


def test_lifecycle_who_may_move_each_step(confirmed_world):
    world = confirmed_world
    station = world.stations["A"]
    users = world.users
    for role in ("member", "outsider", "liaison", "case_office"):
        assert refusal(lambda role=role: station_transition(actor=users[role], station=station,
                                                            to=StationState.TRAINING)) == ["您无权执行“开始巡前培训”"]
    # The leader of another station may not move this one.
    assert refusal(lambda: station_transition(actor=users["leader"], station=world.stations["B"],
                                              to=StationState.TRAINING)) == ["您无权执行“开始巡前培训”"]
    station = station_transition(actor=users["leader"], station=station, to=StationState.TRAINING)
    assert station.state == StationState.TRAINING
    _prepare_entry(world, station)
    station = station_transition(actor=users["leader"], station=station, to=StationState.STATIONED)
    assert station.opened_at is not None
    station = station_transition(actor=users["leader"], station=station, to=StationState.REPORTING)
    # Handing off, following up and closing belong to the commission.
    for to, label in [(StationState.HANDED_OFF, "清单交办"), (StationState.FOLLOWING_UP, "跟踪督办"),
                      (StationState.CLOSED, "销号")]:
        assert refusal(lambda to=to, station=station: station_transition(actor=users["leader"], station=station,
                                                                         to=to)) == [
            f"您无权执行“{label}”"]
        station = station_transition(actor=users["commission"], station=station, to=to)
    assert station.state == StationState.CLOSED
    assert transitions(station) == [
        ("方案待确认", "已排定"), ("已排定", "巡前培训"), ("巡前培训", "驻点中"), ("驻点中", "形成报告"),
        ("形成报告", "已交办"), ("已交办", "跟踪督办"), ("跟踪督办", "已销号")]
    actors = list(AuditEvent.objects.filter(action="station.transition", object_id=str(station.pk))
                  .order_by("id").values_list("actor__username", flat=True))
    assert actors == [users["commission"].username] + [users["leader"].username] * 3 + [
        users["commission"].username] * 3


def test_illegal_moves_are_refused(rounds_world):
    world = rounds_world
    station = world.stations["A"]
    assert refusal(lambda: station_transition(actor=world.users["commission"], station=station,
                                              to=StationState.PLANNED)) == ["不能从“方案待确认”变为“已排定”"]
    batch_confirm(actor=world.users["commission"], batch=world.batch)
    events = AuditEvent.objects.count()
    for to, message in [(StationState.STATIONED, "不能从“已排定”变为“驻点中”"),
                        (StationState.CLOSED, "不能从“已排定”变为“已销号”"),
                        (StationState.PROPOSED, "不能从“已排定”变为“方案待确认”"),
                        (StationState.PLANNED, "不能从“已排定”变为“已排定”")]:
        assert refusal(lambda to=to: station_transition(actor=world.users["commission"], station=station,
                                                        to=to)) == [message]
    station.refresh_from_db()
    assert station.state == StationState.PLANNED
    assert AuditEvent.objects.count() == events


def test_entering_waits_for_declarations_and_training(confirmed_world):
    world = confirmed_world
    station = station_transition(actor=world.users["commission"], station=world.stations["A"],
                                 to=StationState.TRAINING)
    names = ["但建华", "柯国强", "蒋海燕", "杜金华", "叶翠萍"]
    expected = [message for name in names for message in (f"{name}尚未签署回避承诺", f"{name}未参加巡前培训，也未登记免训")]
    assert sorted(opening_problems(station)) == sorted(expected)
    assert sorted(refusal(lambda: station_transition(actor=world.users["leader"], station=station,
                                                     to=StationState.STATIONED))) == sorted(expected)
    _prepare_entry(world, station)
    # One member's declaration missing is enough to keep the team out.
    StationMember.objects.filter(station=station, person=world.people["叶翠萍"]).update(declared_at=None)
    assert refusal(lambda: station_transition(actor=world.users["leader"], station=station,
                                              to=StationState.STATIONED)) == ["叶翠萍尚未签署回避承诺"]
    StationMember.objects.filter(station=station, person=world.people["叶翠萍"]).update(
        declared_at="2026-03-01T09:00:00+08:00")
    station.refresh_from_db()
    assert station.state == StationState.TRAINING and station.opened_at is None
    station = station_transition(actor=world.users["leader"], station=station, to=StationState.STATIONED)
    assert station.state == StationState.STATIONED and station.opened_at is not None
    assert transitions(station)[-1] == ("巡前培训", "驻点中")


def test_training_exemption_only_by_leader_or_commission(confirmed_world):
    world = confirmed_world
    member = world.stations["A"].members.get(person=world.people["蒋海燕"])
    assert refusal(lambda: member_exempt_training(actor=world.users["member"], member=member, reason="病假")) == [
        "只有组长或委机关可以登记免训"]
    assert refusal(lambda: member_exempt_training(actor=world.users["leader"], member=member, reason="  ")) == [
        "请填写免训理由"]
    member_exempt_training(actor=world.users["leader"], member=member, reason="病假")
    member.refresh_from_db()
    assert member.training_exempt_reason == "病假" and member.training_exempted_by == world.users["leader"]


def test_declaration_only_by_the_member_themselves(confirmed_world):
    world = confirmed_world
    station = world.stations["A"]
    own = station.members.get(person=world.people["柯国强"])
    for role in ("leader", "commission", "admin", "outsider"):
        assert refusal(lambda role=role: member_declare(actor=world.users[role], member=own)) == [
            "回避承诺只能由本人签署"]
    without_login = station.members.get(person=world.people["蒋海燕"])
    assert refusal(lambda: member_declare(actor=world.users["commission"], member=without_login)) == [
        "回避承诺只能由本人签署"]
    own.refresh_from_db()
    assert own.declared_at is None
    member_declare(actor=world.users["member"], member=own)
    own.refresh_from_db()
    declared = own.declared_at
    assert declared is not None
    event = AuditEvent.objects.get(action="station.member_declare")
    assert event.actor == world.users["member"] and "柯国强：本人承诺" in event.changes["declaration"]["after"]
    member_declare(actor=world.users["member"], member=own)  # signing twice keeps the first time
    own.refresh_from_db()
    assert own.declared_at == declared
    assert AuditEvent.objects.filter(action="station.member_declare").count() == 1


# --- notice numbers ---------------------------------------------------------------------------------------------


def test_notice_numbers_are_gap_free_and_stable(rounds_world):
    world = rounds_world
    a, b = world.stations["A"], world.stations["B"]
    assert refusal(lambda: notice_issue(actor=None, station=a)) == ["方案确认后才能发布监督检查公告"]
    batch_confirm(actor=world.users["commission"], batch=world.batch)
    assert notice_issue(actor=world.users["commission"], station=a).notice_number == "大箕纪告〔2026〕1号"
    assert notice_issue(actor=world.users["commission"], station=b).notice_number == "大箕纪告〔2026〕2号"
    again = notice_issue(actor=world.users["commission"], station=a)
    assert again.notice_number == "大箕纪告〔2026〕1号" and again.notice_issued_at is not None
    assert DocumentNumber.objects.get(organ=world.town, kind="notice", year=2026).last == 2
    assert AuditEvent.objects.filter(action="station.notice_issue").count() == 2


def test_document_sequences_per_organ_kind_and_year(db):
    town = TownshipFactory(name="大箕铺镇", doc_prefix="大箕纪")
    other = TownshipFactory(name="金牛镇", doc_prefix="")

    def take(organ, kind, year):
        with transaction.atomic():
            return document_number_next(organ=organ, kind=kind, year=year)[1]

    assert [take(town, "notice", 2026) for _ in range(3)] == [f"大箕纪告〔2026〕{n}号" for n in (1, 2, 3)]
    assert take(town, "handoff", 2026) == "大箕纪交〔2026〕1号"
    assert take(town, "notice", 2027) == "大箕纪告〔2027〕1号"
    assert take(other, "notice", 2026) == "金牛告〔2026〕1号"
    # A number taken in a transaction that rolls back is given back: no gap.
    with pytest.raises(RuntimeError, match="letter failed"), transaction.atomic():
        assert document_number_next(organ=town, kind="notice", year=2026)[1] == "大箕纪告〔2026〕4号"
        raise RuntimeError("letter failed")
    assert take(town, "notice", 2026) == "大箕纪告〔2026〕4号"


ISSUERS = 50


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "char"), [("notice", "告"), ("recommendation", "建"), ("lead_transfer", "移")])
def test_concurrent_document_numbers_are_distinct_and_gap_free(kind, char):
    """50 issuers of one document kind at once. On PostgreSQL in threads, each with its own connection and
    transaction; on SQLite (one writer at a time, and the in-memory test database is per connection) the same 50
    calls in a row."""
    organ = TownshipFactory(name="大箕铺镇", doc_prefix="大箕纪")
    results, errors = [], []

    def issue():
        try:
            with transaction.atomic():
                results.append(document_number_next(organ=organ, kind=kind, year=2026))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(ISSUERS)

        def worker():
            try:
                barrier.wait(timeout=30)
                issue()
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(ISSUERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
    else:
        for _ in range(ISSUERS):
            issue()
    assert errors == []
    assert sorted(n for n, _text in results) == list(range(1, ISSUERS + 1))
    assert {text for _n, text in results} == {f"大箕纪{char}〔2026〕{n}号" for n in range(1, ISSUERS + 1)}
    assert DocumentNumber.objects.get(organ=organ, kind=kind, year=2026).last == ISSUERS
    # Outside a transaction a number could be lost on a later failure: refused.
    with pytest.raises(RuntimeError, match="inside the document's transaction"):
        document_number_next(organ=organ, kind=kind, year=2026)


def test_an_unknown_target_state_is_refused_with_a_message(confirmed_world):
    station = confirmed_world.stations["A"]
    with pytest.raises(ValidationError) as refused:
        station_transition(actor=confirmed_world.users["commission"], station=station, to="teleported")
    assert refused.value.messages == ["未知的驻点状态：teleported"]
    station.refresh_from_db()
    assert station.state == StationState.PLANNED
