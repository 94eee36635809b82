"""The partner API's verification operations: portrait, consent, challenges, capture, result,
and the reason vocabulary. The engine never runs here: a capture is followed up to its 202
and its job row (the job is queued only once the test's transaction would commit)."""

import uuid
from datetime import timedelta

import cv2
import numpy as np
import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from registrations.errors import RegistrationCode
from registrations.models import Registration
from tests.api.conftest import online_registration_for
from tests.factories import create_registration, store_stand_in_portrait
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES
from verification import services
from verification.consent_notice import NOTICES
from verification.errors import VerificationCode, message_for
from verification.models import BiometricEvidence, Challenge, Consent, VerificationJob

pytestmark = pytest.mark.django_db


def _url(registration, operation: str) -> str:
    return f"/api/v1/registrations/{registration.pk}/{operation}"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


def _ready_for_capture(registration, partner):
    """Consent recorded and a stand-in portrait stored (no face detection needed)."""
    services.consent_record(
        registration=registration,
        actor=partner,
        text_version=django_settings.BIOMETRIC_CONSENT_VERSION,
        method=Consent.Method.IN_APP_CHECKBOX,
    )
    store_stand_in_portrait(registration)
    return registration


@pytest.fixture
def ready(online_registration, partner_cmcc):
    return _ready_for_capture(online_registration, partner_cmcc)


@pytest.fixture
def clip_challenge(settings):
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink"]
    settings.VERIFICATION_CHALLENGE_SCHEDULE = [1.0, 4.0]
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5


# -- the ID portrait ----------------------------------------------------------------------------


def test_a_portrait_is_checked_and_stored_at_once(api, online_registration):
    response = api.put(
        _url(online_registration, "portrait"), CLIP_PORTRAIT.read_bytes(), "image/jpeg"
    )

    assert response.status_code == 200, response.content
    assert response.json()["content_type"] == "image/jpeg"
    assert response.json()["next_actions"] == ["upload_portrait", "record_consent"]
    portrait = online_registration.evidence.get()
    assert portrait.kind == BiometricEvidence.Kind.PORTRAIT


@pytest.mark.parametrize("content_type", ["text/plain", "image/gif", "application/json"])
def test_a_portrait_of_another_content_type_is_a_415_problem(
    api, online_registration, content_type
):
    response = api.put(
        _url(online_registration, "portrait"), CLIP_PORTRAIT.read_bytes(), content_type
    )

    _problem(response, 415)
    assert not online_registration.evidence.exists()


def test_a_portrait_over_the_limit_is_a_413_problem(api, online_registration, settings):
    settings.VERIFICATION_MAX_PORTRAIT_BYTES = 1000
    data = CLIP_PORTRAIT.read_bytes()
    assert len(data) > 1000

    problem = _problem(api.put(_url(online_registration, "portrait"), data, "image/jpeg"), 413)

    assert problem["reasons"] == ["file_too_large"]
    assert not online_registration.evidence.exists()


def _blank_png() -> bytes:
    """A grey picture with no face in it, made on the fly."""
    ok, encoded = cv2.imencode(".png", np.full((240, 200, 3), 128, dtype=np.uint8))
    assert ok
    return encoded.tobytes()


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        pytest.param(_blank_png(), "image/png", "no_face", id="no-face"),
        pytest.param(
            (FACES / "multi_two_people.jpg").read_bytes(),
            "image/jpeg",
            "multiple_faces",
            id="two-faces",
        ),
        pytest.param(b"not a photo\n" * 50, "image/jpeg", "not_an_image", id="text"),
    ],
)
def test_a_portrait_that_is_not_one_face_is_refused_with_its_reason(
    api, online_registration, data, content_type, reason
):
    response = api.put(_url(online_registration, "portrait"), data, content_type)

    assert _problem(response, 400)["reasons"] == [reason]
    assert not online_registration.evidence.exists()


# -- consent --------------------------------------------------------------------------------


