"""Fixtures of the station-work tests (checklist and field records). A test module loads them with
`pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.rounds.fixtures_fieldwork"]`; fixture names start with
`fw_`.

`fw_world`: the rounds world (大箕铺镇) after batch_confirm, with station "A" (水南湾村; users["leader"] leads it,
users["member"] is a backbone) entered through the real lifecycle (training, declarations, 进驻), so it got its
checklist from the batch's focus themes (none: every theme). users["other_team"] (陈立新) is a member of station "B"
(柯大兴村, confirmed, not entered); users["target_liaison"] is the liaison of 水南湾村 itself.

`fw_enter(station, focus=None)` enters another station the same way (after setting the batch's focus themes).
`fw_files` holds a small valid PNG and PDF and a Windows program (MZ header)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rounds.checklist_data import checklist_ensure
from rounds.models import Station, StationMember, StationState, TrainingSession
from rounds.services.planning import batch_confirm
from rounds.services.stations import station_transition
from supervision.roles import Role
from supervision.services.accounts import account_create

PASSWORD = "Pw-for-tests-1"


def _enter(world, station, focus=None) -> Station:
    if focus is not None:
        world.batch.focus_themes = list(focus)
        world.batch.save(update_fields=["focus_themes"])
    planner = world.users["commission"]
    station = station_transition(actor=planner, station=station, to=StationState.TRAINING)
    session = TrainingSession.objects.create(batch=world.batch, topic=f"培训{station.pk}", date=date(2026, 2, 27))
    session.attendees.set([m.person for m in station.members.all()])
    StationMember.objects.filter(station=station).update(declared_at="2026-03-01T09:00:00+08:00")
    station_transition(actor=planner, station=station, to=StationState.STATIONED)
    return Station.objects.select_related("round__batch", "target").get(pk=station.pk)


@pytest.fixture
def fw_world(rounds_world, users):
    checklist_ensure()  # a transactional test's flush removes the migration's rows
    world = rounds_world
    users["other_team"] = account_create(actor=None, username="u_other_team", password=PASSWORD,
                                         roles=[Role.TEAM_MEMBER], person=world.people["陈立新"])
    users["target_liaison"] = account_create(actor=None, username="u_target_liaison", password=PASSWORD,
                                             roles=[Role.UNIT_LIAISON], person=world.people["王报账"],
                                             liaison_unit=world.villages["水南湾村"])
    batch_confirm(actor=users["commission"], batch=world.batch)
    world.users = users
    world.refresh()
    world.stations["A"] = _enter(world, world.stations["A"])
    return world


@pytest.fixture
def fw_enter(fw_world):
    def enter(station, focus=None):
        return _enter(fw_world, station, focus)

    return enter


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


@pytest.fixture
def fw_files():
    png = _png()

    class Files:
        def png(self, name="photo.png"):
            return SimpleUploadedFile(name, png, content_type="image/png")

        def pdf(self, name="笔录.pdf"):
            return SimpleUploadedFile(name, PDF, content_type="application/pdf")

        def exe(self, name="笔录.pdf"):
            return SimpleUploadedFile(name, EXE, content_type="application/pdf")

    return Files()
