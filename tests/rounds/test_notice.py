"""The supervision notice (监督检查公告): who may issue and read it, and what the PDF holds: every Chinese
character in embedded fonts, the GB/T 9704 page, the document number, and a QR code that leads to the
station's public page."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from rounds.models import Station
from supervision.documents import STYLESHEET, cn_date, cn_number, letterhead, qr_svg, render_pdf
from supervision.models import AuditEvent, DocumentNumber
from tests.factories import TownshipFactory
from tests.pdf_checks import (
    assert_fonts_embedded,
    assert_red_letterhead,
    run,
    squeeze,
    tool,
    unmapped_glyph_codes,
)

pytest_plugins = ["tests.rounds.fixtures_public"]

# What the fixture's batch says (tests/rounds/fixtures_public.py).
ORGAN = "中共金牛镇纪律检查委员会"
SCOPE = "村“两委”干部违反“四议两公开”决策程序、侵占挪用集体资金资产资源、优亲厚友截留惠民惠农补贴等问题"
PHONE = "0714-8721234"
MAILBOX = "金牛镇纪委办公室（镇政府一楼）"
TITLE = "关于开展“巡回驻点”监督检查的公告"
PERIOD = "2026年11月16日至2026年11月22日"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


def pdf_url(station):
    return reverse("station_notice_pdf", args=[station.pk])


def issue_url(station):
    return reverse("station_notice_issue", args=[station.pk])


def station_page(station):
    try:
        return reverse("station_detail", args=[station.pk])
    except NoReverseMatch:
        return pdf_url(station)


@pytest.fixture
def notice_pdf(client_for, public_stations, tmp_path):
    """The stationed station's notice as the planner downloads it, written to a file."""
    response = client_for("commission").get(pdf_url(public_stations.stationed))
    assert response.status_code == 200
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    return path


# --- who gets the PDF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    ("admin", 200), ("commission", 200), ("leader", 200), ("member", 200),
    ("liaison", 404), ("case_office", 404), ("outsider", 404),
])
def test_notice_pdf_access(client_for, public_stations, role, status):
    response = client_for(role).get(pdf_url(public_stations.stationed))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="notice-{public_stations.stationed.pk}.pdf"'
        assert response.content.startswith(b"%PDF-")


def test_member_of_another_station_gets_404(client, public_stations):
    client.force_login(public_stations.other_member)
    assert client.get(pdf_url(public_stations.stationed)).status_code == 404
    assert client.post(issue_url(public_stations.stationed)).status_code == 404


def test_anonymous_is_sent_to_login(client, public_stations):
    response = client.get(pdf_url(public_stations.stationed))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_no_pdf_before_a_number_is_issued_and_the_404_says_nothing(client_for, public_stations):
    client = client_for("commission")
    missing = client.get(reverse("station_notice_pdf", args=[Station.objects.order_by("-pk")[0].pk + 100]))
    response = client.get(pdf_url(public_stations.planned))
    assert response.status_code == 404
    assert response.content == missing.content
    assert "新华村" not in response.content.decode()


def test_proposed_station_pdf_is_404_even_for_its_members(client_for, public_stations):
    for role in ("member", "leader", "commission"):
        assert client_for(role).get(pdf_url(public_stations.proposed)).status_code == 404


# --- issuing the number --------------------------------------------------------------------------------------

def test_leader_issues_the_notice(client_for, public_stations):
    client = client_for("leader")
    response = client.post(issue_url(public_stations.planned))
    assert response.status_code == 302 and response["Location"] == station_page(public_stations.planned)
    public_stations.planned.refresh_from_db()
    assert public_stations.planned.notice_number == "金牛纪告〔2026〕2号"
    assert public_stations.planned.notice_issued_at is not None
    assert AuditEvent.objects.filter(action="station.notice_issue", object_id=str(public_stations.planned.pk)).count() == 1
    assert client.get(pdf_url(public_stations.planned)).status_code == 200
    # A second press changes nothing and takes no number.
    client.post(issue_url(public_stations.planned))
    public_stations.planned.refresh_from_db()
    assert public_stations.planned.notice_number == "金牛纪告〔2026〕2号"
    assert DocumentNumber.objects.get(organ=public_stations.batch.organiser, kind="notice", year=2026).last == 2


def test_planner_issues_the_notice(client_for, public_stations):
    assert client_for("commission").post(issue_url(public_stations.planned)).status_code == 302
    public_stations.planned.refresh_from_db()
    assert public_stations.planned.notice_number == "金牛纪告〔2026〕2号"


def test_team_member_who_does_not_lead_cannot_issue(client, public_stations):
    client.force_login(public_stations.other_member)
    assert client.get(pdf_url(public_stations.planned)).status_code == 404  # sees the station, but no notice yet
    assert client.post(issue_url(public_stations.planned)).status_code == 404
    public_stations.planned.refresh_from_db()
    assert public_stations.planned.notice_number == ""


