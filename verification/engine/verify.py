"""The verification pipeline: portrait, capture, liveness, identity, match, decision."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from . import faces, liveness, reasons
from .config import DEFAULT_LIMITS, DEFAULT_THRESHOLDS, Limits, Thresholds
from .media import Capture, MediaError, load_image
from .results import (
    CompareResult,
    IdentityReport,
    LivenessReport,
    MatchReport,
    QualityReport,
    VerificationResult,
)
from .tracking import Candidate, Tracked, track
from .version import ENGINE_VERSION

ImageInput = str | os.PathLike | np.ndarray
CaptureInput = str | os.PathLike | Sequence[np.ndarray]

# Portraits are detected at most this large (longer side), with one upsampling: faces down to
# ~40 px of that size are found. Smaller portraits (an ID chip's 102x126) are never enlarged
# first: the upsampling alone finds their ~70 px face, at a sixteenth of the cost.
_PORTRAIT_DETECT_SIDE = 512


@dataclass(slots=True)
class PortraitFace:
    """The one face of a portrait, ready to encode; or the reasons why there is none."""

    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    faces: int | None = None
    face_px: float | None = None
    sharpness: float | None = None
    chip: np.ndarray | None = None


def parse_challenge(challenge: str | Sequence[str] | None) -> list[str] | None:
    """A challenge as a list of actions; raises ValueError on an unknown action."""
    if challenge is None:
        return None
    items = challenge.split(",") if isinstance(challenge, str) else list(challenge)
    actions = [item.strip() for item in items if item.strip()]
    unknown = [action for action in actions if action not in reasons.ACTIONS]
    if unknown:
        raise ValueError(f"unknown challenge actions {unknown}; use {', '.join(reasons.ACTIONS)}")
    if not actions:
        raise ValueError("an empty challenge")
    return actions


def parse_schedule(
    schedule: Sequence[liveness.Step | Mapping] | None, actions: list[str] | None
) -> list[liveness.Step] | None:
    """A schedule as a list of ``Step`` (from ``Step``s or ``{"action", "from_s", "to_s"}``
    mappings), checked: known actions, windows of positive length from 0 s on, in order and
    not overlapping, and the same actions as the challenge when one is given as well.
    Raises ValueError otherwise."""
    if not schedule:
        return None
    steps = []
    for item in schedule:
        if not isinstance(item, liveness.Step):
            item = liveness.Step(str(item["action"]), float(item["from_s"]), float(item["to_s"]))
        steps.append(item)
    parse_challenge([step.action for step in steps])  # known actions
    for before, step in zip([None, *steps], steps, strict=False):
        if not 0 <= step.from_s < step.to_s:
            raise ValueError(f"a window must be 0 <= from_s < to_s: {step}")
        if before is not None and step.from_s < before.to_s:
            raise ValueError(f"windows overlap or are out of order: {before}, {step}")
    if actions is not None and actions != [step.action for step in steps]:
        raise ValueError("the schedule does not ask for the challenge's actions")
    return steps


def analyse_portrait(
    source: ImageInput, thresholds: Thresholds = DEFAULT_THRESHOLDS, limits: Limits = DEFAULT_LIMITS
) -> PortraitFace:
    """Decode a portrait and find its one face (checked for size and sharpness)."""
    found = PortraitFace()
    try:
        rgb = load_image(source, limits)
    except MediaError as error:
        found.reasons.append(error.reason)
        found.details.append(f"portrait: {error.detail}")
        return found
    grey = faces.to_grey(rgb)
    long_side = min(_PORTRAIT_DETECT_SIDE, max(grey.shape[:2]))
    boxes = faces.detect(grey, long_side=long_side, upsample=1)
    found.faces = len(boxes)
    if not boxes:
        found.reasons.append(reasons.NO_FACE)
        found.details.append("portrait: no face found")
        return found
    if len(boxes) > 1:
        found.reasons.append(reasons.MULTIPLE_FACES)
        found.details.append(f"portrait: {len(boxes)} faces; exactly one is required")
        return found
    box = boxes[0]
    found.face_px = box.size
    found.sharpness = faces.sharpness(grey, box)
    if box.size < thresholds.portrait_min_face_px:
        found.reasons.append(reasons.FACE_TOO_SMALL)
        found.details.append(f"portrait: face of {box.size:.0f} px")
    if found.sharpness < thresholds.min_sharpness:
        found.reasons.append(reasons.TOO_BLURRY)
        found.details.append(f"portrait: sharpness {found.sharpness:.1f}")
    found.chip = faces.face_chip(rgb, box)
    return found


def _pick_frames(tracked: Tracked, t: Thresholds, baseline: float | None) -> list[Candidate]:
    """The frames to encode: the best (frontal, eyes open) of each of ``identity_samples``
    equal parts of the capture, and the best frame on each side of a tracking discontinuity."""
    candidates = [c for c in tracked.candidates if c.sample.face]
    if not candidates:
        return []
    end = max(c.time_s for c in tracked.candidates) + 1e-6
    cuts = [0.0] + [end * k / t.identity_samples for k in range(1, t.identity_samples)] + [end]
    for frame in tracked.discontinuities:
        cuts.append(frame / max(tracked.info.fps, 1.0))
    cuts = sorted(set(cuts))
    picked: list[Candidate] = []
    for start, stop in zip(cuts, cuts[1:], strict=False):
        part = [c for c in candidates if start <= c.time_s < stop]
        if baseline:  # prefer open eyes, but every part of the capture must be represented
            part = [c for c in part if c.sample.ear >= t.blink_reopen_ratio * baseline] or part
        if part:
            picked.append(max(part, key=lambda c: c.score))
    return picked


def verify(
    *,
    portrait: ImageInput,
    capture: CaptureInput,
    challenge: str | Sequence[str] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    limits: Limits = DEFAULT_LIMITS,
    fps: float | None = None,
    mirrored: bool = False,
    schedule: Sequence[liveness.Step | Mapping] | None = None,
) -> VerificationResult:
    """Verify that ``capture`` shows a live person, the one on ``portrait``.

    portrait: a JPEG/PNG path or an RGB array. capture: a video path or a list of RGB frames
    (at ``fps``, default 25). challenge: ordered actions (``blink``, ``turn_left``,
    ``turn_right``), a list or a comma-separated string; None asks for a blink and a turn to
    each side in any order. mirrored: the capture was stored mirrored (see liveness.py).
    schedule: when each action was asked for (``Step``s or ``{"action", "from_s", "to_s"}``
    from the start of the recording): each action then counts only inside its window (see
    ``liveness.judge_schedule``); the challenge may then be left out.
    Raises ValueError for a malformed challenge or schedule; every problem with the media is a
    result. A capture with cuts (a jump no real motion makes) is ``spliced_media``.
    """
    actions = parse_challenge(challenge)
    steps = parse_schedule(schedule, actions)
    if steps is not None:
        actions = [step.action for step in steps]
    t = thresholds
    timings: dict[str, float] = {}
    started = time.perf_counter()
    found: list[str] = []
    details: list[str] = []
    quality = QualityReport()
    match = MatchReport(pass_threshold=t.match_threshold, review_threshold=t.review_threshold)
    identity = IdentityReport(threshold=t.identity_threshold)
    live = LivenessReport(
        challenge=actions,
        mirrored=mirrored,
        schedule=[asdict(step) for step in steps] if steps is not None else None,
    )

    key_frames: list[tuple[int, np.ndarray]] = []

    def finish() -> VerificationResult:
        timings["total"] = (time.perf_counter() - started) * 1000.0
        unique = list(dict.fromkeys(found))
        return VerificationResult(
            decision=reasons.decide(unique),
            reasons=unique,
            match=match,
            liveness=live,
            identity=identity,
            quality=quality,
            timings_ms={key: round(value, 1) for key, value in timings.items()},
            thresholds=t.to_dict(),
            engine_version=ENGINE_VERSION,
            details=details,
            key_frames=key_frames,
        )

    # Portrait --------------------------------------------------------------------------------
    clock = time.perf_counter()
    face = analyse_portrait(portrait, t, limits)
    timings["portrait"] = (time.perf_counter() - clock) * 1000.0
    quality.portrait_faces = face.faces
    quality.portrait_face_px = face.face_px
    quality.portrait_sharpness = face.sharpness
    found += face.reasons
    details += face.details

    # Capture: decode once, track --------------------------------------------------------------
    clock = time.perf_counter()
    try:
        media = Capture(capture, limits, fps=fps)
        tracked = track(media, t, limits)
    except MediaError as error:
        timings["decode"] = (time.perf_counter() - clock) * 1000.0
        found.append(error.reason)
        details.append(f"capture: {error.detail}")
        return finish()
    timings["decode"] = tracked.decode_ms
    timings["track"] = tracked.track_ms
    info = tracked.info
    samples = tracked.samples
    coarse = [s for s in samples if s.coarse]
    quality.capture_kind = info.kind
    quality.capture_size = [info.width, info.height]
    quality.capture_fps = info.fps
    quality.frames_decoded = info.decoded_frames
    quality.frames_analysed = len(samples)
    quality.max_faces_in_frame = tracked.max_faces
    quality.multiple_face_frames = tracked.multiple_face_frames[:20]
    quality.detections = tracked.detections
    quality.landmark_calls = tracked.landmark_calls
    visible = [s for s in coarse if s.face]
    quality.face_visible_ratio = len(visible) / len(coarse) if coarse else 0.0
    live.frames_analysed = len(samples)
    if not visible:
        found.append(reasons.NO_FACE)
        details.append("capture: no face found")
        return finish()
    quality.capture_face_px = float(np.median([s.face_px for s in visible]))
    if tracked.max_faces >= 2:
        found.append(reasons.MULTIPLE_FACES)
        details.append(f"capture: two or more faces in frames {tracked.multiple_face_frames[:5]}")
    if quality.face_visible_ratio < t.min_face_visible_ratio:
        found.append(reasons.FACE_NOT_VISIBLE)
        details.append(f"capture: face in {quality.face_visible_ratio:.0%} of the frames analysed")
    if quality.capture_face_px < t.capture_min_face_px:
        found.append(reasons.FACE_TOO_SMALL)
        details.append(f"capture: median face of {quality.capture_face_px:.0f} px")

    # Liveness ----------------------------------------------------------------------------------
    clock = time.perf_counter()
    findings = liveness.assess(samples, actions, t, mirrored=mirrored, schedule=steps)
    live.blinks = findings.blinks
    live.blink_frames = [e.frame for e in findings.events if e.action == reasons.BLINK]
    live.turns_seen = findings.turns_seen
    live.events = [e.to_dict() for e in findings.events]
    live.challenge_met = findings.challenge_met
    live.yaw_min_deg = findings.yaw_min_deg
    live.yaw_max_deg = findings.yaw_max_deg
    live.ear_baseline = findings.ear_baseline
    live.shape_motion = findings.shape_motion
    found += findings.reasons
    live.cuts = tracked.cuts
    if tracked.cuts:
        found.append(reasons.SPLICED_MEDIA)
        details.append(f"capture: cut at frames {tracked.cuts[:5]}")
    picked = _pick_frames(tracked, t, findings.ear_baseline)
    timings["liveness"] = (time.perf_counter() - clock) * 1000.0

    # Encode the few frames that decide ---------------------------------------------------------
    clock = time.perf_counter()
    key_frames.extend((c.index, c.rgb) for c in picked)  # c.rgb converts: once per frame
    boxes = [c.box for c in picked]
    chips = [faces.face_chip(rgb, box) for (_, rgb), box in zip(key_frames, boxes, strict=True)]
    sharpness = [
        faces.sharpness(faces.to_grey(rgb), box)
        for (_, rgb), box in zip(key_frames, boxes, strict=True)
    ]
    if sharpness:
        quality.capture_sharpness = max(sharpness)
        if quality.capture_sharpness < t.min_sharpness:
            found.append(reasons.TOO_BLURRY)
            details.append(f"capture: sharpness {quality.capture_sharpness:.1f}")
    with_portrait = ([face.chip] if face.chip is not None else []) + chips
    encodings = faces.encode_chips(with_portrait)
    quality.encodings = len(encodings)
    portrait_encoding = encodings[0] if face.chip is not None else None
    frame_encodings = encodings[1:] if face.chip is not None else encodings
    timings["encode"] = (time.perf_counter() - clock) * 1000.0

    # Identity and match --------------------------------------------------------------------------
    clock = time.perf_counter()
    identity.frames = [c.index for c in picked]
    identity.discontinuities = tracked.discontinuities
    if len(frame_encodings) >= 2:
        spread = max(
            faces.distance(a, b)
            for i, a in enumerate(frame_encodings)
            for b in frame_encodings[i + 1 :]
        )
        identity.max_distance = spread
        identity.consistent = spread <= t.identity_threshold
        if not identity.consistent:
            found.append(reasons.IDENTITY_CHANGED)
            details.append(f"capture: two frames {spread:.2f} apart")
    if portrait_encoding is not None and frame_encodings:
        match.frames = identity.frames
        match.distances = [faces.distance(portrait_encoding, e) for e in frame_encodings]
        match.distance = min(match.distances)
        if match.distance <= t.match_threshold:
            match.decision = "match"
        elif match.distance <= t.review_threshold:
            match.decision = "review"
            found.append(reasons.MATCH_UNCERTAIN)
        else:
            match.decision = "no_match"
            found.append(reasons.NO_MATCH)
    timings["match"] = (time.perf_counter() - clock) * 1000.0
    return finish()


def compare(
    a: ImageInput,
    b: ImageInput,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    limits: Limits = DEFAULT_LIMITS,
) -> CompareResult:
    """Two portraits: are they the same person (distance at or under ``match_threshold``)?"""
    first = analyse_portrait(a, thresholds, limits)
    second = analyse_portrait(b, thresholds, limits)
    found = list(dict.fromkeys(first.reasons + second.reasons))
    details = [d.replace("portrait", "image A", 1) for d in first.details]
    details += [d.replace("portrait", "image B", 1) for d in second.details]
    distance = None
    if first.chip is not None and second.chip is not None:
        ea, eb = faces.encode_chips([first.chip, second.chip])
        distance = faces.distance(ea, eb)
    same = (
        distance is not None
        and distance <= thresholds.match_threshold
        and not (set(found) - {reasons.TOO_BLURRY, reasons.FACE_TOO_SMALL})
    )
    return CompareResult(
        distance=distance,
        same_person=bool(same),
        threshold=thresholds.match_threshold,
        reasons=found,
        details=details,
        engine_version=ENGINE_VERSION,
    )


def encode_portrait(
    source: ImageInput, thresholds: Thresholds = DEFAULT_THRESHOLDS, limits: Limits = DEFAULT_LIMITS
) -> tuple[np.ndarray | None, PortraitFace]:
    """The 128-d encoding of a portrait's one face (None with reasons when there is none)."""
    face = analyse_portrait(source, thresholds, limits)
    if face.chip is None:
        return None, face
    return faces.encode_chips([face.chip])[0], face
