"""Demo follow-up: the first demo station with problems finished its week (its report recorded as approved), the
commission issued its hand-off letter, and the village's liaison (login `liaison3`, created here for that village)
has filled the plan of the first problem. One item is due within ten days: today's reminder sweep leaves a yellow
warning in the liaison's notifications. Runs once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from findings.models import Finding, ReportState, StationReport
from rounds.models import StationState
from rounds.services.stations import station_transition
from supervision.models import Person, PersonCategory
from supervision.roles import Role
from supervision.services.accounts import account_create

from .models import HandoffLetter
from .services.items import item_plan_save
from .services.letters import letter_draft, letter_issue, letter_update
from .services.reminders import reminder_sweep

LIAISON = ("liaison3", "陈小燕", "村委会委员")


def load_rectification_demo(password: str) -> None:
    if HandoffLetter.objects.exists():
        return
    sheet = Finding.objects.filter(leads__isnull=False).select_related("station__target").order_by("id").first()
    if sheet is None:
        return
    station = sheet.station
    User = get_user_model()
    planner = User.objects.get(username="commission")
    station_transition(actor=planner, station=station, to=StationState.REPORTING)
    # The report's two-level approval is walked through in the UI; the demo records its outcome.
    StationReport.objects.update_or_create(station=station, defaults={
        "state": ReportState.APPROVED, "approved_at": timezone.now(),
        "overall": "该村“两委”班子基本能够落实监督清单要求，但集体资金管理和惠民政策落实存在薄弱环节。"})
    letter = letter_draft(actor=planner, station=station, reply_days=30, contact_name="吴开生",
                          contact_phone="0714-8721234")
    items = list(letter.items.order_by("sequence"))
    today = timezone.localdate()
    letter_update(actor=planner, letter=letter, rows={
        item.pk: {"deadline": today + timedelta(days=8 if n == 0 else 25)} for n, item in enumerate(items)})
    letter = letter_issue(actor=planner, letter=letter)
    name, person_name, post = LIAISON
    if not User.objects.filter(username=name).exists():
        person = Person.objects.create(name=person_name, category=PersonCategory.UNIT_STAFF,
                                       home_unit=station.target, post=post)
        liaison = account_create(actor=None, username=name, password=password, roles=[Role.UNIT_LIAISON],
                                 person=person, liaison_unit=station.target)
    else:
        liaison = User.objects.get(username=name)
    item_plan_save(actor=liaison, item=letter.items.order_by("sequence").first(),
                   target="集体收入全部及时入账，杜绝个人保管集体资金", measures="一是追缴入账；二是建立收入台账；三是按月公开",
                   responsible_leader="村党支部书记", responsible_department="村委会")
    # `make run` has no beat: today's sweep runs once here, so the liaison finds the yellow warning.
    reminder_sweep()