def test_consent_records_how_and_when_the_app_collected_it(api, online_registration, partner_cmcc):
    collected = timezone.now() - timedelta(minutes=2)
    body = {
        "text_version": "2026-12",
        "method": "in_app_signature",
        "collected_at": collected.isoformat(),
    }

    response = api.post(_url(online_registration, "consent"), json=body)

    assert response.status_code == 201, response.content
    consent = Consent.objects.get(registration=online_registration)
    assert consent.method == Consent.Method.IN_APP_SIGNATURE
    assert consent.collected_at == collected
    assert consent.recorded_by == partner_cmcc
    assert response.json()["method"] == "in_app_signature"
    assert consent.language == "zh-hans", "the text of record, when the app does not say"


def test_consent_records_the_language_and_the_digest_of_the_notice_shown(api, online_registration):
    body = {
        "text_version": "2026-12",
        "language": "en",
        "method": "in_app_checkbox",
        "collected_at": timezone.now().isoformat(),
    }

    response = api.post(_url(online_registration, "consent"), json=body)

    assert response.status_code == 201, response.content
    consent = Consent.objects.get(registration=online_registration)
    assert consent.language == "en"
    assert consent.text_digest == NOTICES[("2026-12", "en")].digest
    assert response.json()["text_digest"] == consent.text_digest


@pytest.mark.parametrize(
    "change",
    [
        {"method": "outlet_staff"},  # only staff at a counter record it that way
        {"method": "by_phone"},
        {"collected_at": (timezone.now() + timedelta(hours=1)).isoformat()},
        # Before the registration existed (found by schemathesis: year 269 was accepted).
        {"collected_at": "0269-06-18T22:22:06.84+08:00"},
        {"collected_at": (timezone.now() - timedelta(days=1)).isoformat()},
        {"text_version": ""},
        {"text_version": "2019-01"},  # not the text in force
        {"text_version": "2026-11"},  # the text before it
        {"language": "fr"},  # not a language the notice is published in
    ],
)
def test_consent_with_a_bad_field_is_refused(api, online_registration, change):
    body = {
        "text_version": "2026-12",
        "method": "in_app_checkbox",
        "collected_at": timezone.now().isoformat(),
        **change,
    }

    _problem(api.post(_url(online_registration, "consent"), json=body), 400)
    assert not Consent.objects.filter(registration=online_registration).exists()


def test_consent_after_submission_is_a_conflict(api, partner_cmcc):
    submitted = online_registration_for(partner_cmcc, status="submitted")
    body = {"text_version": "2026-12", "method": "in_app_checkbox", "collected_at": "2026-01-01"}

    problem = _problem(api.post(_url(submitted, "consent"), json=body), 409)

    assert problem["reasons"] == [VerificationCode.NOT_DRAFT.value]


def test_the_outlets_consent_keeps_its_own_method(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)

    consent = services.consent_record(
        registration=registration, actor=users["staff"], text_version="2026-12"
    )

    assert consent.method == Consent.Method.OUTLET_STAFF
    assert consent.collected_at == consent.recorded_at


# -- challenges -----------------------------------------------------------------------------


