"""People pages and conflict declarations: who may and who may not, the forms' rules, the audit trail,
query budgets, search and paging, and the people API scoped like the pages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from supervision.models import AuditEvent, ConflictDeclaration, Person, PersonCategory
from tests.factories import ConflictFactory, PersonFactory, UnitFactory, VillageFactory

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]
VIEWERS = {"admin", "commission", "leader", "case_office"}
EDITORS = {"admin", "commission"}


def expected(role, allowed, ok=200):
    return ok if role in allowed else 404


def person_form(unit, **overrides):
    data = {"name": "", "category": PersonCategory.FINANCE, "home_unit": unit.pk, "post": "", "phone": "",
            "note": "", "is_active": "on"}
    data.update(overrides)
    return data


def edit_form(person, **overrides):
    return person_form(person.home_unit, **({"name": person.name, "category": person.category, "post": person.post,
                                              "phone": person.phone, "note": person.note} | overrides))


def listed(response):
    return {person.name for person in response.context["page"].object_list}


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def villager(org):
    """Someone in the liaison's own village: the liaison still may not see people."""
    return PersonFactory(name="王村官", home_unit=org["village"], post="村纪检委员")


# --- who may and who may not -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_person_list_access(client_for, role):
    assert client_for(role).get(reverse("person_list")).status_code == expected(role, VIEWERS)


@pytest.mark.parametrize("role", ROLES)
def test_person_detail_access(client_for, villager, role):
    assert client_for(role).get(reverse("person_detail", args=[villager.pk])).status_code == expected(role, VIEWERS)


