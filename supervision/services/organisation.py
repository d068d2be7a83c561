"""Units, people and conflict declarations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from ..audit import audit_record, diff
from ..models import UNIT_PARENT_KINDS, ConflictDeclaration, Person, Unit, UnitKind

UNIT_FIELDS = ("name", "kind", "parent", "covered_by", "code", "organ_name", "doc_prefix", "address", "phone",
               "is_active")
PERSON_FIELDS = ("name", "category", "home_unit", "post", "phone", "is_active", "note")


def _snapshot(obj, fields) -> dict:
    data = model_to_dict(obj, fields=fields)
    for field in fields:  # foreign keys as names, not ids, so the trail reads well
        value = getattr(obj, field, None)
        if hasattr(value, "_meta"):
            data[field] = str(value)
    return data


def unit_validate(unit: Unit) -> None:
    """Rules a unit must satisfy beyond its field types, with messages a user understands."""
    parent_kinds = UNIT_PARENT_KINDS[unit.kind]
    parent_kind = unit.parent.kind if unit.parent_id else None
    if parent_kind not in parent_kinds:
        # In declaration order: iterating the set would order the kinds differently from one process to the next.
        allowed = "、".join(str(k.label) for k in UnitKind if k in parent_kinds) or _("无")
        if unit.parent_id:
            raise ValidationError(
                {"parent": _("%(kind)s不能设在%(parent_kind)s之下；上级单位应为：%(allowed)s")
                 % {"kind": UnitKind(unit.kind).label, "parent_kind": UnitKind(parent_kind).label, "allowed": allowed}}
            )
        raise ValidationError({"parent": _("%(kind)s必须有上级单位（%(allowed)s）")
                               % {"kind": UnitKind(unit.kind).label, "allowed": allowed}})
    ancestor, seen = unit.parent, set()
    while ancestor is not None and unit.pk:
        if ancestor.pk == unit.pk or ancestor.pk in seen:
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位")})
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    if unit.pk:  # a change of kind must still fit the units already under it
        misplaced = unit.children.exclude(kind__in=[k for k, kinds in UNIT_PARENT_KINDS.items() if unit.kind in kinds])
        child = misplaced.first()
        if child is not None:
            raise ValidationError({"kind": _("下级单位%(child)s（%(child_kind)s）不能设在%(kind)s之下，请先调整下级单位")
                                   % {"child": child.name, "child_kind": UnitKind(child.kind).label,
                                      "kind": UnitKind(unit.kind).label}})
    if unit.covered_by_id and unit.covered_by.kind != UnitKind.DISPATCHED_GROUP:
        raise ValidationError({"covered_by": _("对口监督单位只能是派驻纪检监察组")})
    unit.full_clean(validate_unique=True)


@transaction.atomic
def unit_create(*, actor, name: str, kind: str, parent: Unit | None = None, covered_by: Unit | None = None,
                code: str = "", organ_name: str = "", doc_prefix: str = "", address: str = "", phone: str = "") -> Unit:
    unit = Unit(name=name.strip(), kind=kind, parent=parent, covered_by=covered_by, code=code.strip(),
                organ_name=organ_name.strip(), doc_prefix=doc_prefix.strip(), address=address, phone=phone)
    unit_validate(unit)
    unit.save()
    audit_record(actor=actor, action="unit.create", obj=unit, changes=diff({}, _snapshot(unit, UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    before = _snapshot(Unit.objects.get(pk=unit.pk), UNIT_FIELDS)
    for key, value in fields.items():
        if key not in UNIT_FIELDS:
            raise TypeError(f"unit_update: unknown field {key}")
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    unit_validate(unit)
    unit.save()
    changes = diff(before, _snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action="unit.update", obj=unit, changes=changes)
    return unit


@transaction.atomic
def person_create(*, actor, name: str, category: str, home_unit: Unit, post: str = "", phone: str = "",
                  note: str = "") -> Person:
    person = Person(name=name.strip(), category=category, home_unit=home_unit, post=post.strip(),
                    phone=phone.strip(), note=note)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person.create", obj=person,
                 changes=diff({}, _snapshot(person, PERSON_FIELDS)))
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    before = _snapshot(Person.objects.get(pk=person.pk), PERSON_FIELDS)
    for key, value in fields.items():
        if key not in PERSON_FIELDS:
            raise TypeError(f"person_update: unknown field {key}")
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    person.full_clean()
    person.save()
    changes = diff(before, _snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action="person.update", obj=person, changes=changes)
    return person


@transaction.atomic
def conflict_declare(*, actor, person: Person, unit: Unit, reason: str, detail: str = "") -> ConflictDeclaration:
    if ConflictDeclaration.objects.filter(person=person, unit=unit).exists():
        raise ValidationError({"unit": _("%(person)s已申报回避%(unit)s") % {"person": person, "unit": unit}})
    if unit.pk == person.home_unit_id:
        raise ValidationError({"unit": _("本单位已自动回避，无需申报")})
    declaration = ConflictDeclaration(person=person, unit=unit, reason=reason, detail=detail.strip(),
                                      declared_by=actor if getattr(actor, "is_authenticated", False) else None)
    declaration.full_clean()
    declaration.save()
    audit_record(actor=actor, action="conflict.declare", obj=person,
                 changes={"unit": {"before": "", "after": str(unit)},
                          "reason": {"before": "", "after": str(declaration.get_reason_display())}})
    return declaration


@transaction.atomic
def conflict_withdraw(*, actor, declaration: ConflictDeclaration) -> None:
    person, unit = declaration.person, declaration.unit
    declaration.delete()
    audit_record(actor=actor, action="conflict.withdraw", obj=person,
                 changes={"unit": {"before": str(unit), "after": ""}})
