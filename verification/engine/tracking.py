"""One pass over a capture: detect, track and measure the face in a subsample of its frames.

Work is kept small on purpose (see README.md, "Speed"):
- each frame is decoded once and only scaled down (longer side <= ``Limits.work_max_side``);
- every ``analyse_every``-th frame is analysed ("coarse" samples); when a coarse sample shows
  the eyes closing (EAR under ``blink_reopen_ratio`` of the recent baseline), every following
  frame is analysed too, until a coarse sample shows them open again; the other frames are
  decoded (a video needs it) but never converted to pixels;
- the face is detected on the whole frame only to acquire it and every ``detect_every``-th
  coarse sample (scaled so that the face is ~100 px, which also finds any second face of a
  similar size); in between, the face box is re-derived from the previous frame's landmarks;
- the 68 landmarks are computed once per analysed frame; everything else (eye aspect ratio,
  head pose, shape motion) comes from them;
- of each half second, only the best frame for an encoding (frontal, eyes open) is kept in
  colour, for the few encodings computed later;
- cuts: two analysed frames between which the face moved more than one frame of real motion
  allows (``Thresholds.cut_max_shift_iod``, ``cut_max_pose_deg``) are looked at again frame
  by frame, in a second decoding that stops at the last such pair; a jump within one frame is
  a cut (``Tracked.cuts``). Real captures rarely have such a pair: it costs nothing then.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import faces
from .config import Limits, Thresholds
from .media import Capture, CaptureInfo, Frame

_BUCKET_S = 0.5
_SCAN_FACE_PX = 100.0
_ACQUIRE_FACE_PX = 90.0
_LOST_AFTER_MISSED_SCANS = 2
# A frame whose 32x18 thumbnail differs from the previous analysed one by more than this (mean
# absolute grey level) is a cut; a face patch correlating less than this with the previous one
# is another face (or no face). Consecutive analysed frames of the shared clip: diff <= 8,
# correlation >= 0.88 in 95 % of them; where a composited face replaces hers: diff 19, 0.39.
_CUT_MEAN_DIFF = 15.0
_PATCH_MIN_CORRELATION = 0.5


def _patch(grey: np.ndarray, box: faces.Box) -> np.ndarray | None:
    """The face box as a normalised 16x16 patch (zero mean, unit variance)."""
    height, width = grey.shape[:2]
    left, top = max(int(box.left), 0), max(int(box.top), 0)
    right, bottom = min(int(box.right), width), min(int(box.bottom), height)
    if right - left < 8 or bottom - top < 8:
        return None
    patch = cv2.resize(grey[top:bottom, left:right], (16, 16), interpolation=cv2.INTER_AREA)
    patch = patch.astype(np.float32)
    patch -= patch.mean()
    return patch / (patch.std() + 1e-6)


@dataclass(slots=True)
class Sample:
    """What one analysed frame showed. Geometry is in the file's pixels."""

    index: int
    time_s: float
    coarse: bool
    points: np.ndarray | None = None
    ear: float = 0.0
    yaw: float = 0.0  # image terms: > 0 when the nose points to the image's right
    pitch: float = 0.0
    roll: float = 0.0
    face_px: float = 0.0

    @property
    def face(self) -> bool:
        return self.points is not None


@dataclass(slots=True)
class Candidate:
    """A frame kept in colour because it may be encoded."""

    index: int
    time_s: float
    score: float
    image: np.ndarray  # at work scale, BGR for decoded videos
    bgr: bool
    box: faces.Box  # at work scale
    sample: Sample

    @property
    def rgb(self) -> np.ndarray:
        return np.ascontiguousarray(self.image[:, :, ::-1]) if self.bgr else self.image


