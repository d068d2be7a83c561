import re
from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from findings.models import Finding, FindingState, ReportState
from rectification.models import ItemState
from rounds.models import Theme
from tests.factories import PersonFactory, VillageFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]

# Per role: a team's home lists its stations, approvals and watched items; a liaison's its unit's open items.
BUDGETS = {"admin": 10, "commission": 10, "leader": 16, "member": 13, "liaison": 13, "case_office": 10,
           "outsider": 10}
_numbers = count(1)


@pytest.mark.parametrize("role", ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"])
def test_home_query_budget_does_not_grow_with_data(client_for, org, within_budget, role):
    client = client_for(role)
    for batch in (5, 50):
        for _ in range(batch):
            PersonFactory(home_unit=VillageFactory(parent=org["town"]))
        within_budget(client, reverse("home"), BUDGETS[role])


def test_liaison_home_names_its_unit(client_for, org):
    html = client_for("liaison").get(reverse("home")).content.decode()
    assert "我联系的单位" in html and org["village"].full_name in html
    assert org["other_village"].name not in html


def test_commission_home_counts_units_and_people(client_for, org, users):
    response = client_for("commission").get(reverse("home"))
    assert response.context["unit_count"] == 3
    assert response.context["person_count"] == len(users)


# --- role homes over the rectification world ---------------------------------------------------------------------

def _grow(world, rect_make_item, size):
    """`size` more items on each letter (half overdue, half near the deadline) and `size` more draft sheets."""
    today = timezone.localdate()
    for i in range(size):
        for letter in (world.letter, world.other_letter):
            rect_make_item(letter, today + timedelta(days=-3 if i % 2 else 4), title=f"问题{letter.pk}-{i}")
        station = world.stations["A"]
        Finding.objects.create(station=station, number=f"HOME-{station.pk}-{next(_numbers)}",
                               sequence=5000 + next(_numbers), title=f"草稿{i}", observed="测试",
                               category=Theme.LAND, found_on=today, state=FindingState.DRAFT)


def _item_ids(html: str, testid: str) -> set[int]:
    section = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return {int(pk) for pk in re.findall(r'data-item="(\d+)"', section)}


@pytest.mark.parametrize("role", ["leader", "member", "target_liaison"])
def test_role_home_budget_with_few_and_many_rows(client, rect_world, rect_make_item, within_budget, role):
    client.force_login(rect_world.users[role])
    budget = {"leader": 16, "member": 13, "target_liaison": 13}[role]
    for size in (1, 15):
        _grow(rect_world, rect_make_item, size)
        response = within_budget(client, reverse("home"), budget)
    items = response.context["liaison_items" if role == "target_liaison" else "team_items"]
    assert len(items) == 10  # the first rows only


def test_leader_home_shows_stations_approvals_and_items(client, rect_world, rect_make_item):
    world = rect_world
    today = timezone.localdate()
    overdue = rect_make_item(world.letter, today - timedelta(days=2), title="逾期事项")
    rect_make_item(world.letter, today + timedelta(days=60), title="时限充裕")
    rect_make_item(world.letter, today - timedelta(days=9), title="已销号", state=ItemState.CLOSED)
    world.report.state = ReportState.SUBMITTED
    world.report.save()
    client.force_login(world.users["leader"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert [s.pk for s in response.context["my_stations"]] == [world.stations["A"].pk]
    assert 'data-testid="home-approvals"' in html and world.stations["A"].target.name in html
    assert response.context["draft_sheets"] == 1  # results_world.draft_sheet
    assert [r.pk for r in response.context["reports_waiting"]] == [world.report.pk]
    # watched: overdue (red) and within the yellow days (items[1]: 5 days); not green, normal or closed
    assert _item_ids(html, "home-team-items") == {overdue.pk, world.items[1].pk}
    assert response.context["team_item_counts"] == {"red": 1, "yellow": 1}
    assert reverse("dashboard") not in html


def test_member_sees_only_their_stations_items(client, rect_world, rect_make_item):
    world = rect_world
    today = timezone.localdate()
    other_overdue = rect_make_item(world.other_letter, today - timedelta(days=1), title="另一驻点逾期")
    mine = rect_make_item(world.letter, today - timedelta(days=1), title="本驻点逾期")
    client.force_login(world.users["member"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert _item_ids(html, "home-team-items") == {mine.pk, world.items[1].pk}
    assert other_overdue.pk not in _item_ids(html, "home-team-items") and "另一驻点逾期" not in html
    assert "reports_waiting" not in response.context  # a member approves nothing
    client.force_login(world.users["other_team"])
    other = client.get(reverse("home")).content.decode()
    assert _item_ids(other, "home-team-items") == {other_overdue.pk}


def test_liaison_home_shows_their_units_open_items(client, rect_world, rect_make_item):
    world = rect_world
    today = timezone.localdate()
    closed = rect_make_item(world.letter, today, title="已销号事项", state=ItemState.CLOSED)
    rect_make_item(world.other_letter, today - timedelta(days=1), title="别的村的事项")
    client.force_login(world.users["target_liaison"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert _item_ids(html, "home-liaison-items") == {item.pk for item in world.items}
    assert closed.pk not in _item_ids(html, "home-liaison-items") and "别的村的事项" not in html
    assert response.context["liaison_item_counts"] == {"open": 2, "red": 0, "yellow": 1}
    assert 'data-level="yellow"' in html and reverse("portal") in html


def test_commission_home_links_the_dashboard(client_for, org):
    html = client_for("commission").get(reverse("home")).content.decode()
    assert 'data-testid="dashboard-link"' in html and reverse("dashboard") in html
    assert reverse("dashboard") not in client_for("case_office").get(reverse("home")).content.decode()
