"""Fixtures for the verification flow: real shared media, consent and portrait in place."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES
from verification import services


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
    """Every challenge asks for what the shared clip shows: a turn to the left, then a blink."""
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink"]


def ready_for_capture(registration, actor, portrait: bytes):
    services.consent_record(
        registration=registration, actor=actor, text_version=settings.BIOMETRIC_CONSENT_VERSION
    )
    services.portrait_store(registration=registration, actor=actor, data=portrait)
    return registration
