"""How captures were made: the share of uploaded files (not the capture page's camera), and
the share of matches just under the pass threshold, of an outlet or a member of staff
against the peer group.

- uploaded share: registrations with a capture uploaded as a file / registrations with a
  capture at all (``VerificationJob.source``);
- near-threshold share: matches whose distance (``VerificationJob.result["match"]
  ["distance"]``, lower is closer) lies in (threshold - margin, threshold] / all matches
  (distance at or under the engine's pass threshold, ``Thresholds.match_threshold``).
"""

from datetime import datetime

from django.db.models import Q

from portal.supervision.risk.base import Hit, RiskConfig, rate_hits
from portal.supervision.risk.rates import job_counts, jobs_behind, recent_jobs
from verification.models import VerificationJob


def uploaded_share(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    jobs = recent_jobs(now, config)
    event = Q(source=VerificationJob.Source.UPLOAD)
    return rate_hits(
        signal="uploaded_share",
        kind=kind,
        counts=job_counts(kind=kind, jobs=jobs, event=event),
        config=config,
        behind=jobs_behind(kind=kind, jobs=jobs, event=event, config=config),
    )


def near_threshold_share(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    threshold = config.match_threshold
    matches = recent_jobs(now, config).filter(
        status=VerificationJob.Status.DONE, result__match__distance__lte=threshold
    )
    event = Q(result__match__distance__gt=threshold - config.near_threshold_margin)
    return rate_hits(
        signal="near_threshold_share",
        kind=kind,
        counts=job_counts(kind=kind, jobs=matches, event=event, distinct_registrations=False),
        config=config,
        behind=jobs_behind(kind=kind, jobs=matches, event=event, config=config),
        extra=lambda unit: {
            "threshold": threshold,
            "margin": config.near_threshold_margin,
        },
    )
