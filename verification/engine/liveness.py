"""Liveness from the tracked landmarks: blinks, head turns, the challenge, and shape motion.

Left and right are the SUBJECT'S left and right, as the person in front of the camera says them.

What the file's pixels show: a capture is taken as the camera recorded it, NOT mirrored. Phone
camera apps and browsers (MediaRecorder on a getUserMedia stream) store the camera's own view
even when the live preview on screen is shown mirrored like a looking-glass. In such a file the
subject's left side is on the image's right. So when the subject turns the head to THEIR LEFT,
the nose tip moves towards the image's RIGHT edge (the image yaw of ``faces.head_pose`` becomes
positive) and we see more of their right cheek. A client that stores a mirrored capture must
say so (``mirrored=True``), which swaps the two.

Signed subject yaw: positive = turned to the subject's left, negative = to the subject's right.

Blinks: the eye aspect ratio (EAR) of both eyes, averaged, against a local open-eye baseline
(the 80th percentile of the regularly sampled EARs within +-1 s): a blink is a closure under
``blink_ratio`` x baseline that reopens over ``blink_reopen_ratio`` x baseline within
``blink_max_s``. A wink or a squint held longer does not count, nor does a closure while the
head is turned beyond ``blink_max_yaw_deg`` (the far eye foreshortens: its EAR dips by itself).

Shape motion: the landmarks of a flat picture (a photo held up, or replayed on a screen and
zoomed, panned or tilted) stay an affine image of each other. The 95th percentile of the affine
residual against the most frontal frame, in inter-ocular distances, must reach
``min_shape_motion`` or the capture is ``not_live``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import faces, reasons
from .config import Thresholds
from .tracking import Sample


@dataclass(frozen=True, slots=True)
class Event:
    action: str
    frame: int
    time_s: float

    def to_dict(self) -> dict:
        return {"action": self.action, "frame": self.frame, "time_s": round(self.time_s, 3)}


@dataclass(slots=True)
class LivenessFindings:
    events: list[Event] = field(default_factory=list)
    blinks: int = 0
    turns_seen: list[str] = field(default_factory=list)
    challenge_met: bool = False
    reasons: list[str] = field(default_factory=list)
    yaw_min_deg: float | None = None
    yaw_max_deg: float | None = None
    shape_motion: float | None = None
    ear_baseline: float | None = None


def subject_yaw(sample: Sample, mirrored: bool) -> float:
    """Positive when the subject turned to their own left (see the module docstring)."""
    return -sample.yaw if mirrored else sample.yaw


def local_baselines(samples: list[Sample], window_s: float = 1.0) -> np.ndarray:
    """The open-eye EAR baseline at each sample: 80th percentile of coarse EARs within +-1 s."""
    times = np.array([s.time_s for s in samples if s.coarse and s.face])
    ears = np.array([s.ear for s in samples if s.coarse and s.face])
    if len(ears) == 0:
        return np.zeros(len(samples))
    overall = float(np.percentile(ears, 80))
    baselines = np.empty(len(samples))
    for i, sample in enumerate(samples):
        mask = np.abs(times - sample.time_s) <= window_s
        baselines[i] = float(np.percentile(ears[mask], 80)) if mask.sum() >= 3 else overall
    return baselines


def find_blinks(samples: list[Sample], t: Thresholds) -> list[Event]:
    samples = [s for s in samples if s.face]
    baselines = local_baselines(samples)
    events: list[Event] = []
    was_open = False
    closed: list[Sample] = []
    for sample, baseline in zip(samples, baselines, strict=True):
        if baseline <= 0:
            continue
        ratio = sample.ear / baseline
        if closed:
            if ratio >= t.blink_reopen_ratio:
                duration = closed[-1].time_s - closed[0].time_s
                deepest = min(closed, key=lambda s: s.ear)
                # On a turned head the far eye foreshortens and the EAR dips without a blink.
                frontal = abs(deepest.yaw) <= t.blink_max_yaw_deg
                if was_open and duration <= t.blink_max_s and frontal:
                    events.append(Event(reasons.BLINK, deepest.index, deepest.time_s))
                closed = []
                was_open = True
            else:
                closed.append(sample)
        elif ratio < t.blink_ratio:
            closed = [sample]
        elif ratio >= t.blink_reopen_ratio:
            was_open = True
    return events


def find_turns(samples: list[Sample], t: Thresholds, mirrored: bool) -> list[Event]:
    events: list[Event] = []
    run: list[Sample] = []
    run_side = 0

    def close_run() -> None:
        if run and run[-1].time_s - run[0].time_s + 1e-9 >= t.turn_min_s:
            action = reasons.TURN_LEFT if run_side > 0 else reasons.TURN_RIGHT
            events.append(Event(action, run[0].index, run[0].time_s))

    for sample in samples:
        if not sample.face:
            close_run()
            run, run_side = [], 0
            continue
        yaw = subject_yaw(sample, mirrored)
        side = 1 if yaw > t.turn_yaw_deg else -1 if yaw < -t.turn_yaw_deg else 0
        if side != run_side:
            close_run()
            run, run_side = [], side
        if side:
            run.append(sample)
    close_run()
    return events


def shape_motion(samples: list[Sample]) -> float | None:
    with_face = [s for s in samples if s.face]
    if len(with_face) < 5:
        return None
    reference = max(with_face, key=lambda s: -abs(s.yaw) - 0.5 * abs(s.roll) + 60 * s.ear)
    residuals = [faces.affine_residual(reference.points, s.points) for s in with_face]
    return float(np.percentile(residuals, 95))


def judge_challenge(events: list[Event], challenge: list[str] | None) -> tuple[bool, list[str]]:
    """(met, reasons). Without a challenge: a blink and a turn to each side, in any order."""
    ordered = sorted(events, key=lambda e: (e.frame, e.action))
    counts = {action: sum(e.action == action for e in ordered) for action in reasons.ACTIONS}
    required = list(challenge) if challenge is not None else list(reasons.ACTIONS)
    found: list[str] = []
    for action in reasons.ACTIONS:
        if counts[action] < required.count(action):
            reason = reasons.NO_BLINK if action == reasons.BLINK else reasons.TURN_MISSING
            if reason not in found:
                found.append(reason)
    if found:
        return False, found
    if challenge is None:
        return True, []
    position = 0
    for event in ordered:
        if position < len(required) and event.action == required[position]:
            position += 1
    if position == len(required):
        return True, []
    return False, [reasons.CHALLENGE_ORDER]


def assess(
    samples: list[Sample], challenge: list[str] | None, t: Thresholds, *, mirrored: bool = False
) -> LivenessFindings:
    findings = LivenessFindings()
    blinks = find_blinks(samples, t)
    turns = find_turns(samples, t, mirrored)
    findings.events = sorted(blinks + turns, key=lambda e: e.frame)
    findings.blinks = len(blinks)
    findings.turns_seen = [
        a for a in (reasons.TURN_LEFT, reasons.TURN_RIGHT) if any(e.action == a for e in turns)
    ]
    yaws = [subject_yaw(s, mirrored) for s in samples if s.face]
    if yaws:
        findings.yaw_min_deg = round(min(yaws), 1)
        findings.yaw_max_deg = round(max(yaws), 1)
    coarse_ears = [s.ear for s in samples if s.face and s.coarse]
    if coarse_ears:
        findings.ear_baseline = round(float(np.percentile(coarse_ears, 80)), 3)
    findings.challenge_met, findings.reasons = judge_challenge(findings.events, challenge)
    findings.shape_motion = shape_motion(samples)
    if findings.shape_motion is not None and findings.shape_motion < t.min_shape_motion:
        findings.challenge_met = False
        findings.reasons.append(reasons.NOT_LIVE)
    return findings
