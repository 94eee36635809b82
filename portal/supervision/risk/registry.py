"""Every risk signal: its code, what it is about, its formula, threshold and minimum volume,
and the function that evaluates it. The README's "Risk signals" section is this table."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.supervision.risk import (
    bursts,
    captures,
    disputes,
    hours,
    identities,
    overrides,
    rates,
    stuck,
)
from portal.supervision.risk.base import SubjectKind


class Signal(models.TextChoices):
    FAILURE_RATE = "failure_rate", _("Failure rate above peers")
    REVIEW_RATE = "review_rate", _("Review rate above peers")
    RETAKE_RATE = "retake_rate", _("Retake rate above peers")
    OVERRIDE_RATE = "override_rate", _("Reviewer overrides the engine often")
    OUT_OF_HOURS_SHARE = "out_of_hours_share", _("Work outside opening hours")
    BURST = "burst", _("Burst of registrations in an hour")
    UPLOADED_SHARE = "uploaded_share", _("Uploaded captures instead of the camera")
    NEAR_THRESHOLD_SHARE = "near_threshold_share", _("Matches just under the pass threshold")
    ID_SPREAD = "id_spread", _("One ID at several outlets or operators")
    STUCK = "stuck", _("Registrations stuck before a decision")
    OVERDUE_DISPUTES = "overdue_disputes", _("Subscribers' disputes past their deadline")


@dataclass(frozen=True)
class SignalSpec:
    signal: Signal
    kinds: tuple[str, ...]
    formula: str  # translatable text, like the two below
    threshold: str
    min_volume: str
    evaluate: Callable


_RATE_TEST = _(
    "one-sided two-proportion z test against the rest of the peer group (same operator and "
    "province) when it has at least the minimum volume, else an exact binomial test against "
    "the rate of every other unit in the nation; flagged when p < SUPERVISION_RISK_P_VALUE "
    "(0.01) and the rate is at least SUPERVISION_RISK_MIN_RATIO (1.5) times the baseline's; "
    "score -log10(p)"
)
_VOLUME = _("SUPERVISION_RISK_MIN_VOLUME (30) cases of the unit, and as many in its baseline")
_BOTH = (SubjectKind.OUTLET, SubjectKind.STAFF)

SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec(
        Signal.FAILURE_RATE,
        _BOTH,
        _(
            "rejected / decided (approved, rejected, review, cancelled), registrations created in "
            "the last SUPERVISION_RISK_WINDOW_DAYS (30) days"
        ),
        _RATE_TEST,
        _VOLUME,
        rates.failure_rate,
    ),
    SignalSpec(
        Signal.REVIEW_RATE,
        _BOTH,
        _("sent to review (in review, or decided by a reviewer) / decided, same window"),
        _RATE_TEST,
        _VOLUME,
        rates.review_rate,
    ),
    SignalSpec(
        Signal.RETAKE_RATE,
        _BOTH,
        _(
            "registrations with a verification asking for a retake / registrations verified at "
            "least once, same window"
        ),
        _RATE_TEST,
        _VOLUME,
        rates.retake_rate,
    ),
    SignalSpec(
        Signal.OVERRIDE_RATE,
        (SubjectKind.STAFF,),
        _(
            "per reviewer (decided_by) within one operator and province: reviews against the "
            "engine's suggestion (the last completed VerificationJob.decision: pass and rejected, "
            "or fail and approved) / reviews of a registration the engine passed or failed"
        ),
        _RATE_TEST,
        _VOLUME,
        overrides.override_rate,
    ),
    SignalSpec(
        Signal.OUT_OF_HOURS_SHARE,
        _BOTH,
        _(
            "registrations created outside SUPERVISION_OPENING_HOURS (08:00-21:00, Asia/Shanghai) "
            "/ registrations created, same window"
        ),
        _RATE_TEST,
        _VOLUME,
        hours.out_of_hours_share,
    ),
    SignalSpec(
        Signal.BURST,
        (SubjectKind.OUTLET,),
        _(
            "registrations c of an outlet in one clock hour of the last "
            "SUPERVISION_BURST_WINDOW_HOURS (24) against its baseline: its registrations of the "
            "SUPERVISION_BURST_BASELINE_DAYS (28) days before, per opening hour, at least "
            "SUPERVISION_BURST_MIN_BASELINE (2.0)"
        ),
        _(
            "P(X >= c) < SUPERVISION_BURST_P_VALUE (0.001) for X ~ Poisson(baseline); score "
            "-log10(p) of the worst hour"
        ),
        _("c >= SUPERVISION_BURST_MIN_COUNT (10) in the hour"),
        bursts.burst,
    ),
    SignalSpec(
        Signal.UPLOADED_SHARE,
        _BOTH,
        _(
            "registrations with a capture uploaded as a file (VerificationJob.source = upload) / "
            "registrations with a capture, same window"
        ),
        _RATE_TEST,
        _VOLUME,
        captures.uploaded_share,
    ),
    SignalSpec(
        Signal.NEAR_THRESHOLD_SHARE,
        _BOTH,
        _(
            "matches with a distance (VerificationJob.result.match.distance) in (threshold - "
            "SUPERVISION_NEAR_THRESHOLD_MARGIN (0.03), threshold] / matches (distance at or under "
            "the engine's match_threshold, 0.55), same window"
        ),
        _RATE_TEST,
        _VOLUME,
        captures.near_threshold_share,
    ),
    SignalSpec(
        Signal.ID_SPREAD,
        (SubjectKind.SUBSCRIBER,),
        _(
            "per ID (subscriber), registrations created in the last SUPERVISION_ID_WINDOW_DAYS "
            "(30) days: distinct outlets, distinct operators"
        ),
        _(
            "outlets >= SUPERVISION_ID_MIN_OUTLETS (3) or operators >= "
            "SUPERVISION_ID_MIN_OPERATORS (3); score 2 + log2(1 + the excess over the threshold)"
        ),
        _("none: the threshold is a count"),
        identities.id_spread,
    ),
    SignalSpec(
        Signal.STUCK,
        (SubjectKind.OUTLET, SubjectKind.STAFF),
        _(
            "registrations in submitted or verifying submitted more than SUPERVISION_STUCK_AFTER_S "
            "(7200 s) ago, per outlet (per creating account for the online channel)"
        ),
        _("one or more; score 2 + log10(count)"),
        _("none"),
        stuck.stuck,
    ),
    SignalSpec(
        Signal.OVERDUE_DISPUTES,
        (SubjectKind.OUTLET, SubjectKind.STAFF),
        _(
            'subscribers\' "not mine" disputes still open past their deadline '
            "(SELFSERVICE_DISPUTE_DAYS, 15 days), per outlet of the disputed registration (per "
            "creating account for the online channel)"
        ),
        _("one or more; score 2 + log10(count)"),
        _("none"),
        disputes.overdue_disputes,
    ),
)

BY_SIGNAL = {spec.signal: spec for spec in SIGNALS}


def evaluate_all(*, now, config) -> list:
    """Every hit of every signal for every kind of subject it covers."""
    hits = []
    for spec in SIGNALS:
        for kind in spec.kinds:
            hits.extend(spec.evaluate(kind=kind, now=now, config=config))
    return hits


# The figures of an alert (``Hit.detail``), as its page names them.
DETAIL_LABELS = {
    "x": _("Cases counted"),
    "n": _("Cases"),
    "rate": _("Rate"),
    "baseline": _("Compared with"),
    "baseline_x": _("Baseline: cases counted"),
    "baseline_n": _("Baseline: cases"),
    "baseline_rate": _("Baseline rate"),
    "z": _("z"),
    "p": _("p-value"),
    "opening_hours": _("Opening hours"),
    "threshold": _("Pass threshold (distance)"),
    "margin": _("Margin under the threshold"),
    "peak_hour": _("Busiest hour"),
    "peak_count": _("Registrations in that hour"),
    "hours_flagged": _("Hours flagged"),
    "baseline_per_hour": _("Usual registrations per opening hour"),
    "baseline_used": _("Baseline used (with its floor)"),
    "outlets": _("Outlets"),
    "operators": _("Operators"),
    "registrations": _("Registrations"),
    "overdue": _("Disputes past their deadline"),
    "days": _("Days"),
    "provinces": _("Provinces"),
    "stuck": _("Registrations stuck"),
    "after_s": _("Stuck after (seconds)"),
    "oldest_hours": _("Oldest waiting (hours)"),
}
BASELINES = {
    "peers": _("the peer group (same operator and province)"),
    "nation": _("every other unit in the nation"),
}


def describe(detail: dict) -> list[tuple[object, object]]:
    """An alert's figures as (label, value) pairs, in the order the signal gave them."""
    figures = []
    for name, value in detail.items():
        if name == "baseline":
            value = BASELINES.get(value, value)
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        figures.append((DETAIL_LABELS.get(name, name), value))
    return figures
