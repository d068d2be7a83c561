"""Evidence files of problem sheets: the must-show refusals (a program renamed to .pdf, a 200 MB file, a name with a
path) each with a clear Chinese message and nothing stored, accepted files kept with their SHA-256 outside anything
served, and the download only through the permission-checked view."""

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse

from findings.models import Evidence
from findings.services.findings import finding_evidence_add, finding_withdraw

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

BIG = 200 * 1024 * 1024


@pytest.fixture
def finding(findings_make):
    return findings_make()


@pytest.fixture
def sparse_200mb():
    """A real 200 MB file on disk that takes no space (sparse): an upload whose size is 200 MB."""
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
    handle.write(b"%PDF-1.4\n")
    handle.truncate(BIG)
    handle.close()
    with open(handle.name, "rb") as f:
        yield UploadedFile(file=f, name="会议记录.pdf", content_type="application/pdf", size=BIG)
    os.unlink(handle.name)


def refused(findings_world, finding, upload, media_files) -> str:
    before = media_files()
    with pytest.raises(ValidationError) as error:
        finding_evidence_add(actor=findings_world.users["member"], finding=finding, upload=upload)
    assert not Evidence.objects.exists()
    assert media_files() == before
    return " ".join(error.value.messages)


# --- the must-show refusals, in the service --------------------------------------------------------------------

def test_program_renamed_to_pdf_is_refused(findings_world, finding, evidence_bytes, media_files):
    message = refused(findings_world, finding, SimpleUploadedFile("发票.pdf", evidence_bytes["exe"],
                                                                  content_type="application/pdf"), media_files)
    assert "“发票.pdf”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint）" in message
    assert "application/x-dosexec" in message


def test_200_mb_upload_is_refused(findings_world, finding, sparse_200mb, media_files):
    assert sparse_200mb.size == BIG
    message = refused(findings_world, finding, sparse_200mb, media_files)
    assert message.replace("\xa0", " ").startswith("文件过大（200.0 MB）：单个文件不能超过")


def test_path_in_the_name_is_refused(findings_world, finding, evidence_bytes, evidence_raw_upload, media_files):
    message = refused(findings_world, finding, evidence_raw_upload("../../etc/passwd", evidence_bytes["pdf"]),
                      media_files)
    assert message == "文件名“../../etc/passwd”不合规：请使用不含路径和特殊字符的文件名"


PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


@pytest.mark.parametrize(("content", "message"), [
    (PASSWD, "“passwd”的内容不是允许的文件类型（PDF、图片、Word、Excel、PowerPoint），系统按文件内容识别为 text/plain"),
    ("pdf", "“passwd”的扩展名与文件内容（PDF）不符"),
])
def test_path_in_the_name_over_http_is_refused(client_for, findings_world, finding, evidence_bytes,
                                                evidence_multipart, media_files, content, message):
    """Over HTTP Django's parser drops the path ("passwd" is left): still refused, by content or by extension."""
    data = evidence_bytes[content] if isinstance(content, str) else content
    body, content_type = evidence_multipart("files", "../../etc/passwd", data)
    before = media_files()
    client = client_for("member")
    response = client.generic("POST", reverse("evidence_upload", args=[finding.pk]), body, content_type=content_type)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"“passwd”未上传：{message}" in page
    assert not Evidence.objects.exists()
    assert media_files() == before


@pytest.mark.parametrize("name", ["照片.html", "照片", "照片.pdf"])
def test_extension_must_match_the_content(findings_world, finding, evidence_bytes, media_files, name):
    message = refused(findings_world, finding, SimpleUploadedFile(name, evidence_bytes["png"]), media_files)
    assert message.startswith(f"“{name}”的扩展名与文件内容（图片）不符")


def test_a_png_called_jpg_is_fine(findings_world, finding, evidence_bytes):
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("IMG_0001.JPG", evidence_bytes["png"]))
    assert evidence.content_type == "image/png"


