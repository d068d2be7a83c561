"""Django admin: available to administrators, saves go through the services, the audit trail is read-only."""

from django.urls import reverse

from supervision.models import AuditEvent, Unit, UnitKind


def test_admin_lists_units_for_administrators(client_for, org):
    client = client_for("admin")
    response = client.get(reverse("admin:supervision_unit_changelist"))
    assert response.status_code == 200
    assert org["town"].name in response.content.decode()


def test_non_staff_roles_cannot_enter_admin(client_for):
    for role in ("commission", "leader", "liaison", "outsider"):
        response = client_for(role).get(reverse("admin:supervision_unit_changelist"))
        assert response.status_code == 302, role
        assert "login" in response["Location"]


def test_admin_add_goes_through_the_service(client_for, org):
    client = client_for("admin")
    response = client.post(reverse("admin:supervision_unit_add"), {
        "name": "白羊村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk, "code": "", "address": "",
        "phone": "", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="白羊村")
    event = AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))
    assert event.actor_name == "u_admin姓名"


def test_admin_refuses_a_village_without_township(client_for):
    client = client_for("admin")
    response = client.post(reverse("admin:supervision_unit_add"), {
        "name": "孤村", "kind": UnitKind.VILLAGE, "code": "", "address": "", "phone": "", "is_active": "on"})
    assert response.status_code == 200
    assert "村必须有上级单位" in response.content.decode()
    assert not Unit.objects.filter(name="孤村").exists()


def test_audit_events_cannot_be_edited_or_deleted_in_admin(client_for, org):
    client = client_for("admin")
    client.post(reverse("admin:supervision_unit_change", args=[org["town"].pk]), {
        "name": "金牛镇", "kind": UnitKind.TOWNSHIP, "code": "JN", "address": "", "phone": "", "is_active": "on"})
    event = AuditEvent.objects.latest("id")
    before = (event.action, event.changes)
    response = client.post(reverse("admin:supervision_auditevent_change", args=[event.pk]), {"action": "forged"})
    assert response.status_code == 403
    assert client.post(reverse("admin:supervision_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.action, event.changes) == before
