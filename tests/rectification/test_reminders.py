"""Reminders (督办提醒) fire exactly once: the sweep's levels and recipients, a second sweep adding nothing, one key
per day, closed items and draft letters left alone, overdue recommendations, one e-mail digest per person per day,
the notifications page (own notices only, 404 on another's, a budget that does not grow with rows) and the beat
schedule. The same guarantees with a real broker and real worker processes: test_reminders_worker.py."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from findings.models import Recommendation, RecommendationState
from rectification.models import ItemState, LetterState, Reminder
from rectification.services.reminders import (
    digests_send,
    item_key,
    recommendation_key,
    reminder_sweep,
    reminders_deliver,
    reminders_due,
)
from supervision.models import EmailDigest, Notification
from supervision.services.accounts import account_create
from supervision.services.notifications import notification_create, unread_count
from tests.factories import PersonFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

PASSWORD = "Pw-for-tests-1"


def today():
    return timezone.localdate()


@pytest.fixture
def world(rect_world, rect_make_item):
    """rect_world plus: 水南湾村's leader in charge and principal with accounts; e-mail addresses; a red (overdue)
    item and a closed item on the issued letter. Due today: items[1] yellow (5 days), `red` red (3 days late),
    other_item green (15 days); items[0] (30 days) and `closed` are not due."""
    w = rect_world
    unit = w.villages["水南湾村"]

    def account(username, name):
        person = PersonFactory(name=name, home_unit=unit)
        user = account_create(actor=None, username=username, password=PASSWORD, roles=[], person=person)
        user.email = f"{username}@example.cn"
        user.save(update_fields=["email"])
        return person, user

    lic_person, w.lic = account("u_lic", "程分管")
    principal_person, w.principal = account("u_principal", "程书记")
    unit.leader_in_charge, unit.principal = lic_person, principal_person
    unit.save(update_fields=["leader_in_charge", "principal"])
    for user in (w.users["target_liaison"], w.other_liaison):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    w.red = rect_make_item(w.letter, today() - timedelta(days=3), title="扶贫资产台账不全")
    w.closed = rect_make_item(w.letter, today() + timedelta(days=2), title="公章管理不规范", state=ItemState.CLOSED,
                              closed_at=timezone.now())
    return w


def recommendation(w, reply_due, state=RecommendationState.ISSUED):
    sequence = Recommendation.objects.count() + 1
    return Recommendation.objects.create(
        organ=w.town, recipient=w.villages["水南湾村"], station=w.stations["A"], title="关于规范村集体资金管理的建议",
        facts="事实", causes="原因", items="建议一", reply_due=reply_due, state=state,
        number=f"大箕纪建〔2026〕{sequence}号", year=2026, sequence=sequence, drafted_by=w.users["commission"])


def expected(w, day=None):
    """key -> recipients of the reminders due in `world` on `day`."""
    day = day or today()
    liaison, lic, principal = w.users["target_liaison"].pk, w.lic.pk, w.principal.pk
    return {item_key(w.items[1].pk, "yellow", day): [liaison, lic],
            item_key(w.red.pk, "red", day): [liaison, lic, principal],
            item_key(w.other_item.pk, "green", day): [w.other_liaison.pk]}


def notices_by_key():
    keys: dict[str, set[int]] = {}
    for user_id, key in Notification.objects.values_list("user_id", "key"):
        keys.setdefault(key, set()).add(user_id)
    return keys


# --- the sweep ---------------------------------------------------------------------------------------------------

def test_levels_and_recipients(world):
    assert reminders_due(today()) == 3
    reminders = {r.key: r for r in Reminder.objects.all()}
    assert {key: r.recipients for key, r in reminders.items()} == expected(world)
    assert {r.level for r in reminders.values()} == {"green", "yellow", "red"}
    assert all(r.day == today() and r.delivered_at is None for r in reminders.values())
    assert reminders[item_key(world.red.pk, "red", today())].item == world.red


@pytest.mark.parametrize(("days", "level"), [(21, None), (20, "green"), (11, "green"), (10, "yellow"),
                                             (0, "yellow"), (-1, "red")])
def test_thresholds(rect_world, rect_make_item, days, level):
    item = rect_make_item(rect_world.letter, today() + timedelta(days=days))
    reminders_due(today())
    assert list(Reminder.objects.filter(item=item).values_list("level", flat=True)) == ([level] if level else [])


def test_sweep_twice_adds_nothing(world):
    first = reminder_sweep(today())
    assert first == {"due": 3, "delivered": 3, "digests": 4}
    rows = sorted(Reminder.objects.values_list("key", "delivered_at"))
    notices = sorted(Notification.objects.values_list("pk", "user_id", "key"))
    assert reminder_sweep(today()) == {"due": 0, "delivered": 0, "digests": 0}
    assert sorted(Reminder.objects.values_list("key", "delivered_at")) == rows
    assert sorted(Notification.objects.values_list("pk", "user_id", "key")) == notices
    assert notices_by_key() == {key: set(ids) for key, ids in expected(world).items()}
    assert max(Counter((u, k) for _pk, u, k in notices).values()) == 1
    assert all(delivered for _key, delivered in rows)


def test_delivery_is_idempotent_even_if_notices_exist(world):
    """A retry after notices were written for a reminder (but it was not marked delivered) adds no duplicates."""
    reminders_due(today())
    key = item_key(world.red.pk, "red", today())
    notification_create(user=world.lic, key=key, title="已有")
    assert reminders_deliver(batch=1) == 3
    assert Notification.objects.filter(user=world.lic, key=key).count() == 1
    assert Notification.objects.get(user=world.lic, key=key).title == "已有"


def test_each_day_has_its_own_keys(world, monkeypatch):
    day = today()
    reminder_sweep(day)
    tomorrow = day + timedelta(days=1)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=1))
    counts = reminder_sweep(tomorrow)
    assert counts["due"] == 3 and counts["delivered"] == 3
    assert set(Reminder.objects.values_list("key", flat=True)) == set(expected(world, day)) | set(expected(world, tomorrow))
    by_user = Counter(Notification.objects.values_list("user_id", flat=True))
    assert by_user[world.principal.pk] == 2 and by_user[world.other_liaison.pk] == 2
    # one digest per person per day: two days, two e-mails each
    assert Counter(m.to[0] for m in mail.outbox)[world.principal.email] == 2
    assert EmailDigest.objects.filter(user=world.principal).count() == 2


def test_closed_items_and_draft_letters_get_none(world):
    world.other_letter.state = LetterState.DRAFT
    world.other_letter.save(update_fields=["state"])
    world.items[1].state = ItemState.CLOSED
    world.items[1].save(update_fields=["state"])
    reminders_due(today())
    assert set(Reminder.objects.values_list("key", flat=True)) == {item_key(world.red.pk, "red", today())}


def test_submitted_and_returned_items_are_still_reminded(world):
    world.items[1].state = ItemState.SUBMITTED
    world.items[1].save(update_fields=["state"])
    world.red.state = ItemState.RETURNED
    world.red.save(update_fields=["state"])
    reminders_due(today())
    assert Reminder.objects.count() == 3


def test_overdue_recommendation_reminded(world):
    overdue = recommendation(world, today() - timedelta(days=2))
    recommendation(world, today())  # due today: still on time
    replied = recommendation(world, today() - timedelta(days=9), state=RecommendationState.REPLIED)
    reminder_sweep(today())
    reminder = Reminder.objects.get(level="recommendation_overdue")
    assert reminder.key == recommendation_key(overdue.pk, today()) and reminder.recommendation == overdue
    assert reminder.recipients == [world.users["target_liaison"].pk, world.users["commission"].pk]
    notice = Notification.objects.get(user=world.users["commission"])
    assert notice.title == "建议书逾期未回复：“关于规范村集体资金管理的建议”已逾期2天"
    assert notice.url == reverse("recommendation_detail", args=[overdue.pk])
    assert not Reminder.objects.filter(recommendation=replied).exists()


def test_notice_texts(world):
    reminder_sweep(today())
    titles = dict(Notification.objects.filter(user=world.lic).values_list("key", "title"))
    assert titles[item_key(world.items[1].pk, "yellow", today())] == (
        f"黄色预警：整改事项“{world.items[1].problem}”剩余5天到期")
    assert titles[item_key(world.red.pk, "red", today())] == "红色督办：整改事项“扶贫资产台账不全”已逾期3天"
    green = Notification.objects.get(user=world.other_liaison)
    assert green.title.startswith("绿色提醒：") and green.title.endswith("剩余15天到期")
    assert "大箕纪交〔2026〕2号" in green.body and green.level == "green"
    assert green.url == reverse("item_detail", args=[world.other_item.pk])


def test_liaison_follows_a_notice_to_the_item(world, client):
    reminder_sweep(today())
    notice = Notification.objects.get(user=world.users["target_liaison"], level="red")
    client.force_login(world.users["target_liaison"])
    response = client.post(reverse("notification_read", args=[notice.pk]), follow=True)
    assert response.redirect_chain == [(reverse("item_detail", args=[world.red.pk]), 302)]
    assert response.status_code == 200 and "扶贫资产台账不全" in response.content.decode()


# --- the e-mail digest -------------------------------------------------------------------------------------------

def test_one_digest_per_person_per_day(world):
    reminder_sweep(today())
    to = Counter(message.to[0] for message in mail.outbox)
    assert to == {world.users["target_liaison"].email: 1, world.lic.email: 1, world.principal.email: 1,
                  world.other_liaison.email: 1}
    message = next(m for m in mail.outbox if m.to == [world.lic.email])
    for title in Notification.objects.filter(user=world.lic).values_list("title", flat=True):
        assert title in message.body
    assert "共2条" in message.subject
    digest = EmailDigest.objects.get(user=world.lic, day=today())
    assert digest.count == 2 and digest.sent_at and digest.address == world.lic.email
    assert digests_send(today()) == 0 and len(mail.outbox) == 4


def test_digests_wait_until_the_days_reminders_are_delivered(world, monkeypatch):
    """A sweep that finds reminders still undelivered (another worker is delivering them) leaves the digests to
    that worker, so nobody's digest misses part of the day."""
    monkeypatch.setattr("rectification.services.reminders.reminders_deliver", lambda batch=100: 0)
    assert reminder_sweep(today()) == {"due": 3, "delivered": 0, "digests": 0}
    assert not mail.outbox and not EmailDigest.objects.exists()
    monkeypatch.undo()
    assert reminder_sweep(today()) == {"due": 0, "delivered": 3, "digests": 4}


