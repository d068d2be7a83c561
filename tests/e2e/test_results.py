"""Results of a round in the browser: the team leader turns a confirmed sheet into a problem lead and transfers it
(the 移送函 gets its number); the team member still sees that a lead went, never what it says; the case office
records 初步核实 and a disposition; the commission sees its overview counts change. Pages are photographed at phone
width (test-artifacts/screenshots/results-*.png)."""

from django.contrib.auth import get_user_model

from findings.models import LeadDisposal, LeadState, ProblemLead
from findings.services.findings import finding_confirm, finding_create
from rounds.models import Theme
from supervision.demo import DEMO_PASSWORD
from supervision.models import AuditEvent

from .conftest import login, no_overflow

SUBJECT = "周某某"
SUMMARY = "村集体鱼塘租金3.2万元由其个人收取，未交村集体账户。"


def snap(page, shot, name):
    no_overflow(page)
    shot(page, f"results-{name}")


def count(page, testid: str) -> int:
    return int(page.locator(f"[data-testid={testid}]").inner_text().strip())


def test_a_sheet_becomes_a_lead_the_case_office_handles_it_and_the_overview_counts(stationed, live_server, browser,
                                                                                   phone, shot):
    base = live_server.url
    users = get_user_model().objects
    sheet = finding_create(actor=users.get(username="member"), station=stationed, title="集体鱼塘租金未入账",
                           observed="2025年鱼塘租金3.2万元未进入村集体账户。", category=Theme.THREE_ASSETS,
                           responsible_unit=stationed.target, responsible_person="村委会主任")
    sheet = finding_confirm(actor=users.get(username="leader"), finding=sheet)

    def context_page(width=1280):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    # The commission's overview before: what the demo already holds.
    commission = context_page()
    login(commission, base, "commission", DEMO_PASSWORD)
    commission.goto(f"{base}/results/")
    transferred, dealt = count(commission, "leads-transferred"), count(commission, "people-dealt")
    handled = count(commission, "leads-handled")

    # The team leader, on a phone, raises the lead from the sheet and transfers it.
    login(phone, base, "leader", DEMO_PASSWORD)
    phone.goto(f"{base}/findings/{sheet.pk}/")
    phone.click("[data-testid=lead-new]")
    snap(phone, shot, "lead-form")
    phone.click("main button:has-text('保存')")  # empty: refused with the field's message, nothing saved
    assert phone.locator(".errorlist").first.is_visible()
    assert ProblemLead.objects.count() == 1  # the demo's own lead only
    phone.fill("#id_subject_name", SUBJECT)
    phone.fill("#id_subject_post", "村委会主任")
    phone.fill("#id_summary", SUMMARY)
    phone.fill("#id_suspected", "涉嫌侵占村集体资金")
    phone.click("main button:has-text('保存')")
    assert phone.locator("[data-testid=lead-state]").inner_text() == "待移送"
    lead = ProblemLead.objects.get(finding=sheet)
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("button:has-text('移送案件监督管理室')")
    phone.wait_for_selector("[data-testid=lead-number]")
    lead.refresh_from_db()
    assert lead.state == LeadState.TRANSFERRED
    assert phone.locator("[data-testid=lead-number]").inner_text() == lead.transfer_number
    assert lead.transfer_number.startswith("大箕纪移〔")
    snap(phone, shot, "lead-transferred-leader")

    # The team member sees on the sheet that a lead went and its state, but not its content.
    member = context_page(390)
    login(member, base, "member", DEMO_PASSWORD)
    member.goto(f"{base}/findings/{sheet.pk}/")
    leads = member.locator("[data-testid=finding-leads]")
    assert "已移送" in leads.inner_text()
    member.click(f"[data-testid=finding-leads] a[href='/leads/{lead.pk}/']")
    assert member.locator("[data-testid=lead-state]").inner_text() == "已移送"
    assert member.locator("[data-testid=lead-content-hidden]").is_visible()
    assert SUBJECT not in member.content() and SUMMARY not in member.content()
    snap(member, shot, "lead-member")
    assert member.goto(f"{base}/leads/{lead.pk}/transfer.pdf").status == 404

    # The case office records 初步核实, then the person dealt with.
    office = context_page(390)
    login(office, base, "caseoffice", DEMO_PASSWORD)
    office.goto(f"{base}/leads/")
    office.click(f"a[href='/leads/{lead.pk}/']")
    assert office.locator("[data-testid=lead-subject]").inner_text() == SUBJECT
    office.click("a:has-text('记录处置方式')")
    office.select_option("#id_disposal", LeadDisposal.VERIFY)
    office.fill("#id_note", "成立核查组，调取村账和银行流水")
    snap(office, shot, "lead-dispose")
    office.click("main button:has-text('保存')")
    assert office.locator("[data-testid=lead-state]").inner_text() == "处置中"
    assert office.locator("[data-testid=lead-disposal]").inner_text() == "初步核实"
    office.click("[data-testid=disposition-add]")
    office.fill("#id_person_name", SUBJECT)
    office.fill("#id_person_post", "村委会主任")
    office.select_option("#id_person_unit", str(stationed.target_id))
    office.select_option("#id_person_kind", "village_manager")
    office.select_option("#id_form", "2")
    office.select_option("#id_gov_sanction", "demotion")  # not for a village manager: refused, input kept
    office.fill("#id_decided_by", "中共大箕铺镇纪律检查委员会")
    office.click("main button:has-text('保存')")
    assert "村（社区）管理人员只能给予警告、记过或记大过，不能给予“降级”" in office.content()
    assert office.input_value("#id_person_name") == SUBJECT
    office.select_option("#id_gov_sanction", "major_demerit")
    office.select_option("#id_party_sanction", "serious_warning")
    office.click("main button:has-text('保存')")
    office.wait_for_url(f"{base}/dispositions/*/")
    assert SUBJECT in office.content()
    snap(office, shot, "disposition")
    office.goto(f"{base}/leads/{lead.pk}/")
    snap(office, shot, "lead-case-office")

    # The commission's overview has moved: one more lead transferred, one more person dealt with.
    commission.goto(f"{base}/results/")
    assert count(commission, "leads-transferred") == transferred + 1
    assert count(commission, "people-dealt") == dealt + 1
    assert count(commission, "leads-handled") == handled
    assert SUBJECT not in commission.content()
    # ... but the lead's content stays with the case office.
    commission.goto(f"{base}/leads/{lead.pk}/")
    assert commission.locator("[data-testid=lead-state]").inner_text() == "处置中"
    assert SUBJECT not in commission.content() and SUMMARY not in commission.content()

    phone_overview = context_page(390)
    login(phone_overview, base, "commission", DEMO_PASSWORD)
    phone_overview.goto(f"{base}/results/")
    snap(phone_overview, shot, "overview")

    actions = set(AuditEvent.objects.filter(object_id=str(lead.pk), action__startswith="lead.")
                  .values_list("action", flat=True))
    assert {"lead.create", "lead.transfer", "lead.dispose"} <= actions
