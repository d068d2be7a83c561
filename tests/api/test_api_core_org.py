"""The organisation API's writes (units, people, conflict declarations): the roles the pages allow succeed through the
organisation services (the row, the audit event), the others get the pages' 404 (the pages answer a role's missing
permission with a 404 as well: require_perm, the access helpers), and a service's refusal is a 400 with its Chinese
message."""

import pytest

from supervision.models import AuditEvent, ConflictDeclaration, Person, Unit, UnitKind
from tests.factories import ConflictFactory, PersonFactory, UnitFactory, VillageFactory
from tests.helpers import audit_actions, last_audit_id
from tests.helpers import result_ids as ids

pytest_plugins = ["tests.rounds.fixtures_rounds"]
pytestmark = pytest.mark.usefixtures("zh_hans")


# --- units --------------------------------------------------------------------------------------------------------


def test_admin_creates_a_unit_through_the_service(api, org):
    since = last_audit_id()
    response = api("admin").post("/api/units/", {"name": "白沙村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk,
                                                 "code": " 420281 ", "is_active": False}, format="json")
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(pk=response.json()["id"])
    assert (unit.name, unit.kind, unit.parent, unit.code, unit.is_active) == ("白沙村", "village", org["town"], "420281",
                                                                              True)
    assert response.json()["kind_display"] == "村" and response.json()["parent"] == org["town"].pk
    assert audit_actions(since) == ["unit.create"]
    event = AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))
    assert event.changes["parent"] == {"before": "", "after": str(org["town"])}


