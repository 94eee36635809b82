"""Paths to the shared data and makers of test media (attacks are made on the fly)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import cv2
import numpy as np

from verification.engine import Thresholds

DATA = (Path(__file__).resolve().parents[3] / ".." / "shared" / "data").resolve()
FACES = DATA / "faces"
CLIP = DATA / "videos" / "blink_turn.mp4"
CLIP_PORTRAIT = DATA / "videos" / "blink_turn_portrait_102x126.jpg"
# What blink_turn.mp4 actually shows (measured, see README.md in verification/engine): a turn
# to the subject's LEFT (frames ~27-75), then four blinks. Frames 0-15 are a head TILT (roll
# ~30 degrees, yaw ~2 degrees), not a turn; there is no turn to the subject's right.
CLIP_CHALLENGE = ["turn_left", "blink"]
# When: the turn lasts ~1.1-3.1 s and a blink comes at ~5.0 s, so windows from 1.0 s and 4.0 s
# (2.5 s each, the portal's default length) fit the clip.
CLIP_SCHEDULE = [
    {"action": "turn_left", "from_s": 1.0, "to_s": 3.5},
    {"action": "blink", "from_s": 4.0, "to_s": 6.5},
]
# Clips that join two recordings on purpose (the clip and its mirror image), for tests about
# something else: without the cut check, which would refuse them as spliced.
WITHOUT_CUT_CHECK = Thresholds(cut_max_shift_iod=math.inf, cut_max_pose_deg=math.inf)


def faces_table() -> list[dict[str, str]]:
    with (DATA / "faces.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def read_frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: float = 25.0) -> Path:
    """RGB frames to an MPEG-4 (mp4v) file with OpenCV."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def still_replay_frames(photo: Path, seconds: float = 6.0, fps: float = 25.0) -> list[np.ndarray]:
    """A still photo as a video: a slow zoom (100 % to 80 %) and a pan, with sensor noise."""
    image = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    height, width = image.shape[:2]
    scale = 640 / max(height, width)
    size = (int(width * scale) // 2 * 2, int(height * scale) // 2 * 2)  # aspect kept
    rng = np.random.default_rng(7)
    frames = []
    count = int(seconds * fps)
    for i in range(count):
        zoom = 1.0 - 0.2 * i / count
        crop_w, crop_h = int(width * zoom), int(height * zoom)
        x = int((width - crop_w) * (0.5 + 0.4 * np.sin(i / 30.0)))
        y = int((height - crop_h) * (0.5 + 0.3 * np.cos(i / 45.0)))
        frame = cv2.resize(image[y : y + crop_h, x : x + crop_w], size).astype(np.int16)
        frame += rng.normal(0, 4, frame.shape).astype(np.int16)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames
