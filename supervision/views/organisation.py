"""Pages for units, people and conflict declarations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import conflict_for_user, has_object_perm, person_for_user, unit_for_user
from ..forms import ConflictForm, PersonForm, UnitForm
from ..models import PersonCategory, UnitKind
from ..selectors import people_visible_to, person_list, unit_list, units_visible_to
from ..services.organisation import (
    conflict_declare,
    conflict_withdraw,
    person_create,
    person_update,
    unit_create,
    unit_update,
)
from .common import apply_service_errors, paginate, posted, require_perm


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def units(request):
    visible = units_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    parent = _int_or_none(request.GET.get("parent"))
    if not request.user.has_perm("supervision.view_unit") and not visible.exists():
        raise Http404
    page = paginate(request, unit_list(request.user, q=q, kind=kind, parent=parent))
    return render(request, "supervision/unit_list.html", {
        "page": page, "q": q, "kind": kind, "kinds": UnitKind.choices,
        "can_add": request.user.has_perm("supervision.add_unit"),
        "can_view_people": request.user.has_perm("supervision.view_person"),
    })


def unit_detail(request, pk):
    unit = unit_for_user(request.user, pk)
    children = (units_visible_to(request.user).filter(parent=unit)
                .annotate(people_count=Count("people")).order_by("kind", "name"))
    people = people_visible_to(request.user).filter(home_unit=unit).order_by("name")
    return render(request, "supervision/unit_detail.html", {
        "unit": unit,
        "parent_visible": unit.parent_id is not None and (
            request.user.has_perm("supervision.view_unit")
            or units_visible_to(request.user).filter(pk=unit.parent_id).exists()),
        "children": children,
        "people": people[:50],
        "people_total": people.count() if request.user.has_perm("supervision.view_person") else 0,
        "covered": units_visible_to(request.user).filter(covered_by=unit).order_by("name"),
        "can_edit": has_object_perm(request.user, "change", unit),
        "can_view_people": request.user.has_perm("supervision.view_person"),
    })


@require_http_methods(["GET", "POST"])
def unit_new(request):
    require_perm(request.user, "supervision.add_unit")
    initial = {}
    parent_id = _int_or_none(request.GET.get("parent"))
    if parent_id:
        initial["parent"] = parent_id
    form = UnitForm(posted(request), initial=initial, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
        try:
            unit = unit_create(actor=request.user, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新增单位：%(name)s") % {"name": unit.name})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": _("新增单位"), "back": "unit_list",
    })


@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = unit_for_user(request.user, pk, "change")
    title = _("编辑单位：%(name)s") % {"name": unit.name}
    form = UnitForm(posted(request), instance=unit, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": title, "cancel_url": unit_url(unit),
    })


def unit_url(unit) -> str:
    return reverse("unit_detail", args=[unit.pk])


def people(request):
    require_perm(request.user, "supervision.view_person")
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    unit_id = _int_or_none(request.GET.get("unit"))
    unit = unit_for_user(request.user, unit_id) if unit_id else None
    page = paginate(request, person_list(request.user, q=q, category=category, unit=unit_id))
    return render(request, "supervision/person_list.html", {
        "page": page, "q": q, "category": category, "categories": PersonCategory.choices, "unit": unit,
        "can_add": request.user.has_perm("supervision.add_person"),
    })


def person_detail(request, pk):
    person = person_for_user(request.user, pk)
    can_declare = request.user.has_perm("supervision.add_conflictdeclaration")
    return render(request, "supervision/person_detail.html", {
        "person": person,
        "conflicts": person.conflicts.select_related("unit__parent", "declared_by__person").order_by("-declared_at")
        if request.user.has_perm("supervision.view_conflictdeclaration") else None,
        "can_edit": has_object_perm(request.user, "change", person),
        "can_declare": can_declare,
        "can_withdraw": request.user.has_perm("supervision.delete_conflictdeclaration"),
        "conflict_form": ConflictForm(units=units_visible_to(request.user)) if can_declare else None,
    })


@require_http_methods(["GET", "POST"])
def person_new(request):
    require_perm(request.user, "supervision.add_person")
    initial = {}
    unit_id = _int_or_none(request.GET.get("unit"))
    if unit_id:
        initial["home_unit"] = unit_id
    form = PersonForm(posted(request), initial=initial, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
        try:
            person = person_create(actor=request.user, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新增人员：%(name)s") % {"name": person.name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": _("新增人员"), "back": "person_list",
    })


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = person_for_user(request.user, pk, "change")
    title = _("编辑人员：%(name)s") % {"name": person.name}
    form = PersonForm(posted(request), instance=person, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("person_detail", pk=person.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": title,
        "cancel_url": reverse("person_detail", args=[person.pk]),
    })


@require_POST
def conflict_new(request, pk):
    person = person_for_user(request.user, pk)
    require_perm(request.user, "supervision.add_conflictdeclaration")
    form = ConflictForm(request.POST, units=units_visible_to(request.user))
    if form.is_valid():
        try:
            conflict_declare(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
    if form.errors:
        messages.error(request, _("回避申报未保存：%(errors)s") % {
            "errors": "；".join(str(e) for errs in form.errors.values() for e in errs)})
    else:
        messages.success(request, _("已登记回避申报"))
    return redirect("person_detail", pk=person.pk)


@require_POST
def conflict_delete(request, pk):
    declaration = conflict_for_user(request.user, pk, "delete")
    person_pk = declaration.person_id
    conflict_withdraw(actor=request.user, declaration=declaration)
    messages.success(request, _("已撤销回避申报"))
    return redirect("person_detail", pk=person_pk)
