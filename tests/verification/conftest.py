"""Fixtures for the verification flow: the real shared media and a challenge the clip answers."""

from pathlib import Path

import pytest

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES


@pytest.fixture
def clip_bytes() -> bytes:
    return Path(CLIP).read_bytes()


@pytest.fixture
def portrait_bytes() -> bytes:
    return Path(CLIP_PORTRAIT).read_bytes()


@pytest.fixture
def other_portrait_bytes() -> bytes:
    return (Path(FACES) / "obama_1.jpg").read_bytes()


@pytest.fixture
def clip_challenge(settings):
    """Every challenge asks for what the shared clip shows, when it shows it: a turn to the
    left in the window from 1.0 s (she turns at ~1.1-3.1 s), then a blink in the window from
    4.0 s (she blinks at ~5.0 s)."""
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink"]
    settings.VERIFICATION_CHALLENGE_SCHEDULE = [1.0, 4.0]
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5
