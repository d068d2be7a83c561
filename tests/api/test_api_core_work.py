"""The station's week through the API: the checklist library, each station's checks (results, notes, evidence), field
records (走访记录) and problem-sheet edits. Each write: the team (and the planners) succeed through the page's
service (the row, the audit event); a viewer who is not on the team gets the page's 404, as does anyone who may not
see the station; a refusal is a 400 with the service's Chinese message and stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from findings.models import Evidence, Finding, FindingRevision, FindingState, ReportState, StationReport
from findings.services.findings import finding_withdraw
from rounds.models import ChecklistVersion, CheckResult, FieldRecord, Station, StationCheck, StationState
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id
from tests.helpers import result_ids as ids

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.rounds.fixtures_fieldwork", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

WRITERS = ["commission", "leader", "member"]
READERS = ["admin", "commission_leader"]  # see every station, are on no team
STRANGERS = ["other_team", "liaison", "target_liaison", "case_office", "outsider"]


def check_of(station, code) -> StationCheck:
    return StationCheck.objects.select_related("item").get(station=station, item__code=code)


# --- the checklist library ----------------------------------------------------------------------------------------


def test_the_library_is_read_by_those_who_work_on_rounds(api, fw_world):
    published = ChecklistVersion.objects.get(number=1)
    draft = ChecklistVersion.objects.create(number=2, note="修订草稿")
    for role in ("member", "leader", "commission", "commission_leader"):
        assert ids(api(role).get("/api/checklists/")) == {published.pk}, role
        assert api(role).get(f"/api/checklists/{draft.pk}/").status_code == 404, role
    assert ids(api("admin").get("/api/checklists/")) == {published.pk, draft.pk}  # the library's editors
    body = api("member").get(f"/api/checklists/{published.pk}/").json()
    assert body["item_count"] == published.items.count() and body["published_at"]
    items = api("member").get("/api/checklist-items/", {"version": published.pk, "theme": "four_two"}).json()
    assert items["results"] and {row["theme_display"] for row in items["results"]} == {"四议两公开"}
    for role in ("liaison", "case_office", "outsider"):
        assert ids(api(role).get("/api/checklists/")) == set(), role
        assert ids(api(role).get("/api/checklist-items/")) == set(), role
        assert api(role).get(f"/api/checklists/{published.pk}/").status_code == 404, role


# --- a station's checks -------------------------------------------------------------------------------------------


def test_checks_are_listed_for_those_who_see_the_station(api, fw_world):
    station = fw_world.stations["A"]
    mine = set(StationCheck.objects.filter(station=station).values_list("pk", flat=True))
    for role in WRITERS + READERS:
        assert ids(api(role).get("/api/checks/", {"station": station.pk, "page_size": 200})) == mine, role
    check = check_of(station, "SY-01")
    body = api("member").get(f"/api/checks/{check.pk}/").json()
    assert (body["item"]["code"], body["result"], body["result_display"]) == ("SY-01", "unchecked", "未检查")
    for role in STRANGERS:
        assert ids(api(role).get("/api/checks/", {"station": station.pk})) == set(), role
        assert api(role).get(f"/api/checks/{check.pk}/").status_code == 404, role


@pytest.mark.parametrize("role", WRITERS)
def test_the_team_and_planners_record_a_result(api, fw_world, role):
    check = check_of(fw_world.stations["A"], "SY-01")
    since = last_audit_id()
    response = api(role).post(f"/api/checks/{check.pk}/record/", {"result": "compliant", "note": " 会议记录齐全 "},
                              format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["result_display"], response.json()["note"]) == ("符合", "会议记录齐全")
    check.refresh_from_db()
    assert (check.result, check.checked_by) == (CheckResult.COMPLIANT, fw_world.users[role].person)
    assert audit_actions(since) == ["checklist.check"]
    assert AuditEvent.objects.get(pk__gt=since).changes["SY-01"] == {"before": "未检查", "after": "符合 会议记录齐全"}


@pytest.mark.parametrize("role", READERS + STRANGERS)
def test_others_may_not_record(api, fw_world, fw_files, role):
    check = check_of(fw_world.stations["A"], "SY-01")
    client = api(role)
    assert client.post(f"/api/checks/{check.pk}/record/", {"result": "compliant"}, format="json").status_code == 404
    assert client.post(f"/api/checks/{check.pk}/evidence/", {"file": fw_files.png()},
                       format="multipart").status_code == 404
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED and not Evidence.objects.exists()


def test_recording_refusals(api, fw_world):
    station = fw_world.stations["A"]
    check = check_of(station, "ZC-03")
    client = api("member")
    response = client.post(f"/api/checks/{check.pk}/record/", {"result": "problem", "note": "  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["存在问题时，请在情况说明中写明发现的问题"]}
    response = client.post(f"/api/checks/{check.pk}/record/", {"result": "maybe"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"result"}
    Station.objects.filter(pk=station.pk).update(state=StationState.HANDED_OFF)
    response = client.post(f"/api/checks/{check.pk}/record/", {"result": "compliant"}, format="json")
    assert response.json() == {"detail": ["驻点处于“已交办”状态，不能记录驻点工作"]}
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED


def test_evidence_on_a_check(api, fw_world, fw_files, media_files):
    check = check_of(fw_world.stations["A"], "ZC-03")
    client = api("member")
    since = last_audit_id()
    response = client.post(f"/api/checks/{check.pk}/evidence/", {"file": fw_files.png("白条.png"), "description": "凭证"},
                           format="multipart")
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get(pk=response.json()["id"])
    assert (evidence.station_check, evidence.original_name, evidence.description) == (check, "白条.png", "凭证")
    assert [e["id"] for e in client.get(f"/api/checks/{check.pk}/").json()["evidence"]] == [evidence.pk]
    assert client.get(response.json()["download"]).status_code == 200
    assert audit_actions(since) == ["evidence.add"]
    files = media_files()
    response = client.post(f"/api/checks/{check.pk}/evidence/", {"file": fw_files.exe("凭证.pdf")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("“凭证.pdf”的内容不是允许的文件类型")
    assert media_files() == files and Evidence.objects.count() == 1


# --- field records ------------------------------------------------------------------------------------------------


def test_a_visit_is_recorded_through_the_service(api, fw_world):
    station = fw_world.stations["A"]
    since = last_audit_id()
    response = api("member").post("/api/field-records/", {
        "station": station.pk, "method": "household_visit", "date": "2026-03-03", "place": "三组",
        "subject": "三组村民王某某家", "content": "反映低保评定不公开"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["method_display"], body["recorded_by_name"], body["evidence"]) == ("走访群众", "柯国强", [])
    assert FieldRecord.objects.get(pk=body["id"]).station == station
    assert audit_actions(since) == ["field_record.create"]


def test_an_interview_with_its_signed_record(api, fw_world, fw_files):
    world = fw_world
    station = world.stations["A"]
    interviewers = [world.people["但建华"].pk, world.people["柯国强"].pk]
    response = api("leader").post("/api/field-records/", {
        "station": station.pk, "method": "interview", "date": "2026-03-04", "interviewee": "张某某（村会计）",
        "interviewers": interviewers, "content": "询问白条入账情况", "signed_record": fw_files.pdf("谈话笔录.pdf"),
        "attachments": [fw_files.png("现场.png"), fw_files.png("账本.png")]}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [p["name"] for p in body["interviewers"]] == ["但建华", "柯国强"]
    assert [(e["original_name"], e["description"]) for e in body["evidence"]] == [
        ("谈话笔录.pdf", "签字谈话笔录"), ("现场.png", ""), ("账本.png", "")]
    response = api("member").post(f"/api/field-records/{body['id']}/evidence/", {"file": fw_files.pdf("补充.pdf")},
                                  format="multipart")
    assert response.status_code == 201
    assert Evidence.objects.filter(field_record_id=body["id"]).count() == 4


def test_field_record_refusals_store_nothing(api, fw_world, fw_files, media_files):
    world = fw_world
    station = world.stations["A"]
    client = api("member")
    files = media_files()
    response = client.post("/api/field-records/", {
        "station": station.pk, "method": "interview", "date": "2026-03-04", "interviewee": "张某某",
        "interviewers": [world.people["柯国强"].pk], "content": "谈话"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": ["个别谈话须有至少两名谈话人", "请上传经谈话对象签字的谈话笔录（拍照或扫描件）"]}
    response = client.post("/api/field-records/", {
        "station": station.pk, "method": "interview", "date": "2026-03-04", "interviewee": "张某某",
        "interviewers": [world.people["柯国强"].pk, world.people["陈立新"].pk], "content": "谈话",
        "signed_record": fw_files.pdf()}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"interviewers"}  # another team's member
    response = client.post("/api/field-records/", {
        "station": station.pk, "method": "documents_read", "date": "2026-03-04", "place": "村部", "subject": "凭证",
        "content": "查阅凭证", "attachments": [fw_files.png(), fw_files.exe("凭证.pdf")]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("“凭证.pdf”的内容不是允许的文件类型")
    assert not FieldRecord.objects.exists() and media_files() == files


@pytest.mark.parametrize("role", READERS + ["other_team", "liaison", "outsider"])
def test_field_records_by_others(api, fw_world, fw_files, role):
    station = fw_world.stations["A"]
    body = {"station": station.pk, "method": "report_heard", "date": "2026-03-03", "place": "村部",
            "subject": "两委班子", "content": "听取汇报"}
    status = api(role).post("/api/field-records/", body, format="json").status_code
    # A viewer off the team: the page's 404; someone who does not see the station: it is no choice (400), as for
    # a sheet of a station one does not see.
    assert status == (404 if role in READERS else 400)
    record = api("member").post("/api/field-records/", body, format="json").json()
    response = api(role).post(f"/api/field-records/{record['id']}/evidence/", {"file": fw_files.png()},
                              format="multipart")
    assert response.status_code == 404
    seen = api(role).get(f"/api/field-records/{record['id']}/").status_code
    assert seen == (200 if role in READERS else 404)
    assert FieldRecord.objects.count() == 1 and not Evidence.objects.exists()


def test_work_lists_stay_within_their_query_budget(client, fw_world, fw_files, within_budget):
    station = fw_world.stations["A"]
    client.force_login(fw_world.users["member"])
    api_client = APIClient()
    api_client.force_authenticate(fw_world.users["member"])
    for n in range(4):
        api_client.post("/api/field-records/", {
            "station": station.pk, "method": "household_visit", "date": "2026-03-03", "place": f"{n}组",
            "subject": "农户", "content": "走访", "attachments": [fw_files.png()]}, format="multipart")
        check = StationCheck.objects.filter(station=station).order_by("id")[n]
        api_client.post(f"/api/checks/{check.pk}/evidence/", {"file": fw_files.png()}, format="multipart")
    assert len(within_budget(client, "/api/field-records/", 9).json()["results"]) == 4
    within_budget(client, "/api/checks/", 9, {"station": station.pk})
    within_budget(client, "/api/checklist-items/", 8)


# --- problem sheets: edits and corrections ------------------------------------------------------------------------


def test_the_team_edits_a_sheet(api, findings_world, findings_make):
    finding = findings_make()
    since = last_audit_id()
    response = api("member").patch(f"/api/findings/{finding.pk}/", {"amount": "4200", "responsible_person": "村会计"},
                                   format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["amount"], response.json()["title"]) == ("4200.00", "退耕还林补贴未足额发放")
    finding.refresh_from_db()
    assert (str(finding.amount), finding.responsible_person) == ("4200.00", "村会计")
    assert audit_actions(since) == ["finding.update"]
    assert AuditEvent.objects.get(pk__gt=since).changes["amount"] == {"before": "3600.00", "after": "4200.00"}
    response = api("member").patch(f"/api/findings/{finding.pk}/", {"title": "  "}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["请填写问题标题"]}


def test_a_responsible_unit_is_one_the_page_offers(api, findings_world, findings_make):
    finding = findings_make()
    town = findings_world.town
    response = api("member").patch(f"/api/findings/{finding.pk}/", {"responsible_unit": town.pk}, format="json")
    assert response.status_code == 200 and response.json()["responsible_unit"] == town.pk  # the unit above
    far = findings_world.villages["五金村"]  # another village: not offered
    response = api("member").patch(f"/api/findings/{finding.pk}/", {"responsible_unit": far.pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"responsible_unit"}
    response = api("member").post("/api/findings/", {
        "station": finding.station_id, "title": "t", "observed": "o", "category": "land",
        "responsible_unit": far.pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"responsible_unit"}
    assert Finding.objects.get(pk=finding.pk).responsible_unit == town and Finding.objects.count() == 1


def test_a_sheet_opens_from_a_check_of_its_own_station_only(api, findings_world, findings_check):
    own, other = findings_check(), findings_check(findings_world.stations["B"])
    client = api("member")
    body = {"station": findings_world.stations["A"].pk, "observed": "两户面积不符"}
    response = client.post("/api/findings/", {**body, "station_check": other.pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"station_check"}
    response = client.post("/api/findings/", {**body, "station_check": own.pk}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["category"]) == ("征地补偿款按户足额发放，面积和青苗不虚报", "land")


def test_after_approval_an_edit_is_a_correction_with_a_reason(api, findings_world, findings_make):
    finding = findings_make()
    StationReport.objects.create(station=finding.station, state=ReportState.APPROVED)
    client = api("member")
    response = client.patch(f"/api/findings/{finding.pk}/", {"amount": "3000"}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["请填写更正理由"]}
    since = last_audit_id()
    response = client.patch(f"/api/findings/{finding.pk}/", {"amount": "3000", "reason": "复核后更正金额"},
                            format="json")
    assert response.status_code == 200, response.content
    revision = FindingRevision.objects.get(finding=finding)
    assert (revision.reason, revision.previous) == ("复核后更正金额", {"amount": "3600.00"})
    assert audit_actions(since) == ["finding.correct"]


def test_a_withdrawn_sheet_is_not_edited(api, findings_world, findings_make):
    finding = findings_make()
    finding_withdraw(actor=findings_world.users["member"], finding=finding, reason="不成立")
    StationReport.objects.create(station=finding.station, state=ReportState.APPROVED)
    response = api("member").patch(f"/api/findings/{finding.pk}/", {"title": "新", "reason": "r"}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["已撤回的问题底稿不能修改"]}
    assert Finding.objects.get(pk=finding.pk).title == "退耕还林补贴未足额发放"
    assert Finding.objects.get(pk=finding.pk).state == FindingState.WITHDRAWN


@pytest.mark.parametrize("role", ["admin", "commission_leader", "other_team", "liaison", "target_liaison", "outsider"])
def test_sheet_edits_by_others_are_404(api, findings_world, findings_make, role):
    finding = findings_make()
    assert api(role).patch(f"/api/findings/{finding.pk}/", {"title": "改"}, format="json").status_code == 404
    assert Finding.objects.get(pk=finding.pk).title == "退耕还林补贴未足额发放"


def test_upload_of_a_sheet_still_refuses_the_same_files(api, findings_world, findings_make, evidence_bytes):
    finding = findings_make()
    response = api("member").post(f"/api/findings/{finding.pk}/evidence/",
                                  {"file": SimpleUploadedFile("passwd", evidence_bytes["pdf"])}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("“passwd”的扩展名与文件内容（PDF）不符")
