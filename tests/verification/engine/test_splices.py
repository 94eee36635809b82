"""Issue 10, hole 13: a recording cut and put together to meet a challenge.

Reproduced: frames 110-200 of the shared clip (blinks), then frames 25-80 (the turn to her
left), passed the challenge ``blink,turn_left``. Now the engine refuses a clip with a jump no
real motion makes (``spliced_media``), and a scheduled challenge counts each action only in
its own window of the recording, so the genuine clip fails a schedule it does not follow.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, CLIP_SCHEDULE, write_video
from verification.engine import Step, Thresholds, reasons, verify
from verification.engine.liveness import Event, find_looks, judge_schedule
from verification.engine.tracking import Sample

T = Thresholds()
FPS = 25.0


@pytest.fixture(scope="module")
def spliced_clip(clip_frames, tmp_path_factory):
    """The blinks (frames 110-200), then the turn (frames 25-80): joined at frame 91."""
    path = tmp_path_factory.mktemp("splice") / "spliced.mp4"
    return write_video(path, clip_frames[110:201] + clip_frames[25:81])


def test_a_clip_cut_and_reordered_to_meet_the_challenge_is_refused(spliced_clip):
    result = verify(portrait=CLIP_PORTRAIT, capture=spliced_clip, challenge="blink,turn_left")
    assert result.decision == "fail"
    assert reasons.SPLICED_MEDIA in result.reasons
    assert result.liveness.cuts == [91], "the joint, and nothing else"


def test_the_genuine_clip_has_no_cut_and_passes_the_schedule_that_fits_it(clip_frames):
    result = verify(portrait=CLIP_PORTRAIT, capture=CLIP, schedule=CLIP_SCHEDULE)
    assert result.decision == "pass", result.reasons
    assert result.liveness.cuts == []
    assert result.liveness.challenge == ["turn_left", "blink"]
    assert result.liveness.schedule == CLIP_SCHEDULE


def test_the_genuine_clip_fails_a_schedule_it_does_not_follow():
    late = [
        {"action": "turn_left", "from_s": 6.0, "to_s": 8.0},  # she turns at ~1.1-3.1 s
        {"action": "blink", "from_s": 8.5, "to_s": 9.5},  # she blinks at ~8.3 s, not after
    ]
    result = verify(
        portrait=CLIP_PORTRAIT, capture=CLIP, challenge="turn_left,blink", schedule=late
    )
    assert result.decision == "fail"
    assert result.reasons == [reasons.CHALLENGE_TIMING]
    assert not result.liveness.challenge_met


# -- look up and look down, on synthetic samples ---------------------------------------------
def samples(pitches: list[float], yaws: list[float] | None = None) -> list[Sample]:
    """One sample per frame at 25 fps, with a face, these pitches and yaws (degrees)."""
    yaws = yaws if yaws is not None else [0.0] * len(pitches)
    return [
        Sample(index=i, time_s=i / FPS, coarse=True, points=np.zeros((68, 2)), pitch=p, yaw=y)
        for i, (p, y) in enumerate(zip(pitches, yaws, strict=True))
    ]


def held(level: float, seconds: float) -> list[float]:
    return [level] * int(seconds * FPS)


def test_a_look_up_then_down_is_seen_against_the_capture_level():
    # The camera sits low: every pitch is 10 degrees higher than it would be at eye level.
    pitches = held(10, 1) + held(35, 0.5) + held(10, 1) + held(-15, 0.5) + held(10, 1)
    found = find_looks(samples(pitches), T)
    assert [e.action for e in found] == [reasons.LOOK_UP, reasons.LOOK_DOWN]
    assert found[0].time_s == pytest.approx(1.0) and found[0].end_s == pytest.approx(1.44)
    assert found[1].time_s == pytest.approx(2.48)


def test_a_nod_too_small_or_too_short_is_no_look():
    small = held(0, 1) + held(T.look_pitch_deg - 2, 1) + held(0, 1)
    short = held(0, 1) + held(40, 0.04) + held(0, 1)  # one frame
    assert find_looks(samples(small), T) == []
    assert find_looks(samples(short), T) == []


def test_a_look_counts_only_in_its_window_and_only_alone():
    pitches = held(0, 2) + held(30, 1) + held(0, 2)  # a look up from 2.0 to 2.96 s
    look_up = [Step(reasons.LOOK_UP, 1.5, 4.0)]
    assert judge_schedule(find_looks(samples(pitches), T), look_up, T) == (True, [])
    met, found = judge_schedule(
        [Event(reasons.LOOK_UP, 50, 2.0, 2.96)], [Step(reasons.LOOK_UP, 3.5, 5.0)], T
    )
    assert (met, found) == (False, [reasons.CHALLENGE_TIMING])
    # Down instead of up, a turn during the look, a look in a blink's window: all refused.
    down = judge_schedule([Event(reasons.LOOK_DOWN, 50, 2.0, 2.96)], look_up, T)
    assert down == (False, [reasons.LOOK_MISSING])
    both = [Event(reasons.LOOK_UP, 50, 2.0, 2.96), Event(reasons.TURN_LEFT, 55, 2.2, 2.8)]
    assert judge_schedule(both, look_up, T) == (False, [reasons.CHALLENGE_TIMING])
    blink_window = [Step(reasons.BLINK, 1.5, 4.0)]
    nodding = [Event(reasons.BLINK, 60, 2.4), Event(reasons.LOOK_UP, 50, 2.0, 2.96)]
    assert judge_schedule(nodding, blink_window, T) == (False, [reasons.CHALLENGE_TIMING])
    assert judge_schedule(nodding[:1], blink_window, T) == (True, [])


def test_no_window_admits_two_actions_whatever_happens_in_it():
    """What makes a recording meet at most one sequence of a schedule (p <= 5^-n)."""
    window = (4.0, 6.5)
    possible = [Event(reasons.BLINK, 0, 5.0), Event(reasons.BLINK, 0, 4.1)]
    for movement in reasons.MOVEMENTS:
        possible += [
            Event(movement, 0, 4.5, 6.0),  # in the window's core
            Event(movement, 0, 3.0, 4.3),  # ending in its first moments
            Event(movement, 0, 6.4, 8.0),  # starting at its very end
        ]
    for size in range(4):
        for seen in itertools.combinations(possible, size):
            fitting = [
                action
                for action in reasons.ACTIONS
                if judge_schedule(list(seen), [Step(action, *window)], T)[0]
            ]
            assert len(fitting) <= 1, (seen, fitting)
