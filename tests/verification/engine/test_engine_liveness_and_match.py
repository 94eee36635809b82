"""The engine on the real clip and faces of ../shared/data, and on attacks made from them."""

from __future__ import annotations

import itertools

import pytest

from tests.verification.engine.makers import (
    CLIP,
    CLIP_PORTRAIT,
    FACES,
    WITHOUT_CUT_CHECK,
    faces_table,
    still_replay_frames,
    write_video,
)
from verification.engine import verify
from verification.engine.faces import distance

DEFAULT_MATCH = 0.55


def test_it_passes_the_shared_clip_against_its_chip_portrait(clip_result):
    assert clip_result.decision == "pass", clip_result.reasons
    assert clip_result.reasons == []
    assert clip_result.liveness.blinks >= 3
    assert clip_result.liveness.challenge_met
    assert clip_result.match.decision == "match"
    assert clip_result.match.distance <= clip_result.match.pass_threshold
    assert clip_result.identity.consistent


def test_it_sees_the_blinks_of_the_shared_clip_where_they_are(clip_result):
    # The README of the data: blinks around frames 75-80, 124-130 and later ones near 190-210.
    frames = clip_result.liveness.blink_frames
    assert any(72 <= f <= 82 for f in frames), frames
    assert any(120 <= f <= 132 for f in frames), frames
    assert sum(180 <= f <= 215 for f in frames) >= 1, frames
    # The long squint and wink while the head is turned (frames ~43-65) is not a blink.
    assert not any(42 <= f <= 66 for f in frames), frames


def test_it_sees_the_turn_to_the_subjects_left_in_the_shared_clip(clip_result):
    assert "turn_left" in clip_result.liveness.turns_seen
    assert clip_result.liveness.yaw_max_deg > 25


def test_it_says_turn_missing_for_the_right_turn_the_shared_clip_does_not_contain(
    clip_default_result,
):
    # Frames 0-15 tilt the head (roll) without turning it: no turn to the right may be invented.
    assert clip_default_result.decision == "fail"
    assert clip_default_result.reasons == ["turn_missing"]
    assert clip_default_result.liveness.turns_seen == ["turn_left"]
    assert clip_default_result.liveness.yaw_min_deg > -10


def test_it_passes_a_clip_with_a_turn_to_each_side_without_a_challenge(mirrored_clip_frames):
    result = verify(
        portrait=CLIP_PORTRAIT, capture=mirrored_clip_frames, thresholds=WITHOUT_CUT_CHECK
    )
    assert result.decision == "pass", result.reasons
    assert set(result.liveness.turns_seen) == {"turn_left", "turn_right"}
    assert result.liveness.blinks >= 3


def test_it_meets_a_challenge_in_the_order_the_clip_shows(clip_result):
    assert clip_result.liveness.challenge == ["turn_left", "blink"]
    assert clip_result.liveness.challenge_met


def test_it_refuses_a_challenge_in_another_order_than_the_clip_shows():
    result = verify(portrait=CLIP_PORTRAIT, capture=CLIP, challenge=["blink", "turn_left"])
    assert result.decision == "fail"
    assert result.reasons == ["challenge_order"]
    assert not result.liveness.challenge_met


@pytest.mark.parametrize(
    ("challenge", "met"),
    [
        (["turn_left", "blink", "turn_right"], True),
        (["turn_right", "blink", "turn_left"], False),
    ],
)
def test_it_checks_the_order_of_both_turns(mirrored_clip_frames, challenge, met):
    result = verify(
        portrait=CLIP_PORTRAIT,
        capture=mirrored_clip_frames,
        challenge=challenge,
        thresholds=WITHOUT_CUT_CHECK,
    )
    assert result.liveness.challenge_met is met
    assert result.reasons == ([] if met else ["challenge_order"])


def test_it_treats_a_frame_list_like_the_video(clip_frames, clip_result):
    result = verify(portrait=CLIP_PORTRAIT, capture=clip_frames, challenge=["turn_left", "blink"])
    assert result.decision == clip_result.decision
    assert result.liveness.blink_frames == clip_result.liveness.blink_frames
    assert result.liveness.turns_seen == clip_result.liveness.turns_seen
    assert result.match.distance == pytest.approx(clip_result.match.distance, abs=0.02)
    assert result.quality.capture_kind == "frames"


