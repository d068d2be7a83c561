from django.shortcuts import render

from ..roles import user_roles
from ..selectors import people_visible_to, units_visible_to
from ..services.notifications import unread_count


def home(request):
    user = request.user
    roles = user_roles(user)
    context = {"roles": roles, "has_role": bool(roles) or user.is_superuser, "unread": unread_count(user)}
    if user.has_perm("supervision.view_unit"):
        context["unit_count"] = units_visible_to(user).count()
    if user.has_perm("supervision.view_person"):
        context["person_count"] = people_visible_to(user).count()
    if "unit_liaison" in roles:
        context["own_units"] = list(units_visible_to(user).select_related("parent"))
    return render(request, "supervision/home.html", context)
