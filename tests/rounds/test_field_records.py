"""Field records (走访记录) by method: who may and who may not (404 for anything not visible), the interview rules
(two interviewers of the team, the interviewee, a signed record), the other methods' required fields, files
refused by content with nothing stored and nothing typed lost, attachments, AuditEvents, phone-ready file inputs and
a list whose query count does not grow with the records."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from findings.models import Evidence
from rounds.models import FieldMethod, FieldRecord, Station, StationState
from rounds.services.fieldwork import SIGNED_RECORD, field_record_create
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.rounds.fixtures_fieldwork"]
pytestmark = pytest.mark.usefixtures("zh_hans")

READERS = ["admin"]
WRITERS = ["commission", "leader", "member"]
STRANGERS = ["other_team", "liaison", "target_liaison", "case_office", "outsider"]
DAY = date(2026, 3, 4)


def media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def list_url(station) -> str:
    return reverse("field_record_list", args=[station.pk])


def new_url(station, method) -> str:
    return reverse("field_record_new", args=[station.pk]) + f"?method={method}"


def visit_data(**extra) -> dict:
    data = {"date": DAY.isoformat(), "place": "三组", "subject": "村民王某某家",
            "content": "反映2025年耕地地力保护补贴少发一亩"}
    data.update(extra)
    return data


def interview_data(world, **extra) -> dict:
    data = {"date": DAY.isoformat(), "place": "村委会会议室", "interviewee": "张某某（村报账员）",
            "interviewers": [world.people["但建华"].pk, world.people["柯国强"].pk],
            "content": "了解2025年退耕还林补助发放情况"}
    data.update(extra)
    return data


def make_record(world, method=FieldMethod.HOUSEHOLD_VISIT, **extra):
    values = {"date": DAY, "place": "三组", "subject": "农户", "content": "走访情况"}
    values.update(extra)
    return field_record_create(actor=world.users["member"], station=world.stations["A"], method=method, **values)


# --- who may and who may not ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", READERS + WRITERS)
def test_the_list_and_a_record_are_seen_by_the_team_planners_and_admins(fw_world, client_for, role):
    record = make_record(fw_world)
    client = client_for(role)
    response = client.get(list_url(fw_world.stations["A"]))
    assert response.status_code == 200 and "村民王某某家" not in text(response) and "农户" in text(response)
    assert ("新增记录" in text(response)) is (role in WRITERS)
    detail = client.get(reverse("field_record_detail", args=[record.pk]))
    assert detail.status_code == 200 and "走访情况" in text(detail)
    assert ('type="file"' in text(detail)) is (role in WRITERS)


@pytest.mark.parametrize("role", STRANGERS)
def test_records_are_404_to_strangers(fw_world, client_for, role):
    record = make_record(fw_world)
    client = client_for(role)
    station = fw_world.stations["A"]
    assert client.get(list_url(station)).status_code == 404
    assert client.get(new_url(station, "household_visit")).status_code == 404
    assert client.post(new_url(station, "household_visit"), visit_data()).status_code == 404
    assert client.get(reverse("field_record_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("field_record_detail", args=[record.pk]), {}).status_code == 404
    assert FieldRecord.objects.count() == 1


def test_an_admin_reads_but_does_not_write(fw_world, client_for, fw_files):
    record = make_record(fw_world)
    client = client_for("admin")
    station = fw_world.stations["A"]
    assert client.get(new_url(station, "household_visit")).status_code == 404
    assert client.post(new_url(station, "household_visit"), visit_data()).status_code == 404
    assert client.post(reverse("field_record_detail", args=[record.pk]), {"file": fw_files.png()}).status_code == 404
    assert FieldRecord.objects.count() == 1 and not Evidence.objects.exists()


def test_unknown_ids_are_404(fw_world, client_for):
    client = client_for("commission")
    assert client.get(reverse("field_record_list", args=[999999])).status_code == 404
    assert client.get(reverse("field_record_detail", args=[999999])).status_code == 404


# --- other methods ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", WRITERS)
def test_a_household_visit_with_a_photo(fw_world, client_for, fw_files, role):
    station = fw_world.stations["A"]
    audit = last_audit_id()
    response = client_for(role).post(new_url(station, "household_visit"),
                                     visit_data(attachments=[fw_files.png("现场.png")]))
    record = FieldRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("field_record_detail", args=[record.pk])
    assert (record.method, record.date, record.place, record.subject) == ("household_visit", DAY, "三组", "村民王某某家")
    assert record.recorded_by == fw_world.users[role].person
    evidence = Evidence.objects.get(field_record=record)
    assert evidence.original_name == "现场.png" and evidence.content_type == "image/png"
    assert audit_actions(audit) == ["evidence.add", "field_record.create"]
    event = AuditEvent.objects.get(pk__gt=audit, action="field_record.create")
    assert event.changes["field_record"]["after"] == "走访群众 2026-03-04 村民王某某家"


def test_other_methods_need_date_place_subject_and_content(fw_world, client_for):
    response = client_for("member").post(new_url(fw_world.stations["A"], "documents_read"),
                                         {"date": "", "place": "", "subject": "", "content": ""})
    assert response.status_code == 200
    page = text(response)
    for message in ["请填写日期", "请填写地点", "请填写对象", "请填写主要内容"]:
        assert message in page
    assert "记录未保存，请修改以下内容：" in page
    assert not FieldRecord.objects.exists()


def test_a_date_in_the_future_is_refused(fw_world, client_for):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for("member").post(new_url(fw_world.stations["A"], "report_heard"),
                                         visit_data(date=tomorrow.isoformat(), subject="村“两委”班子"))
    assert "日期不能晚于今天" in text(response) and not FieldRecord.objects.exists()


def test_a_refused_attachment_stores_nothing_and_keeps_the_text(fw_world, client_for, fw_files):
    files = media_files()
    audit = last_audit_id()
    response = client_for("member").post(new_url(fw_world.stations["A"], "enterprise_visit"),
                                         visit_data(subject="某某农业合作社",
                                                    attachments=[fw_files.png(), fw_files.exe("合同.pdf")]))
    page = text(response)
    assert response.status_code == 200
    assert ("“合同.pdf”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint），"
            "系统按文件内容识别为 application/x-dosexec") in page
    assert "某某农业合作社" in page and "反映2025年耕地地力保护补贴少发一亩" in page
    assert "为安全起见，已选择的文件需要重新选择。" in page
    assert not FieldRecord.objects.exists() and not Evidence.objects.exists()
    assert media_files() == files and audit_actions(audit) == []


def test_choosing_a_method_first(fw_world, client_for):
    response = client_for("member").get(reverse("field_record_new", args=[fw_world.stations["A"].pk]))
    assert response.status_code == 200
    page = text(response)
    for value, label in FieldMethod.choices:
        assert f"?method={value}" in page and str(label) in page


def test_the_file_inputs_work_on_a_phone(fw_world, client_for):
    page = text(client_for("member").get(new_url(fw_world.stations["A"], "interview")))
    assert page.count('accept="image/*,application/pdf,.doc,.docx,.xls,.xlsx"') == 2
    assert page.count('capture="environment"') == 2
    assert 'enctype="multipart/form-data"' in page


def test_nothing_is_recorded_outside_the_station_week(fw_world, client_for):
    station = fw_world.stations["A"]
    Station.objects.filter(pk=station.pk).update(state=StationState.HANDED_OFF)
    response = client_for("member").post(new_url(station, "household_visit"), visit_data(), follow=True)
    assert "驻点处于“已交办”状态，不能记录驻点工作" in text(response)
    assert not FieldRecord.objects.exists()


# --- interviews ------------------------------------------------------------------------------------------------------

def test_an_interview_with_two_interviewers_and_a_signed_record(fw_world, client_for, fw_files):
    audit = last_audit_id()
    response = client_for("member").post(new_url(fw_world.stations["A"], "interview"),
                                         interview_data(fw_world, signed_record=fw_files.pdf("谈话笔录.pdf")))
    assert response.status_code == 302
    record = FieldRecord.objects.get()
    assert record.method == FieldMethod.INTERVIEW and record.interviewee == "张某某（村报账员）"
    assert {p.name for p in record.interviewers.all()} == {"但建华", "柯国强"}
    signed = Evidence.objects.get(field_record=record)
    assert signed.description == SIGNED_RECORD and signed.content_type == "application/pdf"
    assert audit_actions(audit) == ["evidence.add", "field_record.create"]
    page = text(client_for("admin").get(reverse("field_record_detail", args=[record.pk])))
    assert "签字谈话笔录" in page and "谈话笔录.pdf" in page and "但建华、柯国强" in page
    listing = text(client_for("admin").get(list_url(fw_world.stations["A"])))
    assert "已附签字笔录" in listing


def test_an_interview_needs_two_interviewers(fw_world, client_for, fw_files):
    response = client_for("member").post(
        new_url(fw_world.stations["A"], "interview"),
        interview_data(fw_world, interviewers=[fw_world.people["柯国强"].pk], signed_record=fw_files.pdf()))
    assert response.status_code == 200
    assert "个别谈话须有至少两名谈话人" in text(response)
    assert not FieldRecord.objects.exists() and not Evidence.objects.exists()


def test_an_interview_needs_the_signed_record_and_the_interviewee(fw_world, client_for):
    files = media_files()
    response = client_for("member").post(new_url(fw_world.stations["A"], "interview"),
                                         interview_data(fw_world, interviewee=""))
    page = text(response)
    assert "请上传经谈话对象签字的谈话笔录（拍照或扫描件）" in page
    assert "请填写谈话对象" in page
    assert "了解2025年退耕还林补助发放情况" in page  # nothing typed is lost
    assert 'value="村委会会议室"' in page
    assert page.count("checked") >= 2  # the interviewers stay ticked
    assert not FieldRecord.objects.exists() and media_files() == files


def test_a_renamed_program_as_signed_record_is_refused(fw_world, client_for, fw_files):
    files = media_files()
    response = client_for("member").post(new_url(fw_world.stations["A"], "interview"),
                                         interview_data(fw_world, signed_record=fw_files.exe("笔录.pdf")))
    assert ("“笔录.pdf”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint），"
            "系统按文件内容识别为 application/x-dosexec") in text(response)
    assert not FieldRecord.objects.exists() and not Evidence.objects.exists() and media_files() == files


def test_interviewers_must_be_of_the_team(fw_world, fw_files):
    world = fw_world
    with pytest.raises(ValidationError) as refused:
        field_record_create(actor=world.users["member"], station=world.stations["A"], method=FieldMethod.INTERVIEW,
                            date=DAY, content="谈话", interviewee="张某某",
                            interviewers=[world.people["柯国强"], world.people["陈立新"]], signed_record=fw_files.pdf())
    assert "不是本驻点组成员：陈立新" in refused.value.message_dict["interviewers"]
    assert not FieldRecord.objects.exists()


def test_the_interviewer_choices_are_the_team(fw_world, client_for):
    response = client_for("member").get(new_url(fw_world.stations["A"], "interview"))
    names = {p.name for p in response.context["form"].fields["interviewers"].queryset}
    assert names == {"但建华", "柯国强", "蒋海燕", "杜金华", "叶翠萍"}


# --- attachments afterwards ------------------------------------------------------------------------------------------

def test_a_member_attaches_a_photo_later(fw_world, client_for, fw_files):
    record = make_record(fw_world)
    audit = last_audit_id()
    client = client_for("leader")
    response = client.post(reverse("field_record_detail", args=[record.pk]), {"file": fw_files.png("补拍.png")})
    assert response.status_code == 302
    assert Evidence.objects.get(field_record=record).original_name == "补拍.png"
    assert audit_actions(audit) == ["evidence.add"]
    refused = client.post(reverse("field_record_detail", args=[record.pk]), {"file": fw_files.exe("x.pdf")})
    assert refused.status_code == 200 and "系统按文件内容识别为 application/x-dosexec" in text(refused)
    assert Evidence.objects.filter(field_record=record).count() == 1


# --- the list --------------------------------------------------------------------------------------------------------

def test_the_list_filters_by_method(fw_world, client_for):
    make_record(fw_world, subject="农户甲")
    make_record(fw_world, method=FieldMethod.DOCUMENTS_READ, subject="会计凭证")
    client = client_for("member")
    response = client.get(list_url(fw_world.stations["A"]), {"method": "documents_read"})
    assert [r.subject for r in response.context["records"]] == ["会计凭证"]
    page = text(response)
    assert "查阅资料 1" in page and "走访群众 1" in page and "全部 2" in page
    everything = client.get(list_url(fw_world.stations["A"]), {"method": "bogus"})
    assert len(everything.context["records"]) == 2


LIST_BUDGET = 16


def test_list_budget_does_not_grow_with_records(fw_world, client_for, within_budget, fw_files):
    station = fw_world.stations["A"]
    world = fw_world
    make_record(world)
    within_budget(client_for("member"), list_url(station), LIST_BUDGET)
    for i in range(6):
        make_record(world, subject=f"农户{i}", attachments=[fw_files.png()])
        field_record_create(actor=world.users["member"], station=station, method=FieldMethod.INTERVIEW, date=DAY,
                            content="谈话", interviewee=f"对象{i}",
                            interviewers=[world.people["但建华"], world.people["柯国强"]], signed_record=fw_files.pdf())
    within_budget(client_for("member"), list_url(station), LIST_BUDGET)
    within_budget(client_for("admin"), list_url(station), LIST_BUDGET)
    within_budget(client_for("commission"), list_url(station), LIST_BUDGET)


DETAIL_BUDGET = 15


def test_detail_budget(fw_world, client_for, within_budget, fw_files):
    record = make_record(fw_world, attachments=[fw_files.png(), fw_files.pdf()])
    within_budget(client_for("member"), reverse("field_record_detail", args=[record.pk]), DETAIL_BUDGET)
