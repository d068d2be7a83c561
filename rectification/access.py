"""Access choke points for hand-off letters and rectification items: anything the user may not see is a 404.

Who sees a letter: commission staff and leaders (global view permission), every letter; the station's team, their
station's letter once issued; the recipient unit's liaison, their own unit's letters once issued (object permission
on the unit). Items follow their letter. Who does what to an item:
  "plan", "progress", "submit": the recipient unit's liaison;
  "verify" (return or close): the station's team leader, or commission staff (verify permission);
  "reopen" (回头看): commission staff."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from findings.access import liaison_unit_ids
from rounds.access import can_lead

from .models import HandoffLetter, LetterRun, LetterState, RectificationEvidence, RectificationItem


def _team(user, station) -> bool:
    return user.is_authenticated and user.has_perm("rounds.view_station", station)


def letter_visible(user, letter: HandoffLetter) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("rectification.view_handoffletter"):
        return True
    if letter.state != LetterState.ISSUED:
        return False
    return letter.recipient_id in liaison_unit_ids(user) or _team(user, letter.station)


def is_recipient_liaison(user, letter: HandoffLetter) -> bool:
    return letter.state == LetterState.ISSUED and letter.recipient_id in liaison_unit_ids(user)


def may_verify(user, letter: HandoffLetter) -> bool:
    return user.has_perm("rectification.verify_rectificationitem") or (
        letter.state == LetterState.ISSUED and can_lead(user, letter.station))


def letter_for_user(user, pk, action: str = "view") -> HandoffLetter:
    """action: "view", "edit" / "issue" (a draft: commission staff)."""
    letter = get_object_or_404(
        HandoffLetter.objects.select_related("station__round__batch__organiser", "station__target", "organ",
                                             "recipient__parent"), pk=pk)
    if not letter_visible(user, letter):
        raise Http404
    if action == "edit" and not (letter.state == LetterState.DRAFT
                                 and user.has_perm("rectification.change_handoffletter")):
        raise Http404
    if action == "issue" and not (letter.state == LetterState.DRAFT
                                  and user.has_perm("rectification.issue_handoffletter")):
        raise Http404
    return letter


def item_for_user(user, pk, action: str = "view") -> RectificationItem:
    """action: "view", "work" (plan / progress / submit: the recipient's liaison), "verify", "reopen"."""
    item = get_object_or_404(
        RectificationItem.objects.select_related("letter__station__round__batch", "letter__station__target",
                                                 "letter__recipient__parent", "letter__organ", "finding"), pk=pk)
    letter = item.letter
    if not letter_visible(user, letter):
        raise Http404
    if action == "work" and not is_recipient_liaison(user, letter):
        raise Http404
    if action == "verify" and not may_verify(user, letter):
        raise Http404
    if action == "reopen" and not user.has_perm("rectification.verify_rectificationitem"):
        raise Http404
    return item


def rectification_evidence_for_user(user, pk) -> RectificationEvidence:
    evidence = get_object_or_404(RectificationEvidence, pk=pk)
    item_for_user(user, evidence.item_id)
    return evidence


def run_for_user(user, pk) -> LetterRun:
    """A batch run of a round's letters and its progress: for who may draft letters; anyone else gets a 404."""
    if not user.has_perm("rectification.add_handoffletter"):
        raise Http404
    return get_object_or_404(LetterRun.objects.select_related("round__batch"), pk=pk)
