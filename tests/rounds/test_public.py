"""A station's public page: anyone may read it and leave a complaint without logging in; the receipt page shows
the receipt number and nothing else; bots, floods and closed stations are turned away."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from rounds.models import Complaint, ComplaintKind, StationState
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_public"]

# What the fixture's batch says (tests/rounds/fixtures_public.py).
ORGAN = "中共金牛镇纪律检查委员会"
SCOPE = "村“两委”干部违反“四议两公开”决策程序、侵占挪用集体资金资产资源、优亲厚友截留惠民惠农补贴等问题"
PHONE = "0714-8721234"
MAILBOX = "金牛镇纪委办公室（镇政府一楼）"
PERIOD = "2026年11月16日至2026年11月22日"
CONTENT = "村里的低保名单里有村干部的亲属，去年没有张榜公示。"
CONTACT = "13900001111"


def page_url(station):
    return reverse("public_station", args=[station.public_token])


def post(client, station, ip="203.0.113.7", **data):
    payload = {"kind": ComplaintKind.COMPLAINT, "content": CONTENT, "contact": CONTACT, "website": ""}
    payload.update(data)
    return client.post(page_url(station), payload, REMOTE_ADDR=ip)


@pytest.fixture
def limit(settings):
    settings.PUBLIC_COMPLAINT_LIMIT = 5
    settings.PUBLIC_COMPLAINT_WINDOW_SECONDS = 3600
    return settings


def test_anonymous_reads_the_page(client, public_stations):
    response = client.get(page_url(public_stations.stationed))
    assert response.status_code == 200
    page = response.content.decode()
    text = strip_tags(page)
    for expected in ["金牛镇袁铺村", PERIOD, ORGAN, SCOPE, PHONE, MAILBOX]:
        assert expected in text, expected
    assert 'name="content"' in page and 'name="kind"' in page and 'name="contact"' in page
    assert 'name="website"' in page  # the trap is in the form, out of sight
    # No navigation and nothing that asks a villager to log in.
    assert 'class="nav"' not in page and reverse("login") not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_page_does_not_name_the_team(client, public_stations, users):
    page = client.get(page_url(public_stations.stationed)).content.decode()
    assert users["member"].person.name not in page


def test_planned_station_takes_complaints_before_its_notice(client, public_stations):
    response = client.get(page_url(public_stations.planned))
    assert response.status_code == 200 and 'name="content"' in response.content.decode()


def test_unknown_token_is_404(client, public_stations):
    assert client.get(reverse("public_station", args=["no-such-token"])).status_code == 404
    assert post(client, public_stations.stationed).status_code == 302  # the real one works
    assert client.post(reverse("public_station", args=["no-such-token"]),
                       {"kind": "complaint", "content": CONTENT}).status_code == 404


def test_proposed_station_has_no_public_page(client, public_stations):
    assert client.get(page_url(public_stations.proposed)).status_code == 404
    assert post(client, public_stations.proposed).status_code == 404
    assert not Complaint.objects.exists()


def test_submission_creates_a_complaint_and_shows_only_the_receipt(client, public_stations, limit):
    response = post(client, public_stations.stationed, kind=ComplaintKind.SUGGESTION)
    complaint = Complaint.objects.get()
    assert complaint.station == public_stations.stationed
    assert (complaint.kind, complaint.content, complaint.contact) == (ComplaintKind.SUGGESTION, CONTENT, CONTACT)
    assert re.fullmatch(r"XS[0-9A-F]{8}", complaint.receipt)
    expected = reverse("public_receipt", args=[public_stations.stationed.public_token, complaint.receipt])
    assert response.status_code == 302 and response["Location"] == expected

    receipt_page = client.get(expected)
    assert receipt_page.status_code == 200
    html = receipt_page.content.decode()
    assert complaint.receipt in html and "感谢您的反映" in html
    for leaked in [CONTENT, CONTACT, "低保", "金牛镇袁铺村", ORGAN, PHONE, "<form", "<table"]:
        assert leaked not in html, leaked
    assert not re.search(r"<(li|dl|ul|ol)[\s>]", html)
    assert receipt_page["Cache-Control"].startswith("max-age=0") or "no-cache" in receipt_page["Cache-Control"]


def test_receipt_page_lists_nothing_of_other_complaints(client, public_stations, limit):
    post(client, public_stations.stationed, ip="198.51.100.1", content="第一位村民反映的问题内容")
    post(client, public_stations.stationed, ip="198.51.100.2", content="第二位村民反映的问题内容")
    first, second = Complaint.objects.order_by("created_at", "id")
    html = client.get(reverse("public_receipt", args=[public_stations.stationed.public_token,
                                                      second.receipt])).content.decode()
    assert second.receipt in html and first.receipt not in html and "第一位" not in html


def test_receipt_of_another_station_is_404(client, public_stations, limit):
    post(client, public_stations.planned)
    other = Complaint.objects.get()
    token = public_stations.stationed.public_token
    assert client.get(reverse("public_receipt", args=[token, other.receipt])).status_code == 404
    assert client.get(reverse("public_receipt", args=[token, "XS00000000"])).status_code == 404
    assert client.get(reverse("public_receipt", args=["no-such-token", other.receipt])).status_code == 404
    assert client.get(reverse("public_receipt", args=[public_stations.planned.public_token,
                                                      other.receipt])).status_code == 200


def test_honeypot_blocks(client, public_stations, limit):
    response = post(client, public_stations.stationed, website="http://spam.example")
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    html = response.content.decode()
    assert "提交未成功" in html
    assert "http://spam.example" not in html  # the trap comes back empty


def test_sixth_submission_in_the_window_is_throttled(client, public_stations, limit):
    for n in range(5):
        assert post(client, public_stations.stationed, content=f"第{n + 1}次反映的问题内容").status_code == 302
    response = post(client, public_stations.stationed, content="第六次反映的问题内容")
    assert response.status_code == 429
    html = response.content.decode()
    assert "提交过于频繁" in html and "请过一段时间再试" in html
    assert 'name="content"' not in html
    assert Complaint.objects.count() == 5 and not Complaint.objects.filter(content__startswith="第六次").exists()
    # Another address is not held back by this one.
    assert post(client, public_stations.stationed, ip="198.51.100.9").status_code == 302


def test_a_lower_limit_and_an_expired_window(client, public_stations, settings):
    settings.PUBLIC_COMPLAINT_LIMIT = 2
    settings.PUBLIC_COMPLAINT_WINDOW_SECONDS = 600
    assert post(client, public_stations.stationed).status_code == 302
    assert post(client, public_stations.planned).status_code == 302  # the limit counts across stations
    assert post(client, public_stations.stationed).status_code == 429
    assert Complaint.objects.count() == 2
    from datetime import timedelta

    from django.utils import timezone

    Complaint.objects.update(created_at=timezone.now() - timedelta(seconds=601))
    assert post(client, public_stations.stationed).status_code == 302


def test_forwarded_for_header_does_not_dodge_the_limit(client, public_stations, settings):
    settings.PUBLIC_COMPLAINT_LIMIT = 1
    settings.TRUST_X_FORWARDED_FOR = False
    assert post(client, public_stations.stationed, HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 302
    assert post(client, public_stations.stationed, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429


def test_sender_address_is_stored_only_as_a_keyed_hash(client, public_stations, limit):
    ip = "203.0.113.77"
    post(client, public_stations.stationed, ip=ip)
    complaint = Complaint.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", complaint.source_hash)
    assert ip not in complaint.source_hash
    import hashlib

    assert complaint.source_hash != hashlib.sha256(ip.encode()).hexdigest()
    # Nor does the audit trail keep the address next to the receipt.
    event = AuditEvent.objects.get(action="complaint.receive")
    assert event.changes["receipt"]["after"] == complaint.receipt
    assert event.ip is None
    assert not AuditEvent.objects.filter(ip=ip).exists()


@pytest.mark.parametrize("state", [StationState.HANDED_OFF, StationState.FOLLOWING_UP, StationState.CLOSED])
def test_station_no_longer_accepting(client, public_stations, limit, state):
    station = public_stations.stationed
    type(station).objects.filter(pk=station.pk).update(state=state)
    response = client.get(page_url(station))
    assert response.status_code == 200
    html = response.content.decode()
    assert "不在受理期" in html and 'name="content"' not in html and "<form" not in html
    assert PHONE in html  # still tells where to call
    assert post(client, station).status_code == 200
    assert not Complaint.objects.exists()


def test_too_short_content_is_refused_on_the_form(client, public_stations, limit):
    response = post(client, public_stations.stationed, content="有问题")
    assert response.status_code == 200
    assert "至少5个字" in response.content.decode()
    assert not Complaint.objects.exists()


def test_missing_content_is_refused(client, public_stations, limit):
    response = post(client, public_stations.stationed, content="")
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Complaint.objects.exists()


def test_unknown_kind_is_refused(client, public_stations, limit):
    assert post(client, public_stations.stationed, kind="bribe").status_code == 200
    assert not Complaint.objects.exists()


def test_works_with_csrf_checks_for_anonymous_visitors(public_stations, limit):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(page_url(public_stations.stationed)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert browser.post(page_url(public_stations.stationed),
                        {"kind": "complaint", "content": CONTENT}).status_code == 403
    response = browser.post(page_url(public_stations.stationed),
                            {"kind": "complaint", "content": CONTENT, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Complaint.objects.get().contact == ""


def test_logged_in_users_see_the_same_page(client_for, public_stations):
    response = client_for("commission").get(page_url(public_stations.stationed))
    assert response.status_code == 200 and 'class="nav"' not in response.content.decode()


def test_page_query_budget(client, public_stations, within_budget):
    within_budget(client, page_url(public_stations.stationed), 3)
