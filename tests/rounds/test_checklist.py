"""The checklist library (监督清单) and each station's checklist: the library as data, versions edited in the admin
and published, the station's items chosen from the batch's focus themes when it enters and kept after a new version
is published, results and progress, the "存在问题" link to a problem sheet, evidence on an item, who may and who may
not (404 for anything not visible), AuditEvents and query budgets."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from findings.models import Evidence
from rounds.checklist_data import ITEMS, checklist_ensure
from rounds.models import (
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    Station,
    StationCheck,
    StationState,
    Theme,
)
from rounds.services.fieldwork import checklist_draft_from, checklist_publish, station_checklist_open
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.rounds.fixtures_fieldwork"]
pytestmark = pytest.mark.usefixtures("zh_hans")

VILLAGE_THEMES = {Theme.FOUR_TWO, Theme.THREE_ONE, Theme.AFFAIRS_OPEN, Theme.THREE_ASSETS, Theme.SUBSIDIES,
                  Theme.LAND, Theme.PROJECTS, Theme.CONDUCT}
DEPT_THEMES = {Theme.DEPT_PARTY, Theme.THREE_ONE, Theme.DEPT_RESPONSIBILITY, Theme.DEPT_INSPECTION}
READERS = ["admin"]
WRITERS = ["commission", "leader", "member"]
STRANGERS = ["other_team", "liaison", "target_liaison", "case_office", "outsider"]


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def url(station) -> str:
    return reverse("station_checklist", args=[station.pk])


def check_of(station, code) -> StationCheck:
    return StationCheck.objects.select_related("item").get(station=station, item__code=code)


def post_check(client, check, result, note="", file=None):
    data = {f"c{check.pk}-result": result, f"c{check.pk}-note": note}
    if file is not None:
        data[f"c{check.pk}-file"] = file
    return client.post(reverse("check_record", args=[check.pk]), data)


# --- the library ---------------------------------------------------------------------------------------------------

def test_version_1_is_published_with_the_library(db):
    checklist_ensure()
    version = ChecklistVersion.objects.get(number=1)
    assert version.published_at is not None
    items = list(version.items.all())
    assert len(items) == len(ITEMS) >= 30
    themes = {i.theme for i in items}
    assert VILLAGE_THEMES | DEPT_THEMES <= themes
    village_items = [i for i in items if i.theme in VILLAGE_THEMES]
    assert len(village_items) >= 30
    assert len({i.code for i in items}) == len(items)
    for item in items:
        assert item.text and item.guidance and item.basis, item.code
    four_two = version.items.get(code="SY-01")
    assert four_two.theme == Theme.FOUR_TWO and "村民委员会组织法" in four_two.basis
    assert "最低生活保障审核确认办法" in version.items.get(code="BT-03").basis


def test_checklist_ensure_recreates_a_missing_version_1_once(db):
    ChecklistItem.objects.all().delete()
    ChecklistVersion.objects.all().delete()
    checklist_ensure()
    checklist_ensure()
    assert ChecklistVersion.objects.count() == 1
    assert ChecklistItem.objects.count() == len(ITEMS)


# --- the station's checklist: chosen on entering, kept forever ----------------------------------------------------

def test_entering_gives_the_station_its_checklist(fw_world):
    station = fw_world.stations["A"]
    version = ChecklistVersion.objects.get(number=1)
    assert station.state == StationState.STATIONED
    # The batch names no focus themes: every theme.
    assert StationCheck.objects.filter(station=station).count() == version.items.count()
    assert set(StationCheck.objects.filter(station=station).values_list("result", flat=True)) == {"unchecked"}
    event = AuditEvent.objects.get(action="checklist.open", object_id=str(station.pk))
    assert event.changes["checklist"]["after"] == f"第1版，{version.items.count()}项"


def test_the_checklist_follows_the_focus_themes(fw_world, fw_enter):
    focus = [Theme.FOUR_TWO, Theme.SUBSIDIES]
    station = fw_enter(fw_world.stations["B"], focus=focus)
    codes = set(StationCheck.objects.filter(station=station).values_list("item__code", flat=True))
    expected = {i["code"] for i in ITEMS if i["theme"] in focus}
    assert codes == expected and len(codes) == 12


def test_opening_is_idempotent(fw_world):
    station = fw_world.stations["A"]
    before = StationCheck.objects.filter(station=station).count()
    audit = last_audit_id()
    assert station_checklist_open(actor=fw_world.users["commission"], station=station) == 0
    assert StationCheck.objects.filter(station=station).count() == before
    assert audit_actions(audit) == []


def test_a_station_keeps_its_version_after_a_new_one_is_published(fw_world, fw_enter, client_for):
    station = fw_world.stations["A"]
    admin = fw_world.users["admin"]
    v1 = ChecklistVersion.objects.get(number=1)
    audit = last_audit_id()
    draft = checklist_draft_from(actor=admin, version=v1)
    assert draft.published_at is None and draft.items.count() == v1.items.count()
    ChecklistItem.objects.filter(version=draft, code="SY-01").update(text="修订后的四议两公开事项")
    ChecklistItem.objects.create(version=draft, theme=Theme.FOUR_TWO, code="SY-99", order=999, text="新增事项",
                                 guidance="查阅", basis="依据")
    v2 = checklist_publish(actor=admin, version=draft)
    assert v2.number == 2 and v2.published_at is not None
    assert audit_actions(audit) == ["checklist.draft", "checklist.publish"]

    # Station A still has version 1's items, and reopening changes nothing.
    assert set(StationCheck.objects.filter(station=station).values_list("item__version__number", flat=True)) == {1}
    station_checklist_open(actor=admin, station=station)
    assert not StationCheck.objects.filter(station=station, item__version=v2).exists()
    page = text(client_for("member").get(url(station)))
    assert "第1版" in page and "修订后的四议两公开事项" not in page

    # A station entering now gets version 2.
    other = fw_enter(fw_world.stations["B"], focus=[Theme.FOUR_TWO])
    assert set(StationCheck.objects.filter(station=other).values_list("item__version__number", flat=True)) == {2}
    assert check_of(other, "SY-01").item.text == "修订后的四议两公开事项"
    assert check_of(other, "SY-99")


def test_publishing_rules(fw_world):
    admin = fw_world.users["admin"]
    v1 = ChecklistVersion.objects.get(number=1)
    with pytest.raises(ValidationError, match="第1版已发布，不能再次发布"):
        checklist_publish(actor=admin, version=v1)
    checklist_draft_from(actor=admin, version=v1)
    with pytest.raises(ValidationError, match="已有一个草稿版本，请先修改并发布它"):
        checklist_draft_from(actor=admin, version=v1)
    empty = ChecklistVersion.objects.create(number=50)
    with pytest.raises(ValidationError, match="第50版没有任何事项，不能发布"):
        checklist_publish(actor=admin, version=empty)


# --- the admin -----------------------------------------------------------------------------------------------------

def test_admin_edits_a_draft_and_publishes_it(fw_world, client_for):
    client = client_for("admin")
    v1 = ChecklistVersion.objects.get(number=1)
    changelist = reverse("admin:rounds_checklistversion_changelist")
    assert client.get(changelist).status_code == 200
    # Version 1 is published: read-only.
    page = client.get(reverse("admin:rounds_checklistversion_change", args=[v1.pk]))
    assert page.status_code == 200 and 'name="_save"' not in text(page)
    assert client.post(reverse("admin:rounds_checklistversion_change", args=[v1.pk]), {"note": "x"}).status_code == 403

    audit = last_audit_id()
    client.post(changelist, {"action": "draft_from", "_selected_action": [v1.pk]})
    draft = ChecklistVersion.objects.get(published_at__isnull=True)
    assert draft.number == 2
    page = client.get(reverse("admin:rounds_checklistversion_change", args=[draft.pk]))
    assert 'name="_save"' in text(page)
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert audit_actions(audit) == ["checklist.draft", "checklist.publish"]


@pytest.mark.parametrize("role", ["commission", "member", "outsider"])
def test_only_administrators_reach_the_library_admin(fw_world, client_for, role):
    response = client_for(role).get(reverse("admin:rounds_checklistversion_changelist"))
    assert response.status_code in (302, 403)


# --- who may and who may not ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", READERS + WRITERS)
def test_the_checklist_page_is_seen_by_the_team_planners_and_admins(fw_world, client_for, role):
    response = client_for(role).get(url(fw_world.stations["A"]))
    assert response.status_code == 200
    assert response.context["writable"] is (role in WRITERS)
    page = text(response)
    assert "SY-01" in page and "检查方法与依据" in page and "<details" in page
    assert ('action="' + reverse("check_record", args=[check_of(fw_world.stations["A"], "SY-01").pk])
            in page) is (role in WRITERS)


@pytest.mark.parametrize("role", STRANGERS)
def test_the_checklist_page_is_404_to_strangers(fw_world, client_for, role):
    assert client_for(role).get(url(fw_world.stations["A"])).status_code == 404


def test_unknown_station_and_check_are_404(fw_world, client_for):
    client = client_for("commission")
    assert client.get(reverse("station_checklist", args=[999999])).status_code == 404
    assert client.post(reverse("check_record", args=[999999]), {}).status_code == 404


@pytest.mark.parametrize("role", WRITERS)
def test_the_team_and_planners_record_results(fw_world, client_for, role):
    check = check_of(fw_world.stations["A"], "SY-01")
    audit = last_audit_id()
    response = post_check(client_for(role), check, "compliant", "会议记录齐全")
    assert response.status_code == 302 and response["Location"].endswith(f"#check-{check.pk}")
    check.refresh_from_db()
    assert check.result == CheckResult.COMPLIANT and check.note == "会议记录齐全"
    assert check.checked_by == fw_world.users[role].person and check.checked_at is not None
    assert audit_actions(audit) == ["checklist.check"]
    event = AuditEvent.objects.get(pk__gt=audit)
    assert event.changes["SY-01"] == {"before": "未检查", "after": "符合 会议记录齐全"}


@pytest.mark.parametrize("role", READERS + STRANGERS)
def test_others_may_not_record(fw_world, client_for, role):
    check = check_of(fw_world.stations["A"], "SY-01")
    assert post_check(client_for(role), check, "compliant").status_code == 404
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED and check.checked_by is None


def test_recording_is_post_only(fw_world, client_for):
    check = check_of(fw_world.stations["A"], "SY-01")
    assert client_for("member").get(reverse("check_record", args=[check.pk])).status_code == 405


def test_nothing_is_recorded_outside_the_station_week(fw_world, client_for):
    station = fw_world.stations["A"]
    Station.objects.filter(pk=station.pk).update(state=StationState.HANDED_OFF)
    check = check_of(station, "SY-01")
    client = client_for("member")
    assert client.get(url(station)).context["writable"] is False
    response = post_check(client, check, "compliant")
    assert response.status_code == 200
    assert "驻点处于“已交办”状态，不能记录驻点工作" in text(response)
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED


# --- results, progress and the problem-sheet link ------------------------------------------------------------------

def test_results_and_progress(fw_world, client_for):
    station = fw_world.stations["A"]
    client = client_for("member")
    total = StationCheck.objects.filter(station=station).count()
    response = client.get(url(station))
    assert (response.context["done"], response.context["total"]) == (0, total)
    post_check(client, check_of(station, "SY-01"), "compliant")
    post_check(client, check_of(station, "BT-03"), "problem", "2户低保未经民主评议")
    post_check(client, check_of(station, "XC-01"), "na", "村级不适用")
    response = client.get(url(station))
    assert (response.context["done"], response.context["total"]) == (3, total)
    assert response.context["percent"] == round(300 / total)
    page = text(response)
    assert f"已检查 3 / {total} 项" in page and f'<progress value="3" max="{total}"' in page
    assert "存在问题 1" in page and "符合 1" in page and "不适用 1" in page
    assert "柯国强" in page  # who checked
    # Back to "未检查" clears who and when.
    post_check(client, check_of(station, "SY-01"), "unchecked")
    check = check_of(station, "SY-01")
    assert check.checked_by is None and check.checked_at is None
    assert client.get(url(station)).context["done"] == 2


def test_a_problem_needs_a_note(fw_world, client_for):
    check = check_of(fw_world.stations["A"], "BT-03")
    response = post_check(client_for("member"), check, "problem", "")
    assert response.status_code == 200
    assert "存在问题时，请在情况说明中写明发现的问题" in text(response)
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED


def test_a_problem_offers_the_problem_sheet(fw_world, client_for):
    station = fw_world.stations["A"]
    client = client_for("member")
    problem, fine = check_of(station, "BT-03"), check_of(station, "SY-01")
    post_check(client, problem, "problem", "2户低保未经民主评议")
    post_check(client, fine, "compliant")
    page = text(client.get(url(station)))
    try:
        link = reverse("finding_new", args=[station.pk]) + f"?check={problem.pk}"
    except NoReverseMatch:
        assert "填写问题底稿" not in page  # the problem-sheet page is not there yet: no dead link
    else:
        assert f'href="{link}"' in page and page.count("填写问题底稿") == 1
        assert f"?check={fine.pk}" not in page
    # Readers see the result, not the link.
    assert "填写问题底稿" not in text(client_for("admin").get(url(station)))


# --- evidence on an item -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_evidence_on_an_item(fw_world, client_for, fw_files, kind):
    check = check_of(fw_world.stations["A"], "ZC-03")
    upload = getattr(fw_files, kind)()
    audit = last_audit_id()
    response = post_check(client_for("member"), check, "problem", "白条入账3张", upload)
    assert response.status_code == 302
    evidence = Evidence.objects.get(station_check=check)
    assert evidence.station_id == check.station_id and evidence.original_name == upload.name
    assert evidence.content_type == {"png": "image/png", "pdf": "application/pdf"}[kind]
    assert len(evidence.sha256) == 64
    assert audit_actions(audit) == ["checklist.check", "evidence.add"]
    assert upload.name in text(client_for("admin").get(url(fw_world.stations["A"])))


def test_a_renamed_program_is_refused_and_nothing_is_saved(fw_world, client_for, fw_files):
    check = check_of(fw_world.stations["A"], "ZC-03")
    files = media_files()
    audit = last_audit_id()
    response = post_check(client_for("member"), check, "problem", "白条入账3张", fw_files.exe("凭证.pdf"))
    assert response.status_code == 200
    page = text(response)
    assert ("“凭证.pdf”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint），"
            "系统按文件内容识别为 application/x-dosexec") in page
    assert "白条入账3张" in page  # the note typed is kept on the page
    check.refresh_from_db()
    assert check.result == CheckResult.UNCHECKED and not Evidence.objects.filter(station_check=check).exists()
    assert media_files() == files and audit_actions(audit) == []


# --- query budgets -------------------------------------------------------------------------------------------------

CHECKLIST_BUDGET = 14


def test_checklist_page_budget_does_not_grow_with_items(fw_world, fw_enter, client_for, within_budget, fw_files):
    from rounds.services.fieldwork import check_evidence_add, check_record

    small = fw_enter(fw_world.stations["B"], focus=[Theme.LAND])
    big = fw_world.stations["A"]
    member = fw_world.users["member"]
    for check in StationCheck.objects.filter(station=big).select_related("station", "item")[:10]:
        check_record(actor=member, check=check, result="problem", note="问题")
        check_evidence_add(actor=member, check=check, upload=fw_files.png())
    assert StationCheck.objects.filter(station=small).count() == 4
    assert StationCheck.objects.filter(station=big).count() > 40
    within_budget(client_for("commission"), url(small), CHECKLIST_BUDGET)
    within_budget(client_for("commission"), url(big), CHECKLIST_BUDGET)
    within_budget(client_for("member"), url(big), CHECKLIST_BUDGET)
    within_budget(client_for("admin"), url(big), CHECKLIST_BUDGET)
