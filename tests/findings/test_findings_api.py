"""The findings API: scoped lists, 404 for anything not visible (the sheet, its evidence, the download), creation
and moves through the same services as the pages with their Chinese messages as a 400, evidence upload with the
same refusals (nothing stored)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from findings.models import Evidence, Finding, FindingState
from findings.services.findings import finding_evidence_add
from rounds.models import Station, StationState, Theme
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

OUTSIDERS = ["other_team", "liaison", "target_liaison", "outsider"]


def ids(client, url="/api/findings/") -> set[int]:
    return {row["id"] for row in client.get(url).json()["results"]}


@pytest.fixture
def api(users):
    def login(role):
        client = APIClient()
        client.force_authenticate(users[role])
        return client

    return login


@pytest.fixture
def sheet(findings_make, findings_world, evidence_bytes):
    finding = findings_make()
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("照片.png", evidence_bytes["png"]))
    return finding, evidence


def test_anonymous_gets_401_or_403(client, sheet):
    assert client.get("/api/findings/").status_code in (401, 403)
    assert client.get(f"/api/evidence/{sheet[1].pk}/download/").status_code in (401, 403)


def test_list_is_scoped_to_visible_stations(api, findings_world, findings_make, sheet):
    other = findings_make(station=findings_world.stations["B"], actor=findings_world.users["commission"])
    assert ids(api("member")) == {sheet[0].pk}
    assert ids(api("other_team")) == {other.pk}
    assert ids(api("commission")) == {sheet[0].pk, other.pk}
    assert ids(api("commission"), f"/api/findings/?station={other.station_id}") == {other.pk}
    row = api("member").get(f"/api/findings/{sheet[0].pk}/").json()
    assert row["number"] == sheet[0].number and row["amount"] == "3600.00" and row["evidence_count"] == 1
    assert row["category_display"] == "惠民惠农补贴" and row["state"] == "draft"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_the_sheet_and_its_evidence(api, findings_world, sheet, role):
    finding, evidence = sheet
    client = api(role)
    assert finding.pk not in ids(client)
    assert ids(client, f"/api/findings/?station={finding.station_id}") == set()
    assert client.get(f"/api/findings/{finding.pk}/").status_code == 404
    assert client.get(f"/api/findings/{finding.pk}/evidence/").status_code == 404
    assert client.get(f"/api/evidence/{evidence.pk}/download/").status_code == 404
    assert client.post(f"/api/findings/{finding.pk}/confirm/").status_code == 404
    assert client.post(f"/api/findings/{finding.pk}/withdraw/", {"reason": "x"}).status_code == 404
    response = client.post(f"/api/findings/{finding.pk}/evidence/",
                           {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")}, format="multipart")
    assert response.status_code == 404
    response = client.post("/api/findings/", {"station": finding.station_id, "observed": "x",
                                              "category": Theme.LAND}, format="json")
    assert response.status_code in (400, 404)
    assert Finding.objects.count() == 1 and Evidence.objects.count() == 1


def test_create_through_the_service(api, findings_world):
    since = AuditEvent.objects.count()
    response = api("member").post("/api/findings/", {
        "station": findings_world.stations["A"].pk, "title": "白条入账", "observed": "2025年有3张白条入账",
        "category": Theme.THREE_ASSETS, "amount": "1500.5", "found_on": "2026-03-05"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("大箕纪2026-1-1-") and body["number"].endswith("-01")
    assert body["amount"] == "1500.50" and body["found_by_name"] == "柯国强"
    assert AuditEvent.objects.filter(action="finding.create").count() == 1
    assert AuditEvent.objects.count() == since + 1


def test_create_refusals_are_400_in_chinese(api, findings_world):
    client = api("member")
    station = findings_world.stations["A"]
    response = client.post("/api/findings/", {"station": station.pk, "observed": "x", "category": Theme.LAND,
                                              "amount": "-3"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"amount": ["涉及金额不能为负数"]}
    response = client.post("/api/findings/", {"station": station.pk, "observed": "x", "category": Theme.LAND,
                                              "amount": "1.234"}, format="json")
    assert response.json() == {"amount": ["涉及金额最多保留两位小数（精确到分）"]}
    response = client.post("/api/findings/", {"station": station.pk, "observed": "x", "category": Theme.LAND,
                                              "title": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["请填写问题标题"]}
    Station.objects.filter(pk=station.pk).update(state=StationState.CLOSED)
    response = client.post("/api/findings/", {"station": station.pk, "title": "t", "observed": "x",
                                              "category": Theme.LAND}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["驻点“已销号”时不能新建问题底稿：进驻后至形成报告期间才能填写"]}
    assert not Finding.objects.exists()


def test_confirm_only_by_the_leader_and_withdraw_with_a_reason(api, sheet):
    finding = sheet[0]
    assert api("member").post(f"/api/findings/{finding.pk}/confirm/").status_code == 404
    response = api("leader").post(f"/api/findings/{finding.pk}/confirm/")
    assert response.status_code == 200 and response.json()["state"] == FindingState.CONFIRMED
    response = api("leader").post(f"/api/findings/{finding.pk}/confirm/")
    assert response.status_code == 400 and response.json() == {"detail": ["“已确认”的问题底稿不能确认"]}
    response = api("leader").post(f"/api/findings/{finding.pk}/withdraw/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    response = api("leader").post(f"/api/findings/{finding.pk}/withdraw/", {"reason": "不成立"}, format="json")
    assert response.status_code == 200 and response.json()["withdraw_reason"] == "不成立"


def test_evidence_upload_list_and_download(api, sheet, evidence_bytes):
    finding = sheet[0]
    client = api("member")
    response = client.post(f"/api/findings/{finding.pk}/evidence/",
                           {"file": SimpleUploadedFile("笔录.docx", evidence_bytes["docx"]), "description": "谈话"},
                           format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(evidence_bytes["docx"]).hexdigest()
    assert body["download"] == f"/api/evidence/{body['id']}/download/"
    listing = client.get(f"/api/findings/{finding.pk}/evidence/").json()
    assert [row["original_name"] for row in listing] == ["照片.png", "笔录.docx"]
    download = client.get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == evidence_bytes["docx"]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "kind", "message"), [
    ("发票.pdf", "exe", "“发票.pdf”的内容不是允许的文件类型"),
    ("passwd", "pdf", "“passwd”的扩展名与文件内容（PDF）不符"),
])
def test_evidence_upload_refusals(api, sheet, evidence_bytes, media_files, name, kind, message):
    finding = sheet[0]
    before = media_files()
    response = api("member").post(f"/api/findings/{finding.pk}/evidence/",
                                  {"file": SimpleUploadedFile(name, evidence_bytes[kind])}, format="multipart")
    assert response.status_code == 400
    assert message in response.json()["detail"][0]
    assert Evidence.objects.count() == 1 and media_files() == before


def test_evidence_upload_with_a_path_over_http(api, sheet, evidence_bytes, evidence_multipart, media_files):
    finding = sheet[0]
    before = media_files()
    body, content_type = evidence_multipart("file", "../../etc/passwd", evidence_bytes["pdf"])
    response = api("member").generic("POST", f"/api/findings/{finding.pk}/evidence/", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("“passwd”的扩展名与文件内容（PDF）不符")
    assert Evidence.objects.count() == 1 and media_files() == before
