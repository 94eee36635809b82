"""Fixtures for the engine's tests: the shared real data, decoded and verified once per session.

The data lives outside the repository (``../shared/data`` from its root, see
../shared/data/README.md); attacks are made from it on the fly, in temporary folders.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.verification.engine.makers import (
    CLIP,
    CLIP_CHALLENGE,
    CLIP_PORTRAIT,
    FACES,
    faces_table,
    read_frames,
)
from verification.engine import faces, verify
from verification.engine.verify import encode_portrait


@pytest.fixture(scope="session")
def clip_frames() -> list[np.ndarray]:
    frames = read_frames(CLIP)
    assert len(frames) == 252
    return frames


@pytest.fixture(scope="session")
def clip_result():
    """The shared clip against its portrait, with the challenge the clip performs."""
    return verify(portrait=CLIP_PORTRAIT, capture=CLIP, challenge=CLIP_CHALLENGE)


@pytest.fixture(scope="session")
def clip_default_result():
    """The shared clip against its portrait, without a challenge (a blink and both turns)."""
    return verify(portrait=CLIP_PORTRAIT, capture=CLIP)


@pytest.fixture(scope="session")
def mirrored_clip_frames(clip_frames) -> list[np.ndarray]:
    """The clip followed by the mirror image of its first half: the same person, who now also
    turns to their right (a mirror image swaps left and right)."""
    return clip_frames + [np.ascontiguousarray(frame[:, ::-1]) for frame in clip_frames[:126]]


@pytest.fixture(scope="session")
def portrait_encodings() -> dict[str, tuple[str, np.ndarray]]:
    """file -> (identity, encoding) for every single-face photo of faces/."""
    encodings = {}
    for row in faces_table():
        if not row["identity"]:
            continue
        encoding, found = encode_portrait(FACES / row["file"])
        assert encoding is not None, (row["file"], found.reasons)
        encodings[row["file"]] = (row["identity"], encoding)
    return encodings


@pytest.fixture(scope="session")
def switched_frames(clip_frames) -> list[np.ndarray]:
    """The first half of the clip, then another person's face composited over hers."""
    other = cv2.cvtColor(cv2.imread(str(FACES / "obama_1.jpg")), cv2.COLOR_BGR2RGB)
    other_box = faces.detect(faces.to_grey(other), long_side=512, upsample=1)[0]
    face = faces.detect(faces.to_grey(clip_frames[160]), long_side=596, upsample=0)[0]
    margin = 0.25

    def bounds(box, shape):
        left = max(int(box.left - margin * box.width), 0)
        top = max(int(box.top - margin * box.height), 0)
        right = min(int(box.right + margin * box.width), shape[1])
        bottom = min(int(box.bottom + margin * box.height), shape[0])
        return left, top, right, bottom

    ol, ot, o_r, ob = bounds(other_box, other.shape)
    left, top, right, bottom = bounds(face, clip_frames[160].shape)
    patch = cv2.resize(other[ot:ob, ol:o_r], (right - left, bottom - top))
    frames = list(clip_frames[:126])
    for i, frame in enumerate(clip_frames[126:]):
        frame = frame.copy()
        dx = int(round(3 * np.sin(i / 8.0)))
        lo, hi = max(left + dx, 0), min(right + dx, frame.shape[1])
        frame[top:bottom, lo:hi] = patch[:, lo - (left + dx) : hi - (left + dx)]
        frames.append(frame)
    return frames
