"""Timing of ``verify`` (per stage, median of N runs) and of the naive way, for comparison.

The naive way is what the engine avoids: face detection (dlib HOG, upsampled once, as
face_recognition does by default), landmarks and an encoding on EVERY full-resolution frame;
then the same liveness rules on every frame, the match as the smallest distance over all
frames, and identity over the best frame of each third of the clip.
"""

from __future__ import annotations

import resource
import statistics
import time
from dataclasses import dataclass

import cv2
import numpy as np

from . import faces, liveness, models, reasons
from .config import DEFAULT_LIMITS, DEFAULT_THRESHOLDS, Limits, Thresholds
from .media import Capture, MediaError
from .tracking import Sample, candidate_score
from .verify import analyse_portrait, parse_challenge, verify


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass(slots=True)
class NaiveResult:
    decision: str
    reasons: list[str]
    total_ms: float
    frames: int
    encodings: int
    distance: float | None


def verify_naive(
    *,
    portrait,
    capture,
    challenge=None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    limits: Limits = DEFAULT_LIMITS,
) -> NaiveResult:
    started = time.perf_counter()
    actions = parse_challenge(challenge)
    t = thresholds
    found: list[str] = []
    face = analyse_portrait(portrait, t, limits)
    found += face.reasons
    portrait_encoding = faces.encode_chips([face.chip])[0] if face.chip is not None else None
    samples: list[Sample] = []
    encodings: list[np.ndarray | None] = []
    try:
        for frame in Capture(capture, limits):
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB) if frame.bgr else frame.image
            grey = faces.to_grey(rgb)
            rects = models.detector()(grey, 1)
            sample = Sample(index=frame.index, time_s=frame.time_s, coarse=True)
            encoding = None
            if len(rects) >= 1:
                box = faces.Box.from_rect(rects[0])
                points = faces.landmarks(grey, box)
                height, width = grey.shape
                sample.points = points
                sample.ear = faces.eye_aspect_ratio(points)
                sample.yaw, sample.pitch, sample.roll = faces.head_pose(points, width, height)
                sample.face_px = box.size
                encoding = faces.encode_chips([faces.face_chip(rgb, box)])[0]
                if len(rects) >= 2:
                    found.append(reasons.MULTIPLE_FACES)
            samples.append(sample)
            encodings.append(encoding)
    except MediaError as error:
        found.append(error.reason)
        total = (time.perf_counter() - started) * 1000.0
        return NaiveResult(reasons.decide(found), found, total, 0, 0, None)
    findings = liveness.assess(samples, actions, t)
    found += findings.reasons
    usable = [(s, e) for s, e in zip(samples, encodings, strict=True) if e is not None]
    distance = None
    if usable:
        end = samples[-1].time_s + 1e-6
        thirds = [
            [(s, e) for s, e in usable if end * k / 3 <= s.time_s < end * (k + 1) / 3]
            for k in range(3)
        ]
        best = [max(part, key=lambda item: candidate_score(item[0]))[1] for part in thirds if part]
        spread = max(
            (faces.distance(a, b) for i, a in enumerate(best) for b in best[i + 1 :]), default=0.0
        )
        if spread > t.identity_threshold:
            found.append(reasons.IDENTITY_CHANGED)
        if portrait_encoding is not None:
            distance = min(faces.distance(portrait_encoding, e) for _, e in usable)
            if distance > t.review_threshold:
                found.append(reasons.NO_MATCH)
            elif distance > t.match_threshold:
                found.append(reasons.MATCH_UNCERTAIN)
    unique = list(dict.fromkeys(found))
    total = (time.perf_counter() - started) * 1000.0
    return NaiveResult(
        reasons.decide(unique), unique, total, len(samples), len(usable) + 1, distance
    )


