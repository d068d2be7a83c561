"""The permission matrix's expectations: for every route of the URL conf, who may do what to the "own" and to the
"other" object (tests/security/fixtures_matrix.py builds both), as the access rules SAY it (supervision/roles.py,
the access helpers in */access.py, the selectors, the docstrings of the views), not as the code happens to answer.

A route is looked up by its name (TABLE), else by a rule (RULES: the admin's generated routes, the API's
format-suffix twins); every route must match exactly one, and every entry must match a route.

Each route has one or more Checks: the HTTP method to exercise (GET for pages and reads; POST with an empty body for
write-only routes; the API's PATCH and DELETE, empty too: an API route must have a check for each method it answers),
the world object whose kwargs fill the URL ("own" and "other"), and a profile: the outcome per role for own and for
other. The outcomes (PATCH and DELETE count as POSTs):

    OK          allowed. A GET answers `ok` (200 unless the entry says otherwise, e.g. 302 where the view redirects).
                A POST is "not denied": anything but a refusal (302 to a login page, 401, 403, 404) or a 405/5xx. An
                empty POST is refused by the form or the service (200 or 400 with the errors, or a 302 back with a
                message) or even succeeds (302): every request runs in a transaction that is rolled back, so it
                changes nothing the next request sees.
    NOT_FOUND   404: an object the user may not see, or may not act on, and a page outside the user's roles
                (supervision.views.common.require_perm and every access helper answer 404, never 403).
    LOGIN       anonymous: a page (and the admin) redirects to a login page; the API answers 403 (DRF's answer to an
                unauthenticated request when the first authenticator, the session, sends no challenge).
    ADMIN_LOGIN a logged-in user who is not staff, in the admin: 302 to the admin's login page.
    FORBIDDEN   403: the admin's answer to a staff user without the model permission.
    REDIRECT    302 somewhere other than a login page (e.g. the login page sends a logged-in user home)."""

import re
from dataclasses import dataclass

from supervision.roles import ROLE_PERMISSIONS, Role

from .actors import ANONYMOUS, OUTSIDER, ROLES

OK, NOT_FOUND, FORBIDDEN = "ok", 404, 403
LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"

AD, CS, TL, TM = Role.ADMIN, Role.COMMISSION_STAFF, Role.TEAM_LEADER, Role.TEAM_MEMBER
UL, CO, CL = Role.UNIT_LIAISON, Role.CASE_OFFICE, Role.COMMISSION_LEADER
LOGGED_IN = frozenset(role for role in ROLES if role != ANONYMOUS)
TEAM = {TL, TM}
GLOBAL_VIEWERS = {AD, CS, CL}  # rounds.view_station for every station (an administrator reads, works on none)


def grant(own=(), other=None, *, anonymous=LOGIN, deny=NOT_FOUND, special=None) -> dict:
    """role -> (outcome for own, outcome for other): OK for the roles granted, `deny` for every other logged-in
    role, `anonymous` for the anonymous visitor; `special` overrides single roles."""
    other = own if other is None else other
    profile = {role: (OK if role in own else deny, OK if role in other else deny) for role in LOGGED_IN}
    profile[ANONYMOUS] = (anonymous, anonymous)
    for role, outcome in (special or {}).items():
        profile[role] = outcome if isinstance(outcome, tuple) else (outcome, outcome)
    return profile


@dataclass(frozen=True)
class Check:
    profile: dict
    obj: str | None = None  # key of matrix_world.objects; None: a route without an object (checked once)
    method: str = "GET"
    ok: int = 200  # the status of an allowed GET
    query: str = ""


def get(profile, obj=None, **kw) -> Check:
    return Check(profile, obj, "GET", **kw)


def post(profile, obj=None, **kw) -> Check:
    return Check(profile, obj, "POST", **kw)


def patch(profile, obj=None, **kw) -> Check:
    return Check(profile, obj, "PATCH", **kw)


def delete(profile, obj=None, **kw) -> Check:
    return Check(profile, obj, "DELETE", **kw)


# --- profiles (what the rules say, role by role) ------------------------------------------------------------------

