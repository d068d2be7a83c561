"""The world of the permission matrix. A module loads it with
`pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
"tests.findings.fixtures_results", "tests.rectification.fixtures_rectification", "tests.security.fixtures_matrix"]`.

`matrix_world` is built once per test, on top of `rect_world` (大箕铺镇, batch of two rounds), through the services
wherever the other fixtures do. It holds an "own" and an "other" object of every kind a route takes. "Own" is
within reach of the scoped roles: the team leader (users["leader"], 但建华) and member (users["member"], 柯国强) are on
its station's team, and the liaison (users["target_liaison"]) answers for its unit (水南湾村); "other" is outside
that reach (another team's station, another village). The stations:

    A  round 1  水南湾村  own team    handed off: its report approved, its hand-off letter issued, with items (rect_world)
    B  round 2  柯大兴村  other team  the same (rect_world; its team logs in as users["other_team"], 陈立新)
    C  round 2  程家湾村  own team    stationed: the own work station (sheets, evidence, leads, checks, records, ...)
    D  round 1  五金村    other team  stationed: the other work station
    E  round 3  大箕铺村  own team    report approved, hand-off letter still a draft
    F  round 3  程家湾村  other team  the same

`matrix_world.kwargs(key, side, role)` gives the URL kwargs of object `key` ("station", "lead_draft", ...) for
side "own" or "other"; `matrix_world.users[role]` the user acting as a role of the matrix (None: anonymous).
Issued documents keep a stand-in PDF (`FAKE_PDF`): the matrix checks who may fetch them, not how they look."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from findings.models import DispositionForm, LeadDisposal, ReportState, StationReport
from findings.services.campaigns import campaign_open
from findings.services.dispositions import disposition_create
from findings.services.findings import finding_confirm, finding_evidence_add
from findings.services.leads import lead_create, lead_dispose, lead_transfer
from findings.services.recommendations import recommendation_create, recommendation_issue
from findings.services.report import report_get_or_create
from rectification.models import LetterRun
from rectification.services.items import item_plan_save, item_progress_report
from rectification.services.letters import letter_draft
from rounds.models import ChecklistVersion, ComplaintKind, FieldMethod, Round, Station, StationState, Theme
from rounds.services.fieldwork import field_record_create
from rounds.services.members import member_assign
from rounds.services.planning import batch_create
from rounds.services.questionnaires import questionnaire_create, station_questionnaire_publish
from rounds.services.stations import complaint_submit, notice_issue, training_create
from supervision.models import AuditEvent, ConflictReason
from supervision.roles import Role
from supervision.services.notifications import notification_create
from supervision.services.organisation import conflict_declare

from .actors import ANONYMOUS, ROLE_USERS

FAKE_PDF = b"%PDF-1.4\n% permission matrix stand-in\n%%EOF\n"
ROUND3 = (date(2026, 3, 20), date(2026, 3, 26))


@dataclass
class MatrixWorld:
    users: dict  # matrix role -> user (None for anonymous)
    objects: dict = field(default_factory=dict)  # key -> {"own": kwargs or role -> kwargs, "other": ...}
    stations: dict = field(default_factory=dict)

    def put(self, key: str, own, other=None) -> None:
        """An object's URL kwargs, own and other (a dict, or a function of the role giving it). Without an other
        (the admin's rows, a year), the object is checked once, as "own"."""
        self.objects[key] = {"own": own, "other": other}

    def sides(self, key: str | None) -> tuple[str, ...]:
        if key is None or self.objects[key]["other"] is None:
            return ("own",)
        return ("own", "other")

    def kwargs(self, key: str, side: str, role: str) -> dict:
        value = self.objects[key][side]
        return dict(value(role) if callable(value) else value)


@pytest.fixture
def matrix_stand_in_pdf(monkeypatch):
    """Every PDF the services and pages render is a stand-in: rendering is not what the matrix checks."""
    for target in ("rounds.views.notice.render_pdf", "findings.views.report.render_pdf",
                   "findings.services.leads.render_pdf", "findings.services.recommendations.render_pdf",
                   "rectification.services.letters.render_pdf"):
        monkeypatch.setattr(target, lambda template, context: FAKE_PDF)


def _station(world, number: int, target, team: list[tuple[str, str]]) -> Station:
    """A station added to the confirmed batch, its team assigned through the service (which grants the members
    their object permissions, the station being past the proposal)."""
    station = Station.objects.create(round=world.batch.rounds.get(number=number), target=target,
                                     state=StationState.PLANNED)
    for slot, name in team:
        member_assign(actor=world.users["commission"], station=station, person=world.people[name],
                      slot=world.slots[slot])
    return station


def _stations(world) -> dict:
    v = world.villages
    Round.objects.create(batch=world.batch, number=3, start_date=ROUND3[0], end_date=ROUND3[1])
    own, other = [("组长", "但建华"), ("业务骨干", "柯国强")], [("组长", "李卫东"), ("业务骨干", "陈立新")]
    stations = {"A": world.stations["A"], "B": world.stations["B"],
                "C": _station(world, 2, v["程家湾村"], own), "D": _station(world, 1, v["五金村"], other),
                "E": _station(world, 3, v["大箕铺村"], own), "F": _station(world, 3, v["程家湾村"], other)}
    Station.objects.filter(pk__in=[stations["C"].pk, stations["D"].pk]).update(state=StationState.STATIONED)
    Station.objects.filter(pk__in=[stations["E"].pk, stations["F"].pk]).update(state=StationState.REPORTING)
    for key in stations:
        stations[key] = Station.objects.select_related("round__batch", "target").get(pk=stations[key].pk)
    return stations


def _work(world, station, writer, leader, evidence_bytes, findings_make, findings_check) -> dict:
    """A stationed station's records, written by its own team (or a planner where the team has no login)."""
    users = world.users
    sheet = findings_make(station=station, actor=writer, responsible_unit=station.target)
    evidence = finding_evidence_add(actor=writer, finding=sheet, description="照片",
                                    upload=SimpleUploadedFile("现场.png", evidence_bytes["png"], "image/png"))
    sheet = finding_confirm(actor=leader, finding=sheet)
    values = {"subject_name": "刘某某", "subject_post": "村出纳", "summary": "截留土地流转款", "evidence": [evidence]}
    draft_lead = lead_create(actor=leader, finding=sheet, **values)
    sent_lead = lead_transfer(actor=leader, lead=lead_create(actor=leader, finding=sheet, **values))
    sent_lead = lead_dispose(actor=users["case_office"], lead=sent_lead, disposal=LeadDisposal.VERIFY, note="")
    person = {"person_name": "刘某某", "person_post": "村出纳", "person_unit": station.target,
              "person_kind": "village_manager", "party_member": True, "form": DispositionForm.FIRST,
              "measure": "谈话提醒", "party_sanction": "", "gov_sanction": "", "decided_on": timezone.localdate(),
              "decided_by": "中共大箕铺镇纪律检查委员会"}
    record = field_record_create(actor=writer, station=station, method=FieldMethod.HOUSEHOLD_VISIT,
                                 date=station.round.start_date, place="三组", subject="村民王某某家",
                                 content="了解补贴发放情况")
    notice_issue(actor=users["commission"], station=station)
    complaint = complaint_submit(station=station, kind=ComplaintKind.COMPLAINT, content="反映低保评定不公开的问题",
                                 source=f"10.0.0.{station.pk % 250}")
    report = report_get_or_create(station, actor=leader)
    return {
        "report": report, "finding": sheet, "evidence": evidence, "lead_draft": draft_lead, "lead_sent": sent_lead,
        "disposition": disposition_create(actor=users["commission"], finding=sheet, **person),
        "disposition_of_lead": disposition_create(actor=users["case_office"], lead=sent_lead, **person),
        "member": station.members.get(person__user=writer),
        "check": findings_check(station=station), "record": record, "complaint": complaint,
    }


def _approve_and_draft(world, station):
    StationReport.objects.update_or_create(station=station, defaults={
        "state": ReportState.APPROVED, "approved_at": timezone.now(), "overall": "总体较好。"})
    return letter_draft(actor=world.users["commission"], station=station, contact_name="吴开生",
                        contact_phone="0714-8721234")


def _recommendation(world, station, *, issue: bool):
    today = timezone.localdate()
    recommendation = recommendation_create(
        actor=world.users["commission"], organ=world.town, recipient=station.target, station=station,
        title="关于规范村集体资金管理的建议", facts="集体资金存入个人账户。", causes="财务制度执行不严。",
        items="收回入账\n建立公开制度", reply_due=today + timedelta(days=30))
    return recommendation_issue(actor=world.users["commission"], recommendation=recommendation) if issue \
        else recommendation


def _item_evidence(liaison, item, evidence_bytes):
    item_plan_save(actor=liaison, item=item, target="资金全部入账", measures="追回并入账",
                   responsible_leader="村支书", responsible_department="村委会")
    event = item_progress_report(actor=liaison, item=item, text="已收回8万元", files=[
        SimpleUploadedFile("收款凭证.png", evidence_bytes["png"], content_type="image/png")])
    return event.evidence.get()


def _admin_objects(world) -> dict:
    """One row of every model the admin lists, for its change, history and delete pages."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from rest_framework.authtoken.admin import TokenProxy
    from rest_framework.authtoken.models import Token

    from rounds.models import TeamFormula

    now = timezone.now()
    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.filter(interval__isnull=False).first() or PeriodicTask.objects.create(
        name="matrix-task", task="matrix.task", interval=interval)
    attempt = {"ip_address": "10.0.0.9", "user_agent": "matrix", "username": "nobody"}
    return {
        "auth_group": Group.objects.get(name=Role.ADMIN),
        "auth_user": world.users["outsider"],
        # (the admin finds a token by its user's id)
        "authtoken_tokenproxy": TokenProxy.objects.get(key=Token.objects.create(user=world.users["outsider"]).key),
        "django_celery_beat_periodictask": task,
        "django_celery_beat_clockedschedule": ClockedSchedule.objects.create(clocked_time=now),
        "django_celery_beat_crontabschedule": CrontabSchedule.objects.create(minute="0", hour="8"),
        "django_celery_beat_solarschedule": SolarSchedule.objects.create(event="sunrise", latitude=30, longitude=115),
        "django_celery_beat_intervalschedule": interval,
        "axes_accessattempt": AccessAttempt.objects.create(failures_since_start=1, **attempt),
        "axes_accesslog": AccessLog.objects.create(**attempt),
        "axes_accessfailurelog": AccessFailureLog.objects.create(locked_out=False, **attempt),
        "supervision_unit": world.villages["水南湾村"],
        "supervision_person": world.people["柯国强"],
        "supervision_auditevent": AuditEvent.objects.order_by("pk").first(),
        "rounds_teamformula": TeamFormula.objects.order_by("pk").first(),
        "rounds_checklistversion": ChecklistVersion.objects.filter(published_at__isnull=False).order_by("pk").first(),
    }


def _pk(own_obj, other_obj) -> tuple[dict, dict]:
    return {"pk": own_obj.pk}, {"pk": other_obj.pk}


def _put_organisation(m: MatrixWorld, world) -> None:
    users = world.users
    m.put("unit", *_pk(world.villages["水南湾村"], world.villages["柯大兴村"]))
    m.put("person", *_pk(world.people["柯国强"], world.people["陈立新"]))
    m.put("conflict", *_pk(*[
        conflict_declare(actor=users["commission"], person=world.people[name], unit=world.villages[unit],
                         reason=ConflictReason.RELATIVE) for name, unit in (("柯国强", "五金村"), ("陈立新", "水南湾村"))]))
    m.put("import_kind", {"kind": "people"}, {"kind": "units"})
    m.put("year", {"year": timezone.localdate().year})
    # One's own notice, and someone else's (the anonymous visitor has none: theirs is someone else's).
    notices = {role: notification_create(user=user, key="matrix", title="测试通知", url="/")[0]
               for role, user in m.users.items() if user is not None}
    someone_else = notification_create(user=users["liaison"], key="matrix", title="别人的通知")[0]
    m.put("notification", lambda role: {"pk": notices.get(role, someone_else).pk}, {"pk": someone_else.pk})


def _put_rounds(m: MatrixWorld, world, stations: dict, own: dict, other: dict) -> None:
    users = world.users
    other_batch = batch_create(actor=users["commission"], name="另一批次", year=2026, organiser=world.town,
                               formula=world.formula, targets=[world.villages["大箕铺村"]], rounds=1,
                               first_start=date(2026, 5, 4), days=5, gap_days=0)
    m.put("batch", *_pk(world.batch, other_batch))
    m.put("round", *_pk(stations["A"].round, stations["B"].round))
    m.put("training", *_pk(*[training_create(actor=users["commission"], batch=batch, topic="巡前业务培训",
                                             date=date(2026, 2, 26)) for batch in (world.batch, other_batch)]))
    m.put("station", *_pk(stations["C"], stations["D"]))
    for key in ("member", "check", "record", "report"):
        m.put(key, *_pk(own[key], other[key]))
    published = ChecklistVersion.objects.filter(published_at__isnull=False).order_by("pk").first()
    draft = own["check"].item.version  # findings_check's version: not published
    m.put("checklist_version", *_pk(published, draft))
    m.put("checklist_item", *_pk(published.items.order_by("pk").first(), draft.items.order_by("pk").first()))
    questionnaires = [questionnaire_create(actor=users["commission"], title=title, questions=[
        {"text": "村务是否按时公开？", "kind": "single", "options": ["是", "否"], "required": True}])
        for title in ("村务公开满意度调查", "惠民补贴发放调查")]
    station_questionnaire_publish(actor=users["leader"], station=stations["C"], questionnaire=questionnaires[0])
    station_questionnaire_publish(actor=users["commission"], station=stations["D"], questionnaire=questionnaires[0])
    m.put("questionnaire", *_pk(*questionnaires))
    tokens = {"token": stations["C"].public_token}, {"token": stations["D"].public_token}
    m.put("public", *tokens)
    m.put("receipt", {**tokens[0], "receipt": own["complaint"].receipt},
          {**tokens[1], "receipt": other["complaint"].receipt})


def _put_results(m: MatrixWorld, world, stations: dict, own: dict, other: dict) -> None:
    for key in ("finding", "evidence", "lead_draft", "lead_sent", "disposition", "disposition_of_lead"):
        m.put(key, *_pk(own[key], other[key]))
    m.put("recommendation_draft", *_pk(_recommendation(world, stations["A"], issue=False),
                                       _recommendation(world, stations["B"], issue=False)))
    m.put("recommendation", *_pk(_recommendation(world, stations["A"], issue=True),
                                 _recommendation(world, stations["B"], issue=True)))
    m.put("campaign", *_pk(*[campaign_open(actor=world.users["commission"], category=category,
                                           title=f"{label}问题专项治理")
                             for category, label in ((Theme.THREE_ASSETS, "村级三资"),
                                                     (Theme.SUBSIDIES, "惠民惠农补贴"))]))


def _put_rectification(m: MatrixWorld, world, stations: dict, evidence_bytes) -> None:
    for letter in (world.letter, world.other_letter):  # rect_world's letters are rows only: file their PDFs
        letter.pdf.save("handoff.pdf", ContentFile(FAKE_PDF))
    m.put("letter", *_pk(world.letter, world.other_letter))
    m.put("letter_draft", *_pk(_approve_and_draft(world, stations["E"]), _approve_and_draft(world, stations["F"])))
    m.put("item", *_pk(world.items[0], world.other_item))
    m.put("item_evidence", *_pk(_item_evidence(world.users["target_liaison"], world.items[0], evidence_bytes),
                                _item_evidence(world.other_liaison, world.other_item, evidence_bytes)))
    m.put("letter_run", *_pk(*[LetterRun.objects.create(round=station.round, contact_name="吴开生",
                                                        contact_phone="0714-8721234",
                                                        started_by=world.users["commission"])
                               for station in (stations["A"], stations["B"])]))


def _put_admin(m: MatrixWorld, world) -> None:
    """One row per model the admin lists; the guardian pages' user and group; an app the administrator role has
    models in (own) and one it has none in (other)."""
    users = world.users
    for model, obj in _admin_objects(world).items():
        m.put(f"admin:{model}", {"object_id": obj.pk})
    for model, own_obj, other_obj, user, group in (
            ("supervision_unit", world.villages["水南湾村"], world.villages["柯大兴村"], users["target_liaison"],
             Role.UNIT_LIAISON),
            ("supervision_person", world.people["柯国强"], world.people["陈立新"], users["member"], Role.TEAM_MEMBER)):
        m.put(f"admin:{model}_permissions", {"object_pk": own_obj.pk}, {"object_pk": other_obj.pk})
        m.put(f"admin:{model}_permissions_manage_user", {"object_pk": own_obj.pk, "user_id": user.pk})
        m.put(f"admin:{model}_permissions_manage_group", {"object_pk": own_obj.pk,
                                                         "group_id": Group.objects.get(name=group).pk})
    m.put("admin:auth_user_password", {"id": users["outsider"].pk})
    unit = world.villages["水南湾村"]
    m.put("admin:view_on_site", {"content_type_id": ContentType.objects.get_for_model(unit).pk, "object_id": unit.pk})
    m.put("admin:app", {"app_label": "supervision"}, {"app_label": "auth"})
    m.put("admin:url", {"url": "no/such/page/"})


@pytest.fixture
def matrix_world(rect_world, findings_make, findings_check, evidence_bytes,
                 matrix_stand_in_pdf) -> MatrixWorld:
    world = rect_world
    users = world.users
    stations = _stations(world)
    own = _work(world, stations["C"], users["member"], users["leader"], evidence_bytes, findings_make,
                findings_check)
    other = _work(world, stations["D"], users["other_team"], users["commission"], evidence_bytes, findings_make,
                  findings_check)
    matrix_users = {role: users[name] for role, name in ROLE_USERS.items()}
    matrix_users[ANONYMOUS] = None
    m = MatrixWorld(users=matrix_users, stations=stations)
    _put_organisation(m, world)
    _put_rounds(m, world, stations, own, other)
    _put_results(m, world, stations, own, other)
    _put_rectification(m, world, stations, evidence_bytes)
    _put_admin(m, world)
    return m
