"""Special campaigns (专项治理): the signals of possibly systemic problems (threshold and window from settings,
distinct units, only confirmed sheets, the campaign already covering a category), the campaign services (states,
who may, links, audit) and the pages (commission staff work, the commission's leader reads, everyone else 404;
query budgets that do not grow with campaigns, sheets or units)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from findings.models import CampaignState, Finding, SpecialCampaign
from findings.services.campaigns import (
    CAMPAIGN_TRANSITIONS,
    campaign_close,
    campaign_open,
    campaign_signal_count,
    campaign_signals,
    campaign_start,
    campaign_update,
)
from findings.services.findings import finding_confirm, finding_withdraw
from rounds.models import Theme
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

NO_ACCESS = ["admin", "leader", "member", "liaison", "case_office", "outsider", "other_team", "target_liaison"]
LIST_BUDGET = 12
DETAIL_BUDGET = 11


def messages_of(error) -> str:
    return " ".join(error.value.messages)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def sheet_in(results_world, findings_make, today):
    """A confirmed 村级三资 sheet counting for `unit` (a village name; None: the station's target)."""
    world = results_world

    def make(unit, *, station="A", days_ago=10, category=Theme.THREE_ASSETS, confirm=True, **fields):
        sheet = findings_make(station=world.stations[station], actor=world.users["commission"], category=category,
                              responsible_unit=world.villages[unit] if unit else None,
                              found_on=today - timedelta(days=days_ago), **fields)
        return finding_confirm(actor=world.users["commission"], finding=sheet) if confirm else sheet

    return make


@pytest.fixture
def signal_world(results_world, sheet_in, today):
    """村级三资 confirmed in three units within the window: 水南湾村 (the world's sheet, moved into the window, and
    a second one), 程家湾村, and 柯大兴村 (station B's target: its sheet names no responsible unit). A draft sheet in
    大箕铺村 and a withdrawn one in 五金村 do not count."""
    world = results_world
    Finding.objects.filter(pk=world.sheet.pk).update(found_on=today - timedelta(days=30))
    world.sheets = [world.sheet, sheet_in("水南湾村", days_ago=20), sheet_in("程家湾村", days_ago=5),
                    sheet_in(None, station="B", days_ago=3)]
    sheet_in("大箕铺村", confirm=False)
    withdrawn = sheet_in("五金村")
    finding_withdraw(actor=world.users["commission"], finding=withdrawn, reason="查实不存在该问题")
    return world


def signal_of(category=Theme.THREE_ASSETS, **kw):
    return next((s for s in campaign_signals(**kw) if s.category == category), None)


# --- signals ---------------------------------------------------------------------------------------------------------

def test_a_category_in_enough_distinct_units_is_flagged(signal_world, today):
    world = signal_world
    signal = signal_of()
    assert signal is not None
    assert str(signal.flag) == "可能为系统性问题"
    assert signal.label == "村级三资"
    assert signal.unit_count == 3  # two sheets of 水南湾村 count once
    assert signal.sheet_count == 4
    assert sorted(u.name for u in signal.units) == ["柯大兴村", "水南湾村", "程家湾村"]
    assert set(signal.finding_ids) == {s.pk for s in world.sheets}
    assert signal.first_on == today - timedelta(days=30)
    assert signal.last_on == today - timedelta(days=3)
    assert signal.campaign is None


def test_draft_and_withdrawn_sheets_do_not_count(signal_world, settings):
    settings.CAMPAIGN_MIN_UNITS = 4  # 大箕铺村 (draft) and 五金村 (withdrawn) would make five
    assert signal_of() is None


def test_threshold_comes_from_settings(signal_world, sheet_in, settings):
    settings.CAMPAIGN_MIN_UNITS = 2
    sheet_in("程家湾村", category=Theme.LAND)
    sheet_in("五金村", category=Theme.LAND)
    assert signal_of(Theme.LAND).unit_count == 2
    settings.CAMPAIGN_MIN_UNITS = 3
    assert signal_of(Theme.LAND) is None
    assert signal_of(Theme.THREE_ASSETS) is not None


def test_window_comes_from_settings(signal_world, sheet_in, settings, today):
    settings.CAMPAIGN_WINDOW_DAYS = 180
    sheet_in("大箕铺村", days_ago=181)
    assert signal_of().unit_count == 3
    settings.CAMPAIGN_WINDOW_DAYS = 200
    assert signal_of().unit_count == 4
    settings.CAMPAIGN_WINDOW_DAYS = 4  # only station B's sheet of three days ago
    assert signal_of() is None
    # Another day as "today": the window moves with it.
    settings.CAMPAIGN_WINDOW_DAYS, settings.CAMPAIGN_MIN_UNITS = 180, 2
    earlier = signal_of(today=today - timedelta(days=8))  # 程家湾村 and 柯大兴村 were found after that day
    assert sorted(u.name for u in earlier.units) == ["大箕铺村", "水南湾村"]
    assert signal_of(today=today + timedelta(days=365)) is None


def test_an_open_campaign_is_shown_on_its_signal_a_closed_one_not(signal_world):
    users = signal_world.users
    campaign = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="村级三资问题专项治理")
    assert signal_of().campaign == campaign
    campaign_start(actor=users["commission"], campaign=campaign)
    assert signal_of().campaign == campaign
    campaign_close(actor=users["commission"], campaign=campaign, summary="追回资金12.6万元")
    assert signal_of().campaign is None


