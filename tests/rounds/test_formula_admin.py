"""Administrators add team formulas as data in the admin; the slots are validated; edits are audited."""

from django.urls import reverse

from rounds.models import TeamFormula
from supervision.models import AuditEvent


def _form(slots, name="3+3"):
    data = {"code": "three", "name": name, "description": "", "is_active": "on",
            "slots-TOTAL_FORMS": str(len(slots)), "slots-INITIAL_FORMS": "0", "slots-MIN_NUM_FORMS": "0",
            "slots-MAX_NUM_FORMS": "1000"}
    for i, slot in enumerate(slots):
        for key, value in slot.items():
            data[f"slots-{i}-{key}"] = value
    return data


LEADER = {"order": "1", "label": "组长", "categories": '["discipline_cadre"]', "count": "1", "planned_count": "0",
          "is_leader": "on"}
BACKBONE = {"order": "2", "label": "骨干", "categories": '["finance"]', "count": "2", "planned_count": "0"}


def test_admin_adds_a_formula_with_slots(client_for):
    client = client_for("admin")
    response = client.post(reverse("admin:rounds_teamformula_add"), _form([LEADER, BACKBONE]))
    assert response.status_code == 302, response.content.decode()[:3000]
    formula = TeamFormula.objects.get(code="three")
    assert [(s.label, s.categories, s.count) for s in formula.slots.all()] == [
        ("组长", ["discipline_cadre"], 1), ("骨干", ["finance"], 2)]
    assert AuditEvent.objects.filter(action="formula.create", object_id=str(formula.pk)).exists()


def test_unknown_category_and_missing_leader_are_refused(client_for):
    client = client_for("admin")
    bad = dict(BACKBONE, categories='["astronaut"]')
    response = client.post(reverse("admin:rounds_teamformula_add"), _form([bad]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写人员类别代码列表" in html
    assert "每个组队模式须有且只有一个组长角色" in html
    assert not TeamFormula.objects.filter(code="three").exists()


def test_seeded_formulas_exist(db):
    assert set(TeamFormula.objects.values_list("name", flat=True)) >= {"1+2+N", "2+5"}


def test_commission_staff_cannot_edit_formulas_in_admin(client_for):
    response = client_for("commission").get(reverse("admin:rounds_teamformula_changelist"))
    assert response.status_code == 302
