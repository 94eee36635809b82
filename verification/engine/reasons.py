"""The fixed vocabulary of the engine: decisions and reasons.

Every reason the engine can give is one of the constants below; callers (the Django side, the
review queue, statistics) can rely on this list. ``FAIL_REASONS`` turn a decision into ``fail``;
``REVIEW_REASONS`` turn it into ``review`` when nothing failed.
"""

from __future__ import annotations

PASS = "pass"  # noqa: S105 - a decision, not a password
FAIL = "fail"
REVIEW = "review"
DECISIONS = (PASS, FAIL, REVIEW)

# Media
UNREADABLE_MEDIA = "unreadable_media"
# Why media is unreadable, when the cause is its cost: it starts the detail of an
# ``unreadable_media`` (a retake at a normal size cures it, so it is not a reason of its own).
MEDIA_TOO_HEAVY = "media_too_heavy"
# Quality (portrait or capture)
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
FACE_TOO_SMALL = "face_too_small"
TOO_BLURRY = "too_blurry"
FACE_NOT_VISIBLE = "face_not_visible"
# Liveness
NO_BLINK = "no_blink"
TURN_MISSING = "turn_missing"
LOOK_MISSING = "look_missing"
CHALLENGE_ORDER = "challenge_order"
# An action seen outside the window the schedule gave it, or another movement inside a window.
CHALLENGE_TIMING = "challenge_timing"
# A jump between consecutive frames that no real motion makes: the recording was cut.
SPLICED_MEDIA = "spliced_media"
NOT_LIVE = "not_live"
# Identity and match
IDENTITY_CHANGED = "identity_changed"
NO_MATCH = "no_match"
MATCH_UNCERTAIN = "match_uncertain"

FAIL_REASONS = frozenset(
    {
        UNREADABLE_MEDIA,
        NO_FACE,
        MULTIPLE_FACES,
        FACE_TOO_SMALL,
        TOO_BLURRY,
        FACE_NOT_VISIBLE,
        NO_BLINK,
        TURN_MISSING,
        LOOK_MISSING,
        CHALLENGE_ORDER,
        CHALLENGE_TIMING,
        SPLICED_MEDIA,
        NOT_LIVE,
        IDENTITY_CHANGED,
        NO_MATCH,
    }
)
REVIEW_REASONS = frozenset({MATCH_UNCERTAIN})
ALL_REASONS = FAIL_REASONS | REVIEW_REASONS

# Challenge actions
BLINK = "blink"
TURN_LEFT = "turn_left"
TURN_RIGHT = "turn_right"
LOOK_UP = "look_up"
LOOK_DOWN = "look_down"
ACTIONS = (BLINK, TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN)
# Head movements (a blink is not one): a window asking for one refuses any other in it.
MOVEMENTS = (TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN)
# What a verification without a challenge asks for: a blink and a turn to each side.
DEFAULT_ACTIONS = (BLINK, TURN_LEFT, TURN_RIGHT)
# The reason for an asked action that was not seen at all.
MISSING = {
    BLINK: NO_BLINK,
    TURN_LEFT: TURN_MISSING,
    TURN_RIGHT: TURN_MISSING,
    LOOK_UP: LOOK_MISSING,
    LOOK_DOWN: LOOK_MISSING,
}


def decide(reasons: list[str] | tuple[str, ...]) -> str:
    """The decision that a list of reasons leads to."""
    unknown = set(reasons) - ALL_REASONS
    if unknown:
        raise ValueError(f"unknown reasons: {sorted(unknown)}")
    if any(reason in FAIL_REASONS for reason in reasons):
        return FAIL
    if any(reason in REVIEW_REASONS for reason in reasons):
        return REVIEW
    return PASS