PUBLIC = grant(LOGGED_IN, anonymous=OK)
ANY_USER = grant(LOGGED_IN)  # any logged-in user (the API's lists: each is scoped by its selector)
ORG_READERS = grant(LOGGED_IN - {OUTSIDER})  # the unit list: view_unit, or a liaison's own unit
UNIT_VIEW = grant(own={AD, CS, TL, TM, UL, CO, CL}, other={AD, CS, TL, TM, CO, CL})
UNIT_EDIT = grant({AD})  # supervision.change_unit / add_unit
PERSON_VIEW = grant({AD, CS, TL, CO, CL})  # supervision.view_person
PERSON_EDIT = grant({AD, CS})  # add/change_person, add/delete_conflictdeclaration
CONFLICT_VIEW = grant({AD, CS, CL})  # supervision.view_conflictdeclaration
IMPORT = grant(own={AD, CS}, other={AD})  # own: people (add_person), other: units (add_unit)
AUDIT = grant({AD})  # supervision.view_auditevent
NOTIFICATION = grant(own=LOGGED_IN, other=())  # one's own notice; another user's is a 404
DASHBOARD = grant({CS, CL})  # view_batch and (track_leads or view_rectificationitem)
UNIT_PROFILE = grant(own={AD, CS, CL, UL}, other={AD, CS, CL})  # global station viewers, a liaison their unit
BATCH_VIEW = grant({AD, CS, CL})  # rounds.view_batch
PLANNER = grant({CS})  # rounds.plan_batch (and the other write permissions only commission staff hold)
STATION_LIST = grant(GLOBAL_VIEWERS | TEAM)  # every station, or a team member's own
STATION_VIEW = grant(own=GLOBAL_VIEWERS | TEAM, other=GLOBAL_VIEWERS)
STATION_WORK = grant(own={CS} | TEAM, other={CS})  # rounds.access.can_work: the team and the planners
STATION_LEAD = grant(own={CS, TL}, other={CS})  # rounds.access.can_lead: the leader and the planners
# The checklist library (findings.api.checklist_versions_visible_to): own = a published version, read by whoever
# works on rounds; other = a draft, the administrators' (who edit the library in the admin).
CHECKLIST = grant(own=GLOBAL_VIEWERS | TEAM, other={AD})
LEAD_LISTERS = grant({CS, CO, CL} | TEAM)  # track_leads, planners, team members (their own)
LEAD_SENT_SEEN = grant(own={CS, CO, CL} | TEAM, other={CS, CO, CL})  # existence and state once transferred
LEAD_CONTENT = grant({CO, CL})  # findings.view_lead_content
LEAD_HANDLE = grant({CO})  # findings.handle_lead
DISPOSITION_READ = grant({CS, CO, CL})  # findings.view_disposition
DISPOSITION_OF_LEAD_READ = grant({CO, CL})  # ... and view_lead_content for a lead's
DISPOSITION_WRITE = grant({CS, CO})  # findings.change_disposition
RESULTS = grant({CS, CO, CL})  # track_leads or view_disposition or view_recommendation
RECOMMENDATION_LIST = grant({CS, CL, UL})  # view_recommendation, or a liaison (their unit's, once issued)
RECOMMENDATION_ISSUED = grant(own={CS, CL, UL}, other={CS, CL})
RECOMMENDATION_DRAFT = grant({CS, CL})
RECOMMENDATION_REPLY = grant(own={CS, UL}, other={CS})  # change_recommendation, or the recipient's liaison
CAMPAIGN_READ = grant({CS, CL})  # findings.view_specialcampaign
RECT_LEDGER = grant({CS, CL, UL} | TEAM)  # view_rectificationitem, a team (its stations), a liaison (its unit)
LETTER_LIST = grant({CS, CL, UL} | TEAM)
LETTER_ISSUED = grant(own={CS, CL, UL} | TEAM, other={CS, CL})  # staff; the station's team and recipient, once issued
LETTER_DRAFT = grant({CS, CL})  # a draft: rectification.view_handoffletter only
PORTAL = grant({UL})
ITEM_LIST = grant({CS, CL} | TEAM, special={UL: REDIRECT})  # a liaison is sent to the portal
ITEM_WORK = grant(own={UL}, other=())  # plan, progress, submit: the recipient's liaison only
ITEM_VERIFY = grant(own={CS, TL}, other={CS})  # verify_rectificationitem, or the station's leader
LOGIN_PAGE = grant((), anonymous=OK, special={role: REDIRECT for role in LOGGED_IN})
# Logging out ends on the login page (LOGOUT_REDIRECT_URL), whoever asks: the one case where that is success.
LOGGED_OUT = grant((), special={role: LOGIN for role in LOGGED_IN})

