"""Rectification follow-up (整改督办): hand-off letters and their batch runs (letters), one rectification item per
problem with its timeline and evidence (items), and reminders (reminders)."""

from .items import ItemEvent, ItemEventKind, ItemState, RectificationEvidence, RectificationItem
from .letters import HandoffLetter, LetterRun, LetterRunState, LetterState
from .reminders import Reminder, ReminderLevel
from .tallies import ItemTally

__all__ = [
    "HandoffLetter", "ItemEvent", "ItemTally", "ItemEventKind", "ItemState", "LetterRun", "LetterRunState", "LetterState",
    "RectificationEvidence", "RectificationItem", "Reminder", "ReminderLevel",
]