@dataclass(slots=True)
class Tracked:
    info: CaptureInfo
    samples: list[Sample] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    max_faces: int = 0
    multiple_face_frames: list[int] = field(default_factory=list)
    discontinuities: list[int] = field(default_factory=list)
    # Frames that follow a jump no real motion makes within one frame (a cut).
    cuts: list[int] = field(default_factory=list)
    detections: int = 0
    landmark_calls: int = 0
    decode_ms: float = 0.0
    track_ms: float = 0.0
    work_scale: float = 1.0


def candidate_score(sample: Sample) -> float:
    """Higher for frontal faces with open eyes."""
    return -abs(sample.yaw) - 0.5 * abs(sample.roll) + 60.0 * min(sample.ear, 0.4)


class _Tracker:
    def __init__(self, thresholds: Thresholds, limits: Limits, result: Tracked):
        self.t = thresholds
        self.limits = limits
        self.out = result
        self.points: np.ndarray | None = None  # previous landmarks, work scale
        self.missed_scans = 0
        self.coarse_count = 0
        self.lost_since_face = False
        self.seen_face = False
        self.buckets: dict[int, Candidate] = {}
        self.recent_ears: deque[float] = deque(maxlen=12)
        self.previous_patch: np.ndarray | None = None
        self.previous_thumb: np.ndarray | None = None

    # -- cut and jump detection ----------------------------------------------------------------
    def _changed(self, grey: np.ndarray, box: faces.Box | None) -> bool:
        """Whether the picture changed too much since the last analysed frame to trust the
        track: a cut (the whole frame changes) or a different face in the tracked box."""
        thumb = cv2.resize(grey, (32, 18), interpolation=cv2.INTER_AREA).astype(np.float32)
        changed = (
            self.previous_thumb is not None
            and float(np.abs(thumb - self.previous_thumb).mean()) > _CUT_MEAN_DIFF
        )
        self.previous_thumb = thumb
        patch = _patch(grey, box) if box is not None else None
        if patch is not None and self.previous_patch is not None:
            changed = (
                changed or float((patch * self.previous_patch).mean()) < _PATCH_MIN_CORRELATION
            )
        self.previous_patch = patch
        return changed

    # -- detection ---------------------------------------------------------------------------
    def _detect(self, grey: np.ndarray, face_px_wanted: float, current: float) -> list[faces.Box]:
        """Detect on the whole frame, scaled so that a face of ``current`` px becomes
        ``face_px_wanted`` px (never upscaled)."""
        factor = min(1.0, face_px_wanted / max(current, 1.0))
        long_side = max(int(max(grey.shape[:2]) * factor), 64)
        self.out.detections += 1
        return faces.detect(grey, long_side=long_side, upsample=0)

    def _scan(self, grey: np.ndarray, index: int, forced: bool = False) -> faces.Box | None:
        """A full-frame detection: counts faces, confirms or re-anchors the track. ``forced``
        when the picture jumped: a face elsewhere then replaces the track at once."""
        if self.points is None:
            minimum = self.t.capture_min_face_px * self.out.work_scale
            boxes = self._detect(grey, _ACQUIRE_FACE_PX, minimum)
        else:
            tracked = faces.box_from_landmarks(self.points)
            boxes = self._detect(grey, _SCAN_FACE_PX, tracked.size)
        if len(boxes) > self.out.max_faces:
            self.out.max_faces = len(boxes)
        if len(boxes) >= 2:
            self.out.multiple_face_frames.append(index)
        if self.points is None:
            if not boxes:
                return None
            self.missed_scans = 0
            if self.seen_face and index not in self.out.discontinuities:
                self.out.discontinuities.append(index)
            return max(boxes, key=lambda box: box.size)
        tracked = faces.box_from_landmarks(self.points)
        best = max(boxes, key=tracked.iou, default=None)
        if best is not None and tracked.iou(best) >= 0.3:
            self.missed_scans = 0
            return best
        self.missed_scans += 1
        if forced or self.missed_scans >= _LOST_AFTER_MISSED_SCANS:
            self.points = None
            if boxes:  # the face we followed is gone and another one is there
                if index not in self.out.discontinuities:
                    self.out.discontinuities.append(index)
                self.missed_scans = 0
                return max(boxes, key=lambda box: box.size)
            return None
        return tracked

    # -- one frame ---------------------------------------------------------------------------
    def analyse(
        self, frame: Frame, image: np.ndarray, coarse: bool, box: faces.Box | None = None
    ) -> Sample:
        grey = faces.to_grey(image, bgr=frame.bgr)
        sample = Sample(index=frame.index, time_s=frame.time_s, coarse=coarse)
        follow = box is None
        if box is None:
            scan_due = coarse and (self.coarse_count % self.t.detect_every == 0)
            tracked = faces.box_from_landmarks(self.points) if self.points is not None else None
            jumped = self._changed(grey, tracked)
            if jumped and tracked is not None:
                # A cut, or another face where we followed one: encode both sides.
                self.out.discontinuities.append(frame.index)
            if tracked is None or scan_due or jumped:
                box = self._scan(grey, frame.index, forced=jumped)
                if jumped and box is not None:
                    self.previous_patch = _patch(grey, box)
            else:
                box = tracked
        if box is None or not self._inside(box, grey.shape):
            if follow:
                self.points = None
            return sample
        points = faces.landmarks(grey, box)
        self.out.landmark_calls += 1
        if follow:
            self.points = points
            self.seen_face = True
        scale = 1.0 / self.out.work_scale
        height, width = grey.shape[:2]
        sample.points = points * scale
        sample.ear = faces.eye_aspect_ratio(points)
        sample.yaw, sample.pitch, sample.roll = faces.head_pose(points, width, height)
        sample.face_px = faces.box_from_landmarks(points).size * scale
        self._keep_candidate(frame, image, sample, points)
        return sample

    @staticmethod
    def _inside(box: faces.Box, shape: tuple[int, ...]) -> bool:
        height, width = shape[:2]
        cx, cy = box.center
        return 0 <= cx < width and 0 <= cy < height and box.size >= 16

    def _keep_candidate(self, frame: Frame, image: np.ndarray, sample: Sample, points) -> None:
        bucket = int(frame.time_s / _BUCKET_S)
        score = candidate_score(sample)
        kept = self.buckets.get(bucket)
        if kept is not None and kept.score >= score:
            return
        self.buckets[bucket] = Candidate(
            index=frame.index,
            time_s=frame.time_s,
            score=score,
            image=image,
            bgr=frame.bgr,
            box=faces.box_from_landmarks(points),
            sample=sample,
        )

    def suspect(self, sample: Sample) -> bool:
        """Eyes closing: the frames around this one deserve a look."""
        if not sample.face or len(self.recent_ears) < 3:
            return False
        baseline = float(np.percentile(self.recent_ears, 80))
        return sample.ear < self.t.blink_reopen_ratio * baseline


