"""Dispositions (处理处分): the combination rules of the four forms and the two kinds of sanction (with their
messages), who may record one from a sheet or from a lead, who sees a lead's dispositions (commission staff do not),
an audit trail without names for a lead's disposition, and query budgets of the list and the detail page."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from findings.models import Disposition, DispositionForm, LeadDisposal
from findings.services.dispositions import DISPOSITION_RULES, disposition_create, disposition_update
from findings.services.leads import lead_create, lead_dispose, lead_transfer
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

ROLES = ["admin", "commission", "leader", "member", "other_team", "liaison", "target_liaison", "case_office",
         "commission_leader", "outsider"]
SHEET_PERSON = "刘出纳"
LEAD_PERSON = "宋明远"


@pytest.fixture
def fast_pdf(monkeypatch):
    monkeypatch.setattr("findings.services.leads.render_pdf", lambda template, context: b"%PDF-1.4\n%%EOF\n")


def values(world, **fields):
    data = {"person_name": SHEET_PERSON, "person_post": "村出纳", "person_unit": world.villages["水南湾村"],
            "person_kind": "village_manager", "party_member": True, "form": DispositionForm.SECOND,
            "measure": "", "party_sanction": "warning", "gov_sanction": "", "decided_on": timezone.localdate(),
            "decided_by": "中共大箕铺镇纪律检查委员会"}
    data.update(fields)
    return data


def transferred_lead(world, state="transferred"):
    lead = lead_create(actor=world.users["leader"], finding=world.sheet, subject_name=LEAD_PERSON,
                       summary="截留土地流转款", evidence=[world.evidence])
    if state == "draft":
        return lead
    lead = lead_transfer(actor=world.users["leader"], lead=lead)
    if state == "disposing":
        lead = lead_dispose(actor=world.users["case_office"], lead=lead, disposal=LeadDisposal.VERIFY)
    return lead


def sheet_disposition(world, **fields):
    return disposition_create(actor=world.users["commission"], finding=world.sheet, **values(world, **fields))


def lead_disposition(world, lead, **fields):
    return disposition_create(actor=world.users["case_office"], lead=lead,
                              **values(world, **{"person_name": LEAD_PERSON, **fields}))


# --- the combination rules ------------------------------------------------------------------------------------------

OK = None
RULES = [
    # form, party, gov, measure, expected errors
    (1, "", "", "谈话提醒", OK),
    (1, "warning", "", "", {"party_sanction": ["第一种形态不给予党纪处分"]}),
    (1, "", "demerit", "批评教育", {"gov_sanction": ["第一种形态不给予政务处分"]}),
    (1, "", "", "", {"measure": ["第一种形态请填写处理方式（如谈话提醒、批评教育、责令检查、诫勉）"]}),
    (2, "serious_warning", "major_demerit", "", OK),
    (2, "", "", "调整工作岗位", OK),
    (2, "removal", "", "", {"party_sanction": ["第二种形态的党纪处分只能是警告或严重警告，不能是“撤销党内职务”"]}),
    (2, "", "dismissal", "", {"gov_sanction": ["第二种形态的政务处分只能是警告、记过或记大过，不能是“撤职”"]}),
    (2, "", "", "", {"measure": ["第二种形态未给予处分的，请填写处理方式（组织调整）"]}),
    (3, "probation", "dismissal", "", OK),
    (3, "", "", "免去职务", OK),
    (3, "serious_warning", "", "", {"party_sanction": ["第三种形态的党纪处分须为撤销党内职务、留党察看或开除党籍，不能是“严重警告”"]}),
    (3, "", "major_demerit", "", {"gov_sanction": ["第三种形态的政务处分须为降级、撤职或开除，不能是“记大过”"]}),
    (3, "", "", "", {"measure": ["第三种形态未给予处分的，请填写处理方式（重大职务调整）"]}),
    (4, "expulsion", "expulsion", "", OK),
    (4, "warning", "", "", OK),
    (4, "", "", "", OK),
]


def test_every_form_has_a_rule():
    assert set(DISPOSITION_RULES) == set(DispositionForm.values)


@pytest.mark.parametrize("form,party,gov,measure,expected", RULES)
def test_form_and_sanction_combinations(results_world, form, party, gov, measure, expected):
    data = values(results_world, person_kind="official", form=form, party_sanction=party, gov_sanction=gov,
                  measure=measure)
    if expected is OK:
        disposition = disposition_create(actor=results_world.users["commission"], finding=results_world.sheet,
                                         **data)
        assert (disposition.form, disposition.party_sanction, disposition.gov_sanction) == (form, party, gov)
    else:
        with pytest.raises(ValidationError) as error:
            disposition_create(actor=results_world.users["commission"], finding=results_world.sheet, **data)
        assert error.value.message_dict == expected
        assert not Disposition.objects.exists()


@pytest.mark.parametrize("gov,label", [("demotion", "降级"), ("dismissal", "撤职"), ("expulsion", "开除")])
def test_a_village_manager_gets_no_heavy_government_sanction(results_world, gov, label):
    with pytest.raises(ValidationError) as error:
        sheet_disposition(results_world, form=4, party_sanction="", gov_sanction=gov)
    assert error.value.message_dict == {
        "gov_sanction": [f"村（社区）管理人员只能给予警告、记过或记大过，不能给予“{label}”"]}


def test_demotion_of_a_village_manager_is_refused_with_the_message(results_world):
    with pytest.raises(ValidationError) as error:
        sheet_disposition(results_world, form=3, party_sanction="", gov_sanction="demotion")
    assert error.value.message_dict["gov_sanction"] == ["村（社区）管理人员只能给予警告、记过或记大过，不能给予“降级”"]
    assert sheet_disposition(results_world, form=2, party_sanction="", gov_sanction="major_demerit").pk
    official = sheet_disposition(results_world, form=3, party_sanction="", gov_sanction="demotion",
                                 person_kind="official")
    assert official.gov_sanction == "demotion"


def test_party_sanction_only_for_a_party_member(results_world):
    with pytest.raises(ValidationError) as error:
        sheet_disposition(results_world, party_member=False, party_sanction="warning")
    assert error.value.message_dict == {"party_sanction": ["非中共党员不能给予党纪处分"]}
    assert sheet_disposition(results_world, party_member=False, party_sanction="", gov_sanction="warning").pk


def test_required_fields_and_decision_date(results_world):
    with pytest.raises(ValidationError) as error:
        sheet_disposition(results_world, person_name="", person_post=" ", person_unit=None, decided_by="",
                          decided_on=timezone.localdate() + timedelta(days=1), form="")
    assert error.value.message_dict == {
        "person_name": ["请填写姓名"], "person_post": ["请填写职务"], "person_unit": ["请选择单位"],
        "decided_by": ["请填写决定机关"], "decided_on": ["决定日期不能晚于今天"], "form": ["请选择运用形态"]}
    with pytest.raises(ValidationError) as error:
        sheet_disposition(results_world, decided_on=None)
    assert error.value.message_dict == {"decided_on": ["请填写决定日期"]}


# --- who records ----------------------------------------------------------------------------------------------------

def test_from_a_sheet_commission_staff_only(results_world):
    before = last_audit_id()
    disposition = sheet_disposition(results_world)
    assert disposition.finding == results_world.sheet and disposition.lead is None
    assert disposition.recorded_by == results_world.users["commission"]
    assert audit_actions(before) == ["disposition.create"]
    for role, message in [("case_office", "您无权为这份问题底稿录入处理处分"), ("leader", "您无权录入处理处分"),
                          ("commission_leader", "您无权录入处理处分"), ("admin", "您无权录入处理处分")]:
        with pytest.raises(ValidationError) as error:
            disposition_create(actor=results_world.users[role], finding=results_world.sheet, **values(results_world))
        assert message in error.value.messages, role
    with pytest.raises(ValidationError) as error:
        disposition_create(actor=results_world.users["commission"], finding=results_world.draft_sheet,
                           **values(results_world))
    assert "只有已确认的问题底稿才能录入处理处分" in error.value.messages


def test_from_a_lead_the_case_office_only(results_world, fast_pdf):
    draft = transferred_lead(results_world, "draft")
    with pytest.raises(ValidationError) as error:
        lead_disposition(results_world, draft)
    assert "问题线索移送后才能录入处理处分" in error.value.messages
    lead = transferred_lead(results_world)
    with pytest.raises(ValidationError) as error:
        disposition_create(actor=results_world.users["commission"], lead=lead, **values(results_world))
    assert "只有案件监督管理室才能为问题线索录入处理处分" in error.value.messages
    with pytest.raises(ValidationError):
        disposition_create(actor=results_world.users["commission_leader"], lead=lead, **values(results_world))
    with pytest.raises(ValidationError):
        disposition_create(actor=results_world.users["case_office"], lead=lead, finding=results_world.sheet,
                           **values(results_world))
    disposition = lead_disposition(results_world, lead)
    assert disposition.lead == lead and disposition.finding is None


def test_a_leads_disposition_is_audited_without_names(results_world, fast_pdf):
    lead = transferred_lead(results_world)
    before = last_audit_id()
    disposition = lead_disposition(results_world, lead)
    disposition_update(actor=results_world.users["case_office"], disposition=disposition,
                       person_post="原村出纳", party_sanction="serious_warning")
    events = list(AuditEvent.objects.filter(pk__gt=before).order_by("id"))
    assert [e.action for e in events] == ["disposition.create", "disposition.update"]
    for event in events:
        dumped = json.dumps(event.changes, ensure_ascii=False) + event.object_repr
        assert LEAD_PERSON not in dumped and "村出纳" not in dumped and "水南湾村" not in dumped, dumped
        assert event.object_id == str(disposition.pk) and event.object_type == "findings.disposition"
    assert events[0].changes["lead"] == {"before": "", "after": lead.transfer_number}
    assert events[1].changes["party_sanction"] == {"before": "警告", "after": "严重警告"}
    assert "person_post" not in events[1].changes


def test_update_checks_the_rules_and_who(results_world, fast_pdf):
    disposition = sheet_disposition(results_world)
    with pytest.raises(ValidationError) as error:
        disposition_update(actor=results_world.users["commission"], disposition=disposition, form=1)
    assert error.value.message_dict == {"party_sanction": ["第一种形态不给予党纪处分"]}
    for role in ["commission_leader", "leader", "admin"]:
        with pytest.raises(ValidationError):
            disposition_update(actor=results_world.users[role], disposition=disposition, person_post="x")
    before = last_audit_id()
    disposition = disposition_update(actor=results_world.users["commission"], disposition=disposition,
                                     gov_sanction="demerit")
    assert disposition.gov_sanction == "demerit"
    event = AuditEvent.objects.get(pk__gt=before)
    assert event.action == "disposition.update" and event.changes == {"gov_sanction": {"before": "", "after": "记过"}}
    lead_one = lead_disposition(results_world, transferred_lead(results_world))
    with pytest.raises(ValidationError):
        disposition_update(actor=results_world.users["commission"], disposition=lead_one, person_post="x")


# --- who sees -------------------------------------------------------------------------------------------------------

VIEWERS = {"commission", "case_office", "commission_leader"}
LEAD_VIEWERS = {"case_office", "commission_leader"}


def test_who_sees_which_disposition(results_world, fast_pdf, client):
    on_sheet = sheet_disposition(results_world)
    on_lead = lead_disposition(results_world, transferred_lead(results_world))
    wrong = []
    for role in ROLES:
        client.force_login(results_world.users[role])
        listing = client.get(reverse("disposition_list"))
        if listing.status_code != (200 if role in VIEWERS else 404):
            wrong.append((role, "list", listing.status_code))
        elif role in VIEWERS:
            page = text(listing)
            expected = 2 if role in LEAD_VIEWERS else 1
            if listing.context["page"].paginator.count != expected or (LEAD_PERSON in page) != (role in LEAD_VIEWERS):
                wrong.append((role, "list rows"))
        for disposition, viewers in [(on_sheet, VIEWERS), (on_lead, LEAD_VIEWERS)]:
            response = client.get(reverse("disposition_detail", args=[disposition.pk]))
            if response.status_code != (200 if role in viewers else 404):
                wrong.append((role, "detail", disposition.person_name, response.status_code))
    assert wrong == []


def test_lead_page_lists_its_dispositions_for_content_viewers(results_world, fast_pdf, client_for):
    lead = transferred_lead(results_world)
    lead_disposition(results_world, lead)
    for role in ["case_office", "commission_leader"]:
        assert LEAD_PERSON in text(client_for(role).get(reverse("lead_detail", args=[lead.pk])))
    page = text(client_for("commission_leader").get(reverse("lead_detail", args=[lead.pk])))
    assert reverse("disposition_new_for_lead", args=[lead.pk]) not in page
    for role in ["commission", "leader", "member"]:
        assert LEAD_PERSON not in text(client_for(role).get(reverse("lead_detail", args=[lead.pk])))


# --- the pages ------------------------------------------------------------------------------------------------------

def form_data(world, **fields):
    data = values(world, **fields)
    data["person_unit"] = data["person_unit"].pk if data["person_unit"] else ""
    data["decided_on"] = data["decided_on"].isoformat()
    if not data["party_member"]:
        del data["party_member"]
    return data


def test_new_from_a_sheet_page(results_world, client_for):
    url = reverse("disposition_new_for_finding", args=[results_world.sheet.pk])
    for role in ["case_office", "leader", "member", "admin", "commission_leader", "outsider", "target_liaison"]:
        assert client_for(role).get(url).status_code == 404, role
    client = client_for("commission")
    sheet_page = text(client.get(reverse("finding_detail", args=[results_world.sheet.pk])))
    assert url in sheet_page
    assert url not in text(client_for("leader").get(reverse("finding_detail", args=[results_world.sheet.pk])))
    client = client_for("commission")
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(results_world, form=3, party_sanction="", gov_sanction="demotion"))
    assert response.status_code == 200
    assert "村（社区）管理人员只能给予警告、记过或记大过，不能给予“降级”" in text(response)
    assert not Disposition.objects.exists()
    response = client.post(url, form_data(results_world))
    disposition = Disposition.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("disposition_detail",
                                                                           args=[disposition.pk])
    page = text(client.get(reverse("finding_detail", args=[results_world.sheet.pk])))
    assert SHEET_PERSON in page
    draft_url = reverse("disposition_new_for_finding", args=[results_world.draft_sheet.pk])
    assert client.get(draft_url).status_code == 302


def test_new_from_a_lead_page(results_world, fast_pdf, client_for):
    lead = transferred_lead(results_world)
    url = reverse("disposition_new_for_lead", args=[lead.pk])
    for role in ["commission", "commission_leader", "leader", "member", "admin", "outsider"]:
        assert client_for(role).get(url).status_code == 404, role
    client = client_for("case_office")
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(results_world, person_name=LEAD_PERSON, party_member=False))
    assert response.status_code == 200 and "非中共党员不能给予党纪处分" in text(response)
    response = client.post(url, form_data(results_world, person_name=LEAD_PERSON))
    assert response.status_code == 302
    assert Disposition.objects.get().lead == lead
    draft = transferred_lead(results_world, "draft")
    assert client.get(reverse("disposition_new_for_lead", args=[draft.pk])).status_code == 404


def test_edit_pages(results_world, fast_pdf, client_for):
    on_sheet = sheet_disposition(results_world)
    on_lead = lead_disposition(results_world, transferred_lead(results_world))
    for role, disposition in [("commission_leader", on_sheet), ("commission_leader", on_lead),
                              ("commission", on_lead), ("leader", on_sheet), ("admin", on_sheet)]:
        assert client_for(role).get(reverse("disposition_edit", args=[disposition.pk])).status_code == 404, role
    client = client_for("commission")
    response = client.post(reverse("disposition_edit", args=[on_sheet.pk]),
                           form_data(results_world, party_sanction="serious_warning"))
    assert response.status_code == 302
    on_sheet.refresh_from_db()
    assert on_sheet.party_sanction == "serious_warning"
    client = client_for("case_office")
    response = client.post(reverse("disposition_edit", args=[on_lead.pk]),
                           form_data(results_world, person_name=LEAD_PERSON, form=1, measure=""))
    assert response.status_code == 200 and "第一种形态不给予党纪处分" in text(response)
    page = text(client_for("commission_leader").get(reverse("disposition_detail", args=[on_lead.pk])))
    assert reverse("disposition_edit", args=[on_lead.pk]) not in page


def test_list_filters_by_form(results_world, client_for):
    sheet_disposition(results_world)
    sheet_disposition(results_world, form=1, party_sanction="", measure="谈话提醒")
    client = client_for("commission")
    assert client.get(reverse("disposition_list")).context["page"].paginator.count == 2
    assert client.get(reverse("disposition_list"), {"form": "1"}).context["page"].paginator.count == 1
    assert client.get(reverse("disposition_list"), {"form": "9"}).context["page"].paginator.count == 2


# --- query budgets --------------------------------------------------------------------------------------------------

LIST_BUDGET = 9  # measured: constant with the rows listed
DETAIL_BUDGET = 9  # measured: the same whatever else is recorded


@pytest.mark.parametrize("role", ["commission", "case_office"])
def test_list_budget_does_not_grow(results_world, fast_pdf, client_for, within_budget, role):
    lead = transferred_lead(results_world)
    sheet_disposition(results_world)
    lead_disposition(results_world, lead)
    client = client_for(role)
    within_budget(client, reverse("disposition_list"), LIST_BUDGET)
    for i in range(9):
        sheet_disposition(results_world, person_name=f"甲{i}")
        lead_disposition(results_world, lead, person_name=f"乙{i}")
    response = within_budget(client, reverse("disposition_list"), LIST_BUDGET)
    assert response.context["page"].paginator.count == (10 if role == "commission" else 20)


@pytest.mark.parametrize("source", ["sheet", "lead"])
def test_detail_budget_does_not_grow(results_world, fast_pdf, client_for, within_budget, source):
    lead = transferred_lead(results_world)

    def make(**fields):
        if source == "sheet":
            return sheet_disposition(results_world, **fields)
        return lead_disposition(results_world, lead, **fields)

    disposition = make()
    client = client_for("case_office")
    url = reverse("disposition_detail", args=[disposition.pk])
    within_budget(client, url, DETAIL_BUDGET)
    for i in range(9):
        make(person_name=f"丙{i}")
    within_budget(client, url, DETAIL_BUDGET)