def test_no_email_address_no_digest(world):
    world.principal.email = ""
    world.principal.save(update_fields=["email"])
    reminder_sweep(today())
    assert world.principal.email not in {m.to[0] for m in mail.outbox}
    assert Notification.objects.filter(user=world.principal).count() == 1  # still told in the app


def test_failed_send_rolls_back_the_digest_row(world, monkeypatch):
    reminders_due(today())
    reminders_deliver()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("rectification.services.reminders.send_mail", broken)
    with pytest.raises(OSError):
        digests_send(today())
    assert not EmailDigest.objects.exists()
    monkeypatch.undo()
    assert digests_send(today()) == 4


# --- the notifications page --------------------------------------------------------------------------------------

def test_notification_page_shows_own_notices_only(world, client):
    reminder_sweep(today())
    client.force_login(world.users["target_liaison"])
    response = client.get(reverse("notification_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "红色督办" in html and "黄色预警" in html and "绿色提醒" not in html
    assert html.count('data-unread="1"') == 2 and "2条未读" in html
    client.force_login(world.users["outsider"])
    html = client.get(reverse("notification_list")).content.decode()
    assert "暂无通知" in html and "督办" not in html


def test_read_marks_read_and_follows_the_link(world, client):
    notice, _created = notification_create(user=world.lic, key="k1", title="测试通知",
                                           url=reverse("recommendation_list"))
    client.force_login(world.lic)
    assert client.get(reverse("notification_read", args=[notice.pk])).status_code == 405
    response = client.post(reverse("notification_read", args=[notice.pk]))
    assert response.status_code == 302 and response.url == reverse("recommendation_list")
    notice.refresh_from_db()
    assert notice.read_at is not None and unread_count(world.lic) == 0
    outside, _created = notification_create(user=world.lic, key="k2", title="外部链接", url="https://evil.example/")
    response = client.post(reverse("notification_read", args=[outside.pk]))
    assert response.url == reverse("notification_list")


def test_another_users_notice_is_404(world, client):
    notice, _created = notification_create(user=world.lic, key="k1", title="测试通知")
    client.force_login(world.principal)
    assert client.post(reverse("notification_read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all(world, client):
    reminder_sweep(today())
    client.force_login(world.principal)
    notification_create(user=world.lic, key="k1", title="别人的")
    response = client.post(reverse("notifications_read_all"), follow=True)
    assert "已将1条通知标为已读" in response.content.decode()
    assert unread_count(world.principal) == 0 and unread_count(world.lic) == 3


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("rows", [1, 20])
def test_notification_page_budget(users, client, within_budget, rows):
    for n in range(rows):
        notification_create(user=users["liaison"], key=f"k{n}", title=f"通知{n}", body="内容", url="/")
    client.force_login(users["liaison"])
    response = within_budget(client, reverse("notification_list"), 11)  # 5 + the menu's 6
    assert response.content.decode().count('data-testid="notification"') == rows


def test_notification_page_paginates(users, client):
    for n in range(25):
        notification_create(user=users["liaison"], key=f"k{n}", title=f"通知{n}")
    client.force_login(users["liaison"])
    html = client.get(reverse("notification_list")).content.decode()
    assert html.count('data-testid="notification"') == 20 and "通知24" in html and "通知0<" not in html
    assert client.get(reverse("notification_list"), {"page": 2}).content.decode().count(
        'data-testid="notification"') == 5


# --- the schedule ------------------------------------------------------------------------------------------------

def test_beat_schedule_exists_after_migrate(db):
    task = PeriodicTask.objects.select_related("crontab").get(name="督办提醒扫描")
    assert task.task == "rectification.reminder_sweep" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "8", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_task_registered_and_runs(world):
    from rectification.tasks.reminders import reminder_sweep_task
    from supervision.celery import app

    assert "rectification.reminder_sweep" in app.tasks and reminder_sweep_task.acks_late
    reminder_sweep_task.delay()  # eager in tests without a broker
    assert Reminder.objects.filter(delivered_at__isnull=False).count() == 3


def test_admin_edits_the_schedule(client_for):
    task = PeriodicTask.objects.get(name="督办提醒扫描")
    client = client_for("admin")
    assert client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])).status_code == 200
    assert client_for("commission").get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code \
        in (302, 403, 404)
