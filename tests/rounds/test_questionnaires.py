"""Questionnaires: commission staff keep the templates; a station's team publishes one on the public page;
villagers answer anonymously (throttled, with a honeypot); the team reads the aggregated results and exports
them; nobody else sees any of it."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from openpyxl import load_workbook

from rounds.models import (
    QuestionKind,
    Questionnaire,
    QuestionnaireResponse,
    Station,
    StationQuestionnaire,
    StationState,
)
from rounds.services.questionnaires import (
    questionnaire_create,
    questionnaire_results,
    questionnaire_update,
    response_submit,
    station_questionnaire_publish,
)
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_public"]

IP = "203.0.113.9"
QUESTIONS = [
    {"kind": QuestionKind.SINGLE, "text": "您对村务公开是否满意？", "options": ["满意", "基本满意", "不满意"]},
    {"kind": QuestionKind.MULTIPLE, "text": "您享受过哪些补贴？", "options": ["耕地地力保护补贴", "退耕还林补助", "低保"]},
    {"kind": QuestionKind.TEXT, "text": "您还有什么意见建议？", "options": [], "required": False},
]


@pytest.fixture(autouse=True)
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def survey(users):
    return questionnaire_create(actor=users["commission"], title="群众满意度调查", intro="匿名填写。",
                                questions=QUESTIONS)


@pytest.fixture
def station(public_stations):
    return public_stations.stationed


@pytest.fixture
def published(users, station, survey):
    return station_questionnaire_publish(actor=users["member"], station=station, questionnaire=survey)


@pytest.fixture
def limit(settings):
    settings.PUBLIC_COMPLAINT_LIMIT = 5
    settings.PUBLIC_COMPLAINT_WINDOW_SECONDS = 3600
    return settings


def qs(survey):
    return list(survey.questions.order_by("order"))


def survey_url(station):
    return reverse("public_survey", args=[station.public_token])


def answer(client, station, survey, single=0, multiple=(0, 2), text="希望每月公开财务。", ip=IP, **extra):
    single_q, multiple_q, text_q = qs(survey)
    data = {f"q{single_q.pk}": single, f"q{multiple_q.pk}": list(multiple), f"q{text_q.pk}": text, "website": ""}
    data.update(extra)
    return client.post(survey_url(station), {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR=ip)


def station_url(name, station):
    return reverse(name, args=[station.pk])


# ---------------------------------------------------------------------------------------------- templates

def test_planner_creates_a_questionnaire_on_the_page(client_for):
    client = client_for("commission")
    assert client.get(reverse("questionnaire_create")).status_code == 200
    data = {"title": "工程项目问卷", "intro": "", "is_active": "on",
            "q-TOTAL_FORMS": "3", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "50",
            "q-0-text": "工程是否公开招标？", "q-0-kind": "single", "q-0-options": "是\n否\n不清楚\n", "q-0-required": "on",
            "q-1-text": "其他意见", "q-1-kind": "text", "q-1-options": "", "q-1-required": "",
            "q-2-text": "", "q-2-kind": "single", "q-2-options": "", "q-2-required": "on"}
    response = client.post(reverse("questionnaire_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Questionnaire.objects.get(title="工程项目问卷")
    assert [(q.kind, q.text, q.options, q.required) for q in survey.questions.all()] == [
        ("single", "工程是否公开招标？", ["是", "否", "不清楚"], True), ("text", "其他意见", [], False)]
    assert AuditEvent.objects.filter(action="questionnaire.create", object_id=str(survey.pk)).exists()
    assert "工程项目问卷" in client.get(reverse("questionnaire_list")).content.decode()


def test_choice_questions_need_two_distinct_options(client_for, users):
    client = client_for("commission")
    data = {"title": "坏问卷", "intro": "", "is_active": "on",
            "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "50",
            "q-0-text": "只有一个选项", "q-0-kind": "multiple", "q-0-options": "是", "q-0-required": "on"}
    response = client.post(reverse("questionnaire_create"), data)
    assert response.status_code == 400 and "第1题：选择题至少要有两个选项" in response.content.decode()
    with pytest.raises(ValidationError, match="选项不能重复"):
        questionnaire_create(actor=users["commission"], title="重复", questions=[
            {"kind": "single", "text": "题", "options": ["是", "是"]}])
    with pytest.raises(ValidationError, match="问卷至少要有一道题"):
        questionnaire_create(actor=users["commission"], title="空", questions=[])
    assert not Questionnaire.objects.exists()


def test_a_published_questionnaire_keeps_its_questions(users, survey, published):
    with pytest.raises(ValidationError, match="题目不能再修改"):
        questionnaire_update(actor=users["commission"], questionnaire=survey, title=survey.title, intro="",
                             is_active=True, questions=QUESTIONS[:2])
    questionnaire_update(actor=users["commission"], questionnaire=survey, title="改名的问卷", intro="新说明",
                         is_active=True, questions=[dict(q, required=q.get("required", True)) for q in QUESTIONS])
    survey.refresh_from_db()
    assert survey.title == "改名的问卷" and survey.questions.count() == 3


@pytest.mark.parametrize("role", ["leader", "member", "admin", "liaison", "outsider"])
def test_templates_are_for_planners_only(client_for, users, survey, role):
    client = client_for(role)
    assert client.get(reverse("questionnaire_list")).status_code == 404
    assert client.get(reverse("questionnaire_create")).status_code == 404
    assert client.get(reverse("questionnaire_edit", args=[survey.pk])).status_code == 404
    with pytest.raises(ValidationError, match="只有委机关工作人员"):
        questionnaire_create(actor=users[role], title="x", questions=QUESTIONS)


# ---------------------------------------------------------------------------------------------- publishing

def test_member_publishes_and_the_public_page_links_to_it(client, client_for, station, survey):
    assert 'data-testid="survey-link"' not in client.get(reverse("public_station", args=[station.public_token])
                                                         ).content.decode()
    member = client_for("member")
    response = member.post(station_url("station_questionnaire", station), {"questionnaire": survey.pk})
    assert response.status_code == 302
    current = StationQuestionnaire.objects.get(station=station)
    assert current.is_open and current.questionnaire == survey
    assert AuditEvent.objects.filter(action="questionnaire.publish", object_id=str(station.pk)).exists()
    member.logout()
    page = client.get(reverse("public_station", args=[station.public_token])).content.decode()
    assert 'data-testid="survey-link"' in page and survey_url(station) in page and "群众满意度调查" in page


def test_close_and_reopen(client, client_for, station, survey, published, limit):
    member = client_for("member")
    assert member.post(station_url("station_questionnaire", station), {"op": "close"}).status_code == 302
    assert not StationQuestionnaire.objects.get().is_open
    member.logout()
    assert 'data-testid="survey-link"' not in client.get(
        reverse("public_station", args=[station.public_token])).content.decode()
    page = client.get(survey_url(station))
    assert page.status_code == 200 and "问卷已结束" in page.content.decode()
    assert answer(client, station, survey).status_code == 200
    assert not QuestionnaireResponse.objects.exists()
    member = client_for("member")
    member.post(station_url("station_questionnaire", station), {"questionnaire": survey.pk})
    assert StationQuestionnaire.objects.get().is_open


def test_answers_lock_the_choice_of_questionnaire(users, station, survey, published, client, limit):
    answer(client, station, survey)
    other = questionnaire_create(actor=users["commission"], title="另一份", questions=QUESTIONS)
    with pytest.raises(ValidationError, match="已有答卷，不能更换"):
        station_questionnaire_publish(actor=users["member"], station=station, questionnaire=other)


def test_nobody_else_publishes(users, public_stations, survey, client_for):
    station = public_stations.stationed
    with pytest.raises(ValidationError, match="只有本驻点检查组成员"):
        station_questionnaire_publish(actor=public_stations.other_member, station=station, questionnaire=survey)
    admin = client_for("admin")  # sees the station, works on none
    assert admin.get(station_url("station_questionnaire", station)).status_code == 200
    assert admin.post(station_url("station_questionnaire", station), {"questionnaire": survey.pk}).status_code == 404
    assert not StationQuestionnaire.objects.exists()


def test_proposed_station_cannot_publish(users, public_stations, survey):
    with pytest.raises(ValidationError, match="不在受理期"):
        station_questionnaire_publish(actor=users["commission"], station=public_stations.proposed,
                                      questionnaire=survey)


# ---------------------------------------------------------------------------------------------- answering

def test_anonymous_answer_keeps_no_user_and_no_address(client, station, survey, published, limit):
    response = answer(client, station, survey, single=1, multiple=(0, 2), text="希望每月公开财务。")
    assert response.status_code == 302
    assert response["Location"] == reverse("public_survey_thanks", args=[station.public_token])
    single_q, multiple_q, text_q = qs(survey)
    stored = QuestionnaireResponse.objects.get()
    assert stored.answers == {str(single_q.pk): 1, str(multiple_q.pk): [0, 2], str(text_q.pk): "希望每月公开财务。"}
    field_names = {f.name for f in QuestionnaireResponse._meta.get_fields()}
    assert field_names == {"id", "station_questionnaire", "answers", "source_hash", "created_at"}
    assert IP not in stored.source_hash and len(stored.source_hash) == 64
    event = AuditEvent.objects.get(action="questionnaire.answer")
    assert event.ip is None and event.actor is None and IP not in str(event.changes)
    thanks = client.get(response["Location"])
    text = strip_tags(thanks.content.decode())
    assert thanks.status_code == 200 and "感谢您参与问卷调查" in text and "希望每月公开财务" not in text


def test_logged_in_user_answering_is_still_anonymous(client_for, station, survey, published, limit):
    client = client_for("member")
    assert answer(client, station, survey).status_code == 302
    assert not AuditEvent.objects.filter(action="questionnaire.answer").exclude(actor=None).exists()


def test_required_questions_and_option_ranges(client, station, survey, published, limit):
    single_q, multiple_q, text_q = qs(survey)
    response = answer(client, station, survey, single=None, multiple=())
    page = response.content.decode()
    assert response.status_code == 400 and page.count("此题必答") == 2
    response = answer(client, station, survey, single=3)
    assert response.status_code == 400 and "选项无效" in response.content.decode()
    response = answer(client, station, survey, single="-1")
    assert response.status_code == 400 and "选项无效" in response.content.decode()
    response = answer(client, station, survey, multiple=(1, 1))
    assert response.status_code == 400
    response = answer(client, station, survey, single="abc")
    assert response.status_code == 400
    # The optional text question may stay empty; what was chosen comes back checked on an error.
    response = answer(client, station, survey, single=2, multiple=(), text="")
    assert response.status_code == 400 and 'value="2" checked' in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()
    assert answer(client, station, survey, text="").status_code == 302
    assert str(text_q.pk) not in QuestionnaireResponse.objects.get().answers


def test_too_long_text_is_refused(client, station, survey, published, limit):
    response = answer(client, station, survey, text="长" * 1001)
    assert response.status_code == 400 and "最多1000字" in response.content.decode()


def test_honeypot_saves_nothing(client, station, survey, published, limit):
    response = answer(client, station, survey, website="http://spam.example")
    assert response.status_code == 400 and "提交未成功" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_throttled_after_the_limit(client, station, survey, published, limit):
    for _ in range(5):
        assert answer(client, station, survey).status_code == 302
    response = answer(client, station, survey)
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert QuestionnaireResponse.objects.count() == 5
    assert answer(client, station, survey, ip="198.51.100.1").status_code == 302


def test_works_with_csrf_checks(station, survey, published, limit):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(survey_url(station)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    single_q = qs(survey)[0]
    multiple_q = qs(survey)[1]
    assert browser.post(survey_url(station), {f"q{single_q.pk}": 0, f"q{multiple_q.pk}": 1}).status_code == 403
    response = browser.post(survey_url(station), {f"q{single_q.pk}": 0, f"q{multiple_q.pk}": 1,
                                                  "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_public_survey_404s(client, public_stations, survey, users, limit):
    station = public_stations.stationed
    assert client.get(survey_url(station)).status_code == 404  # nothing published yet
    assert client.get(reverse("public_survey", args=["no-such-token"])).status_code == 404
    assert client.get(reverse("public_survey_thanks", args=[station.public_token])).status_code == 404
    StationQuestionnaire.objects.create(station=public_stations.proposed, questionnaire=survey)
    assert client.get(survey_url(public_stations.proposed)).status_code == 404
    assert client.post(survey_url(public_stations.proposed), {}).status_code == 404


@pytest.mark.parametrize("state", [StationState.HANDED_OFF, StationState.CLOSED])
def test_station_past_its_week_takes_no_answers(client, station, survey, published, state, limit):
    Station.objects.filter(pk=station.pk).update(state=state)
    assert "问卷已结束" in client.get(survey_url(station)).content.decode()
    answer(client, station, survey)
    assert not QuestionnaireResponse.objects.exists()


def test_public_survey_page_shows_the_questions(client, station, survey, published):
    response = client.get(survey_url(station))
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    for q in QUESTIONS:
        assert q["text"] in page
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<textarea" in page
    assert 'name="website"' in page and 'class="nav"' not in page


# ---------------------------------------------------------------------------------------------- results

def seed_answers(published, answers_list):
    for i, raw in enumerate(answers_list):
        response_submit(station_questionnaire=published, raw=raw, source=f"10.0.0.{i}")


def test_aggregation(station, survey, published, client_for, limit):
    single_q, multiple_q, text_q = qs(survey)
    seed_answers(published, [
        {single_q.pk: "0", multiple_q.pk: ["0", "1"], text_q.pk: "公开栏太久没更新"},
        {single_q.pk: "0", multiple_q.pk: ["0"], text_q.pk: ""},
        {single_q.pk: "1", multiple_q.pk: ["2"], text_q.pk: "低保评定要公开"},
        {single_q.pk: "2", multiple_q.pk: ["0", "2"]},
    ])
    results = questionnaire_results(published)
    assert results.total == 4
    single, multiple, text = results.questions
    assert [(o.label, o.count, o.percent) for o in single.options] == [
        ("满意", 2, 50.0), ("基本满意", 1, 25.0), ("不满意", 1, 25.0)]
    assert [(o.count, o.percent) for o in multiple.options] == [(3, 75.0), (1, 25.0), (2, 50.0)]
    assert text.answered == 2 and text.texts == ["公开栏太久没更新", "低保评定要公开"]
    page = client_for("member").get(station_url("station_questionnaire", station)).content.decode()
    assert 'data-testid="survey-total">4<' in page
    assert "50.0%" in page and "75.0%" in page and "低保评定要公开" in page


def test_excel_export(station, survey, published, client_for, limit):
    single_q, multiple_q, text_q = qs(survey)
    seed_answers(published, [
        {single_q.pk: "0", multiple_q.pk: ["0", "1"], text_q.pk: "=HYPERLINK(\"http://x\")"},
        {single_q.pk: "2", multiple_q.pk: ["2"], text_q.pk: "修路要公开"},
    ])
    response = client_for("member").get(station_url("station_questionnaire_export", station))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    summary, detail = book["汇总"], book["答卷明细"]
    rows = [tuple(c for c in row) for row in summary.iter_rows(values_only=True)]
    assert rows[0][0] == "群众满意度调查" and ("答卷数", 2) == rows[2][:2]
    assert rows[1][:2] == ("驻点", "金牛镇袁铺村")
    assert (1, "您对村务公开是否满意？（单选）", "满意", 1, 50.0) in rows
    assert (None, None, "基本满意", 0, 0.0) in rows and (None, None, "不满意", 1, 50.0) in rows
    assert (None, None, "退耕还林补助", 1, 50.0) in rows
    assert (3, "您还有什么意见建议？（填空）", "共2条回答，见“答卷明细”", 2, None) in rows
    header = [c.value for c in detail[1]]
    assert header[:2] == ["序号", "提交日期"] and header[2:] == [q["text"] for q in QUESTIONS]
    first = [c.value for c in detail[2]]
    assert first[2:] == ["满意", "耕地地力保护补贴、退耕还林补助", "=HYPERLINK(\"http://x\")"]
    assert detail.cell(row=2, column=5).data_type == "s"  # text, never a formula
    assert [c.value for c in detail[3]][2:] == ["不满意", "低保", "修路要公开"]


def test_404_matrix(client, client_for, station, survey, published, public_stations):
    urls = [station_url("station_questionnaire", station), station_url("station_questionnaire_export", station)]
    for role in ("liaison", "outsider", "case_office"):
        c = client_for(role)
        for u in urls:
            assert c.get(u).status_code == 404, (role, u)
        assert c.post(urls[0], {"op": "close"}).status_code == 404
    client.force_login(public_stations.other_member)
    for u in urls:
        assert client.get(u).status_code == 404
    assert client.post(urls[0], {"op": "close"}).status_code == 404
    assert StationQuestionnaire.objects.get().is_open
    # A station that published nothing has nothing to export.
    assert client_for("leader").get(
        station_url("station_questionnaire_export", public_stations.planned)).status_code == 404


def test_results_page_query_budget(station, survey, published, client_for, within_budget, limit):
    single_q, multiple_q, text_q = qs(survey)
    client = client_for("member")
    seed_answers(published, [{single_q.pk: "0", multiple_q.pk: ["1"], text_q.pk: "意见"}] * 3)
    within_budget(client, station_url("station_questionnaire", station), 16)
    QuestionnaireResponse.objects.bulk_create([
        QuestionnaireResponse(station_questionnaire=published, answers={str(single_q.pk): 1, str(text_q.pk): f"意见{i}"},
                              source_hash="x" * 64) for i in range(60)])
    response = within_budget(client, station_url("station_questionnaire", station), 16)
    assert 'data-testid="survey-total">63<' in response.content.decode()


def test_public_pages_query_budget(client, station, survey, published, within_budget):
    within_budget(client, reverse("public_station", args=[station.public_token]), 3)
    within_budget(client, survey_url(station), 5)
