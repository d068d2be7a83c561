"""The station lifecycle: one table says which state may move to which, and who may move it.

who: "plan" = commission staff with the batch-planning permission; "lead" = the station's team leader.
Moves out of "proposed" happen only by confirming the whole batch (rounds.services.planning.batch_confirm).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import StationState as S


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    who: frozenset[str]


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.PROPOSED, S.PLANNED, _("确认方案"), frozenset({"plan"})),
        Transition(S.PLANNED, S.TRAINING, _("开始巡前培训"), frozenset({"plan", "lead"})),
        Transition(S.TRAINING, S.STATIONED, _("进驻"), frozenset({"plan", "lead"})),
        Transition(S.STATIONED, S.REPORTING, _("结束驻点，形成报告"), frozenset({"plan", "lead"})),
        Transition(S.REPORTING, S.HANDED_OFF, _("清单交办"), frozenset({"plan"})),
        Transition(S.HANDED_OFF, S.FOLLOWING_UP, _("跟踪督办"), frozenset({"plan"})),
        Transition(S.FOLLOWING_UP, S.CLOSED, _("销号"), frozenset({"plan"})),
    ]
}

# States in which the public page takes complaints: from the notice until the report.
ACCEPTS_COMPLAINTS = {S.PLANNED, S.TRAINING, S.STATIONED, S.REPORTING}


def next_transitions(state: str) -> list[Transition]:
    return [t for (source, _target), t in TRANSITIONS.items() if source == state and source != S.PROPOSED]