@pytest.mark.parametrize("role", ["member", "liaison", "case_office", "outsider"])
def test_others_cannot_issue(client_for, public_stations, role):
    assert client_for(role).post(issue_url(public_stations.planned)).status_code == 404
    public_stations.planned.refresh_from_db()
    assert public_stations.planned.notice_number == ""


def test_issue_needs_post(client_for, public_stations):
    assert client_for("leader").get(issue_url(public_stations.planned)).status_code == 405


def test_proposed_station_gets_no_number(client_for, public_stations):
    assert client_for("leader").post(issue_url(public_stations.proposed)).status_code == 404
    response = client_for("commission").post(issue_url(public_stations.proposed), follow=False)
    assert response.status_code == 302
    public_stations.proposed.refresh_from_db()
    assert public_stations.proposed.notice_number == ""
    from django.contrib.messages import get_messages

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["方案确认后才能发布监督检查公告"]


# --- what the PDF holds --------------------------------------------------------------------------------------

def test_every_character_is_printed_in_an_embedded_font(notice_pdf, public_stations):
    assert_fonts_embedded(notice_pdf)

    text = run(tool("pdftotext"), "-enc", "UTF-8", str(notice_pdf), "-")
    flat = squeeze(text)
    station = public_stations.stationed
    for expected in [TITLE, ORGAN, "金牛镇袁铺村", PERIOD, PHONE, MAILBOX, SCOPE, "u_leader姓名",
                     "四议两公开、村级三资、惠民惠农补贴", "扫码反映问题", "特此公告。",
                     cn_date(station.notice_issued_at)]:
        assert squeeze(expected) in flat, f"missing from the PDF text: {expected}"
    assert "\ufffd" not in text
    assert unmapped_glyph_codes(notice_pdf.read_bytes()) == set(), "some characters were drawn as empty boxes"


def test_the_missing_glyph_check_would_catch_tofu(public_stations):
    # A character no installed font has (Tangut) must be caught by the check used above.
    from rounds.notice import notice_facts

    context = {**notice_facts(public_stations.stationed), "target": "\U00017000村", "number": "X", "ways": [],
               "qr": "", "leader": "", "issued": "", "days": 7}
    assert unmapped_glyph_codes(render_pdf("documents/notice.html", context)) != set()


def test_page_is_a4_with_the_number_and_page_numbers(notice_pdf):
    info = run(tool("pdfinfo"), "-f", "1", "-l", "99", str(notice_pdf))
    sizes = re.findall(r"Page\s+\d+ size:\s+(.*)", info)
    assert sizes and all(size.strip() == "595.276 x 841.89 pts (A4)" for size in sizes), sizes
    text = run(tool("pdftotext"), "-enc", "UTF-8", str(notice_pdf), "-")
    assert "金牛纪告〔2026〕1号" in text
    pages = text.split("\f")
    assert re.search(r"—\s*1\s*—", pages[0])
    # The document number sits between the organ's name and the title.
    flat = squeeze(text)
    assert flat.index(ORGAN) < flat.index("金牛纪告〔2026〕1号") < flat.index(TITLE)


def test_qr_code_leads_to_the_public_page(notice_pdf, public_stations, tmp_path):
    run(tool("pdftoppm"), "-r", "200", "-png", str(notice_pdf), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page-*.png"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for page in pages:
        shutil.copy(page, ARTIFACTS / f"notice-{page.name}")
    decoded = []
    for page in pages:
        result = subprocess.run([tool("zbarimg"), "--raw", "-q", str(page)], capture_output=True, text=True)
        decoded += result.stdout.split()
    expected = "http://testserver" + reverse("public_station", args=[public_stations.stationed.public_token])
    assert decoded == [expected]


def test_qr_code_uses_the_public_base_url(client_for, public_stations, settings, tmp_path):
    settings.PUBLIC_BASE_URL = "https://jw.example.gov.cn/"
    response = client_for("member").get(pdf_url(public_stations.stationed))
    (tmp_path / "n.pdf").write_bytes(response.content)
    run(tool("pdftoppm"), "-r", "200", "-png", str(tmp_path / "n.pdf"), str(tmp_path / "page"))
    decoded = []
    for page in sorted(tmp_path.glob("page-*.png")):
        decoded += subprocess.run([tool("zbarimg"), "--raw", "-q", str(page)], capture_output=True,
                                  text=True).stdout.split()
    assert decoded == [f"https://jw.example.gov.cn/p/{public_stations.stationed.public_token}/"]


def test_letterhead_and_rule_are_red(notice_pdf):
    assert_red_letterhead(notice_pdf)


def test_stylesheet_lays_out_22_lines_of_28_characters():
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    html = "<html lang='zh-CN'><body><p class='flush'>" + "国" * (28 * 30) + "</p></body></html>"
    document = HTML(string=html).render(stylesheets=[CSS(filename=str(STYLESHEET))])
    page = document.pages[0]._page_box
    assert round(page.width * 25.4 / 96, 1) == 156.0 and round(page.height * 25.4 / 96, 1) == 225.0
    assert round(page.margin_top * 25.4 / 96, 1) == 37.0 and round(page.margin_left * 25.4 / 96, 1) == 28.0

    def lines(box):
        if isinstance(box, boxes.LineBox):
            yield box
        else:
            for child in getattr(box, "children", []):
                yield from lines(child)

    body_lines = list(lines(page.children[0]))  # the html box: margin boxes (page numbers) left out
    assert len(body_lines) == 22
    assert {len("".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox)))
            for line in body_lines} == {28}


