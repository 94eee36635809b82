"""The ministry side's data, one module per noun."""

from portal.supervision.models.access import SupervisionAccess
from portal.supervision.models.alerts import RiskAlert
from portal.supervision.models.notices import Finding, Notice
from portal.supervision.models.rollups import (
    DecisionRollup,
    EvidenceViewRollup,
    ReasonRollup,
    StatusRollup,
)
from portal.supervision.models.spot_checks import SpotCheck, SpotCheckSample

__all__ = [
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