def bench(
    *,
    portrait,
    capture,
    challenge=None,
    repeat: int = 5,
    naive: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict:
    """Median wall time per stage and in total over ``repeat`` runs (models loaded first)."""
    clock = time.perf_counter()
    models.load_all()
    load_ms = (time.perf_counter() - clock) * 1000.0
    clock = time.perf_counter()
    first = verify(portrait=portrait, capture=capture, challenge=challenge, thresholds=thresholds)
    first_ms = (time.perf_counter() - clock) * 1000.0
    runs, cpu = [], []
    for _ in range(max(repeat, 1)):
        cpu_clock = time.process_time()
        runs.append(
            verify(portrait=portrait, capture=capture, challenge=challenge, thresholds=thresholds)
        )
        cpu.append((time.process_time() - cpu_clock) * 1000.0)
    stages = sorted({key for run in runs for key in run.timings_ms} - {"total"})
    report = {
        "repeat": len(runs),
        "total_ms_median": round(statistics.median(r.timings_ms["total"] for r in runs), 1),
        "total_ms_runs": [r.timings_ms["total"] for r in runs],
        "cpu_ms_median": round(statistics.median(cpu), 1),
        "stages_ms": {
            stage: round(statistics.median(r.timings_ms.get(stage, 0.0) for r in runs), 1)
            for stage in stages
        },
        "model_load_ms": round(load_ms, 1),
        "first_run_ms": round(first_ms, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "decision": first.decision,
        "reasons": first.reasons,
        "frames_decoded": first.quality.frames_decoded,
        "frames_analysed": first.quality.frames_analysed,
        "encodings": first.quality.encodings,
        "detections": first.quality.detections,
    }
    if naive:
        slow = verify_naive(
            portrait=portrait, capture=capture, challenge=challenge, thresholds=thresholds
        )
        report["naive"] = {
            "total_ms": round(slow.total_ms, 1),
            "frames": slow.frames,
            "encodings": slow.encodings,
            "decision": slow.decision,
            "reasons": slow.reasons,
            "distance": None if slow.distance is None else round(slow.distance, 4),
            "speedup": round(slow.total_ms / report["total_ms_median"], 1),
            "same_decision": slow.decision == first.decision
            and set(slow.reasons) == set(first.reasons),
        }
        report["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return report


# -- the cost caps: what a heavy capture costs a worker ------------------------------------------


def _write_clip(path, frames, fps: float, size: tuple[int, int]) -> None:
    """BGR frames (an iterable) to an MPEG-4 file at ``size``, as a camera would write them."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write MPEG-4 here")
    for frame in frames:
        writer.write(frame)
    writer.release()


def _ramp_frames(width: int, height: int, count: int):
    ramp = np.tile(np.arange(width, dtype=np.uint16)[None, :], (height, 1))
    for i in range(count):
        yield np.repeat(((ramp + 8 * i) % 256).astype(np.uint8)[:, :, None], 3, axis=2)


def _looped_frames(capture, size: tuple[int, int], count: int):
    """The frames of a real clip, scaled to ``size``, played forwards and back until ``count``."""
    frames = [frame.image for frame in Capture(capture)]
    cycle = frames + frames[-2:0:-1]
    for i in range(count):
        yield cv2.resize(cycle[i % len(cycle)], size)


def _write_heavy_clips(capture, uhd, full_hd, uhd_frames: int) -> None:
    _write_clip(uhd, _ramp_frames(3840, 2160, uhd_frames), 60.0, (3840, 2160))
    _write_clip(full_hd, _looped_frames(capture, (1920, 1080), 900), 30.0, (1920, 1080))


def bench_heavy(*, portrait, capture, workdir, uhd_frames: int = 60) -> dict:
    """Refusal time and worker memory for the attack (3840x2160 at 60 fps) and for the heaviest
    clip the caps allow (``capture`` scaled to 1920x1080, 30 fps, 30 s: 900 frames).

    The clips are written by a child process, so that this one's peak RSS is a worker's: models
    loaded first, then each verification (the peak only grows: the refusal is run first)."""
    import multiprocessing
    from pathlib import Path

    workdir = Path(workdir)
    uhd, full_hd = workdir / "uhd60.mp4", workdir / "fullhd30.mp4"
    writer = multiprocessing.get_context("fork").Process(
        target=_write_heavy_clips, args=(capture, uhd, full_hd, uhd_frames)
    )
    writer.start()
    writer.join()
    if writer.exitcode != 0:
        raise RuntimeError("the heavy clips could not be written")
    models.load_all()
    report = {"rss_with_models_mb": round(peak_rss_mb(), 1)}
    for name, path in (("uhd_60fps", uhd), ("fullhd_30fps_30s", full_hd)):
        started = time.perf_counter()
        result = verify(portrait=portrait, capture=path, challenge="turn_left,blink")
        report[name] = {
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "wall_ms": round((time.perf_counter() - started) * 1000.0, 1),
            "decode_ms": result.timings_ms.get("decode"),
            "frames_decoded": result.quality.frames_decoded,
            "frames_analysed": result.quality.frames_analysed,
            "decision": result.decision,
            "reasons": result.reasons,
            "details": [d for d in result.details if d.startswith("capture")],
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    return report


def _main(argv: list[str] | None = None) -> int:
    """``python -m verification.engine.bench heavy --portrait ID.jpg --capture CLIP``."""
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m verification.engine.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    heavy = commands.add_parser("heavy", help="refusal time and peak RSS of heavy captures")
    heavy.add_argument("--portrait", required=True, metavar="FILE")
    heavy.add_argument("--capture", required=True, metavar="FILE", help="a real clip to scale up")
    heavy.add_argument("--uhd-frames", type=int, default=60, metavar="N")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-heavy-") as workdir:
        report = bench_heavy(
            portrait=args.portrait,
            capture=args.capture,
            workdir=workdir,
            uhd_frames=args.uhd_frames,
        )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
