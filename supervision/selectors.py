"""Reads that more than one place needs, already scoped to the user."""

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import AuditEvent, Person, Unit


def units_visible_to(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return get_objects_for_user(user, "supervision.view_unit", Unit, accept_global_perms=True)


def people_visible_to(user) -> QuerySet[Person]:
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    return get_objects_for_user(user, "supervision.view_person", Person, accept_global_perms=True)


def unit_list(user, *, q: str = "", kind: str = "", parent: int | None = None) -> QuerySet[Unit]:
    qs = units_visible_to(user).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(parent__name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.annotate(
        people_count=Count("people", distinct=True), children_count=Count("children", distinct=True)
    ).order_by("kind", "name", "id")


def person_list(user, *, q: str = "", category: str = "", unit: int | None = None) -> QuerySet[Person]:
    qs = people_visible_to(user).select_related("home_unit__parent", "user")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(phone__icontains=q) | Q(home_unit__name__icontains=q) | Q(post__icontains=q)
        )
    if category:
        qs = qs.filter(category=category)
    if unit:
        qs = qs.filter(Q(home_unit_id=unit) | Q(home_unit__parent_id=unit))
    return qs.order_by("name", "id")


def audit_event_list(*, q: str = "", action: str = "", object_type: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q) | Q(action__icontains=q))
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs
