"""Demo batches: 大箕铺镇's 26 villages in 7 rounds ("1+2+N", planned and confirmed, round 1 stationed) and a
"2+5" batch of 第七纪检监察组 over its six departments, proposed and waiting for review."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from supervision.models import Person, PersonCategory

from .checklist_data import checklist_ensure
from .formulas import formulas_ensure
from .models import Batch, StationState, TeamFormula, Theme
from .services.planning import batch_confirm, batch_create, batch_plan
from .services.stations import notice_issue, station_transition, training_attendance_set, training_create

VILLAGE_BATCH = "2026年大箕铺镇村（社区）巡回驻点监督"
GROUP_BATCH = "2026年第七纪检监察组“2+5”巡回驻点监督"
SCOPE = "村“两委”干部违反“四议两公开”决策程序、侵占挪用集体资金资产资源、优亲厚友截留惠民惠农补贴、工程项目违规发包等问题"


def load_rounds_demo(units) -> None:
    formulas_ensure()
    checklist_ensure()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)  # round 1 started last Monday week: it is under way
    if not Batch.objects.filter(name=VILLAGE_BATCH).exists():
        _village_batch(units, monday)
    if not Batch.objects.filter(name=GROUP_BATCH).exists():
        _group_batch(units, monday + timedelta(days=28))
    from .services.questionnaires import demo_questionnaire_publish

    demo_questionnaire_publish()


def _village_batch(units, first_start) -> None:
    town = units["大箕铺镇"]
    batch = batch_create(
        actor=None, name=VILLAGE_BATCH, year=first_start.year, organiser=town,
        formula=TeamFormula.objects.get(code="1-2-n"), targets=town.children.all(), rounds=7,
        first_start=first_start, days=7, gap_days=2,
        focus_themes=[Theme.FOUR_TWO, Theme.THREE_ASSETS, Theme.SUBSIDIES, Theme.PROJECTS],
        complaint_phone="0714-8721234", complaint_mailbox="大箕铺镇纪委办公室（镇政府一楼）", complaint_scope=SCOPE)
    result = batch_plan(actor=None, batch=batch)
    if not result.ok:
        raise RuntimeError("demo plan failed: " + "; ".join(result.problems))
    batch_confirm(actor=None, batch=batch)
    members = Person.objects.filter(stations__station__round__batch=batch).distinct()
    session = training_create(actor=None, batch=batch, topic="“巡回驻点”监督业务培训：监督清单与问题底稿",
                              date=first_start - timedelta(days=3), place="大箕铺镇政府三楼会议室")
    training_attendance_set(actor=None, session=session, people=members)
    first = batch.rounds.get(number=1)
    for station in first.stations.all():
        station_transition(actor=_planner(), station=station, to=StationState.TRAINING)
        notice_issue(actor=None, station=station)
        for member in station.members.select_related("person__user"):
            member.declared_at = timezone.now()  # signed on paper at the training; demo accounts sign in the UI
            member.save(update_fields=["declared_at"])
        station_transition(actor=_planner(), station=station, to=StationState.STATIONED)
    for station in batch.rounds.get(number=2).stations.all():
        station_transition(actor=_planner(), station=station, to=StationState.TRAINING)


def _group_batch(units, first_start) -> None:
    group = units["第七纪检监察组"]
    covered = list(group.covered_units.order_by("name"))
    pool = Person.objects.filter(Q(home_unit=group, category=PersonCategory.DISCIPLINE_CADRE)
                                 | Q(home_unit__in=covered, category=PersonCategory.UNIT_STAFF))
    batch = batch_create(
        actor=None, name=GROUP_BATCH, year=first_start.year, organiser=group,
        formula=TeamFormula.objects.get(code="2-5"), targets=covered, rounds=len(covered),
        first_start=first_start, days=5, gap_days=2, pool=pool,
        focus_themes=[Theme.DEPT_PARTY, Theme.THREE_ONE, Theme.DEPT_RESPONSIBILITY, Theme.DEPT_INSPECTION],
        complaint_phone="0714-8725678", complaint_mailbox="市纪委监委第七纪检监察组", complaint_scope="")
    result = batch_plan(actor=None, batch=batch)
    if not result.ok:
        raise RuntimeError("demo plan failed: " + "; ".join(result.problems))


def _planner():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="commission")
