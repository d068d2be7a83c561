"""manage.py restore_check: passes on a healthy database with filed documents and evidence; fails, naming the
record and the file, when a filed PDF is missing or altered, when an evidence file is missing or altered, and when
the audit chain is broken."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from findings.models import Evidence
from rectification.models import RectificationEvidence
from supervision.audit import audit_record
from supervision.documents import filing
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

PDF = b"%PDF-1.7\n% filed hand-off letter\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"evidence photo" * 50


@pytest.fixture
def archive(rect_world):
    """rect_world with its letter filed (PDF + recorded SHA-256), an evidence file of a problem sheet and one of
    a rectification item, all on MEDIA_ROOT, and an audit event written through the application."""
    world = rect_world
    letter = world.letter
    with filing(letter.pdf, PDF, "letter.pdf") as digest:
        letter.pdf_sha256 = digest
        letter.save(update_fields=["pdf", "pdf_sha256"])
    station = world.stations["A"]
    evidence = Evidence(station=station, finding=world.sheet, original_name="账本.png", content_type="image/png",
                        size=len(PHOTO), sha256=hashlib.sha256(PHOTO).hexdigest())
    evidence.file.save("账本.png", ContentFile(PHOTO), save=False)
    evidence.save()
    item_evidence = RectificationEvidence(item=world.items[0], original_name="整改.pdf",
                                          content_type="application/pdf", size=len(PDF),
                                          sha256=hashlib.sha256(PDF).hexdigest())
    item_evidence.file.save("整改.pdf", ContentFile(PDF), save=False)
    item_evidence.save()
    audit_record(actor=world.users["commission"], action="test.restore", obj=letter)
    world.evidence, world.item_evidence = evidence, item_evidence
    return world


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("restore_check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("restore_check", *args, stdout=out, stderr=err)
    return f"{raised.value}\n{err.getvalue()}"


def test_healthy_database_passes(archive):
    out, err = run()
    assert err == ""
    assert "恢复检查通过" in out
    assert "migrations:" in out and ", 0 missing" in out
    assert "rows findings.Finding: " in out and "rows rectification.HandoffLetter: 2" in out
    assert "filed rectification.HandoffLetter: 1 files checked (exist and hash)" in out
    assert f"evidence findings.Evidence: {Evidence.objects.count()} files checked (exist and hash)" in out
    assert (f"evidence rectification.RectificationEvidence: {RectificationEvidence.objects.count()} files "
            "checked (exist and hash)") in out
    assert "audit chain: verified" in out


def test_missing_filed_pdf_fails_naming_the_file(archive):
    name = archive.letter.pdf.name
    Path(archive.letter.pdf.path).unlink()
    message = fails()
    assert f"rectification.HandoffLetter #{archive.letter.pk} 的文件缺失：{name}" in message


def test_altered_filed_pdf_fails_naming_the_file(archive):
    name = archive.letter.pdf.name
    Path(archive.letter.pdf.path).write_bytes(PDF.replace(b"hand-off", b"HAND-OFF"))
    message = fails()
    assert f"rectification.HandoffLetter #{archive.letter.pk} 的文件被改动：{name}" in message


def test_recorded_hash_without_file_fails(archive):
    type(archive.letter).objects.filter(pk=archive.other_letter.pk).update(pdf_sha256="0" * 64)
    assert f"rectification.HandoffLetter #{archive.other_letter.pk} 记录了 SHA-256，但没有文件" in fails()


def test_missing_evidence_fails_naming_the_file(archive):
    name = archive.evidence.file.name
    Path(archive.evidence.file.path).unlink()
    message = fails()
    assert f"findings.Evidence #{archive.evidence.pk} 的文件缺失：{name}" in message


def test_missing_rectification_evidence_fails(archive):
    name = archive.item_evidence.file.name
    Path(archive.item_evidence.file.path).unlink()
    assert f"rectification.RectificationEvidence #{archive.item_evidence.pk} 的文件缺失：{name}" in fails()


def test_altered_evidence_fails_unless_only_existence_is_checked(archive):
    name = archive.evidence.file.name
    Path(archive.evidence.file.path).write_bytes(PHOTO + b"x")
    assert f"findings.Evidence #{archive.evidence.pk} 的文件被改动：{name}" in fails()
    out, _err = run("--evidence-exists-only")
    assert "恢复检查通过" in out


def test_broken_audit_chain_fails(archive):
    event = AuditEvent.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["edited", event.pk])
    assert "审计链校验失败" in fails()
