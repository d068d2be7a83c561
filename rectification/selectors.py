"""Reads of rectification, scoped to the user: lists and counts come only from these."""

from django.db.models import Q, QuerySet

from findings.access import liaison_unit_ids
from rounds.selectors import team_station_ids

from .models import HandoffLetter, LetterState, RectificationItem


def letters_visible_to(user) -> QuerySet[HandoffLetter]:
    if not getattr(user, "is_authenticated", False):
        return HandoffLetter.objects.none()
    if user.has_perm("rectification.view_handoffletter"):
        return HandoffLetter.objects.all()
    units = liaison_unit_ids(user)
    mine = Q(recipient__in=units) if units else Q(pk__in=[])
    team = Q(station__in=team_station_ids(user))  # their own stations: a global viewer is on no team
    return HandoffLetter.objects.filter(state=LetterState.ISSUED).filter(mine | team)


def items_visible_to(user) -> QuerySet[RectificationItem]:
    if getattr(user, "is_authenticated", False) and user.has_perm("rectification.view_handoffletter"):
        return RectificationItem.objects.all()  # no "letter IN (every letter)": the indexes stay usable
    return RectificationItem.objects.filter(letter__in=letters_visible_to(user).values("pk"))
