"""Demo results: problem sheets found by the stations of round 1 of the village batch, one of them transferred as a
problem lead that the case office is verifying, a person dealt with, and a recommendation to a village. The
村级三资 sheets of three villages make the system flag a possibly systemic problem (no campaign is opened, so the
demo shows the signal). Runs once: nothing is added when the batch already has sheets."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from rounds.models import Batch, StationState, Theme

from .models import DispositionForm, Finding, LeadDisposal, PersonKind
from .services.dispositions import disposition_create
from .services.findings import finding_confirm, finding_create
from .services.leads import lead_create, lead_dispose, lead_transfer
from .services.recommendations import recommendation_create, recommendation_issue

SHEETS = [
    # (category, title, observed, basis, amount, responsible person)
    (Theme.THREE_ASSETS, "村集体土地流转收入未及时入账",
     "2025年村集体土地流转收入8.4万元由报账员个人保管3个月后才入账。",
     "《湖北省农村集体经济组织财务管理办法》第十二条", Decimal("84000.00"), "村报账员"),
    (Theme.THREE_ASSETS, "白条入账",
     "2025年村级账务中有7张白条作为报销凭证入账，合计1.26万元。",
     "《农村集体经济组织会计制度》", Decimal("12600.00"), "村会计"),
    (Theme.THREE_ASSETS, "集体鱼塘未经公开招标发包",
     "村集体鱼塘于2024年直接发包给村民，租金低于周边市场价约40%。",
     "《湖北省农村集体“三资”管理条例》", Decimal("30000.00"), "村委会主任"),
    (Theme.SUBSIDIES, "低保公示期不足7天",
     "2026年第三季度新增低保对象名单公示仅3天。", "《社会救助暂行办法》", None, "村民政专干"),
]


def load_results_demo(units) -> None:
    batch = Batch.objects.filter(organiser=units["大箕铺镇"]).order_by("id").first()
    if batch is None or Finding.objects.filter(station__round__batch=batch).exists():
        return
    User = get_user_model()
    planner, case_office = User.objects.get(username="commission"), User.objects.get(username="caseoffice")
    stations = list(batch.rounds.get(number=1).stations.filter(state=StationState.STATIONED)
                    .select_related("target", "round").order_by("target_id")[:3])  # the same on every database
    sheets = []
    for index, station in enumerate(stations):
        found_on = min(station.round.start_date + timedelta(days=2), timezone.localdate())
        rows = [SHEETS[index]] + ([SHEETS[3]] if index == 0 else [])
        for category, title, observed, basis, amount, person in rows:
            sheet = finding_create(actor=planner, station=station, title=title, observed=observed, basis=basis,
                                   category=category, amount=amount, responsible_unit=station.target,
                                   responsible_person=person, found_on=found_on,
                                   team_opinion="责令限期整改，举一反三开展自查")
            sheets.append(finding_confirm(actor=planner, finding=sheet))
    if not sheets:
        return
    first = sheets[0]
    lead = lead_create(actor=planner, finding=first, subject_name="刘某某", subject_post="村报账员",
                       subject_unit=first.station.target,
                       summary="土地流转收入8.4万元由其个人保管3个月，期间资金去向不明。",
                       suspected="涉嫌挪用村集体资金")
    lead = lead_transfer(actor=planner, lead=lead)
    lead_dispose(actor=case_office, lead=lead, disposal=LeadDisposal.VERIFY, note="已成立核查组开展初步核实")
    second = sheets[2] if len(sheets) > 2 else first
    disposition_create(actor=planner, finding=second, person_name="张某", person_post="村会计",
                       person_unit=second.station.target, person_kind=PersonKind.VILLAGE_MANAGER,
                       party_member=True, form=DispositionForm.FIRST, measure="谈话提醒",
                       decided_on=timezone.localdate(), decided_by="中共大箕铺镇纪律检查委员会")
    # To the village whose liaison is a demo login (liaison1), so the liaison has something to read and answer.
    recipient = units.get("大箕铺镇/水南湾村", first.station.target)
    here = recipient == first.station.target
    recommendation = recommendation_create(
        actor=planner, organ=batch.organiser, recipient=recipient, station=first.station if here else None,
        findings=[first] if here else [], title="关于加强村级集体资金管理的纪检监察建议",
        facts="巡回驻点监督发现，该村集体土地流转收入未及时入账，由报账员个人保管；同类问题在本镇多个村存在。",
        causes="村级财务管理制度执行不严，“村账镇代管”审核把关不到位。",
        items="严格执行收入及时入账制度，严禁坐收坐支\n建立集体资金收支月公开制度\n对2024年以来的集体收入开展全面自查",
        reply_due=timezone.localdate() + timedelta(days=30))
    recommendation_issue(actor=planner, recommendation=recommendation)
