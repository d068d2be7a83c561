"""Unit pages: who may see and change what, the tree rules on the forms, the audit trail, query budgets,
search and paging, and the unit API scoped like the pages."""

import pytest
from django.urls import reverse

from supervision.models import AuditEvent, Unit, UnitKind
from tests.factories import PersonFactory, TownshipFactory, UnitFactory, VillageFactory
from tests.helpers import audit_actions

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]
ONLY_ADMIN = {role: 404 for role in ROLES} | {"admin": 200}


def unit_form(**overrides):
    data = {"name": "", "kind": UnitKind.TOWNSHIP, "parent": "", "covered_by": "", "code": "", "address": "",
            "phone": "", "is_active": "on"}
    data.update({key: ("" if value is None else value) for key, value in overrides.items()})
    return data


def edit_form(unit, **overrides):
    current = {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id, "covered_by": unit.covered_by_id,
               "code": unit.code, "address": unit.address, "phone": unit.phone}
    return unit_form(**(current | overrides))


def listed(response):
    return {unit.name for unit in response.context["page"].object_list}


# --- who may and who may not -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "expected"), [(role, 404 if role == "outsider" else 200) for role in ROLES])
def test_unit_list_access(client_for, role, expected):
    assert client_for(role).get(reverse("unit_list")).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [(role, 404 if role in ("liaison", "outsider") else 200) for role in ROLES])
def test_unit_detail_of_township(client_for, org, role, expected):
    assert client_for(role).get(reverse("unit_detail", args=[org["town"].pk])).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [(role, 404 if role == "outsider" else 200) for role in ROLES])
def test_unit_detail_of_liaison_village(client_for, org, role, expected):
    assert client_for(role).get(reverse("unit_detail", args=[org["village"].pk])).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_liaison_sees_no_other_village(client_for, org, role):
    expected = 404 if role in ("liaison", "outsider") else 200
    assert client_for(role).get(reverse("unit_detail", args=[org["other_village"].pk])).status_code == expected