def test_signals_cost_a_constant_number_of_queries(signal_world, sheet_in, settings, django_assert_max_num_queries):
    settings.CAMPAIGN_MIN_UNITS = 1
    for category in [Theme.LAND, Theme.PROJECTS, Theme.CONDUCT, Theme.SUBSIDIES]:
        sheet_in("程家湾村", category=category)
    with django_assert_max_num_queries(4):  # flagged categories (grouped), their sheets, units, campaigns
        signals = campaign_signals()
    assert len(signals) == 5
    with django_assert_max_num_queries(1):  # the overview's count is one grouped query
        assert campaign_signal_count() == 5


# --- services --------------------------------------------------------------------------------------------------------

def test_transition_table_is_explicit():
    assert set(CAMPAIGN_TRANSITIONS) == {(None, "open"), ("open", "active"), ("active", "closed")}


def test_open_from_a_signal_links_its_sheets_and_units_by_default(signal_world, today):
    world = signal_world
    since = last_audit_id()
    campaign = campaign_open(actor=world.users["commission"], category=Theme.THREE_ASSETS, title=" 村级三资问题专项治理 ")
    assert campaign.state == CampaignState.OPEN
    assert campaign.title == "村级三资问题专项治理"
    assert set(campaign.findings.all()) == set(world.sheets)
    assert sorted(campaign.units.values_list("name", flat=True)) == ["柯大兴村", "水南湾村", "程家湾村"]
    assert (campaign.period_start, campaign.period_end) == (today - timedelta(days=180), today)
    assert campaign.opened_by == world.users["commission"]
    assert audit_actions(since) == ["campaign.open"]
    event = AuditEvent.objects.get(action="campaign.open")
    assert event.changes["state"]["after"] == "已立项"
    assert world.sheet.number in event.changes["findings"]["after"]


def test_only_confirmed_sheets_may_be_linked(signal_world):
    world = signal_world
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=world.users["commission"], category=Theme.THREE_ASSETS, title="专项治理",
                      findings=[world.sheet, world.draft_sheet])
    assert "只能关联已确认的问题底稿" in messages_of(error)
    assert world.draft_sheet.number in messages_of(error)
    assert not SpecialCampaign.objects.exists()


def test_open_validates_and_keeps_one_current_campaign_per_category(signal_world, today):
    users = signal_world.users
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="  ")
    assert "请填写专项治理名称" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="专项治理",
                      period_start=today, period_end=today - timedelta(days=1))
    assert "截止日期不能早于起始日期" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users["commission"], category="nonsense", title="专项治理")
    assert "请选择问题类别" in messages_of(error)
    campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="村级三资问题专项治理")
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="又一个")
    assert "已有正在进行的专项治理" in messages_of(error)
    # A category without a signal may still be opened, with no links by default.
    land = campaign_open(actor=users["commission"], category=Theme.LAND, title="土地问题专项治理")
    assert land.findings.count() == 0 and land.units.count() == 0


@pytest.mark.parametrize("role", ["commission_leader", "case_office", "admin", "member"])
def test_only_commission_staff_open_and_move_campaigns(signal_world, role):
    users = signal_world.users
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users[role], category=Theme.THREE_ASSETS, title="专项治理")
    assert "只有委机关工作人员" in messages_of(error)
    campaign = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    with pytest.raises(ValidationError):
        campaign_start(actor=users[role], campaign=campaign)
    with pytest.raises(ValidationError):
        campaign_update(actor=users[role], campaign=campaign, title="改名")


