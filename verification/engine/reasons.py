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
# Quality (portrait or capture)
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
FACE_TOO_SMALL = "face_too_small"
TOO_BLURRY = "too_blurry"
FACE_NOT_VISIBLE = "face_not_visible"
# Liveness
NO_BLINK = "no_blink"
TURN_MISSING = "turn_missing"
CHALLENGE_ORDER = "challenge_order"
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
        CHALLENGE_ORDER,
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
ACTIONS = (BLINK, TURN_LEFT, TURN_RIGHT)


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
