"""Models of the rounds app: planning (core) and the team's field work (fieldwork)."""

from .core import *  # noqa: F401,F403
from .core import (  # noqa: F401
    Batch,
    BatchState,
    Complaint,
    ComplaintKind,
    FormulaSlot,
    Round,
    Station,
    StationMember,
    StationState,
    TeamFormula,
    Theme,
    TrainingSession,
    _public_token,  # noqa: F401  (referenced by migration 0001)
)
from .fieldwork import (  # noqa: F401
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    FieldMethod,
    FieldRecord,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireResponse,
    StationCheck,
    StationQuestionnaire,
)
from .tallies import RoundTally, StationTally  # noqa: F401,E402