def test_a_challenge_gives_its_actions_schedule_and_expiry(api, ready, clip_challenge):
    response = api.post(_url(ready, "challenges"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["actions"] == ["turn_left", "blink"]
    assert body["schedule"] == [
        {"action": "turn_left", "from_s": 1.0, "to_s": 3.5},
        {"action": "blink", "from_s": 4.0, "to_s": 6.5},
    ]
    assert body["record_s"] == 7
    assert body["expires_in_s"] == django_settings.VERIFICATION_CHALLENGE_TTL_S
    challenge = Challenge.objects.get(nonce=body["nonce"])
    assert challenge.registration == ready


def test_a_challenge_needs_the_consent_first(api, online_registration):
    problem = _problem(api.post(_url(online_registration, "challenges")), 409)

    assert problem["reasons"] == [VerificationCode.CONSENT_MISSING.value]


def test_challenges_are_as_scarce_as_at_the_outlet(api, ready, settings):
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    settings.VERIFICATION_CHALLENGES_PER_ATTEMPT = 2
    answers = [api.post(_url(ready, "challenges")) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 201, 409]
    assert answers[-1].json()["reasons"] == [VerificationCode.CHALLENGES_EXHAUSTED.value]
    # Asking again within an attempt asks the same actions.
    assert answers[0].json()["actions"] == answers[1].json()["actions"]
    assert ready.challenges.count() == 4


def test_challenges_count_against_the_keys_rate_limit(api, ready, settings):
    settings.RATE_LIMITS = {"challenge": {"api_key": "1/hour"}}
    assert api.post(_url(ready, "challenges")).status_code == 201

    response = api.post(_url(ready, "challenges"))

    assert _problem(response, 429)["reasons"] == ["rate_limited"]
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert ready.challenges.count() == 1


# -- captures -------------------------------------------------------------------------------


def _capture(api, registration, nonce, video: bytes | None = None):
    files = {"video": _video_file(video if video is not None else CLIP.read_bytes())}
    return api.post(_url(registration, "captures"), data={"nonce": nonce}, files=files)


def _video_file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("capture.webm", data, content_type="video/webm")


def test_a_capture_is_accepted_with_its_job_and_submits_the_registration(
    api, ready, partner_cmcc, clip_challenge
):
    nonce = api.post(_url(ready, "challenges")).json()["nonce"]

    response = _capture(api, ready, nonce)

    assert response.status_code == 202, response.content
    job = VerificationJob.objects.get(pk=response.json()["job"])
    assert job.registration == ready
    assert job.status == VerificationJob.Status.QUEUED
    # The partner's app records live: its captures are the camera's, as the page's are.
    assert job.source == VerificationJob.Source.CAMERA
    assert job.created_by == partner_cmcc
    assert job.evidence.get().kind == BiometricEvidence.Kind.CAPTURE
    assert response.headers["Location"].endswith(_url(ready, "verification"))
    ready.refresh_from_db()
    assert ready.status == Registration.Status.SUBMITTED


def test_a_challenge_answers_one_capture_only(api, ready):
    nonce = api.post(_url(ready, "challenges")).json()["nonce"]
    assert _capture(api, ready, nonce).status_code == 202

    problem = _problem(_capture(api, ready, nonce), 409)

    assert problem["reasons"] == [VerificationCode.CHALLENGE_USED.value]
    assert ready.verification_jobs.count() == 1


@pytest.mark.parametrize(
    ("nonce", "video", "reason"),
    [
        ("not-issued", None, VerificationCode.CHALLENGE_UNKNOWN),
        ("ISSUED", b"this is not a video" * 10, VerificationCode.NOT_A_VIDEO),
        ("ISSUED", b"", VerificationCode.EMPTY_FILE),
    ],
)
def test_a_bad_capture_is_refused_and_changes_nothing(api, ready, nonce, video, reason):
    issued = api.post(_url(ready, "challenges")).json()["nonce"]
    nonce = issued if nonce == "ISSUED" else nonce

    problem = _problem(_capture(api, ready, nonce, video), 400)

    assert problem["reasons"] == [reason.value]
    assert not ready.verification_jobs.exists()
    ready.refresh_from_db()
    assert ready.status == Registration.Status.DRAFT


def test_a_capture_without_a_video_is_refused(api, ready):
    nonce = api.post(_url(ready, "challenges")).json()["nonce"]

    response = api.post(_url(ready, "captures"), data={"nonce": nonce}, files={})

    assert _problem(response, 400)["reasons"] == [VerificationCode.MISSING_FILE.value]


def test_captures_count_against_the_keys_rate_limit(api, ready, settings):
    settings.RATE_LIMITS = {"capture_upload": {"api_key": "1/hour"}}
    first, second = (api.post(_url(ready, "challenges")).json()["nonce"] for _ in range(2))
    assert _capture(api, ready, first, b"").status_code == 400  # refused, but counted

    response = _capture(api, ready, second)

    assert _problem(response, 429)["reasons"] == ["rate_limited"]
    assert "Retry-After" in response.headers
    assert not ready.verification_jobs.exists()


def test_a_capture_whose_submission_is_refused_is_a_conflict(api, ready, partner_cmcc):
    nonce = api.post(_url(ready, "challenges")).json()["nonce"]
    # Meanwhile the number is taken by another registration that went through first.
    other = online_registration_for(partner_cmcc)
    Registration.objects.filter(pk=other.pk).update(msisdn=ready.msisdn, status="approved")

    problem = _problem(_capture(api, ready, nonce), 409)

    assert problem["reasons"] == [RegistrationCode.MSISDN_IN_USE.value]
    assert not ready.verification_jobs.exists()


# -- the verification resource ----------------------------------------------------------------


def test_the_verification_before_any_capture(api, ready):
    body = api.get(_url(ready, "verification")).json()

    assert body["status"] == "none"
    assert body["job"] is None
    assert body["attempts_left"] == django_settings.VERIFICATION_MAX_ATTEMPTS
    assert body["next_actions"] == ["upload_portrait", "issue_challenge", "submit_capture"]


def test_the_verification_gives_the_outcome_and_its_reasons_in_words(api, ready):
    nonce = api.post(_url(ready, "challenges")).json()["nonce"]
    job_id = _capture(api, ready, nonce).json()["job"]
    assert api.get(_url(ready, "verification")).json()["status"] == "queued"
    # What the worker leaves after a capture that showed no blink: a retake asked for.
    Registration.objects.filter(pk=ready.pk).update(status=Registration.Status.VERIFYING)
    VerificationJob.objects.filter(pk=job_id).update(
        status=VerificationJob.Status.DONE,
        decision="fail",
        outcome=VerificationJob.Outcome.RETAKE,
        reasons=["no_blink"],
        finished_at=timezone.now(),
    )

    body = api.get(_url(ready, "verification")).json()

    assert body["job"] == job_id
    assert body["status"] == "done"
    assert body["decision"] == "fail"
    assert body["outcome"] == "retake"
    assert body["reasons"] == [{"code": "no_blink", "text": message_for("no_blink")}]
    assert body["attempts_left"] == django_settings.VERIFICATION_MAX_ATTEMPTS - 1
    assert body["retake_allowed"] is True
    assert body["next_actions"] == ["issue_challenge", "submit_capture"]


# -- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("put", "portrait"),
        ("post", "consent"),
        ("post", "challenges"),
        ("post", "captures"),
        ("get", "verification"),
    ],
)
def test_every_operation_on_a_registration_not_of_this_key_is_a_404(
    api, api_cucc, users, outlet_gd, ready, method, operation
):
    at_an_outlet = create_registration(actor=users["staff"], outlet=outlet_gd)
    nobodys = Registration(pk=uuid.uuid4())

    def call(client, registration):
        if method == "put":
            return client.put(
                _url(registration, operation), CLIP_PORTRAIT.read_bytes(), "image/jpeg"
            )
        if method == "post":
            return client.post(_url(registration, operation), json={})
        return client.get(_url(registration, operation))

    for client, registration in [(api_cucc, ready), (api, at_an_outlet), (api, nobodys)]:
        _problem(call(client, registration), 404)
    assert not ready.challenges.exists()
    assert ready.evidence.count() == 1  # the stand-in portrait only
    # The key's own registration is found (whatever the operation then says of the request).
    assert call(api, ready).status_code != 404


# -- the reason vocabulary --------------------------------------------------------------------


def test_the_reasons_list_every_code_with_its_sentence_without_a_key(anonymous_api):
    response = anonymous_api.get("/api/v1/reasons")

    assert response.status_code == 200
    by_code = {entry["code"]: entry for entry in response.json()}
    assert set(VerificationCode.values) | set(RegistrationCode.values) <= set(by_code)
    assert by_code["no_blink"] == {
        "code": "no_blink",
        "text": message_for("no_blink"),
        "group": "engine",
    }
    assert by_code["challenge_used"]["group"] == "verification"
    assert by_code["id_checksum"]["group"] == "registration"
    assert by_code["rate_limited"]["group"] == "rate_limit"
    assert all("%(" not in entry["text"] for entry in by_code.values())