# --- the pages -----------------------------------------------------------------------------------------------------

TABLE: dict[str, Check | tuple[Check, ...]] = {
    # supervision
    "home": get(ANY_USER),
    "healthz": get(PUBLIC),
    "login": get(LOGIN_PAGE),
    "logout": post(LOGGED_OUT),
    "password_change": get(ANY_USER),
    "password_change_done": get(ANY_USER),
    "set_language": post(PUBLIC),
    "unit_list": get(ORG_READERS),
    "unit_new": get(UNIT_EDIT),
    "unit_detail": get(UNIT_VIEW, "unit"),
    "unit_edit": get(UNIT_EDIT, "unit"),
    "unit_profile": get(UNIT_PROFILE, "unit"),
    "person_list": get(PERSON_VIEW),
    "person_new": get(PERSON_EDIT),
    "person_detail": get(PERSON_VIEW, "person"),
    "person_edit": get(PERSON_EDIT, "person"),
    "conflict_new": post(PERSON_EDIT, "person"),
    "conflict_delete": post(PERSON_EDIT, "conflict"),
    "import_home": get(PERSON_EDIT),
    "import_template": get(IMPORT, "import_kind"),
    "import_upload": get(IMPORT, "import_kind"),
    "audit_list": get(AUDIT),
    "notification_list": get(ANY_USER),
    "notification_read": post(NOTIFICATION, "notification"),
    "notifications_read_all": post(ANY_USER),
    "dashboard": get(DASHBOARD),
    "assessment": get(DASHBOARD),  # track_leads and view_batch: the same two roles
    "assessment_export": get(DASHBOARD, "year"),
    # rounds: batches, training, swaps
    "batch_list": get(BATCH_VIEW),
    "batch_new": get(PLANNER),
    "batch_detail": get(BATCH_VIEW, "batch"),
    "batch_plan": post(PLANNER, "batch"),
    "batch_confirm": post(PLANNER, "batch"),
    "batch_timeline": get(BATCH_VIEW, "batch"),
    "batch_training": get(BATCH_VIEW, "batch"),
    "training_attendance": get(BATCH_VIEW, "training"),
    "member_swap": get(PLANNER, "member"),
    # rounds: stations
    "station_list": get(STATION_LIST),
    "station_detail": get(STATION_VIEW, "station"),
    "station_transition": post(STATION_LEAD, "station"),
    "member_declare": post(STATION_VIEW, "member"),  # anyone who sees the station; the service: only oneself
    "member_exempt": post(STATION_LEAD, "member"),
    "station_notice_pdf": get(STATION_VIEW, "station"),
    "station_notice_issue": post(STATION_LEAD, "station"),
    "station_qr": get(STATION_VIEW, "station"),
    # rounds: the public pages (villagers, no login)
    "public_station": get(PUBLIC, "public"),
    "public_receipt": get(PUBLIC, "receipt"),
    "public_survey": get(PUBLIC, "public"),
    "public_survey_thanks": get(PUBLIC, "public"),
    # rounds: fieldwork and questionnaires
    "station_checklist": get(STATION_VIEW, "station"),
    "station_checklist_open": post(STATION_WORK, "station"),
    "check_record": post(STATION_WORK, "check"),
    "field_record_list": get(STATION_VIEW, "station"),
    "field_record_new": get(STATION_WORK, "station"),
    "field_record_detail": (get(STATION_VIEW, "record"), post(STATION_WORK, "record")),
    "questionnaire_list": get(PLANNER),
    "questionnaire_create": get(PLANNER),
    "questionnaire_edit": get(PLANNER, "questionnaire"),
    "station_questionnaire": (get(STATION_VIEW, "station"), post(STATION_WORK, "station")),
    "station_questionnaire_export": get(STATION_VIEW, "station"),
    # findings: sheets, evidence, the report
    "finding_list": get(STATION_VIEW, "station"),
    "finding_new": get(STATION_WORK, "station"),
    "finding_detail": get(STATION_VIEW, "finding"),
    "finding_edit": get(STATION_WORK, "finding"),
    "finding_confirm": post(STATION_LEAD, "finding"),
    "finding_withdraw": post(STATION_WORK, "finding"),
    "evidence_upload": post(STATION_WORK, "finding"),
    "evidence_download": get(STATION_VIEW, "evidence"),
    "station_report": (get(STATION_VIEW, "station"), post(STATION_WORK, "station")),
    "station_report_action": post(STATION_WORK, "station"),
    "station_report_pdf": get(STATION_VIEW, "station"),
    # findings: leads (a draft: the station's team and the planners; once transferred: also those who track leads)
    "lead_list": get(LEAD_LISTERS),
    "lead_detail": (get(STATION_WORK, "lead_draft"), get(LEAD_SENT_SEEN, "lead_sent")),
    "lead_new": get(STATION_LEAD, "finding"),
    "lead_edit": get(STATION_LEAD, "lead_draft"),
    "lead_transfer": post(STATION_LEAD, "lead_draft"),
    "lead_cancel": post(STATION_LEAD, "lead_draft"),
    "lead_pdf": get(LEAD_CONTENT, "lead_sent"),
    "lead_dispose": get(LEAD_HANDLE, "lead_sent"),
    "lead_conclude": get(LEAD_HANDLE, "lead_sent"),
    # findings: dispositions, recommendations, campaigns, the overview and the ledgers
    "disposition_list": get(DISPOSITION_READ),
    "disposition_new_for_finding": get(PLANNER, "finding"),  # sees the sheet and holds add_disposition
    "disposition_new_for_lead": get(LEAD_HANDLE, "lead_sent"),
    "disposition_detail": (get(DISPOSITION_READ, "disposition"),
                           get(DISPOSITION_OF_LEAD_READ, "disposition_of_lead")),
    "disposition_edit": (get(DISPOSITION_WRITE, "disposition"), get(LEAD_HANDLE, "disposition_of_lead")),
    "recommendation_list": get(RECOMMENDATION_LIST),
    "recommendation_new": get(PLANNER),
    "recommendation_detail": (get(RECOMMENDATION_DRAFT, "recommendation_draft"),
                              get(RECOMMENDATION_ISSUED, "recommendation")),
    "recommendation_edit": get(PLANNER, "recommendation_draft"),
    "recommendation_issue": post(PLANNER, "recommendation_draft"),
    "recommendation_pdf": (get(RECOMMENDATION_DRAFT, "recommendation_draft"),
                           get(RECOMMENDATION_ISSUED, "recommendation")),
    "recommendation_reply": get(RECOMMENDATION_REPLY, "recommendation"),
    "campaign_list": get(CAMPAIGN_READ),
    "campaign_new": get(PLANNER, query="category=land"),
    "campaign_detail": get(CAMPAIGN_READ, "campaign"),
    "campaign_edit": get(PLANNER, "campaign"),
    "campaign_start": post(PLANNER, "campaign"),
    "campaign_close": post(PLANNER, "campaign"),
    "results_overview": get(RESULTS),
    "problem_list": get(STATION_LIST),
    "problem_ledger": get(STATION_LIST),
    "rectification_ledger": get(RECT_LEDGER),
    # rectification: letters (a draft: commission staff and leaders; issued: also the station's team and the
    # recipient's liaison) and items (they follow their letter)
    "letter_list": get(LETTER_LIST),
    "letter_new": get(PLANNER, "station"),
    "letter_detail": (get(LETTER_DRAFT, "letter_draft"), get(LETTER_ISSUED, "letter")),
    "letter_edit": get(PLANNER, "letter_draft"),
    "letter_issue": post(PLANNER, "letter_draft"),
    "letter_pdf": (get(LETTER_DRAFT, "letter_draft"), get(LETTER_ISSUED, "letter")),
    "round_letters": get(PLANNER, "round"),
    "letter_run": get(PLANNER, "letter_run"),
    "letter_run_progress": get(PLANNER, "letter_run"),
    "portal": get(PORTAL),
    "item_list": get(ITEM_LIST),
    "item_detail": get(LETTER_ISSUED, "item"),
    "item_plan": post(ITEM_WORK, "item"),
    "item_progress": post(ITEM_WORK, "item"),
    "item_submit": post(ITEM_WORK, "item"),
    "item_return": post(ITEM_VERIFY, "item"),
    "item_verify": post(ITEM_VERIFY, "item"),
    "item_reopen": post(PLANNER, "item"),
    "rectification_evidence": get(LETTER_ISSUED, "item_evidence"),
    # --- the API (supervision/api.py and the apps' api modules): anonymous gets a 403 (LOGIN) ---------------------
    "api-schema": get(ANY_USER),
    "api-docs": get(ANY_USER),
    "api-token": post(PUBLIC),  # credentials in exchange for a token: anyone may try (an empty POST is a 400)
    "api-root": get(ANY_USER),
    # The lists answer every logged-in user, each with the rows its selector lets them see. A creation names its
    # parent in the body (checked by the parent's access helper), so an empty one is a 400 for anyone, unless the
    # route first asks for a permission of the role (require_perm: a 404).
    "api-unit-list": (get(ANY_USER), post(UNIT_EDIT)),
    "api-unit-detail": (get(UNIT_VIEW, "unit"), patch(UNIT_EDIT, "unit")),
    "api-person-list": (get(ANY_USER), post(PERSON_EDIT)),
    "api-person-detail": (get(PERSON_VIEW, "person"), patch(PERSON_EDIT, "person")),
    "api-conflict-list": (get(ANY_USER), post(PERSON_EDIT)),
    "api-conflict-detail": (get(CONFLICT_VIEW, "conflict"), delete(PERSON_EDIT, "conflict")),
    # rounds/api.py
    "api-batch-list": (get(ANY_USER), post(PLANNER)),
    "api-batch-detail": get(BATCH_VIEW, "batch"),
    "api-batch-plan": post(PLANNER, "batch"),
    "api-batch-confirm": post(PLANNER, "batch"),
    "api-batch-training": (get(BATCH_VIEW, "batch"), post(PLANNER, "batch")),
    "api-round-list": get(ANY_USER),
    "api-round-detail": get(BATCH_VIEW, "round"),
    "api-training-detail": get(BATCH_VIEW, "training"),
    "api-training-attendance": post(PLANNER, "training"),
    "api-station-list": get(ANY_USER),
    "api-station-detail": get(STATION_VIEW, "station"),
    "api-station-members": post(PLANNER, "station"),
    "api-station-transition": post(STATION_LEAD, "station"),
    "api-station-notice": post(STATION_LEAD, "station"),
    "api-station-checklist": post(STATION_WORK, "station"),
    "api-member-replace": post(PLANNER, "member"),
    "api-member-declare": post(STATION_VIEW, "member"),  # as the page: anyone who sees it; the service: oneself
    "api-member-exempt": post(STATION_LEAD, "member"),
    # findings/api.py: the checklist library (published: whoever works on rounds; drafts: the administrators), a
    # station's checks, field records, sheets, evidence and report
    "api-checklist-list": get(ANY_USER),
    "api-checklist-detail": get(CHECKLIST, "checklist_version"),
    "api-checklist-item-list": get(ANY_USER),
    "api-checklist-item-detail": get(CHECKLIST, "checklist_item"),
    "api-check-list": get(ANY_USER),
    "api-check-detail": get(STATION_VIEW, "check"),
    "api-check-record": post(STATION_WORK, "check"),
    "api-check-evidence": post(STATION_WORK, "check"),
    "api-field-record-list": (get(ANY_USER), post(ANY_USER)),
    "api-field-record-detail": get(STATION_VIEW, "record"),
    "api-field-record-evidence": post(STATION_WORK, "record"),
    "api-finding-list": (get(ANY_USER), post(ANY_USER)),
    "api-finding-detail": (get(STATION_VIEW, "finding"), patch(STATION_WORK, "finding")),
    "api-finding-confirm": post(STATION_LEAD, "finding"),
    "api-finding-withdraw": post(STATION_WORK, "finding"),
    "api-finding-evidence": (get(STATION_VIEW, "finding"), post(STATION_WORK, "finding")),
    "api-evidence-download": get(STATION_VIEW, "evidence"),
    "api-report-list": (get(ANY_USER), post(ANY_USER)),
    "api-report-detail": (get(STATION_VIEW, "report"), patch(STATION_WORK, "report")),
    "api-report-submit": post(STATION_WORK, "report"),
    "api-report-approve": post(STATION_WORK, "report"),
    "api-report-return": post(STATION_WORK, "report"),
    # findings/api_results.py
    "api-lead-list": (get(ANY_USER), post(ANY_USER)),
    "api-lead-detail": (get(STATION_WORK, "lead_draft"), get(LEAD_SENT_SEEN, "lead_sent"),
                        patch(STATION_LEAD, "lead_draft")),
    "api-lead-transfer": post(STATION_LEAD, "lead_draft"),
    "api-lead-cancel": post(STATION_LEAD, "lead_draft"),
    "api-lead-dispose": post(LEAD_HANDLE, "lead_sent"),
    "api-lead-conclude": post(LEAD_HANDLE, "lead_sent"),
    "api-disposition-list": (get(ANY_USER), post(DISPOSITION_WRITE)),  # add_disposition, before the source
    "api-disposition-detail": (get(DISPOSITION_READ, "disposition"),
                               get(DISPOSITION_OF_LEAD_READ, "disposition_of_lead"),
                               patch(DISPOSITION_WRITE, "disposition"), patch(LEAD_HANDLE, "disposition_of_lead")),
    "api-recommendation-list": (get(ANY_USER), post(PLANNER)),
    "api-recommendation-detail": (get(RECOMMENDATION_DRAFT, "recommendation_draft"),
                                  get(RECOMMENDATION_ISSUED, "recommendation"),
                                  patch(PLANNER, "recommendation_draft")),
    "api-recommendation-issue": post(PLANNER, "recommendation_draft"),
    "api-recommendation-reply": post(RECOMMENDATION_REPLY, "recommendation"),
    "api-campaign-list": get(ANY_USER),
    "api-campaign-signals": get(CAMPAIGN_READ),
    "api-campaign-open": post(PLANNER),
    "api-campaign-detail": (get(CAMPAIGN_READ, "campaign"), patch(PLANNER, "campaign")),
    "api-campaign-start": post(PLANNER, "campaign"),
    "api-campaign-close": post(PLANNER, "campaign"),
    # rectification/api.py
    "api-letter-list": (get(ANY_USER), post(PLANNER)),
    "api-letter-detail": (get(LETTER_DRAFT, "letter_draft"), get(LETTER_ISSUED, "letter"),
                          patch(PLANNER, "letter_draft")),
    "api-letter-issue": post(PLANNER, "letter_draft"),
    "api-letter-run-list": post(PLANNER),
    "api-letter-run-detail": get(PLANNER, "letter_run"),
    "api-item-list": get(ANY_USER),
    "api-item-detail": get(LETTER_ISSUED, "item"),
    "api-item-events": get(LETTER_ISSUED, "item"),
    "api-item-plan": post(ITEM_WORK, "item"),
    "api-item-progress": post(ITEM_WORK, "item"),
    "api-item-submit": post(ITEM_WORK, "item"),
    "api-item-return": post(ITEM_VERIFY, "item"),
    "api-item-verify": post(ITEM_VERIFY, "item"),
    "api-item-reopen": post(PLANNER, "item"),
    "api-item-evidence-download": get(LETTER_ISSUED, "item_evidence"),
}

