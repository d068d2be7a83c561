import pytest
from django.urls import reverse

from tests.factories import PersonFactory, VillageFactory


@pytest.mark.parametrize("role", ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"])
def test_home_query_budget_does_not_grow_with_data(client_for, org, within_budget, role):
    client = client_for(role)
    for batch in (5, 50):
        for _ in range(batch):
            PersonFactory(home_unit=VillageFactory(parent=org["town"]))
        within_budget(client, reverse("home"), 10)


def test_liaison_home_names_its_unit(client_for, org):
    html = client_for("liaison").get(reverse("home")).content.decode()
    assert "我联系的单位" in html and org["village"].full_name in html
    assert org["other_village"].name not in html


def test_commission_home_counts_units_and_people(client_for, org, users):
    response = client_for("commission").get(reverse("home"))
    assert response.context["unit_count"] == 3
    assert response.context["person_count"] == len(users)
