"""What counts as a blink, on synthetic series of tracked samples (no video).

Each sample carries what tracking measures from the landmarks of one analysed frame: the eye
aspect ratio (EAR) and the head's yaw. The series are 3 s at 25 fps, eyes open (EAR 0.30) but
for one dip: the same dip is a blink when the head is frontal and the closure short, and is
not one when the head is turned past ``blink_max_yaw_deg`` or the eyes stay shut longer than
``blink_max_s``.
"""

from __future__ import annotations

import numpy as np
import pytest

from verification.engine import reasons
from verification.engine.config import DEFAULT_THRESHOLDS, Thresholds
from verification.engine.liveness import find_blinks
from verification.engine.tracking import Sample

FPS = 25
SECONDS = 3.0
OPEN_EAR = 0.30
DIP_START_S = 1.2
T = DEFAULT_THRESHOLDS
SHORT_S = 0.12  # a real blink: ~100-150 ms
LONG_S = T.blink_max_s + 0.3
TURNED_DEG = T.blink_max_yaw_deg + 10


def dip_series(*, closed_s: float, yaw_deg: float = 0.0) -> tuple[list[Sample], int]:
    """Samples with the eyes shut for ``closed_s`` from 1.2 s, and the deepest frame's index.

    The head has ``yaw_deg`` of yaw from 0.2 s before the closure to 0.2 s after it, and is
    frontal otherwise. The EAR falls to a third of the open value, deepest mid-closure.
    """
    first = round(DIP_START_S * FPS)
    last = first + round(closed_s * FPS)  # closed from ``first`` to ``last``, both included
    deepest = (first + last) // 2
    turned = range(first - round(0.2 * FPS), last + round(0.2 * FPS) + 1)
    samples = []
    for index in range(round(SECONDS * FPS)):
        closed = first <= index <= last
        ear = (0.08 if index == deepest else 0.10) if closed else OPEN_EAR
        samples.append(
            Sample(
                index=index,
                time_s=index / FPS,
                coarse=True,
                points=np.zeros((68, 2)),  # a face was found; only EAR and yaw matter here
                ear=ear,
                yaw=yaw_deg if index in turned else 0.0,
            )
        )
    return samples, deepest


def test_it_counts_a_short_dip_of_a_frontal_head_as_one_blink_at_its_deepest_frame():
    samples, deepest = dip_series(closed_s=SHORT_S)
    blinks = find_blinks(samples, T)
    assert [(e.action, e.frame) for e in blinks] == [(reasons.BLINK, deepest)]
    assert blinks[0].time_s == pytest.approx(deepest / FPS)


@pytest.mark.parametrize("yaw_deg", [TURNED_DEG, -TURNED_DEG], ids=["image-right", "image-left"])
def test_it_does_not_count_the_same_dip_while_the_head_is_turned_past_the_yaw_limit(yaw_deg):
    samples, _ = dip_series(closed_s=SHORT_S, yaw_deg=yaw_deg)
    assert find_blinks(samples, T) == []
    # Only the yaw limit refuses it: with a wider limit the same series is a blink.
    wider = Thresholds(blink_max_yaw_deg=abs(yaw_deg) + 5)
    assert len(find_blinks(samples, wider)) == 1


def test_it_counts_the_dip_of_a_head_turned_just_within_the_yaw_limit():
    samples, _ = dip_series(closed_s=SHORT_S, yaw_deg=T.blink_max_yaw_deg - 1)
    assert len(find_blinks(samples, T)) == 1


def test_it_does_not_count_a_dip_longer_than_the_longest_blink():
    samples, _ = dip_series(closed_s=LONG_S)
    assert find_blinks(samples, T) == []
    # Only the duration refuses it: with a longer limit the same series is a blink.
    longer = Thresholds(blink_max_s=LONG_S + 0.2)
    assert len(find_blinks(samples, longer)) == 1


def test_it_counts_a_dip_just_within_the_longest_blink():
    samples, _ = dip_series(closed_s=T.blink_max_s - 0.1)
    assert len(find_blinks(samples, T)) == 1