def test_update_links_and_unlinks_and_is_audited(signal_world, sheet_in):
    world = signal_world
    users = world.users
    campaign = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="专项治理",
                             findings=[world.sheet], units=[world.villages["水南湾村"]])
    later = sheet_in("大箕铺村")
    since = last_audit_id()
    campaign_update(actor=users["commission"], campaign=campaign, title="村级三资问题专项治理",
                    findings=[later], units=[world.villages["大箕铺村"], world.villages["水南湾村"]])
    assert list(campaign.findings.all()) == [later]
    assert sorted(campaign.units.values_list("name", flat=True)) == ["大箕铺村", "水南湾村"]
    campaign.refresh_from_db()
    assert campaign.title == "村级三资问题专项治理"
    assert audit_actions(since) == ["campaign.update"]
    changes = AuditEvent.objects.get(action="campaign.update").changes
    assert changes["findings"] == {"before": world.sheet.number, "after": later.number}
    assert changes["title"]["after"] == "村级三资问题专项治理"
    # Nothing changed: no audit event.
    campaign_update(actor=users["commission"], campaign=campaign, title="村级三资问题专项治理")
    assert audit_actions(since) == ["campaign.update"]
    with pytest.raises(ValidationError) as error:
        campaign_update(actor=users["commission"], campaign=campaign, findings=[later, world.draft_sheet])
    assert "只能关联已确认的问题底稿" in messages_of(error)


