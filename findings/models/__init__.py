"""Models of findings: problem sheets and the station report (sheets), and what a round leads to (成果运用):
problem leads and dispositions (leads), recommendations (recommendations), special campaigns (campaigns)."""

from .campaigns import CampaignState, SpecialCampaign
from .leads import (
    Disposition,
    DispositionForm,
    GovSanction,
    LeadDisposal,
    LeadState,
    PartySanction,
    PersonKind,
    ProblemLead,
)
from .recommendations import Recommendation, RecommendationState
from .sheets import (
    ApprovalAction,
    ApprovalEvent,
    Evidence,
    Finding,
    FindingRevision,
    FindingState,
    ReportState,
    StationReport,
    evidence_path,
)
from .tallies import CategoryUnitTally, FindingTally

__all__ = [
    "ApprovalAction", "ApprovalEvent", "CampaignState", "CategoryUnitTally", "Disposition", "DispositionForm", "Evidence", "Finding",
    "FindingRevision", "FindingState", "FindingTally", "GovSanction", "LeadDisposal", "LeadState", "PartySanction", "PersonKind",
    "ProblemLead", "Recommendation", "RecommendationState", "ReportState", "SpecialCampaign", "StationReport",
    "evidence_path",
]