def test_unknown_unit_is_404(client_for):
    assert client_for("admin").get(reverse("unit_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), ONLY_ADMIN.items())
def test_unit_new_page_access(client_for, role, expected):
    assert client_for(role).get(reverse("unit_new")).status_code == expected


@pytest.mark.parametrize(("role", "expected"), ONLY_ADMIN.items())
def test_unit_edit_page_access(client_for, org, role, expected):
    # The liaison may view its own village but not change it: still a 404.
    assert client_for(role).get(reverse("unit_edit", args=[org["village"].pk])).status_code == expected


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_unit_writes_refused_without_trace(client_for, org, role):
    client = client_for(role)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post(reverse("unit_new"), unit_form(name="偷建镇"))
    assert response.status_code == 404
    response = client.post(reverse("unit_edit", args=[org["village"].pk]), edit_form(org["village"], name="改名村"))
    assert response.status_code == 404
    assert not Unit.objects.filter(name__in=["偷建镇", "改名村"]).exists()
    assert audit_actions(before) == []  # nothing done; each refusal is recorded as a denied access
    assert AuditEvent.objects.filter(pk__gt=before, action="access.denied").count() == 2


def test_liaison_list_holds_only_own_unit(client_for, org):
    client = client_for("liaison")
    assert listed(client.get(reverse("unit_list"))) == {"袁铺村"}
    # Searching by the township's name finds the village through its parent, never the township itself.
    assert listed(client.get(reverse("unit_list"), {"q": "金牛"})) == {"袁铺村"}
    assert listed(client.get(reverse("unit_list"), {"kind": UnitKind.TOWNSHIP})) == set()


def test_people_counts_only_for_those_who_may_see_people(client_for, org):
    PersonFactory(home_unit=org["other_village"])
    for role, shown in [("leader", True), ("admin", True), ("member", False), ("liaison", False)]:
        client = client_for(role)
        page = client.get(reverse("unit_list")).content.decode()
        assert ("<th>人员</th>" in page) is shown, role
        if role != "liaison":
            detail = client.get(reverse("unit_detail", args=[org["town"].pk])).content.decode()
            assert ("<th>人员</th>" in detail) is shown, role


# --- creating and editing ---------------------------------------------------------------------------------------

def test_admin_creates_township_with_audit(client_for, users):
    response = client_for("admin").post(reverse("unit_new"), unit_form(name=" 天回镇 ", code="510106"))
    unit = Unit.objects.get(name="天回镇")
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_detail", args=[unit.pk])
    assert (unit.kind, unit.parent, unit.code) == (UnitKind.TOWNSHIP, None, "510106")
    event = AuditEvent.objects.get(action="unit.create")
    assert event.actor == users["admin"]
    assert event.actor_name == "u_admin姓名"
    assert (event.object_type, event.object_id, event.object_repr) == ("supervision.unit", str(unit.pk), "天回镇")
    assert event.changes["name"] == {"before": "", "after": "天回镇"}
    assert event.changes["kind"] == {"before": "", "after": "township"}
    assert event.changes["code"] == {"before": "", "after": "510106"}
    assert event.ip == "127.0.0.1"


def test_admin_creates_village_under_township(client_for, org):
    response = client_for("admin").post(reverse("unit_new"), unit_form(name="清水村", kind=UnitKind.VILLAGE,
                                                                        parent=org["town"].pk))
    village = Unit.objects.get(name="清水村")
    assert response.status_code == 302
    assert village.parent == org["town"]
    assert village.full_name == "金牛镇/清水村"
    assert AuditEvent.objects.get(action="unit.create").changes["parent"] == {"before": "", "after": "金牛镇"}


def test_new_page_preselects_parent(client_for, org):
    response = client_for("admin").get(reverse("unit_new"), {"parent": org["town"].pk})
    assert response.status_code == 200
    assert response.context["form"].initial["parent"] == org["town"].pk


def _refused(response, message):
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, page
    assert response.context["form"].errors


@pytest.mark.parametrize(("form", "message"), [
    (unit_form(name="孤村", kind=UnitKind.VILLAGE), "村必须有上级单位（乡镇、街道）"),
    (unit_form(name="孤组", kind=UnitKind.DISPATCHED_GROUP), "派驻纪检监察组必须有上级单位（纪委监委）"),
    (unit_form(name="", kind=UnitKind.TOWNSHIP), "该字段是必填项。"),
])
def test_create_refused_with_chinese_message(client_for, users, form, message):
    before = (Unit.objects.count(), AuditEvent.objects.count())
    _refused(client_for("admin").post(reverse("unit_new"), form), message)
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before


def test_village_under_department_refused(client_for, users):
    department = UnitFactory(name="财政局", kind=UnitKind.DEPARTMENT)
    response = client_for("admin").post(reverse("unit_new"), unit_form(name="错村", kind=UnitKind.VILLAGE,
                                                                        parent=department.pk))
    _refused(response, "村不能设在市直部门之下；上级单位应为：乡镇、街道")
    assert not Unit.objects.filter(name="错村").exists()


def test_village_cannot_be_chosen_as_parent(client_for, org):
    response = client_for("admin").post(reverse("unit_new"), unit_form(name="村中村", kind=UnitKind.VILLAGE,
                                                                        parent=org["village"].pk))
    _refused(response, "选择一个有效的选项")
    assert not Unit.objects.filter(name="村中村").exists()


def test_duplicate_name_under_same_parent_refused(client_for, org):
    response = client_for("admin").post(reverse("unit_new"), unit_form(name="袁铺村", kind=UnitKind.VILLAGE,
                                                                        parent=org["town"].pk))
    _refused(response, "同一上级单位下已有同名单位")
    assert Unit.objects.filter(name="袁铺村").count() == 1


def test_duplicate_code_refused(client_for, org):
    Unit.objects.filter(pk=org["town"].pk).update(code="A1")
    _refused(client_for("admin").post(reverse("unit_new"), unit_form(name="新镇", code="A1")), "该单位代码已被使用")


def test_admin_edits_unit_with_audit(client_for, org, users):
    village = org["village"]
    response = client_for("admin").post(reverse("unit_edit", args=[village.pk]),
                                        edit_form(village, name="袁铺社区", kind=UnitKind.COMMUNITY, phone="028-1"))
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_detail", args=[village.pk])
    village.refresh_from_db()
    assert (village.name, village.kind, village.phone) == ("袁铺社区", UnitKind.COMMUNITY, "028-1")
    event = AuditEvent.objects.get(action="unit.update")
    assert event.actor == users["admin"] and event.ip == "127.0.0.1"
    assert event.object_id == str(village.pk)
    assert event.changes == {
        "kind": {"before": "village", "after": "community"},
        "name": {"before": "袁铺村", "after": "袁铺社区"},
        "phone": {"before": "", "after": "028-1"},
    }


def test_edit_without_change_leaves_no_event(client_for, org):
    response = client_for("admin").post(reverse("unit_edit", args=[org["town"].pk]), edit_form(org["town"]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="unit.update").exists()


def test_deactivating_is_recorded(client_for, org):
    data = edit_form(org["other_village"])
    del data["is_active"]  # an unticked checkbox is not sent
    assert client_for("admin").post(reverse("unit_edit", args=[org["other_village"].pk]), data).status_code == 302
    org["other_village"].refresh_from_db()
    assert org["other_village"].is_active is False
    event = AuditEvent.objects.get(action="unit.update")
    assert event.changes == {"is_active": {"before": "True", "after": "False"}}


def test_parent_cycle_refused(client_for, users):
    commission = UnitFactory(name="区纪委监委", kind=UnitKind.COMMISSION)
    township = TownshipFactory(name="石桥镇", parent=commission)
    response = client_for("admin").post(reverse("unit_edit", args=[commission.pk]),
                                        edit_form(commission, kind=UnitKind.VILLAGE, parent=township.pk))
    _refused(response, "上级单位不能是本单位或其下级单位")
    commission.refresh_from_db()
    assert (commission.kind, commission.parent) == (UnitKind.COMMISSION, None)
    assert not AuditEvent.objects.filter(action="unit.update").exists()


def test_unit_cannot_be_its_own_parent(client_for, org):
    town = org["town"]
    _refused(client_for("admin").post(reverse("unit_edit", args=[town.pk]), edit_form(town, parent=town.pk)),
             "选择一个有效的选项")


def test_kind_change_must_fit_existing_children(client_for, org):
    town = org["town"]
    response = client_for("admin").post(reverse("unit_edit", args=[town.pk]),
                                        edit_form(town, kind=UnitKind.DEPARTMENT))
    _refused(response, "不能设在市直部门之下")
    town.refresh_from_db()
    assert town.kind == UnitKind.TOWNSHIP


def test_township_may_become_street_with_its_villages(client_for, org):
    town = org["town"]
    response = client_for("admin").post(reverse("unit_edit", args=[town.pk]), edit_form(town, kind=UnitKind.STREET))
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.kind == UnitKind.STREET


# --- search, filter, paging --------------------------------------------------------------------------------------

def test_search_and_kind_filter(client_for, org):
    UnitFactory(name="财政局", kind=UnitKind.DEPARTMENT, code="CZ-01")
    client = client_for("leader")
    url = reverse("unit_list")
    assert listed(client.get(url, {"q": "财政"})) == {"财政局"}
    assert listed(client.get(url, {"q": "cz-01"})) == {"财政局"}
    assert listed(client.get(url, {"q": "金牛"})) == {"金牛镇", "袁铺村", "新华村"}
    assert listed(client.get(url, {"kind": UnitKind.VILLAGE})) == {"袁铺村", "新华村"}
    assert listed(client.get(url, {"q": "金牛", "kind": UnitKind.TOWNSHIP})) == {"金牛镇"}
    assert listed(client.get(url, {"parent": org["town"].pk})) == {"袁铺村", "新华村"}
    response = client.get(url, {"q": "不存在的单位"})
    assert response.status_code == 200 and "没有符合条件的单位。" in response.content.decode()


def test_pagination(client_for, org):
    VillageFactory.create_batch(60, parent=org["town"])  # 63 units in all
    client = client_for("admin")
    first = client.get(reverse("unit_list"))
    assert len(first.context["page"].object_list) == 50
    assert "第 1 / 2 页，共 63 条" in first.content.decode()
    second = client.get(reverse("unit_list"), {"page": 2})
    assert second.status_code == 200 and len(second.context["page"].object_list) == 13
    assert listed(first).isdisjoint(listed(second))


# --- query budgets -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "budget"), [("admin", 8), ("leader", 9), ("liaison", 11)])
def test_unit_list_query_budget(client_for, org, within_budget, role, budget):
    client = client_for(role)
    url = reverse("unit_list")
    for batch in (5, 40):
        for _ in range(batch):
            PersonFactory(home_unit=VillageFactory(parent=org["town"]))
        within_budget(client, url, budget)


@pytest.mark.parametrize(("role", "unit", "budget"), [("admin", "town", 11), ("leader", "town", 14),
                                                      ("member", "town", 12), ("liaison", "village", 16)])
def test_unit_detail_query_budget(client_for, org, within_budget, role, unit, budget):
    client = client_for(role)
    url = reverse("unit_detail", args=[org[unit].pk])
    for batch in (5, 40):
        for _ in range(batch):
            PersonFactory(home_unit=org[unit])
            VillageFactory(parent=org["town"])
        response = within_budget(client, url, budget)
    if unit == "town":
        assert len(response.context["children"]) == 47


# --- the API, scoped like the pages ------------------------------------------------------------------------------

def _api_names(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_api_units_scoped_like_pages(client_for, org):
    assert _api_names(client_for("admin"), "/api/units/") == {"金牛镇", "袁铺村", "新华村"}
    assert _api_names(client_for("member"), "/api/units/") == {"金牛镇", "袁铺村", "新华村"}
    liaison = client_for("liaison")
    assert _api_names(liaison, "/api/units/") == {"袁铺村"}
    assert liaison.get(f"/api/units/{org['village'].pk}/").json()["name"] == "袁铺村"
    assert liaison.get(f"/api/units/{org['town'].pk}/").status_code == 404
    assert liaison.get(f"/api/units/{org['other_village'].pk}/").status_code == 404
    outsider = client_for("outsider")
    assert _api_names(outsider, "/api/units/") == set()
    assert outsider.get(f"/api/units/{org['town'].pk}/").status_code == 404


def test_api_unit_filters_do_not_reveal_hidden_units(client_for, org):
    liaison = client_for("liaison")
    assert _api_names(liaison, "/api/units/", kind="village") == {"袁铺村"}
    assert _api_names(liaison, "/api/units/", parent=org["town"].pk) == {"袁铺村"}
    outsider = client_for("outsider")
    # An existing unit the user may not see and an id that does not exist answer alike.
    assert _api_names(outsider, "/api/units/", parent=org["town"].pk) == set()
    assert _api_names(outsider, "/api/units/", parent=999999) == set()
    assert _api_names(client_for("admin"), "/api/units/", parent=org["town"].pk) == {"袁铺村", "新华村"}


def test_liaison_sees_its_township_named_but_not_linked(client_for, org):
    html = client_for("liaison").get(reverse("unit_detail", args=[org["village"].pk])).content.decode()
    assert org["town"].name in html
    assert reverse("unit_detail", args=[org["town"].pk]) not in html
