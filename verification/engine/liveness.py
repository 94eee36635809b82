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

Looks up and down: the pitch against the capture's own level (the median pitch of its frontal
frames), beyond ``look_pitch_deg`` for ``look_min_s``, the same way as turns against yaw.

Schedule: a challenge may give each action a window of the recording ([from_s, to_s] from its
start). Then an action counts only inside its window, and a window fails if another head
movement happens in it (a blink window: any movement); blinks outside the windows are fine.
Since a window then admits at most one action (see ``judge_schedule``), a fixed recording
meets at most one sequence of actions per schedule: with steps drawn uniformly from the five
actions, it passes an n-step challenge with probability at most 5^-n (1/3125 for five steps).

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
    """An action seen: a blink at ``time_s``, or a movement held from ``time_s`` to ``end_s``."""

    action: str
    frame: int
    time_s: float
    end_s: float | None = None

    @property
    def until_s(self) -> float:
        return self.time_s if self.end_s is None else self.end_s

    def overlap(self, start_s: float, stop_s: float) -> float:
        """How long the event lasts within [start_s, stop_s] (a blink: 0 inside, -1 outside)."""
        if self.end_s is None:
            return 0.0 if start_s <= self.time_s <= stop_s else -1.0
        return min(self.end_s, stop_s) - max(self.time_s, start_s)

    def to_dict(self) -> dict:
        found = {"action": self.action, "frame": self.frame, "time_s": round(self.time_s, 3)}
        if self.end_s is not None:
            found["end_s"] = round(self.end_s, 3)
        return found


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a scheduled challenge: ``action`` asked for from ``from_s`` to ``to_s``
    seconds after the start of the recording."""

    action: str
    from_s: float
    to_s: float


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


def _held_runs(
    samples: list[Sample],
    angle,
    limit_deg: float,
    min_s: float,
    actions: tuple[str, str],
) -> list[Event]:
    """Runs of samples whose ``angle(sample)`` stays beyond +-``limit_deg`` for ``min_s``:
    ``actions[0]`` on the positive side, ``actions[1]`` on the negative one."""
    events: list[Event] = []
    run: list[Sample] = []
    run_side = 0

    def close_run() -> None:
        if run and run[-1].time_s - run[0].time_s + 1e-9 >= min_s:
            action = actions[0] if run_side > 0 else actions[1]
            events.append(Event(action, run[0].index, run[0].time_s, run[-1].time_s))

    for sample in samples:
        if not sample.face:
            close_run()
            run, run_side = [], 0
            continue
        value = angle(sample)
        side = 1 if value > limit_deg else -1 if value < -limit_deg else 0
        if side != run_side:
            close_run()
            run, run_side = [], side
        if side:
            run.append(sample)
    close_run()
    return events


def find_turns(samples: list[Sample], t: Thresholds, mirrored: bool) -> list[Event]:
    return _held_runs(
        samples,
        lambda sample: subject_yaw(sample, mirrored),
        t.turn_yaw_deg,
        t.turn_min_s,
        (reasons.TURN_LEFT, reasons.TURN_RIGHT),
    )


def pitch_level(samples: list[Sample], t: Thresholds) -> float:
    """The capture's own pitch level: the median pitch of its frontal frames (of all its
    frames if none is frontal). The camera's height shifts every pitch alike."""
    with_face = [s for s in samples if s.face]
    frontal = [s.pitch for s in with_face if abs(s.yaw) <= t.turn_yaw_deg]
    pitches = frontal or [s.pitch for s in with_face]
    return float(np.median(pitches)) if pitches else 0.0


def find_looks(samples: list[Sample], t: Thresholds) -> list[Event]:
    """Looks up (pitch > 0: the face points up) and down, against the capture's level."""
    level = pitch_level(samples, t)
    return _held_runs(
        samples,
        lambda sample: sample.pitch - level,
        t.look_pitch_deg,
        t.look_min_s,
        (reasons.LOOK_UP, reasons.LOOK_DOWN),
    )


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
    required = list(challenge) if challenge is not None else list(reasons.DEFAULT_ACTIONS)
    found: list[str] = []
    for action in reasons.ACTIONS:
        if counts[action] < required.count(action):
            reason = reasons.MISSING[action]
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


def _step_fits(step: Step, events: list[Event], t: Thresholds) -> bool:
    """Whether the events answer this step, and nothing else happened in its window.

    The window's core starts ``window_grace_s`` after its start. A movement counts in the core
    when it lasts ``turn_min_s`` there. A movement step needs its movement in the core and no
    other movement there; a blink step needs a blink in the window and no movement in the
    core. So no window admits two actions: a movement in the core rules out every other one,
    and without one only a blink can fit.
    """
    core = (step.from_s + t.window_grace_s, step.to_s)
    moved = {
        e.action
        for e in events
        if e.action in reasons.MOVEMENTS and e.overlap(*core) + 1e-9 >= t.turn_min_s
    }
    if step.action == reasons.BLINK:
        blinked = any(
            e.action == reasons.BLINK and e.overlap(step.from_s, step.to_s) >= 0 for e in events
        )
        return blinked and not moved
    return moved == {step.action}


def judge_schedule(
    events: list[Event], schedule: list[Step], t: Thresholds
) -> tuple[bool, list[str]]:
    """(met, reasons) for a scheduled challenge: each step's action inside its own window.

    An action asked for and seen nowhere gives its missing reason (``no_blink``,
    ``turn_missing``, ``look_missing``); seen, but not where its window was, or with another
    movement in the window, ``challenge_timing``.
    """
    found: list[str] = []
    for step in schedule:
        if _step_fits(step, events, t):
            continue
        seen = any(e.action == step.action for e in events)
        reason = reasons.CHALLENGE_TIMING if seen else reasons.MISSING[step.action]
        if reason not in found:
            found.append(reason)
    return not found, found


def assess(
    samples: list[Sample],
    challenge: list[str] | None,
    t: Thresholds,
    *,
    mirrored: bool = False,
    schedule: list[Step] | None = None,
) -> LivenessFindings:
    """Blinks, turns, looks and shape motion; the challenge judged by its schedule when it has
    one (then ``challenge`` is the schedule's actions), else by the order of the events."""
    findings = LivenessFindings()
    blinks = find_blinks(samples, t)
    turns = find_turns(samples, t, mirrored)
    looks = find_looks(samples, t)
    findings.events = sorted(blinks + turns + looks, key=lambda e: e.frame)
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
    if schedule:
        findings.challenge_met, findings.reasons = judge_schedule(findings.events, schedule, t)
    else:
        findings.challenge_met, findings.reasons = judge_challenge(findings.events, challenge)
    findings.shape_motion = shape_motion(samples)
    if findings.shape_motion is not None and findings.shape_motion < t.min_shape_motion:
        findings.challenge_met = False
        findings.reasons.append(reasons.NOT_LIVE)
    return findings
