"""Fixtures of the problem-sheet tests. A test module loads them with
`pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]` (there is deliberately no
tests/findings/conftest.py); fixture names start with `findings_` or `evidence_`.

`findings_world`: the rounds world (大箕铺镇, prefix 大箕纪) after batch_confirm, both stations moved to "驻点中":
station "A" (水南湾村) is users["leader"]'s (组长) and users["member"]'s (业务骨干); station "B" (柯大兴村) is another
team's, and users["other_team"] (陈立新, 业务骨干 there) logs in for it. users["target_liaison"] is the unit liaison
of 水南湾村 itself (users["liaison"] is the liaison of another village).

`findings_make(station=None, actor=None, **fields)` creates a sheet through the service (station "A" and the member
by default). `findings_check(station=None)` gives a checklist item of the station marked "存在问题".
`evidence_bytes` holds the content of a small valid PNG, PDF and DOCX, and of a Windows program (MZ header).
`evidence_raw_upload(name, content)` is an upload keeping a name with a path; `evidence_multipart(field, filename,
content, fields)` builds a raw multipart body carrying such a name over HTTP. `media_files()` lists every file under MEDIA_ROOT (to show that a refusal stored nothing)."""

import io
import zipfile
from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from findings.services.findings import finding_create
from rounds.models import (
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    Station,
    StationCheck,
    StationState,
    Theme,
)
from rounds.services.planning import batch_confirm
from supervision.roles import Role
from supervision.services.accounts import account_create

PASSWORD = "Pw-for-tests-1"
_versions = count(900)


@pytest.fixture
def findings_world(rounds_world, users):
    world = rounds_world
    users["other_team"] = account_create(actor=None, username="u_other_team", password=PASSWORD,
                                         roles=[Role.TEAM_MEMBER], person=world.people["陈立新"])
    target_person = world.people["王报账"]
    users["target_liaison"] = account_create(actor=None, username="u_target_liaison", password=PASSWORD,
                                             roles=[Role.UNIT_LIAISON], person=target_person,
                                             liaison_unit=world.villages["水南湾村"])
    batch_confirm(actor=users["commission"], batch=world.batch)
    Station.objects.filter(round__batch=world.batch).update(state=StationState.STATIONED)
    world.users = users
    return world.refresh()


@pytest.fixture
def findings_make(findings_world):
    world = findings_world

    def make(station=None, actor=None, **fields):
        values = {"title": "退耕还林补贴未足额发放", "observed": "抽查12户，2户少发补贴共计3,600元",
                  "basis": "《退耕还林条例》第三十五条", "category": Theme.SUBSIDIES, "amount": Decimal("3600.00"),
                  "responsible_unit": world.villages["水南湾村"], "responsible_person": "村报账员",
                  "found_on": date(2026, 3, 4), "team_opinion": "责令限期补发"}
        values.update(fields)
        return finding_create(actor=actor or world.users["member"], station=station or world.stations["A"],
                              **values)

    return make


@pytest.fixture
def findings_check(findings_world):
    version = ChecklistVersion.objects.create(number=next(_versions), note="测试版")
    item = ChecklistItem.objects.create(version=version, theme=Theme.LAND, code="TD-01", order=1,
                                        text="征地补偿款按户足额发放，面积和青苗不虚报",
                                        basis="《土地管理法》第四十八条")

    def make(station=None):
        return StationCheck.objects.create(station=station or findings_world.stations["A"], item=item,
                                           result=CheckResult.PROBLEM, note="两户青苗补偿面积与台账不符")

    return make


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (183, 28, 28)).save(buffer, "PNG")
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="applicatio'
                         'n/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def evidence_bytes():
    return {"png": _png(), "pdf": PDF, "docx": _docx(), "exe": b"MZ" + b"\x00" * 4096}


class RawNameUpload(SimpleUploadedFile):
    """An upload that keeps the name exactly as a client sent it (Django's own classes drop any path), as a
    caller of the service could pass it."""

    @property
    def name(self):
        return self._raw_name

    @name.setter
    def name(self, value):
        self._raw_name = value


@pytest.fixture
def evidence_raw_upload():
    return RawNameUpload


@pytest.fixture
def evidence_multipart():
    """(body, content type) of a hand-made multipart request whose file part carries `filename` verbatim, the way
    a hostile client would send it (the test client would strip the path itself)."""

    def build(field: str, filename: str, content: bytes, fields: dict | None = None):
        boundary = "----findings-test-boundary"
        parts = []
        for key, value in (fields or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
                         .encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"

    return build


@pytest.fixture
def media_files():
    def files() -> set[Path]:
        root = Path(settings.MEDIA_ROOT)
        return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    return files
