"""The access choke points: one helper per kind of object. An object the user may not see is a 404.

Global permissions come from role groups (ModelBackend); object permissions (e.g. a liaison's own unit)
from django-guardian. A user may act on an object if either grants the permission."""

from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import ConflictDeclaration, Person, Unit


def has_object_perm(user, action: str, obj: Model) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    meta = obj._meta
    perm = f"{meta.app_label}.{action}_{meta.model_name}"
    return user.has_perm(perm) or user.has_perm(perm, obj)


def _fetch(user, queryset, pk, action: str):
    obj = get_object_or_404(queryset, pk=pk)
    if action != "view" and not has_object_perm(user, "view", obj):
        raise Http404
    if not has_object_perm(user, action, obj):
        raise Http404
    return obj


def unit_for_user(user, pk, action: str = "view") -> Unit:
    return _fetch(user, Unit.objects.select_related("parent", "covered_by"), pk, action)


def person_for_user(user, pk, action: str = "view") -> Person:
    return _fetch(user, Person.objects.select_related("home_unit__parent", "user"), pk, action)


def conflict_for_user(user, pk, action: str = "view") -> ConflictDeclaration:
    return _fetch(user, ConflictDeclaration.objects.select_related("person", "unit"), pk, action)
