"""Reasons, decisions, challenges and thresholds: the fixed vocabulary of the engine."""

from __future__ import annotations

import pytest

from verification.engine import ALL_REASONS, Thresholds, parse_challenge
from verification.engine import reasons as r
from verification.engine.evaluate import recommend_threshold
from verification.engine.liveness import Event, judge_challenge

REQUIRED = {
    "no_face",
    "multiple_faces",
    "face_too_small",
    "too_blurry",
    "face_not_visible",
    "no_blink",
    "turn_missing",
    "challenge_order",
    "identity_changed",
    "no_match",
    "unreadable_media",
    "not_live",
}


def test_it_defines_every_reason_of_the_design():
    assert REQUIRED <= ALL_REASONS


def test_it_decides_fail_over_review_over_pass():
    assert r.decide([]) == "pass"
    assert r.decide(["match_uncertain"]) == "review"
    assert r.decide(["match_uncertain", "no_blink"]) == "fail"
    with pytest.raises(ValueError, match="unknown"):
        r.decide(["sunburn"])


def test_it_parses_a_challenge_and_refuses_unknown_actions():
    assert parse_challenge("turn_left, blink,turn_right") == ["turn_left", "blink", "turn_right"]
    assert parse_challenge(None) is None
    with pytest.raises(ValueError, match="nod"):
        parse_challenge(["blink", "nod"])
    with pytest.raises(ValueError, match="empty"):
        parse_challenge(" , ")


def events(*actions):
    return [Event(action, frame=10 * i, time_s=0.4 * i) for i, action in enumerate(actions)]


@pytest.mark.parametrize(
    ("seen", "challenge", "expected"),
    [
        (("turn_left", "blink", "turn_right"), None, (True, [])),
        (("turn_right", "turn_left", "blink"), None, (True, [])),
        (("turn_left", "turn_right"), None, (False, ["no_blink"])),
        (("blink", "turn_left"), None, (False, ["turn_missing"])),
        (("turn_left", "blink"), ["turn_left", "blink"], (True, [])),
        (("blink", "turn_left"), ["turn_left", "blink"], (False, ["challenge_order"])),
        (("blink", "turn_left", "blink"), ["turn_left", "blink"], (True, [])),
        (("blink",), ["blink", "blink"], (False, ["no_blink"])),
        (("blink", "blink"), ["blink"], (True, [])),
    ],
)
def test_it_judges_a_challenge_by_the_order_of_the_events(seen, challenge, expected):
    assert judge_challenge(events(*seen), challenge) == expected


def test_it_refuses_inconsistent_thresholds():
    with pytest.raises(ValueError):
        Thresholds(match_threshold=0.7, review_threshold=0.6)
    with pytest.raises(ValueError):
        Thresholds(blink_ratio=0.9, blink_reopen_ratio=0.8)
    assert Thresholds().match_threshold == 0.55


def test_it_recommends_a_threshold_between_the_classes():
    assert recommend_threshold([0.3, 0.5], [0.7, 0.9]) == 0.6
    # overlapping classes: fewest errors, ties to the lower threshold (fewer false matches)
    assert recommend_threshold([0.3, 0.65], [0.6, 0.9]) == 0.3
    assert recommend_threshold([], [0.7]) is None