def test_two_line_organ_and_fallback_names():
    joint = TownshipFactory.build(name="大冶市纪委监委", organ_name="中共大冶市纪律检查委员会\n大冶市监察委员会")
    assert letterhead(joint).lines == ["中共大冶市纪律检查委员会", "大冶市监察委员会"]
    assert letterhead(TownshipFactory.build(name="金牛镇")).lines == ["金牛镇纪律检查委员会"]
    assert letterhead(TownshipFactory.build(name="第三纪检监察组")).lines == ["第三纪检监察组"]
    long = letterhead(TownshipFactory.build(name="x", organ_name="中共大冶市东岳路街道工作委员会纪律检查工作委员会"))
    assert long.font_size_pt < letterhead(joint).font_size_pt


def test_joint_organ_notice_prints_both_lines(client_for, public_stations, tmp_path):
    organiser = public_stations.batch.organiser
    organiser.organ_name = "中共金牛镇纪律检查委员会\n金牛镇监察委员会"
    organiser.save()
    response = client_for("commission").get(pdf_url(public_stations.stationed))
    (tmp_path / "n.pdf").write_bytes(response.content)
    flat = squeeze(run(tool("pdftotext"), "-enc", "UTF-8", str(tmp_path / "n.pdf"), "-"))
    assert flat.count("中共金牛镇纪律检查委员会金牛镇监察委员会") == 2  # letterhead and signature


def test_dates_and_ordinals():
    from datetime import date

    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"
    assert [cn_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


# --- the QR code for the station page ------------------------------------------------------------------------

def test_station_qr_svg(client_for, public_stations):
    response = client_for("member").get(reverse("station_qr", args=[public_stations.stationed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    public = "http://testserver" + reverse("public_station", args=[public_stations.stationed.public_token])
    assert response.content.decode() == qr_svg(public)


@pytest.mark.parametrize("role", ["liaison", "outsider", "case_office"])
def test_station_qr_is_404_for_others(client_for, public_stations, role):
    assert client_for(role).get(reverse("station_qr", args=[public_stations.stationed.pk])).status_code == 404


def test_station_qr_is_404_for_a_proposal(client_for, public_stations):
    assert client_for("commission").get(reverse("station_qr", args=[public_stations.proposed.pk])).status_code == 404


def test_notice_is_written_in_chinese_for_an_english_reader(client_for, public_stations, settings, tmp_path):
    client = client_for("commission")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override(translation.get_language()):  # the request activates English; keep it there
        response = client.get(pdf_url(public_stations.stationed))
    assert response.status_code == 200 and response.wsgi_request.LANGUAGE_CODE == "en"
    (tmp_path / "n.pdf").write_bytes(response.content)
    flat = squeeze(run(tool("pdftotext"), "-enc", "UTF-8", str(tmp_path / "n.pdf"), "-"))
    for expected in [TITLE, "一、监督检查时间", "（一）举报电话：", "四议两公开", "特此公告。"]:
        assert expected in flat, expected


def test_documents_load_nothing_from_the_network_or_elsewhere_on_disk():
    from django.conf import settings

    from supervision.documents import _fetcher

    fetcher = _fetcher()
    for url in ["http://127.0.0.1:8000/admin/", "https://example.com/logo.png", "file:///etc/passwd",
                f"file://{settings.BASE_DIR}/templates/documents/../../supervision/settings/base.py",
                "ftp://example.com/x"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,5YWs5ZGK").read().decode() == "公告"
    assert fetcher.fetch(STYLESHEET.as_uri()).read().startswith(b"/*")


def test_filing_removes_the_file_when_what_follows_fails(tmp_path, settings):
    """An issued document's file is written before its row: a failure after the write leaves no stray file."""
    from django.core.files.storage import FileSystemStorage
    from django.db.models.fields.files import FieldFile

    from rectification.models import HandoffLetter
    from supervision.documents import filing

    field = HandoffLetter._meta.get_field("pdf")
    stored = FieldFile(HandoffLetter(), field, None)
    stored.storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(RuntimeError, match="row refused"), filing(stored, b"%PDF-1.7 x", "handoff.pdf") as digest:
        assert len(digest) == 64 and list(tmp_path.rglob("*.pdf"))
        raise RuntimeError("row refused")
    assert list(tmp_path.rglob("*.pdf")) == []
    with filing(stored, b"%PDF-1.7 y", "handoff.pdf"):
        pass
    assert len(list(tmp_path.rglob("*.pdf"))) == 1