def _jump(a: Sample, b: Sample) -> tuple[float, float]:
    """How far the face moved from ``a`` to ``b``: (shift of the landmarks' mean in
    inter-ocular distances, largest change of yaw, pitch or roll in degrees)."""
    assert a.points is not None and b.points is not None
    iod = max((faces.interocular(a.points) + faces.interocular(b.points)) / 2.0, 1e-6)
    shift = float(np.linalg.norm(b.points.mean(axis=0) - a.points.mean(axis=0))) / iod
    pose = max(abs(b.yaw - a.yaw), abs(b.pitch - a.pitch), abs(b.roll - a.roll))
    return shift, pose


def _too_far(a: Sample, b: Sample, t: Thresholds) -> bool:
    shift, pose = _jump(a, b)
    return shift > t.cut_max_shift_iod or pose > t.cut_max_pose_deg


def _suspect_pairs(samples: list[Sample], t: Thresholds) -> list[tuple[Sample, Sample]]:
    """Consecutive analysed frames (at most ``analyse_every`` apart, both with a face) between
    which the face moved more than one frame of real motion may move it."""
    with_face = [s for s in samples if s.face]
    return [
        (a, b)
        for a, b in zip(with_face, with_face[1:], strict=False)
        if b.index - a.index <= t.analyse_every and _too_far(a, b, t)
    ]


