"""Access choke points for problem sheets, evidence and reports: they follow their station. Anything the
user may not see is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from rounds.access import can_lead, can_work, station_for_user

from .models import (
    Disposition,
    Evidence,
    Finding,
    LeadState,
    ProblemLead,
    Recommendation,
    RecommendationState,
    SpecialCampaign,
    StationReport,
)


def finding_for_user(user, pk, action: str = "view") -> Finding:
    finding = get_object_or_404(Finding.objects.select_related("station", "responsible_unit", "found_by"), pk=pk)
    station_for_user(user, finding.station_id, action)
    return finding


def evidence_for_user(user, pk, action: str = "view") -> Evidence:
    evidence = get_object_or_404(Evidence, pk=pk)
    station_for_user(user, evidence.station_id, action)
    return evidence


def report_for_user(user, station_pk, action: str = "view") -> StationReport | None:
    station = station_for_user(user, station_pk, action)
    return StationReport.objects.filter(station=station).first()


# --- results of a round (成果运用) -----------------------------------------------------------------------------
# Problem leads are the most sensitive records in the system. Who sees what:
#   a draft (and a draft cancelled before transfer): the station's team and the planners, content included;
#   once transferred: existence and state to those who track leads (commission staff, the case office, the
#   commission's leaders) and to the station's team; the content to the case office and the leaders only.
# Nobody else learns that a lead exists: not the unit's liaison, not an administrator, not another team.

RESULTS_PERMS = ("findings.track_leads", "findings.view_disposition", "findings.view_recommendation")


def can_see_results(user) -> bool:
    """The results overview (成果运用): commission staff, the case office, the commission's leaders."""
    return user.is_authenticated and any(user.has_perm(perm) for perm in RESULTS_PERMS)


DRAFT_LEAD_STATES = {LeadState.DRAFT, LeadState.CANCELLED}
TRANSFERRED_LEAD_STATES = {LeadState.TRANSFERRED, LeadState.DISPOSING, LeadState.CONCLUDED}


def _on_team(user, station) -> bool:
    return can_work(user, station)


def lead_existence_visible(user, lead: ProblemLead) -> bool:
    station = lead.finding.station
    if lead.state in DRAFT_LEAD_STATES:
        return _on_team(user, station)
    return user.has_perm("findings.track_leads") or _on_team(user, station)


def lead_content_visible(user, lead: ProblemLead) -> bool:
    if lead.state in DRAFT_LEAD_STATES:
        return _on_team(user, lead.finding.station)
    return user.has_perm("findings.view_lead_content")


def lead_for_user(user, pk, action: str = "view") -> ProblemLead:
    """action: "view" (that it exists, and its state), "content", "edit" (a draft: the station's leader or a
    planner), "handle" (the case office, once transferred)."""
    lead = get_object_or_404(
        ProblemLead.objects.select_related("finding__station__round__batch__organiser", "finding__station__target",
                                           "subject_unit", "organ"), pk=pk)
    if not user.is_authenticated or not lead_existence_visible(user, lead):
        raise Http404
    if action in {"content", "edit", "handle"} and not lead_content_visible(user, lead):
        raise Http404
    if action == "edit" and (lead.state != LeadState.DRAFT or not can_lead(user, lead.finding.station)):
        raise Http404
    if action == "handle" and (lead.state not in TRANSFERRED_LEAD_STATES
                               or not user.has_perm("findings.handle_lead")):
        raise Http404
    return lead


def disposition_visible(user, disposition: Disposition) -> bool:
    if not user.is_authenticated or not user.has_perm("findings.view_disposition"):
        return False
    return disposition.lead_id is None or user.has_perm("findings.view_lead_content")


def disposition_for_user(user, pk, action: str = "view") -> Disposition:
    disposition = get_object_or_404(
        Disposition.objects.select_related("finding__station", "lead", "person_unit"), pk=pk)
    if not disposition_visible(user, disposition):
        raise Http404
    if action == "change" and not user.has_perm("findings.change_disposition"):
        raise Http404
    return disposition


def liaison_unit_ids(user) -> set[int]:
    """The units a liaison answers for (object permissions only: a global viewer is not a liaison)."""
    from guardian.shortcuts import get_objects_for_user

    from supervision.models import Unit

    if not user.is_authenticated:
        return set()
    return set(get_objects_for_user(user, "supervision.view_unit", Unit, accept_global_perms=False)
               .values_list("pk", flat=True))


def recommendation_for_user(user, pk, action: str = "view") -> Recommendation:
    """action: "view", "edit" (a draft), "issue" (a draft), "reply" (issued: staff, or the unit's liaison)."""
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("organ", "recipient__parent", "station__target", "drafted_by",
                                              "issued_by"), pk=pk)
    staff = user.is_authenticated and user.has_perm("findings.view_recommendation")
    liaison = (not staff and recommendation.state != RecommendationState.DRAFT
               and recommendation.recipient_id in liaison_unit_ids(user))
    if not (staff or liaison):
        raise Http404
    draft = recommendation.state == RecommendationState.DRAFT
    if action == "edit" and not (draft and user.has_perm("findings.change_recommendation")):
        raise Http404
    if action == "issue" and not (draft and user.has_perm("findings.issue_recommendation")):
        raise Http404
    if action == "reply" and not (recommendation.state == RecommendationState.ISSUED
                                  and (liaison or user.has_perm("findings.change_recommendation"))):
        raise Http404
    return recommendation


def campaign_for_user(user, pk, action: str = "view") -> SpecialCampaign:
    campaign = get_object_or_404(SpecialCampaign, pk=pk)
    if not user.is_authenticated or not user.has_perm("findings.view_specialcampaign"):
        raise Http404
    if action == "change" and not user.has_perm("findings.change_specialcampaign"):
        raise Http404
    return campaign
