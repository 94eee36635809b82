"""What a capture may cost the engine (issue 10, hole 6): every clip is made here, on the fly.

The attack was a 3840x2160, 60 fps MP4 within every size, duration and frame cap: 24-28 s of
engine time and ~500 MB of worker memory. Its header alone must now refuse it.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, read_frames
from verification.engine import Limits, Thresholds, faces, verify
from verification.engine.media import Capture, MediaError
from verification.engine.reasons import MEDIA_TOO_HEAVY, UNREADABLE_MEDIA
from verification.engine.tracking import track


def write_mp4(path: Path, frames, fps: float) -> Path:
    """BGR frames to an MPEG-4 (mp4v) file, at the rate its header will declare."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def gradient_frames(width: int, height: int, count: int) -> list[np.ndarray]:
    """Cheap to encode, and every frame different (a moving ramp)."""
    ramp = np.tile(np.arange(width, dtype=np.uint16)[None, :], (height, 1))
    return [
        np.repeat(((ramp + 8 * i) % 256).astype(np.uint8)[:, :, None], 3, axis=2)
        for i in range(count)
    ]


_VideoCapture = cv2.VideoCapture


class CountingCapture:
    """OpenCV's capture, counting the frames decoded (grab) and converted (retrieve)."""

    grabs = 0
    retrieves = 0

    def __init__(self, *args):
        self._capture = _VideoCapture(*args)

    def __getattr__(self, name):
        return getattr(self._capture, name)

    def grab(self):
        CountingCapture.grabs += 1
        return self._capture.grab()

    def retrieve(self, *args):
        CountingCapture.retrieves += 1
        return self._capture.retrieve(*args)


@pytest.fixture
def counting(monkeypatch):
    CountingCapture.grabs = CountingCapture.retrieves = 0
    monkeypatch.setattr(cv2, "VideoCapture", CountingCapture)
    return CountingCapture


@pytest.fixture(scope="module")
def uhd_60fps(tmp_path_factory) -> Path:
    """The attack's header: 3840x2160 at 60 fps (a few frames are enough to carry it)."""
    path = tmp_path_factory.mktemp("heavy") / "uhd60.mp4"
    return write_mp4(path, gradient_frames(3840, 2160, 6), fps=60.0)


@pytest.fixture(scope="module")
def hd_60fps(tmp_path_factory) -> Path:
    """Large but allowed: 3 s of the shared clip scaled up to 1280x720, at 60 fps
    (55 Mpixel/s, under the 62 of 1920x1080 at 30)."""
    frames = [cv2.cvtColor(frame, cv2.COLOR_RGB2BGR) for frame in read_frames(CLIP)[40:130]]
    frames = [cv2.resize(frame, (1280, 720)) for frame in frames for _ in range(2)]
    return write_mp4(tmp_path_factory.mktemp("large") / "hd60.mp4", frames, fps=60.0)


def test_it_refuses_a_4k_60fps_clip_from_its_header_without_decoding_a_frame(uhd_60fps, counting):
    capture = Capture(uhd_60fps)
    started = time.perf_counter()
    with pytest.raises(MediaError) as refused:
        list(capture.frames(lambda index: True))
    elapsed = time.perf_counter() - started

    assert refused.value.reason == UNREADABLE_MEDIA
    assert f"{MEDIA_TOO_HEAVY}: 3840x2160 at 60 fps" in refused.value.detail
    assert counting.grabs == 0  # not one frame decoded
    assert capture.info.decoded_frames == 0
    assert elapsed < 1.0


def test_a_verification_of_it_says_unreadable_media_and_why(uhd_60fps, counting):
    result = verify(portrait=CLIP_PORTRAIT, capture=uhd_60fps, challenge="turn_left,blink")

    assert result.decision == "fail"
    assert result.reasons == [UNREADABLE_MEDIA]
    assert any(MEDIA_TOO_HEAVY in detail for detail in result.details)
    assert result.quality.frames_decoded == 0
    assert counting.grabs == 0
    assert result.timings_ms["decode"] < 1000


def test_the_pixel_rate_cap_lets_1080p_at_30fps_through_and_refuses_31fps(tmp_path):
    frames = gradient_frames(1920, 1080, 8)
    just_under = Capture(write_mp4(tmp_path / "at30.mp4", frames, fps=30.0))
    just_over = Capture(write_mp4(tmp_path / "at31.mp4", frames, fps=31.0))

    decoded = list(just_under.frames(lambda index: True))
    assert len(decoded) == 8
    assert all(frame is not None for frame in decoded)
    with pytest.raises(MediaError, match=MEDIA_TOO_HEAVY):
        list(just_over.frames(lambda index: True))
    assert just_over.info.decoded_frames == 0


def test_a_4k_clip_slow_enough_for_the_pixel_rate_is_still_refused_by_its_frame_size(
    tmp_path, counting
):
    """3840x2160 at 5 fps is 41 Mpixel/s, but one such frame made the decoder hold over
    300 MB (366 MB peak RSS at 7 fps): frames above 2560x1440 are refused from the header."""
    path = write_mp4(tmp_path / "uhd5.mp4", gradient_frames(3840, 2160, 4), fps=5.0)

    with pytest.raises(MediaError, match=f"{MEDIA_TOO_HEAVY}: 3840x2160 frames"):
        list(Capture(path).frames(lambda index: True))
    assert counting.grabs == 0


def test_a_header_whose_rate_is_not_believed_is_measured_while_decoding(tmp_path, counting):
    """A rate over 120 fps in a header is taken for a browser's guess (25 fps is assumed),
    so the header passes; the frames' timestamps (300 a second) then give it away."""
    path = write_mp4(tmp_path / "fast.mp4", gradient_frames(640, 360, 200), fps=300.0)
    limits = Limits(max_pixel_rate=640 * 360 * 30)

    with pytest.raises(MediaError, match=MEDIA_TOO_HEAVY):
        list(Capture(path, limits).frames(lambda index: True))
    assert 0 < counting.grabs < 60  # stopped after about a second of claimed video


def test_a_large_allowed_clip_is_analysed_scaled_down_and_at_the_capped_rate(hd_60fps, monkeypatch):
    analysed_sizes = []
    landmarks = faces.landmarks

    def measured_landmarks(grey, box):
        analysed_sizes.append(max(grey.shape[:2]))
        return landmarks(grey, box)

    monkeypatch.setattr(faces, "landmarks", measured_landmarks)
    limits = Limits()
    # analyse_every=1 asks for every frame: the budget, not the thresholds, bounds the work.
    tracked = track(Capture(hd_60fps, limits), Thresholds(analyse_every=1), limits)

    assert tracked.info.decoded_frames == 180  # 3 s at 60 fps, all decoded...
    duration_s = 180 / 60
    assert 0 < len(tracked.samples) <= limits.max_analysed_fps * (duration_s + 1)  # ...60 seen
    assert analysed_sizes
    assert max(analysed_sizes) <= limits.work_max_side
    assert tracked.work_scale == pytest.approx(limits.work_max_side / 1280)
    assert tracked.candidates
    assert all(max(c.image.shape[:2]) <= limits.work_max_side for c in tracked.candidates)