def test_empty_file_is_refused(findings_world, finding, media_files):
    assert refused(findings_world, finding, SimpleUploadedFile("空.pdf", b""), media_files) == "文件是空的"


def test_withdrawn_sheet_takes_no_files(findings_world, finding, evidence_bytes, media_files):
    finding = finding_withdraw(actor=findings_world.users["member"], finding=finding, reason="重复")
    message = refused(findings_world, finding, SimpleUploadedFile("a.png", evidence_bytes["png"]), media_files)
    assert message == "已撤回的问题底稿不能再上传材料"


# --- accepted files --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "name", "content_type"), [
    ("pdf", "会议记录.pdf", "application/pdf"),
    ("png", "现场照片.png", "image/png"),
    ("docx", "谈话笔录.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_valid_files_are_kept_with_their_hash_outside_the_web_root(findings_world, finding, evidence_bytes, kind,
                                                                   name, content_type):
    data = evidence_bytes[kind]
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile(name, data, content_type="text/html"))
    assert evidence.original_name == name
    assert evidence.content_type == content_type  # by content, not by what the browser claimed
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)
    stored = Path(evidence.file.path).resolve()
    assert stored.read_bytes() == data
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert name not in stored.name and stored.suffix == ""  # a random storage name: nothing to guess or execute


def test_stored_files_are_not_reachable_by_url(client_for, findings_world, finding, evidence_bytes):
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("照片.png", evidence_bytes["png"]))
    client = client_for("member")
    relative = evidence.file.name
    for url in (f"{settings.MEDIA_URL}{relative}", f"/media/{relative}", f"/static/{relative}", f"/{relative}"):
        assert client.get(url).status_code == 404, url


# --- the upload page -------------------------------------------------------------------------------------------

def test_upload_page_takes_several_files_and_refuses_each_on_its_own(client_for, findings_world, finding,
                                                                      evidence_bytes, media_files):
    before = media_files()
    response = client_for("member").post(reverse("evidence_upload", args=[finding.pk]), {
        "files": [SimpleUploadedFile("照片.png", evidence_bytes["png"]),
                  SimpleUploadedFile("发票.pdf", evidence_bytes["exe"]),
                  SimpleUploadedFile("../../etc/passwd", evidence_bytes["pdf"]),
                  SimpleUploadedFile("笔录.docx", evidence_bytes["docx"])],
        "description": "现场取证"}, follow=True)
    page = response.content.decode()
    assert "已上传“照片.png”" in page and "已上传“笔录.docx”" in page
    assert "“发票.pdf”未上传：“发票.pdf”的内容不是允许的文件类型" in page
    assert "“passwd”未上传：“passwd”的扩展名与文件内容（PDF）不符" in page  # the parser dropped the path
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["照片.png", "笔录.docx"]
    assert len(media_files() - before) == 2


def test_upload_page_without_files(client_for, finding):
    response = client_for("member").post(reverse("evidence_upload", args=[finding.pk]), {}, follow=True)
    assert "请选择要上传的文件" in response.content.decode()


# --- the download ----------------------------------------------------------------------------------------------

def test_download_is_an_attachment_with_the_original_name(client_for, findings_world, finding, evidence_bytes):
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("现场 照片.png", evidence_bytes["png"]))
    response = client_for("leader").get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence_bytes["png"]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_download_of_a_lost_file_is_404(client_for, findings_world, finding, evidence_bytes):
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("a.png", evidence_bytes["png"]))
    Path(evidence.file.path).unlink()
    assert client_for("member").get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


@pytest.mark.parametrize("role", ["other_team", "target_liaison", "liaison", "outsider"])
def test_download_refused_to_outsiders(client_for, findings_world, finding, evidence_bytes, role):
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("a.png", evidence_bytes["png"]))
    assert client_for(role).get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    assert client_for(role).get(reverse("evidence_download", args=[evidence.pk + 1000])).status_code == 404