# --- the admin -----------------------------------------------------------------------------------------------------
# Staff only: the administrator (系统管理员) role is the only staff role (supervision.services.accounts). Every other
# logged-in user is sent to the admin's login page. What the administrator may do to a model is what the role table
# grants (ROLE_PERMISSIONS), with the two admin classes that decide for themselves (rounds/admin_checklist.py: the
# checklist library is the administrators'; supervision/admin.py: the audit trail is read-only for everyone).
ADMIN_OVERRIDES = {
    "supervision_auditevent": {"view"},
    "rounds_checklistversion": {"view", "change"},  # no "add" (drafts come from an action); the world's version is
                                                    # published, so not deletable, and its change page is read-only
}


def admin_model_perms(model: str) -> set[str]:
    """The admin actions ("view", "add", "change", "delete") the administrator role holds on `model`
    ("<app_label>_<model_name>")."""
    if model in ADMIN_OVERRIDES:
        return ADMIN_OVERRIDES[model]
    held = set()
    for name in ROLE_PERMISSIONS[Role.ADMIN]:
        app_label, codename = name.split(".")
        action, _sep, model_name = codename.partition("_")
        if f"{app_label}_{model_name}" == model:
            held.add(action)
    return held


def admin_profile(outcome, other=None, *, non_staff=ADMIN_LOGIN, anonymous=LOGIN) -> dict:
    """The administrator gets `outcome` (and `other` for the other object); everyone else the admin's login."""
    return grant((), anonymous=anonymous, deny=non_staff,
                 special={AD: (outcome, outcome if other is None else other)})


