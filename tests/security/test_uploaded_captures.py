"""Issue 10, hole 2: a file uploaded instead of a live recording passed as live.

Reproduced: the capture page's "upload a recorded clip" fallback took the shared clip, the
engine passed it and the registration was approved, with nothing on the review page or the
registration page saying the capture was a file. Now every capture records its source; an
upload the engine passes goes to a person, labelled; the deployment's setting and the
ministry's policy can switch the fallback off; a source nobody sends is refused.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from registrations.models import Registration
from tests.factories import create_registration, ready_for_capture, sign_in, store_stand_in_portrait
from tests.portal.test_settings import ROOT, production
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES
from tests.verification.test_flow_services import run_job
from verification import services
from verification.errors import VerificationCode, message_for
from verification.models import Challenge, Consent, VerificationJob

pytestmark = pytest.mark.django_db

UPLOADED = "Uploaded file, not recorded live by the camera"
LIVE = "Recorded live by the camera"
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 64  # sniffed as a video; never run by the engine here


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def send_capture(client, registration, data: bytes, **source):
    """Ask for a challenge and answer it, as the capture page does (``source`` as given)."""
    challenge = client.post(reverse("verification:challenge", args=[registration.pk]))
    assert challenge.status_code == 201, challenge.content
    body = {"nonce": challenge.json()["nonce"], "capture": SimpleUploadedFile("c.webm", data)}
    return client.post(reverse("verification:upload", args=[registration.pk]), {**body, **source})


def the_job(registration) -> VerificationJob:
    return VerificationJob.objects.get(registration=registration)


def assert_refused(response, status: int, code: VerificationCode) -> None:
    assert response.status_code == status, response.content
    assert response.json() == {"message": message_for(code), "reasons": [code]}


def assert_untouched(registration) -> None:
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DRAFT
    assert not registration.verification_jobs.exists()
    assert not Challenge.objects.filter(registration=registration, used_at__isnull=False).exists()


@pytest.fixture
def clip_bytes() -> bytes:
    return Path(CLIP).read_bytes()


@pytest.fixture
def clip_challenge(settings):
    """Every challenge asks for what the shared clip shows: a turn to the left, then a blink."""
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink"]


@pytest.fixture
def real_draft(users, outlet_gd, clip_challenge) -> Registration:
    """A draft with the shared clip's own portrait: the engine passes the shared clip."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    return ready_for_capture(registration, users["staff"], Path(CLIP_PORTRAIT).read_bytes())


