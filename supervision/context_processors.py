"""Navigation: each role sees the entries it may use, nothing more."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role, role_labels, user_roles

NAV = [
    # (url name, label, permission needed or None for every signed-in user)
    ("home", _("首页"), None),
    ("dashboard", _("总览"), "dashboard"),
    ("batch_list", _("批次编排"), "rounds.view_batch"),
    ("station_list", _("驻点"), "stations"),
    ("unit_list", _("单位"), "supervision.view_unit"),
    ("person_list", _("人员库"), "supervision.view_person"),
    ("item_list", _("整改督办"), "rectification.view_rectificationitem"),
    ("results_overview", _("成果运用"), "results"),
    ("portal", _("整改"), "liaison_role"),
    ("recommendation_list", _("建议书"), "liaison"),
    ("import_home", _("批量导入"), "supervision.add_person"),
    ("audit_list", _("审计日志"), "supervision.view_auditevent"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    items = []
    for name, label, perm in NAV:
        if perm == "stations":
            visible = _has_any_station(user)
        elif perm == "dashboard":
            visible = _sees_dashboard(user)
        elif perm == "results":
            visible = _sees_results(user)
        elif perm == "liaison_role":
            visible = Role.UNIT_LIAISON in user_roles(user)
        elif perm == "liaison":
            # A liaison reads the recommendations sent to their unit; staff reach them from 成果运用.
            visible = Role.UNIT_LIAISON in user_roles(user) and not user.has_perm("findings.view_recommendation")
        else:
            visible = perm is None or user.has_perm(perm) or (name == "unit_list" and _has_any_unit(user))
        if visible:
            items.append({"url": reverse(name), "label": label, "active": name == current})
    return {"nav_items": items, "user_role_labels": role_labels(user)}


def _has_any_unit(user) -> bool:
    from .selectors import units_visible_to

    return units_visible_to(user).exists()


def _sees_dashboard(user) -> bool:
    from .dashboard import can_see_dashboard

    return can_see_dashboard(user)


def _sees_results(user) -> bool:
    from findings.access import can_see_results

    return can_see_results(user)


def _has_any_station(user) -> bool:
    from rounds.selectors import user_has_stations

    return user.has_perm("rounds.view_station") or user_has_stations(user)