def _registered_admin_models() -> set[str]:
    from django.contrib import admin

    return {f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry}


ADMIN_MODEL_ROUTE = re.compile(r"^admin:(?P<model>[a-z_]+?)_(?P<action>changelist|add|history|delete|change"
                               r"|permissions|permissions_manage_user|permissions_manage_group)$")
ADMIN_OBJECT_REDIRECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/$")
NEEDS = {"changelist": {"view", "change"}, "history": {"view", "change"}, "change": {"view", "change"},
         "add": {"add"}, "delete": {"delete"},
         # guardian's object-permission pages: whoever may change the model (GuardedModelAdminMixin)
         "permissions": {"change"}, "permissions_manage_user": {"change"}, "permissions_manage_group": {"change"}}


def admin_model_rule(route) -> Check | None:
    """admin:<app>_<model>_<action> of a registered model: allowed to the administrator if the role holds what
    the action needs. Objects: matrix_world's "admin:<app>_<model>" (the guardian pages: "...<action>")."""
    match = ADMIN_MODEL_ROUTE.match(route.key)
    if not match or match["model"] not in _registered_admin_models():
        return None
    model, action = match["model"], match["action"]
    outcome = OK if admin_model_perms(model) & NEEDS[action] else FORBIDDEN
    if action in ("changelist", "add"):
        return get(admin_profile(outcome))
    if action.startswith("permissions"):
        return get(admin_profile(outcome), f"admin:{model}_{action}")
    return get(admin_profile(outcome), f"admin:{model}")


