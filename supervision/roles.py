"""Role groups and what each may do. Roles are Django groups; the table below is the one place that says
which model permissions a role carries. Object-level grants (a liaison's own unit) go through guardian."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _


class Role:
    ADMIN = "admin"
    COMMISSION_STAFF = "commission_staff"
    TEAM_LEADER = "team_leader"
    TEAM_MEMBER = "team_member"
    UNIT_LIAISON = "unit_liaison"
    CASE_OFFICE = "case_office"
    COMMISSION_LEADER = "commission_leader"


ROLE_LABELS = {
    Role.ADMIN: _("系统管理员"),
    Role.COMMISSION_STAFF: _("委机关工作人员"),
    Role.TEAM_LEADER: _("监督检查组组长"),
    Role.TEAM_MEMBER: _("监督检查组组员"),
    Role.UNIT_LIAISON: _("被监督单位联络员"),
    Role.CASE_OFFICE: _("案件监督管理室"),
    Role.COMMISSION_LEADER: _("委领导"),
}

ORG_VIEW = ["supervision.view_unit", "supervision.view_person", "supervision.view_conflictdeclaration"]
ORG_EDIT = [
    "supervision.add_unit",
    "supervision.change_unit",
    "supervision.add_person",
    "supervision.change_person",
    "supervision.add_conflictdeclaration",
    "supervision.delete_conflictdeclaration",
]

ROUNDS_VIEW = ["rounds.view_batch", "rounds.view_station", "rounds.view_teamformula"]
ROUNDS_PLAN = [
    "rounds.add_batch",
    "rounds.change_batch",
    "rounds.plan_batch",
    "rounds.change_station",
    "rounds.view_trainingsession",
    "rounds.add_trainingsession",
    "rounds.change_trainingsession",
    "rounds.view_complaint",
]
FORMULA_EDIT = [
    "rounds.add_teamformula",
    "rounds.change_teamformula",
    "rounds.add_formulaslot",
    "rounds.change_formulaslot",
    "rounds.delete_formulaslot",
]

# Results of a round (成果运用). A lead's content: the case office and the commission's leaders only; commission
# staff follow every lead's state and counts; a station's team sees the state of its own sheets' leads.
OUTCOMES_TRACK = [
    "findings.track_leads",
    "findings.view_disposition",
    "findings.view_recommendation",
    "findings.view_specialcampaign",
]
OUTCOMES_WORK = [
    "findings.add_disposition",
    "findings.change_disposition",
    "findings.add_recommendation",
    "findings.change_recommendation",
    "findings.issue_recommendation",
    "findings.add_specialcampaign",
    "findings.change_specialcampaign",
]

# Rectification follow-up (整改督办): commission staff issue letters and verify items; a station's team leader
# verifies the items of their station (object permission); a liaison works on their own unit's items (object).
RECTIFICATION_TRACK = ["rectification.view_handoffletter", "rectification.view_rectificationitem"]
RECTIFICATION_WORK = [
    "rectification.add_handoffletter",
    "rectification.change_handoffletter",
    "rectification.issue_handoffletter",
    "rectification.verify_rectificationitem",
]
# The reminder schedule (django-celery-beat) is edited by administrators in the admin.
SCHEDULE_EDIT = [
    "django_celery_beat.view_periodictask",
    "django_celery_beat.change_periodictask",
    "django_celery_beat.view_crontabschedule",
    "django_celery_beat.add_crontabschedule",
    "django_celery_beat.change_crontabschedule",
]

# Login lockouts (django-axes): the administrator reads them and lifts one by deleting its attempt record.
LOCKOUTS = ["axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accessfailurelog"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ORG_VIEW + ORG_EDIT + ROUNDS_VIEW + FORMULA_EDIT + SCHEDULE_EDIT + LOCKOUTS
    + ["supervision.view_auditevent"],
    Role.COMMISSION_STAFF: ORG_VIEW
    + ROUNDS_VIEW
    + ROUNDS_PLAN
    + [
        "supervision.add_person",
        "supervision.change_person",
        "supervision.add_conflictdeclaration",
        "supervision.delete_conflictdeclaration",
    ]
    + OUTCOMES_TRACK
    + OUTCOMES_WORK
    + RECTIFICATION_TRACK
    + RECTIFICATION_WORK,
    Role.TEAM_LEADER: ["supervision.view_unit", "supervision.view_person"],
    Role.TEAM_MEMBER: ["supervision.view_unit"],
    Role.UNIT_LIAISON: [],  # sees its own unit only, through an object permission
    Role.CASE_OFFICE: [
        "supervision.view_unit",
        "supervision.view_person",
        "findings.track_leads",
        "findings.view_lead_content",
        "findings.handle_lead",
        "findings.view_disposition",
        "findings.add_disposition",
        "findings.change_disposition",
    ],
    Role.COMMISSION_LEADER: ORG_VIEW + ROUNDS_VIEW + OUTCOMES_TRACK + RECTIFICATION_TRACK
    + ["findings.view_lead_content"],
}


def sync_roles() -> None:
    """Create the role groups and set their permissions to exactly the table above."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    # Roles name permissions of later apps, whose own post_migrate has not run yet: create them all first.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles()


def user_roles(user) -> set[str]:
    """The role codes of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True))
        user._role_cache = cached
    return cached


def role_labels(user) -> list[str]:
    return [str(ROLE_LABELS[r]) for r in ROLE_PERMISSIONS if r in user_roles(user)]