def test_a_linked_sheet_withdrawn_later_may_stay_linked(signal_world):
    world = signal_world
    campaign = campaign_open(actor=world.users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    sheet = world.sheets[1]
    finding_withdraw(actor=world.users["commission"], finding=sheet, reason="重复")
    campaign_update(actor=world.users["commission"], campaign=campaign, title="专项治理（修订）",
                    findings=[s.pk for s in world.sheets])
    assert campaign.findings.count() == 4


def test_start_and_close_follow_the_table(signal_world):
    users = signal_world.users
    campaign = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    with pytest.raises(ValidationError) as error:
        campaign_close(actor=users["commission"], campaign=campaign, summary="成效")
    assert "“已立项”的专项治理不能结束" in messages_of(error)
    since = last_audit_id()
    campaign = campaign_start(actor=users["commission"], campaign=campaign)
    assert campaign.state == CampaignState.ACTIVE
    with pytest.raises(ValidationError) as error:
        campaign_start(actor=users["commission"], campaign=campaign)
    assert "不能启动治理" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        campaign_close(actor=users["commission"], campaign=campaign, summary="  ")
    assert "请填写治理成效" in messages_of(error)
    campaign = campaign_close(actor=users["commission"], campaign=campaign, summary="追回资金12.6万元，建章立制3项")
    assert campaign.state == CampaignState.CLOSED and campaign.closed_at is not None
    assert audit_actions(since) == ["campaign.start", "campaign.close"]
    with pytest.raises(ValidationError) as error:
        campaign_update(actor=users["commission"], campaign=campaign, title="改名")
    assert "已结束的专项治理不能修改" in messages_of(error)


# --- pages -----------------------------------------------------------------------------------------------------------

def test_list_shows_signals_with_an_open_button_and_empty_states(client_for, signal_world):
    client = client_for("commission")
    page = text(client.get(reverse("campaign_list")))
    assert "可能为系统性问题" in page
    assert 'data-testid="signal-three_assets"' in page
    assert f'{reverse("campaign_new")}?category=three_assets' in page
    assert 'data-testid="campaigns-empty"' in page
    assert "还没有专项治理" in page


def test_list_without_signals_says_so(client_for, results_world):
    page = text(client_for("commission").get(reverse("campaign_list")))
    assert 'data-testid="signals-empty"' in page
    assert "没有在 3 个及以上单位出现的同类问题" in page


def test_open_a_campaign_from_a_signal_through_the_pages(client_for, signal_world, today):
    world = signal_world
    client = client_for("commission")
    url = reverse("campaign_new") + "?category=three_assets"
    page = text(client.get(url))
    assert 'value="村级三资问题专项治理"' in page
    for sheet in world.sheets:
        assert f'value="{sheet.pk}" id="id_findings_' in page
        assert sheet.number in page
    assert page.count("checked") == 4 + 3  # the signal's sheets and units pre-checked
    assert f'value="{(today - timedelta(days=180)).isoformat()}"' in page
    data = {"title": "村级三资问题专项治理", "description": "清理村集体资金", "period_start": today - timedelta(days=180),
            "period_end": today, "findings": [s.pk for s in world.sheets[:2]],
            "units": [world.villages["水南湾村"].pk]}
    since = last_audit_id()
    response = client.post(url, data, follow=True)
    campaign = SpecialCampaign.objects.get()
    assert response.redirect_chain[-1][0] == reverse("campaign_detail", args=[campaign.pk])
    assert "专项治理“村级三资问题专项治理”已立项" in text(response)
    assert set(campaign.findings.all()) == set(world.sheets[:2])
    assert audit_actions(since) == ["campaign.open"]
    page = text(client.get(reverse("campaign_list")))
    assert 'data-testid="signal-campaign"' in page  # the signal now points to the campaign
    assert 'data-testid="signal-open"' not in page
    # Opening another from the same signal leads to the current one.
    response = client.get(url)
    assert response.url == reverse("campaign_detail", args=[campaign.pk])


def test_new_form_shows_service_and_form_errors(client_for, signal_world):
    client = client_for("commission")
    url = reverse("campaign_new") + "?category=three_assets"
    response = client.post(url, {"title": "", "period_start": "2026-05-01", "period_end": "2026-04-01"})
    page = text(response)
    assert response.status_code == 200
    assert "请填写专项治理名称" in page
    response = client.post(url, {"title": "专项治理", "period_start": "2026-05-01", "period_end": "2026-04-01"})
    assert "截止日期不能早于起始日期" in text(response)
    assert not SpecialCampaign.objects.exists()
    response = client.get(reverse("campaign_new"), follow=True)
    assert "请先选择问题类别" in text(response)


def test_detail_edit_start_close_through_the_pages(client_for, signal_world):
    world = signal_world
    client = client_for("commission")
    campaign = campaign_open(actor=world.users["commission"], category=Theme.THREE_ASSETS, title="村级三资问题专项治理")
    detail = reverse("campaign_detail", args=[campaign.pk])
    page = text(client.get(detail))
    for sheet in world.sheets:
        assert sheet.number in page and sheet.title in page
    assert "程家湾村" in page and "柯大兴村" in page
    assert 'data-testid="campaign-timeline"' in page
    assert reverse("campaign_start", args=[campaign.pk]) in page
    assert reverse("campaign_close", args=[campaign.pk]) not in page

    edit = reverse("campaign_edit", args=[campaign.pk])
    page = text(client.get(edit))
    assert page.count("checked") == 4 + 3
    response = client.post(edit, {"title": "村级三资专项整治", "description": "", "period_start": campaign.period_start,
                                  "period_end": campaign.period_end, "findings": [world.sheet.pk],
                                  "units": [world.villages["水南湾村"].pk]}, follow=True)
    assert "专项治理已保存" in text(response)
    assert list(campaign.findings.all()) == [world.sheet]

    response = client.post(reverse("campaign_start", args=[campaign.pk]), follow=True)
    assert "已启动" in text(response)
    page = text(response)
    assert "data-confirm" in page and reverse("campaign_close", args=[campaign.pk]) in page
    response = client.post(reverse("campaign_close", args=[campaign.pk]), {"summary": ""}, follow=True)
    assert "请填写治理成效" in text(response)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.ACTIVE
    response = client.post(reverse("campaign_close", args=[campaign.pk]), {"summary": "追回资金12.6万元"}, follow=True)
    page = text(response)
    assert "专项治理“村级三资专项整治”已结束" in page
    assert "追回资金12.6万元" in page
    assert 'data-testid="campaign-actions"' not in page
    response = client.get(edit, follow=True)
    assert "已结束的专项治理不能修改" in text(response)
    assert audit_actions(0)[-4:] == ["campaign.open", "campaign.update", "campaign.start", "campaign.close"]


def test_get_on_actions_is_refused(client_for, signal_world):
    campaign = campaign_open(actor=signal_world.users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    client = client_for("commission")
    assert client.get(reverse("campaign_start", args=[campaign.pk])).status_code == 405
    assert client.get(reverse("campaign_close", args=[campaign.pk])).status_code == 405


def test_commission_leader_reads_but_cannot_act(client_for, signal_world):
    campaign = campaign_open(actor=signal_world.users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    client = client_for("commission_leader")
    page = text(client.get(reverse("campaign_list")))
    assert "可能为系统性问题" in page and "专项治理" in page
    assert 'data-testid="signal-open"' not in page and 'data-testid="campaign-by-category"' not in page
    page = text(client.get(reverse("campaign_detail", args=[campaign.pk])))
    assert 'data-testid="campaign-actions"' not in page
    assert client.get(reverse("campaign_new") + "?category=three_assets").status_code == 404
    assert client.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaign_edit", args=[campaign.pk]), {"title": "x"}).status_code == 404
    assert client.post(reverse("campaign_start", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaign_close", args=[campaign.pk]), {"summary": "x"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN


@pytest.mark.parametrize("role", NO_ACCESS)
def test_everyone_else_gets_404_on_every_campaign_page(client_for, signal_world, role):
    campaign = campaign_open(actor=signal_world.users["commission"], category=Theme.THREE_ASSETS, title="专项治理")
    client = client_for(role)
    pk = campaign.pk
    for url in [reverse("campaign_list"), reverse("campaign_new") + "?category=three_assets",
                reverse("campaign_detail", args=[pk]), reverse("campaign_edit", args=[pk])]:
        assert client.get(url).status_code == 404, url
    for url in [reverse("campaign_start", args=[pk]), reverse("campaign_close", args=[pk]),
                reverse("campaign_edit", args=[pk])]:
        assert client.post(url, {"summary": "x", "title": "x"}).status_code == 404, url
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN and campaign.title == "专项治理"


def test_a_missing_campaign_is_404(client_for, results_world):
    assert client_for("commission").get(reverse("campaign_detail", args=[999999])).status_code == 404


# --- query budgets ---------------------------------------------------------------------------------------------------

def _campaigns(world, n, *, with_links=True):
    users = world.users
    categories = [c for c in Theme.values if c != Theme.THREE_ASSETS]
    made = []
    for i in range(n):
        campaign = campaign_open(actor=users["commission"], category=categories[i % len(categories)],
                                 title=f"专项治理{i}", findings=world.sheets if with_links else [],
                                 units=[world.villages["水南湾村"], world.villages["程家湾村"]])
        if i % len(categories) == len(categories) - 1 or i % 3 == 0:
            campaign_start(actor=users["commission"], campaign=campaign)
            campaign_close(actor=users["commission"], campaign=campaign, summary="完成")
        made.append(campaign)
    return made


@pytest.mark.parametrize("role", ["commission", "commission_leader"])
def test_list_budget_does_not_grow(client_for, signal_world, within_budget, role):
    client = client_for(role)
    _campaigns(signal_world, 1)
    within_budget(client, reverse("campaign_list"), LIST_BUDGET)
    _campaigns(signal_world, 10)
    response = within_budget(client, reverse("campaign_list"), LIST_BUDGET)
    assert text(response).count("专项治理") >= 11


def test_detail_budget_does_not_grow(client_for, signal_world, sheet_in, within_budget):
    world = signal_world
    users = world.users
    campaign = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="专项治理",
                             findings=[world.sheet], units=[world.villages["水南湾村"]])
    client = client_for("commission")
    url = reverse("campaign_detail", args=[campaign.pk])
    within_budget(client, url, DETAIL_BUDGET)
    more = [sheet_in(name, days_ago=i + 1) for i, name in enumerate(["程家湾村", "大箕铺村", "五金村"] * 3)]
    campaign_update(actor=users["commission"], campaign=campaign, findings=[world.sheet, *more],
                    units=list(world.villages.values()))
    campaign_start(actor=users["commission"], campaign=campaign)
    campaign_close(actor=users["commission"], campaign=campaign, summary="完成")
    response = within_budget(client, url, DETAIL_BUDGET)
    assert all(s.number in text(response) for s in more)


def test_the_database_keeps_one_current_campaign_per_category(results_world):
    """Two staff opening a campaign on the same category at the same moment: the second insert is refused by the
    database itself (the service turns that into a message)."""
    from django.db import IntegrityError, transaction

    today = timezone.localdate()
    fields = {"category": Theme.SUBSIDIES, "period_start": today - timedelta(days=30), "period_end": today}
    SpecialCampaign.objects.create(title="一", state=CampaignState.CLOSED, **fields)
    SpecialCampaign.objects.create(title="二", state=CampaignState.OPEN, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialCampaign.objects.create(title="三", state=CampaignState.ACTIVE, **fields)
    SpecialCampaign.objects.create(title="四", state=CampaignState.OPEN,
                                   **{**fields, "category": Theme.THREE_ASSETS})
