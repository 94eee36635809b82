"""What the face engine would have said of a demo registration's capture: the figures a
reviewer weighs (the match distance against the thresholds, blinks and turns, the same person
throughout, the capture's quality), consistent with the reasons the row was given.

Derived from the registration's id alone, so a re-run writes the same figures.
"""

from __future__ import annotations

import random
from dataclasses import asdict, fields

from verification.engine import (
    DEFAULT_THRESHOLDS,
    IdentityReport,
    LivenessReport,
    MatchReport,
    QualityReport,
)

CHALLENGE = ["turn_left", "blink", "turn_right"]
DEMO_ENGINE_VERSION = "demo"


def demo_engine_result(seed: str, reasons: tuple[str, ...], decision: str) -> dict:
    """The engine's result (``VerificationResult.to_dict``'s shape, without timings) for a
    capture the engine decided ``decision`` ("pass", "review" or "fail") for ``reasons``."""
    rng = random.Random(f"engine result {seed}")
    return {
        "decision": decision,
        "reasons": list(reasons),
        "match": _rounded(_report_dict(_match(rng, reasons, decision))),
        "liveness": _rounded(_report_dict(_liveness(rng, reasons))),
        "identity": _rounded(_report_dict(_identity(rng, reasons))),
        "quality": _rounded(_report_dict(_quality(rng, reasons))),
        "thresholds": dict(_THRESHOLDS),
        "engine_version": DEMO_ENGINE_VERSION,
    }


_THRESHOLDS = asdict(DEFAULT_THRESHOLDS)
assert all(isinstance(v, int | float) for v in _THRESHOLDS.values()), "a copy must be deep"


def _report_dict(report) -> dict:
    """``dataclasses.asdict`` for a flat report, a tenth as costly: ``asdict`` deep-copies
    every value, and a large demo makes a report per planted job. Its lists are new, and
    ``_rounded`` copies them again."""
    return {f.name: getattr(report, f.name) for f in fields(report)}


def _match(rng: random.Random, reasons, decision: str) -> MatchReport:
    passes, review = DEFAULT_THRESHOLDS.match_threshold, DEFAULT_THRESHOLDS.review_threshold
    if "no_match" in reasons:
        distance, verdict = review + rng.uniform(0.01, 0.12), "no_match"
    elif decision == "pass" or not reasons or rng.random() < 0.5:
        distance, verdict = rng.uniform(0.30, passes - 0.02), "match"
    else:  # a poor capture often leaves the match uncertain too
        distance, verdict = rng.uniform(passes + 0.005, review), "review"
    frames = sorted(rng.sample(range(6, 180), 3))
    distances = [distance + rng.uniform(0.0, 0.04) for _ in frames]
    distances[rng.randrange(3)] = distance
    return MatchReport(
        distance=distance,
        decision=verdict,
        pass_threshold=passes,
        review_threshold=review,
        frames=frames,
        distances=distances,
    )


def _liveness(rng: random.Random, reasons) -> LivenessReport:
    blinked = "no_blink" not in reasons
    # A missing turn: the second one (to the right) was not seen.
    turns = ["turn_left"] if "turn_missing" in reasons else ["turn_left", "turn_right"]
    met = blinked and len(turns) == 2 and "challenge_order" not in reasons
    return LivenessReport(
        blinks=rng.randint(1, 3) if blinked else 0,
        turns_seen=turns,
        challenge=list(CHALLENGE),
        challenge_met=met,
        frames_analysed=rng.randint(60, 90),
        yaw_min_deg=-rng.uniform(18, 34),
        yaw_max_deg=rng.uniform(18, 34),
    )


def _identity(rng: random.Random, reasons) -> IdentityReport:
    changed = "identity_changed" in reasons
    limit = DEFAULT_THRESHOLDS.identity_threshold
    return IdentityReport(
        consistent=not changed,
        max_distance=limit + rng.uniform(0.05, 0.2) if changed else rng.uniform(0.18, 0.38),
        threshold=limit,
    )


def _quality(rng: random.Random, reasons) -> QualityReport:
    thresholds = DEFAULT_THRESHOLDS
    small = "face_too_small" in reasons
    blurry = "too_blurry" in reasons
    decoded = rng.randint(180, 260)
    return QualityReport(
        portrait_faces=1,
        portrait_face_px=rng.uniform(150, 210),
        portrait_sharpness=rng.uniform(60, 140),
        capture_kind="video",
        capture_size=[1280, 720],
        capture_fps=30.0,
        frames_decoded=decoded,
        frames_analysed=decoded // 3,
        face_visible_ratio=rng.uniform(0.7, 0.9) if small else rng.uniform(0.93, 1.0),
        max_faces_in_frame=2 if "multiple_faces" in reasons else 1,
        capture_face_px=(
            rng.uniform(48, thresholds.capture_min_face_px - 5) if small else rng.uniform(110, 190)
        ),
        capture_sharpness=(
            rng.uniform(8, thresholds.min_sharpness - 4) if blurry else rng.uniform(45, 120)
        ),
    )


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value