@pytest.fixture
def draft(users, outlet_gd) -> Registration:
    """A draft ready for its capture, with a stand-in portrait (no engine needed)."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    Consent.objects.create(
        registration=registration,
        text_version=settings.BIOMETRIC_CONSENT_VERSION,
        recorded_by=users["staff"],
    )
    store_stand_in_portrait(registration)
    return registration


# -- what the engine would approve --------------------------------------------------------------


@pytest.mark.slow  # runs the face engine on the shared clip
@pytest.mark.parametrize("source", [{"source": "upload"}, {}], ids=["upload", "unsaid"])
def test_an_upload_the_engine_passes_goes_to_review_labelled_never_approved(
    users, real_draft, clip_bytes, source
):
    staff = signed_in(users["staff"])
    response = send_capture(staff, real_draft, clip_bytes, **source)
    assert response.status_code == 202, response.content

    run_job(the_job(real_draft).pk)

    job = the_job(real_draft)
    real_draft.refresh_from_db()
    assert job.source == VerificationJob.Source.UPLOAD
    assert job.decision == "pass", job.reasons  # the engine alone would have approved it
    assert job.outcome == VerificationJob.Outcome.REVIEW
    assert job.reasons == [VerificationCode.UPLOADED_FILE]
    assert real_draft.status == Registration.Status.REVIEW
    assert real_draft.decision_reasons == [VerificationCode.UPLOADED_FILE]
    status = staff.get(response.json()["status_url"]).json()
    assert status["outcome"] == "review"
    assert [reason["text"] for reason in status["reasons"]] == [
        message_for(VerificationCode.UPLOADED_FILE)
    ]
    assert UPLOADED in status["reasons"][0]["text"]


@pytest.mark.slow  # runs the face engine on the shared clip
def test_a_camera_capture_the_engine_passes_is_still_approved(users, real_draft, clip_bytes):
    response = send_capture(signed_in(users["staff"]), real_draft, clip_bytes, source="camera")
    assert response.status_code == 202, response.content

    run_job(the_job(real_draft).pk)

    job = the_job(real_draft)
    real_draft.refresh_from_db()
    assert job.source == VerificationJob.Source.CAMERA
    assert (job.decision, job.outcome, job.reasons) == ("pass", "approved", [])
    assert real_draft.status == Registration.Status.APPROVED


@pytest.mark.slow  # runs the face engine on the shared clip
def test_an_upload_the_engine_rejects_stays_rejected_and_says_it_was_a_file(
    users, outlet_gd, clip_bytes, clip_challenge
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    someone_else = (Path(FACES) / "obama_1.jpg").read_bytes()
    ready_for_capture(registration, users["staff"], someone_else)
    staff = signed_in(users["staff"])
    assert send_capture(staff, registration, clip_bytes, source="upload").status_code == 202

    run_job(the_job(registration).pk)

    job = the_job(registration)
    registration.refresh_from_db()
    assert job.outcome == VerificationJob.Outcome.REJECTED
    assert "no_match" in job.reasons and VerificationCode.UPLOADED_FILE not in job.reasons
    assert registration.status == Registration.Status.REJECTED
    page = staff.get(reverse("registrations:detail", args=[registration.pk])).content.decode()
    assert UPLOADED in page


# -- the source on the pages --------------------------------------------------------------------


def sent_to_review(registration, actor, source: str) -> VerificationJob:
    """A capture from ``source`` whose job a person must decide (its runs kept dying)."""
    challenge = services.challenge_issue(registration=registration, actor=actor)
    job = services.capture_submit(
        registration=registration, actor=actor, nonce=challenge.nonce, data=WEBM, source=source
    )
    VerificationJob.objects.filter(pk=job.pk).update(
        deliveries=settings.VERIFICATION_MAX_DELIVERIES
    )
    assert services.verification_job_start(job_id=job.pk) is None
    return job


def source_cells(html: str) -> list[str]:
    cells = re.findall(r'class="capture-source">(.*?)</(?:td|dd)>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


@pytest.mark.parametrize(("source", "text"), [("upload", UPLOADED), ("camera", LIVE)])
def test_the_review_page_and_the_registration_page_show_where_the_capture_came_from(
    users, draft, source, text
):
    sent_to_review(draft, users["staff"], source)

    review = signed_in(users["carrier_admin"]).get(reverse("review:detail", args=[draft.pk]))
    detail = signed_in(users["staff"]).get(reverse("registrations:detail", args=[draft.pk]))

    assert review.status_code == detail.status_code == 200
    assert source_cells(review.content.decode()) == [text]
    assert source_cells(detail.content.decode()) == [text]


# -- the switch ---------------------------------------------------------------------------------


def uploads_allowed_attribute(client, registration) -> str:
    page = client.get(reverse("verification:capture", args=[registration.pk])).content.decode()
    return re.search(r'id="capture"[^>]*data-uploads-allowed="(\w+)"', page, re.S).group(1)


def switch_off_by_setting(users, settings):
    settings.VERIFICATION_ALLOW_UPLOADS = False


def switch_off_by_policy(users, settings):
    ministry = signed_in(users["ministry_admin"])
    response = ministry.post("/ministry/policy/", {"cap_per_operator": "5"})  # box unticked
    assert response.status_code == 302


@pytest.mark.parametrize("switch_off", [switch_off_by_setting, switch_off_by_policy])
def test_uploads_switched_off_are_refused_and_the_fallback_hidden(
    users, draft, settings, switch_off
):
    staff = signed_in(users["staff"])
    assert uploads_allowed_attribute(staff, draft) == "true"

    switch_off(users, settings)

    assert uploads_allowed_attribute(staff, draft) == "false"
    for source in ({"source": "upload"}, {}):
        refused = send_capture(staff, draft, WEBM, **source)
        assert_refused(refused, 403, VerificationCode.UPLOADS_OFF)
        assert_untouched(draft)
    accepted = send_capture(staff, draft, WEBM, source="camera")
    assert accepted.status_code == 202, accepted.content
    assert the_job(draft).source == VerificationJob.Source.CAMERA


def test_uploads_are_off_by_default_in_production(tmp_path):
    show = "from django.conf import settings; print(settings.VERIFICATION_ALLOW_UPLOADS)"
    answers = {}
    for name, env in {"production": production(), "local": {"DJANGO_ENV": "local"}}.items():
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", show],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "PORTAL_VAR_DIR": str(tmp_path), **env},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        answers[name] = result.stdout.split()[-1]  # after what the shell says of itself
    assert answers == {"production": "False", "local": "True"}


# -- a source nobody sends ----------------------------------------------------------------------


@pytest.mark.parametrize("source", ["", "Camera", "webcam", "camera\x00", "upload " * 200])
def test_a_source_other_than_camera_or_upload_is_a_400(users, draft, source):
    response = send_capture(signed_in(users["staff"]), draft, WEBM, source=source)
    assert_refused(response, 400, VerificationCode.UNKNOWN_SOURCE)
    assert_untouched(draft)