@pytest.mark.parametrize("role", ROLES)
def test_person_new_page_access(client_for, role):
    assert client_for(role).get(reverse("person_new")).status_code == expected(role, EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_person_edit_page_access(client_for, villager, role):
    assert client_for(role).get(reverse("person_edit", args=[villager.pk])).status_code == expected(role, EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_person_writes_by_role(client_for, org, villager, role):
    client = client_for(role)
    created = client.post(reverse("person_new"), person_form(org["town"], name="新人"))
    edited = client.post(reverse("person_edit", args=[villager.pk]), edit_form(villager, post="改过"))
    allowed = role in EDITORS
    assert (created.status_code, edited.status_code) == ((302, 302) if allowed else (404, 404))
    assert Person.objects.filter(name="新人").exists() is allowed
    villager.refresh_from_db()
    assert (villager.post == "改过") is allowed


@pytest.mark.parametrize("role", ROLES)
def test_conflict_new_by_role(client_for, org, villager, role):
    response = client_for(role).post(reverse("conflict_new", args=[villager.pk]),
                                     {"unit": org["other_village"].pk, "reason": "relative"})
    assert response.status_code == expected(role, EDITORS, ok=302)
    assert ConflictDeclaration.objects.filter(person=villager).exists() is (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_conflict_delete_by_role(client_for, villager, org, role):
    declaration = ConflictFactory(person=villager, unit=org["other_village"])
    response = client_for(role).post(reverse("conflict_delete", args=[declaration.pk]))
    assert response.status_code == expected(role, EDITORS, ok=302)
    assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists() is (role not in EDITORS)


def test_conflict_urls_answer_get_with_405(client_for, villager, org):
    declaration = ConflictFactory(person=villager, unit=org["other_village"])
    client = client_for("admin")
    assert client.get(reverse("conflict_delete", args=[declaration.pk])).status_code == 405
    assert client.get(reverse("conflict_new", args=[villager.pk])).status_code == 405
    assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()


def test_unknown_objects_are_404(client_for):
    client = client_for("admin")
    assert client.get(reverse("person_detail", args=[999999])).status_code == 404
    assert client.post(reverse("conflict_delete", args=[999999])).status_code == 404
    assert client.get(reverse("person_list"), {"unit": 999999}).status_code == 404


def test_detail_shows_edit_and_declare_only_to_editors(client_for, villager):
    url = reverse("person_detail", args=[villager.pk])
    admin_page = client_for("admin").get(url).content.decode()
    assert reverse("person_edit", args=[villager.pk]) in admin_page
    assert reverse("conflict_new", args=[villager.pk]) in admin_page
    leader_page = client_for("leader").get(url).content.decode()
    assert reverse("person_edit", args=[villager.pk]) not in leader_page
    assert "回避申报" not in leader_page  # the leader may not view declarations


def test_detail_renders_declaration_without_declarer(client_for, villager, org):
    # A declaration whose declarer account was deleted (declared_by set to NULL) must not break the page.
    ConflictFactory(person=villager, unit=org["other_village"], declared_by=None)
    response = client_for("admin").get(reverse("person_detail", args=[villager.pk]))
    assert response.status_code == 200
    assert "金牛镇/新华村" in response.content.decode()


# --- creating and editing ---------------------------------------------------------------------------------------

def test_create_person_with_audit(client_for, org, users):
    response = client_for("commission").post(reverse("person_new"), person_form(
        org["village"], name=" 李会计 ", post="报账员", phone="13900001111"))
    person = Person.objects.get(name="李会计")
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert (person.home_unit, person.post, person.phone) == (org["village"], "报账员", "13900001111")
    event = AuditEvent.objects.get(action="person.create")
    assert event.actor == users["commission"] and event.actor_name == "u_commission姓名"
    assert (event.object_type, event.object_id, event.object_repr) == ("supervision.person", str(person.pk), "李会计")
    assert event.changes["name"] == {"before": "", "after": "李会计"}
    assert event.changes["home_unit"] == {"before": "", "after": "袁铺村"}
    assert event.changes["category"] == {"before": "", "after": "finance"}
    assert event.ip == "127.0.0.1"


def test_new_page_preselects_unit(client_for, org):
    response = client_for("admin").get(reverse("person_new"), {"unit": org["village"].pk})
    assert response.context["form"].initial["home_unit"] == org["village"].pk
    assert "金牛镇/袁铺村" in response.content.decode()  # villages are named with their township


def test_duplicate_name_in_same_unit_refused(client_for, villager, org):
    before = AuditEvent.objects.count()
    response = client_for("admin").post(reverse("person_new"), person_form(org["village"], name="王村官"))
    assert response.status_code == 200
    assert "同一单位下已有同名人员" in response.content.decode()
    assert response.context["form"].errors
    assert Person.objects.filter(name="王村官").count() == 1
    assert AuditEvent.objects.count() == before


def test_same_name_in_another_unit_allowed(client_for, villager, org):
    response = client_for("admin").post(reverse("person_new"), person_form(org["other_village"], name="王村官"))
    assert response.status_code == 302
    assert Person.objects.filter(name="王村官").count() == 2


def test_required_fields_in_chinese(client_for, org):
    response = client_for("admin").post(reverse("person_new"), person_form(org["town"], name="", category=""))
    assert response.status_code == 200
    assert response.content.decode().count("该字段是必填项。") == 2
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_edit_person_with_audit(client_for, villager, org, users):
    response = client_for("admin").post(reverse("person_edit", args=[villager.pk]), edit_form(
        villager, post="村监委主任", home_unit=org["other_village"].pk))
    assert response.status_code == 302
    villager.refresh_from_db()
    assert (villager.post, villager.home_unit) == ("村监委主任", org["other_village"])
    event = AuditEvent.objects.get(action="person.update")
    assert event.actor == users["admin"] and event.ip == "127.0.0.1" and event.object_id == str(villager.pk)
    assert event.changes == {
        "home_unit": {"before": "袁铺村", "after": "新华村"},
        "post": {"before": "村纪检委员", "after": "村监委主任"},
    }


def test_edit_without_change_leaves_no_event(client_for, villager):
    assert client_for("admin").post(reverse("person_edit", args=[villager.pk]), edit_form(villager)).status_code == 302
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_rename_onto_colleague_refused(client_for, villager, org):
    colleague = PersonFactory(name="赵会计", home_unit=org["village"])
    response = client_for("admin").post(reverse("person_edit", args=[colleague.pk]), edit_form(colleague, name="王村官"))
    assert response.status_code == 200
    assert "同一单位下已有同名人员" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.name == "赵会计"
    assert not AuditEvent.objects.filter(action="person.update").exists()


# --- conflict declarations ---------------------------------------------------------------------------------------

def _declare(client, person, unit, reason="relative", detail=""):
    return client.post(reverse("conflict_new", args=[person.pk]), {"unit": unit.pk, "reason": reason, "detail": detail})


def test_declare_conflict_with_audit(client_for, villager, org, users):
    response = _declare(client_for("commission"), villager, org["other_village"], detail="表弟任村主任")
    assert response.status_code == 302 and response["Location"] == reverse("person_detail", args=[villager.pk])
    assert flash(response) == ["已登记回避申报"]
    declaration = ConflictDeclaration.objects.get(person=villager)
    assert (declaration.unit, declaration.detail, declaration.declared_by) == (
        org["other_village"], "表弟任村主任", users["commission"])
    event = AuditEvent.objects.get(action="conflict.declare")
    assert event.actor == users["commission"] and event.ip == "127.0.0.1"
    assert (event.object_type, event.object_id) == ("supervision.person", str(villager.pk))
    assert event.changes == {"unit": {"before": "", "after": "新华村"},
                             "reason": {"before": "", "after": "近亲属在该单位任职"}}
    page = client_for("commission").get(reverse("person_detail", args=[villager.pk])).content.decode()
    assert "金牛镇/新华村" in page and "u_commission姓名" in page


def test_duplicate_declaration_refused(client_for, villager, org):
    client = client_for("admin")
    first = _declare(client, villager, org["other_village"])
    assert "已登记回避申报" in client.get(first["Location"]).content.decode()  # shown once, then gone
    response = _declare(client, villager, org["other_village"], reason="interest")
    assert response.status_code == 302
    assert flash(response) == ["回避申报未保存：王村官已申报回避新华村"]
    assert ConflictDeclaration.objects.filter(person=villager).count() == 1
    assert AuditEvent.objects.filter(action="conflict.declare").count() == 1


def test_declaring_own_unit_refused(client_for, villager, org):
    response = _declare(client_for("admin"), villager, org["village"])
    assert flash(response) == ["回避申报未保存：本单位已自动回避，无需申报"]
    assert not ConflictDeclaration.objects.exists()
    assert not AuditEvent.objects.filter(action="conflict.declare").exists()


def test_declaration_needs_a_reason(client_for, villager, org):
    response = _declare(client_for("admin"), villager, org["other_village"], reason="")
    assert flash(response) == ["回避申报未保存：该字段是必填项。"]
    assert not ConflictDeclaration.objects.exists()


def test_withdraw_declaration_with_audit(client_for, villager, org, users):
    declaration = ConflictFactory(person=villager, unit=org["other_village"])
    response = client_for("commission").post(reverse("conflict_delete", args=[declaration.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("person_detail", args=[villager.pk])
    assert flash(response) == ["已撤销回避申报"]
    assert not ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
    event = AuditEvent.objects.get(action="conflict.withdraw")
    assert event.actor == users["commission"] and event.ip == "127.0.0.1"
    assert event.object_id == str(villager.pk)
    assert event.changes == {"unit": {"before": "新华村", "after": ""}}


# --- search, filter, paging --------------------------------------------------------------------------------------

def test_search_and_filters(client_for, villager, org):
    PersonFactory(name="陈出纳", category=PersonCategory.FINANCE, home_unit=org["other_village"], phone="13512345678")
    department = UnitFactory(name="民政局")
    PersonFactory(name="周科员", category=PersonCategory.CIVIL_AFFAIRS, home_unit=department, post="科员")
    client = client_for("leader")
    url = reverse("person_list")
    assert listed(client.get(url, {"q": "陈出"})) == {"陈出纳"}
    assert listed(client.get(url, {"q": "1351234"})) == {"陈出纳"}
    assert listed(client.get(url, {"q": "民政局"})) == {"周科员"}
    assert listed(client.get(url, {"q": "纪检委员"})) == {"王村官"}
    assert listed(client.get(url, {"category": PersonCategory.CIVIL_AFFAIRS})) == {"周科员"}
    assert listed(client.get(url, {"unit": org["village"].pk})) == {"王村官", "u_liaison姓名"}
    # A township's list includes the people of its villages.
    assert {"王村官", "陈出纳", "u_admin姓名"} <= listed(client.get(url, {"unit": org["town"].pk}))
    assert "周科员" not in listed(client.get(url, {"unit": org["town"].pk}))
    assert listed(client.get(url, {"unit": org["town"].pk, "category": PersonCategory.FINANCE})) == {"陈出纳"}
    response = client.get(url, {"q": "查无此人"})
    assert response.status_code == 200 and "没有符合条件的人员。" in response.content.decode()


def test_pagination(client_for, org):
    PersonFactory.create_batch(60, home_unit=org["other_village"])  # plus the 8 account holders
    client = client_for("admin")
    first = client.get(reverse("person_list"))
    assert len(first.context["page"].object_list) == 50
    assert "第 1 / 2 页，共 68 条" in first.content.decode()
    second = client.get(reverse("person_list"), {"page": 2})
    assert second.status_code == 200 and len(second.context["page"].object_list) == 18
    assert listed(first).isdisjoint(listed(second))


# --- query budgets -----------------------------------------------------------------------------------------------

# Roles without global station permissions pay one query for the navigation's "do I have stations?".
@pytest.mark.parametrize(("role", "budget"), [("admin", 8), ("leader", 9)])
def test_person_list_query_budget(client_for, org, within_budget, role, budget):
    client = client_for(role)
    for batch in (5, 40):
        for _ in range(batch):
            person = PersonFactory(home_unit=VillageFactory(parent=org["town"]))
        person.user = get_user_model().objects.create(username=f"acct{batch}")  # rows with a login account
        person.save()
        response = within_budget(client, reverse("person_list"), budget)
    assert len(response.context["page"].object_list) == 50


@pytest.mark.parametrize(("role", "budget"), [("admin", 9), ("commission", 9), ("leader", 10)])
def test_person_detail_query_budget(client_for, villager, org, users, within_budget, role, budget):
    client = client_for(role)
    url = reverse("person_detail", args=[villager.pk])
    for batch in (5, 40):
        for _ in range(batch):
            ConflictFactory(person=villager, unit=VillageFactory(parent=org["town"]), declared_by=users["commission"])
        within_budget(client, url, budget)


# --- the API, scoped like the pages ------------------------------------------------------------------------------

def _api(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_api_people_scoped_like_pages(client_for, villager, org):
    assert "王村官" in _api(client_for("leader"), "/api/people/")
    assert _api(client_for("admin"), "/api/people/", home_unit=org["village"].pk) == {"王村官", "u_liaison姓名"}
    # Roles without the people pages get an empty list, and a 404 for any one person.
    for role in ("member", "liaison", "outsider"):
        client = client_for(role)
        assert _api(client, "/api/people/") == set(), role
        assert _api(client, "/api/people/", home_unit=org["village"].pk) == set(), role
        assert _api(client, "/api/people/", home_unit=999999) == set(), role
        assert client.get(f"/api/people/{villager.pk}/").status_code == 404, role
    assert client_for("leader").get(f"/api/people/{villager.pk}/").json()["name"] == "王村官"