def test_it_reports_a_mirrored_capture_with_left_and_right_swapped(clip_frames):
    result = verify(
        portrait=CLIP_PORTRAIT, capture=clip_frames, challenge=["turn_right"], mirrored=True
    )
    assert result.liveness.turns_seen == ["turn_right"]
    assert result.liveness.challenge_met


@pytest.mark.parametrize(
    "other",
    [row["file"] for row in faces_table() if row["identity"] and row["file"].endswith("_1.jpg")]
    + ["lin_manuel_miranda_1.png"],
)
def test_it_does_not_match_the_clip_against_anybody_else(other):
    result = verify(portrait=FACES / other, capture=CLIP, challenge=["turn_left", "blink"])
    assert result.decision == "fail"
    assert result.reasons == ["no_match"]
    assert result.match.distance > result.match.review_threshold


def test_it_fails_a_still_photo_replayed_as_a_video(tmp_path):
    video = write_video(tmp_path / "replay.mp4", still_replay_frames(FACES / "obama_1.jpg"))
    result = verify(portrait=FACES / "obama_2.jpg", capture=video)
    assert result.decision == "fail"
    assert {"no_blink", "turn_missing", "not_live"} <= set(result.reasons)
    assert result.liveness.blinks == 0
    assert result.liveness.turns_seen == []
    # It is the right person: only liveness fails it.
    assert result.match.decision == "match"


def test_it_fails_a_still_photo_replay_even_when_a_challenge_asks_for_a_blink_only(tmp_path):
    video = write_video(tmp_path / "replay.mp4", still_replay_frames(FACES / "biden_1.jpg", 5))
    result = verify(portrait=FACES / "biden_2.jpg", capture=video, challenge=["blink"])
    assert result.decision == "fail"
    assert "no_blink" in result.reasons
    assert "not_live" in result.reasons


def test_it_fails_a_clip_that_switches_to_another_person(switched_frames):
    result = verify(portrait=CLIP_PORTRAIT, capture=switched_frames, challenge=["turn_left"])
    assert result.decision == "fail"
    assert "identity_changed" in result.reasons
    assert result.identity.max_distance > result.identity.threshold


@pytest.mark.parametrize("group", ["multi_two_people.jpg", "multi_kit_with_rose.jpg"])
def test_it_refuses_a_group_photo_as_portrait(group, clip_frames):
    result = verify(portrait=FACES / group, capture=clip_frames[:100], challenge=["turn_left"])
    assert result.decision == "fail"
    assert "multiple_faces" in result.reasons
    assert result.quality.portrait_faces == 2
    assert result.match.distance is None


def same_and_different(encodings):
    same, different = [], []
    for (a, (ia, ea)), (b, (ib, eb)) in itertools.combinations(encodings.items(), 2):
        if {a, b} == {"obama_2.jpg", "obama_rgba.png"}:
            continue  # the same picture twice
        (same if ia == ib else different).append((distance(ea, eb), a, b))
    return same, different


def test_it_matches_every_same_person_pair_of_the_shared_faces(portrait_encodings):
    same, _ = same_and_different(portrait_encodings)
    assert len(same) >= 25
    misses = [(round(d, 3), a, b) for d, a, b in same if d > DEFAULT_MATCH]
    assert misses == []


def test_it_matches_no_different_person_pair_of_the_shared_faces(portrait_encodings):
    _, different = same_and_different(portrait_encodings)
    assert len(different) >= 100
    false_matches = [(round(d, 3), a, b) for d, a, b in different if d <= 0.62]
    assert false_matches == []


def test_it_finds_the_rgba_png_identical_to_its_jpeg(portrait_encodings):
    assert (
        distance(portrait_encodings["obama_2.jpg"][1], portrait_encodings["obama_rgba.png"][1])
        < 0.1
    )


def test_it_does_little_work_per_clip(clip_result):
    quality = clip_result.quality
    assert quality.frames_decoded == 252
    # a subsample is analysed, the detector runs on few frames, a handful of encodings
    assert quality.landmark_calls <= 252 // 2
    assert quality.detections <= 252 // 10
    assert quality.encodings <= 1 + 3 + 2 * len(clip_result.identity.discontinuities)
    assert set(clip_result.timings_ms) >= {"portrait", "decode", "track", "encode", "total"}
