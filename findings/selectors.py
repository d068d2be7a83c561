"""Reads of results (成果运用), already scoped to the user: lists and counts come only from these querysets, so
nobody learns through a count what the access helpers in findings.access would hide."""

from django.db.models import Q, QuerySet

from rounds.selectors import team_station_ids

from .access import DRAFT_LEAD_STATES, TRANSFERRED_LEAD_STATES, liaison_unit_ids
from .models import Disposition, ProblemLead, Recommendation, RecommendationState, SpecialCampaign


def leads_visible_to(user) -> QuerySet[ProblemLead]:
    """The leads whose existence and state the user may know (their content is another question:
    findings.access.lead_content_visible)."""
    if not getattr(user, "is_authenticated", False):
        return ProblemLead.objects.none()
    if user.has_perm("rounds.plan_batch"):  # planners work on every station: every lead (no join to the sheets)
        return ProblemLead.objects.all()
    team = Q(finding__station__in=team_station_ids(user))
    if user.has_perm("findings.track_leads"):
        return ProblemLead.objects.filter(team | Q(state__in=TRANSFERRED_LEAD_STATES))
    return ProblemLead.objects.filter(team)


def lead_content_filter(user) -> Q:
    """A filter for the leads among leads_visible_to(user) whose content the user may read."""
    team_drafts = Q(state__in=DRAFT_LEAD_STATES)
    if user.has_perm("findings.view_lead_content"):
        return team_drafts | Q(state__in=TRANSFERRED_LEAD_STATES)
    return team_drafts


def dispositions_visible_to(user) -> QuerySet[Disposition]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm("findings.view_disposition"):
        return Disposition.objects.none()
    if user.has_perm("findings.view_lead_content"):
        return Disposition.objects.all()
    return Disposition.objects.filter(lead__isnull=True)


def dispositions_counted_for(user) -> QuerySet[Disposition]:
    """The dispositions a user's statistics count: everyone who may see dispositions counts all of them (the
    commission reports how many people were dealt with), while the records of those that came from a lead stay
    with the case office and the leaders (dispositions_visible_to). Use only for aggregate counts."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("findings.view_disposition"):
        return Disposition.objects.none()
    return Disposition.objects.all()


def recommendations_visible_to(user) -> QuerySet[Recommendation]:
    if not getattr(user, "is_authenticated", False):
        return Recommendation.objects.none()
    if user.has_perm("findings.view_recommendation"):
        return Recommendation.objects.all()
    units = liaison_unit_ids(user)
    if not units:
        return Recommendation.objects.none()
    return Recommendation.objects.filter(recipient__in=units).exclude(state=RecommendationState.DRAFT)


def campaigns_visible_to(user) -> QuerySet[SpecialCampaign]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm("findings.view_specialcampaign"):
        return SpecialCampaign.objects.none()
    return SpecialCampaign.objects.all()


def findings_visible_to(user) -> QuerySet:
    """Problem sheets the user may see: those of the stations they may see (commission staff and leaders: all;
    a team: their own stations; a liaison or the case office: none — a liaison sees their unit's problems as
    rectification items)."""
    from rounds.selectors import stations_visible_to

    from .models import Finding

    if not getattr(user, "is_authenticated", False):
        return Finding.objects.none()
    if user.has_perm("rounds.view_station"):
        return Finding.objects.all()
    return Finding.objects.filter(station__in=stations_visible_to(user).values("pk"))
