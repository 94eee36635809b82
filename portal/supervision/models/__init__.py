"""The ministry side's data, one module per noun."""

from portal.supervision.models.access import SupervisionAccess
from portal.supervision.models.alerts import RiskAlert
from portal.supervision.models.notices import Finding, Notice
from portal.supervision.models.rollups import (
    DecisionDayRollup,
    DecisionRollup,
    EvidenceViewRollup,
    ReasonRollup,
    StatusRollup,
)
from portal.supervision.models.spot_checks import SpotCheck, SpotCheckSample

__all__ = [
    "DecisionDayRollup",
    "DecisionRollup",
    "EvidenceViewRollup",
    "ReasonRollup",
    "RiskAlert",
    "StatusRollup",
    "Finding",
    "Notice",
    "SpotCheck",
    "SpotCheckSample",
    "SupervisionAccess",
]