def test_unit_refusals_are_400_with_the_service_message(api, org):
    client = api("admin")
    response = client.post("/api/units/", {"name": "孤村", "kind": UnitKind.VILLAGE}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["村必须有上级单位（乡镇、街道）"]}
    response = client.post("/api/units/", {"name": "袁铺村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["同一上级单位下已有同名单位"]}
    group = UnitFactory(name="派驻组", kind=UnitKind.DISPATCHED_GROUP, parent=UnitFactory(kind=UnitKind.COMMISSION))
    response = client.patch(f"/api/units/{org['town'].pk}/", {"kind": UnitKind.VILLAGE, "parent": group.pk},
                            format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["村不能设在派驻纪检监察组之下；上级单位应为：乡镇、街道"]}
    response = client.patch(f"/api/units/{org['village'].pk}/", {"covered_by": org["town"].pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"covered_by"}  # not a group: not offered
    assert Unit.objects.get(pk=org["town"].pk).kind == UnitKind.TOWNSHIP
    assert not Unit.objects.filter(name="孤村").exists()


def test_admin_changes_a_unit_and_the_trail_has_it(api, org):
    since = last_audit_id()
    response = api("admin").patch(f"/api/units/{org['village'].pk}/", {"phone": "0714-8712345", "is_active": False},
                                  format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["phone"], response.json()["is_active"], response.json()["name"]) == (
        "0714-8712345", False, "袁铺村")
    village = Unit.objects.get(pk=org["village"].pk)
    assert (village.phone, village.is_active, village.parent) == ("0714-8712345", False, org["town"])
    assert audit_actions(since) == ["unit.update"]
    assert AuditEvent.objects.get(action="unit.update").changes["phone"] == {"before": "", "after": "0714-8712345"}


@pytest.mark.parametrize("role", ["commission", "leader", "member", "liaison", "case_office", "outsider"])
def test_unit_writes_by_others_are_404(api, org, role):
    """Commission staff, team members, the case office see units but may not change them; the liaison sees their
    own village only; the outsider sees none. All get the 404 the pages give."""
    client = api(role)
    assert client.post("/api/units/", {"name": "新村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk},
                       format="json").status_code == 404
    for unit in (org["village"], org["town"]):
        assert client.patch(f"/api/units/{unit.pk}/", {"name": "改名"}, format="json").status_code == 404
    assert client.put(f"/api/units/{org['village'].pk}/", {"name": "改名"}, format="json").status_code in (404, 405)
    assert not Unit.objects.filter(name__in=["新村", "改名"]).exists()


def test_the_liaison_reads_their_own_unit_only(api, org):
    client = api("liaison")
    assert ids(client.get("/api/units/")) == {org["village"].pk}
    assert client.get(f"/api/units/{org['village'].pk}/").json()["name"] == "袁铺村"
    assert client.get(f"/api/units/{org['other_village'].pk}/").status_code == 404
    assert client.get("/api/units/abc/").status_code == 404


def test_id_filters_never_fail_on_odd_numbers(api, org):
    client = api("admin")
    assert ids(client.get("/api/units/", {"parent": org["town"].pk})) == {org["village"].pk, org["other_village"].pk}
    assert ids(client.get("/api/units/", {"parent": 10**30})) == set()
    assert client.get("/api/units/", {"parent": "-1.7976931348623157e+308"}).status_code == 400
    assert ids(client.get("/api/people/", {"home_unit": -(10**25)})) == set()


# --- people -------------------------------------------------------------------------------------------------------


def test_commission_staff_add_and_change_people(api, org):
    since = last_audit_id()
    client = api("commission")
    response = client.post("/api/people/", {"name": " 柯小红 ", "category": "finance", "home_unit": org["town"].pk,
                                            "phone": "13800001234", "note": "财经所"}, format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.name, person.category, person.home_unit, person.note) == ("柯小红", "finance", org["town"], "财经所")
    assert response.json()["category_display"] == "财经所人员"
    response = client.patch(f"/api/people/{person.pk}/", {"home_unit": org["village"].pk, "post": "报账员"},
                            format="json")
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.home_unit, person.post, person.phone) == (org["village"], "报账员", "13800001234")
    assert audit_actions(since) == ["person.create", "person.update"]
    changes = AuditEvent.objects.get(action="person.update").changes
    assert changes["home_unit"] == {"before": str(org["town"]), "after": str(org["village"])}


def test_people_refusals_are_400_with_the_service_message(api, org):
    PersonFactory(name="张伟", home_unit=org["town"])
    response = api("commission").post("/api/people/", {"name": "张伟", "category": "finance",
                                                       "home_unit": org["town"].pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["同一单位下已有同名人员；如确为两人，请在姓名后加以区分，如“张伟（二组）”"]}
    assert Person.objects.filter(name="张伟").count() == 1


@pytest.mark.parametrize("role", ["admin", "commission"])
def test_person_writes_are_for_the_organisation_roles(api, org, role):
    person = PersonFactory(home_unit=org["town"])
    assert api(role).patch(f"/api/people/{person.pk}/", {"post": "组员"}, format="json").status_code == 200


@pytest.mark.parametrize("role", ["leader", "member", "liaison", "case_office", "commission_leader", "outsider"])
def test_person_writes_by_others_are_404(api, org, role):
    """The team leader, the case office and the commission's leaders see people but may not change them; the others
    do not see them."""
    person = PersonFactory(home_unit=org["town"], post="原职务")
    client = api(role)
    assert client.post("/api/people/", {"name": "新人", "category": "other", "home_unit": org["town"].pk},
                       format="json").status_code == 404
    assert client.patch(f"/api/people/{person.pk}/", {"post": "改"}, format="json").status_code == 404
    assert Person.objects.get(pk=person.pk).post == "原职务" and not Person.objects.filter(name="新人").exists()


# --- conflict declarations ----------------------------------------------------------------------------------------


def test_declare_list_and_withdraw_a_conflict(api, org, users):
    person = PersonFactory(name="王会计", home_unit=org["town"])
    since = last_audit_id()
    client = api("commission")
    response = client.post("/api/conflicts/", {"person": person.pk, "unit": org["village"].pk, "reason": "relative",
                                               "detail": "配偶任村会计"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_name"], body["unit_name"], body["reason_display"]) == ("王会计", "袁铺村", "近亲属在该单位任职")
    declaration = ConflictDeclaration.objects.get(pk=body["id"])
    assert declaration.declared_by == users["commission"]
    assert ids(client.get("/api/conflicts/", {"person": person.pk})) == {declaration.pk}
    assert client.get(f"/api/conflicts/{declaration.pk}/").json()["detail"] == "配偶任村会计"
    response = client.post("/api/conflicts/", {"person": person.pk, "unit": org["village"].pk, "reason": "interest"},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": [f"王会计已申报回避{org['village']}"]}
    response = client.post("/api/conflicts/", {"person": person.pk, "unit": org["town"].pk, "reason": "interest"},
                           format="json")
    assert response.json() == {"detail": ["本单位已自动回避，无需申报"]}
    assert client.delete(f"/api/conflicts/{declaration.pk}/").status_code == 204
    assert not ConflictDeclaration.objects.exists()
    assert audit_actions(since) == ["conflict.declare", "conflict.withdraw"]


@pytest.mark.parametrize("role", ["leader", "member", "liaison", "case_office", "outsider"])
def test_conflicts_are_hidden_from_the_other_roles(api, org, role):
    declaration = ConflictFactory(person=PersonFactory(home_unit=org["town"]), unit=org["village"])
    client = api(role)
    assert ids(client.get("/api/conflicts/")) == set()
    assert client.get(f"/api/conflicts/{declaration.pk}/").status_code == 404
    assert client.delete(f"/api/conflicts/{declaration.pk}/").status_code == 404
    assert client.post("/api/conflicts/", {"person": declaration.person_id, "unit": org["other_village"].pk,
                                           "reason": "other"}, format="json").status_code == 404
    assert ConflictDeclaration.objects.count() == 1


def test_the_commission_leader_reads_conflicts_but_does_not_change_them(api, org):
    declaration = ConflictFactory(person=PersonFactory(home_unit=org["town"]), unit=org["village"])
    client = api("commission_leader")
    assert ids(client.get("/api/conflicts/")) == {declaration.pk}
    assert client.delete(f"/api/conflicts/{declaration.pk}/").status_code == 404
    assert ConflictDeclaration.objects.count() == 1


def test_a_conflict_with_a_unit_one_may_not_see_is_refused(api, org):
    """A planner sees every unit; the declared unit of a form is one of them. An id the user may not see is the
    same 400 as one that does not exist."""
    person = PersonFactory(home_unit=org["town"])
    response = api("commission").post("/api/conflicts/", {"person": person.pk, "unit": 999999, "reason": "other"},
                                      format="json")
    assert response.status_code == 400 and set(response.json()) == {"unit"}


def test_org_lists_stay_within_their_query_budget(client, users, org, within_budget):
    for _n in range(12):
        village = VillageFactory(parent=org["town"])
        ConflictFactory(person=PersonFactory(home_unit=org["town"]), unit=village)
    client.force_login(users["commission"])
    assert len(within_budget(client, "/api/units/", 6).json()["results"]) == 15
    assert len(within_budget(client, "/api/conflicts/", 6).json()["results"]) == 12
    within_budget(client, "/api/people/", 6)