def admin_object_redirect_rule(route) -> Check | None:
    """admin/<app>/<model>/<id>/ only redirects to the change page (for any staff user: the change page decides)."""
    match = ADMIN_OBJECT_REDIRECT.match(route.key)
    if not match:
        return None
    return get(admin_profile(REDIRECT), f"admin:{match['app']}_{match['model']}")


def format_suffix_rule(route) -> str | None:
    """A format-suffix twin of an API route (DefaultRouter: /api/units.json): the checks of the route of the same
    name, requested with format=json."""
    return FORMAT_SUFFIX if route.format_suffix else None


FORMAT_SUFFIX = "format-suffix"
# Every rule answers a route with its checks, or None when it does not apply.
RULES = [admin_model_rule, admin_object_redirect_rule, format_suffix_rule]

ADMIN_SITE: dict[str, Check | tuple[Check, ...]] = {
    "admin:index": get(admin_profile(OK)),
    # The admin's login page: staff are sent on to the index; a non-staff user gets the form, told they may not
    # enter; anonymous visitors get the form.
    "admin:login": get(admin_profile(REDIRECT, non_staff=OK, anonymous=OK)),
    # The administrator is logged out and sent to the login page (LOGOUT_REDIRECT_URL); anyone else who is not
    # staff is sent back to the admin's index (AdminSite.admin_view), still logged in.
    "admin:logout": post(admin_profile(LOGIN, non_staff=REDIRECT)),
    "admin:password_change": get(admin_profile(OK)),
    "admin:password_change_done": get(admin_profile(OK)),
    # The autocomplete of a person's home unit: the administrator may view units.
    "admin:autocomplete": get(admin_profile(OK), query="app_label=supervision&model_name=person"
                                                      "&field_name=home_unit&term="),
    "admin:jsi18n": get(admin_profile(OK)),
    # A user's password: auth.change_user, which no role holds (accounts are made by the services).
    "admin:auth_user_password_change": get(admin_profile(FORBIDDEN), "admin:auth_user_password"),
    # "View on site": no model of the project has a public page (get_absolute_url), so it is a 404 for anyone.
    "admin:view_on_site": get(admin_profile(NOT_FOUND), "admin:view_on_site"),
    # An app's page: own = supervision (the administrator has models there), other = auth (none: 404).
    "admin:app_list": get(admin_profile(OK, NOT_FOUND), "admin:app"),
    # Anything else under /admin/: a 404 for staff, the login page for everyone else.
    "admin/(?P<url>.*)$": get(admin_profile(NOT_FOUND), "admin:url"),
}
TABLE.update(ADMIN_SITE)


def checks_of(entry) -> tuple[Check, ...]:
    return entry if isinstance(entry, tuple) else (entry,)