def _landmarks_after(previous: Sample, frame: Frame, work_scale: float) -> Sample:
    """The frame's landmarks, found in the box of the previous frame's (no detection)."""
    image = faces.resize(frame.image, work_scale)
    grey = faces.to_grey(image, bgr=frame.bgr)
    assert previous.points is not None
    box = faces.box_from_landmarks(previous.points * work_scale)
    points = faces.landmarks(grey, box)
    height, width = grey.shape[:2]
    sample = Sample(index=frame.index, time_s=frame.time_s, coarse=False)
    sample.points = points / work_scale
    sample.yaw, sample.pitch, sample.roll = faces.head_pose(points, width, height)
    return sample


def find_cuts(capture: Capture, result: Tracked, t: Thresholds) -> list[int]:
    """The frames after a one-frame jump, among the suspect pairs of analysed frames."""
    pairs = _suspect_pairs(result.samples, t)
    cuts = [b.index for a, b in pairs if b.index - a.index == 1]
    pending = [(a, b) for a, b in pairs if b.index - a.index > 1]
    if not pending:
        return cuts
    between = {i: pair for pair in pending for i in range(pair[0].index + 1, pair[1].index)}
    last = pending[-1][1].index
    chains: dict[int, Sample] = {}  # pair start -> the last sample of its frame-by-frame chain
    frames = capture.frames(lambda index: index in between)
    try:
        for frame in frames:
            if frame is None:
                if result.info.decoded_frames > last:
                    break
                continue
            a, _ = between[frame.index]
            previous = chains.get(a.index, a)
            sample = _landmarks_after(previous, frame, result.work_scale)
            result.landmark_calls += 1
            if _too_far(previous, sample, t):
                cuts.append(frame.index)
            chains[a.index] = sample
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()
    for a, b in pending:  # the last frame looked at again, against the analysed one after it
        if a.index in chains and _too_far(chains[a.index], b, t):
            cuts.append(b.index)
    # Landmarks fitted in the box of the frame before a cut may be off for one more frame.
    found = sorted(set(cuts))
    return [index for index in found if index - 1 not in found]


def track(capture: Capture, thresholds: Thresholds, limits: Limits) -> Tracked:
    """Run the tracker over the capture (decoding it once)."""
    result = Tracked(info=capture.info)
    tracker = _Tracker(thresholds, limits, result)
    step = thresholds.analyse_every
    dense = False
    iterator = capture.frames(lambda index: dense or index % step == 0)
    while True:
        started = time.perf_counter()
        frame = next(iterator, _END)
        decoded = time.perf_counter()
        result.decode_ms += (decoded - started) * 1000.0
        if frame is _END:
            break
        if frame is None:
            continue
        if not result.samples:
            longest = max(frame.image.shape[:2])
            result.work_scale = min(1.0, limits.work_max_side / longest)
        image = faces.resize(frame.image, result.work_scale)
        coarse = frame.index % step == 0
        sample = tracker.analyse(frame, image, coarse)
        result.samples.append(sample)
        if coarse:
            tracker.coarse_count += 1
            dense = tracker.suspect(sample)
            if sample.face:
                tracker.recent_ears.append(sample.ear)
        result.track_ms += (time.perf_counter() - decoded) * 1000.0
    result.candidates = [tracker.buckets[key] for key in sorted(tracker.buckets)]
    started = time.perf_counter()
    decoded_frames = result.info.decoded_frames
    result.cuts = find_cuts(capture, result, thresholds)
    result.info.decoded_frames = decoded_frames  # a second decoding adds no frame to the clip
    result.track_ms += (time.perf_counter() - started) * 1000.0
    return result


_END = object()
