"""The outlet's verification pages and endpoints refuse bad input plainly, never with a 500.

Every refusal leaves the registration as it was: a draft, no job, no capture stored, the
challenge still unused. No worker is needed: the job's broker message is sent on commit,
which never comes inside these tests' transactions.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest  # axes needs a request to authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration
from tests.factories import PASSWORD, create_registration, ready_for_capture, sign_in
from tests.verification.engine.makers import FACES
from verification import errors
from verification.models import BiometricEvidence, Challenge, Consent, VerificationJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(users) -> Client:
    client = Client()
    assert client.login(request=HttpRequest(), username=users["staff"].username, password=PASSWORD)
    return client


@pytest.fixture
def fresh(users, outlet_gd) -> Registration:
    """A draft with neither consent nor portrait."""
    return create_registration(actor=users["staff"], outlet=outlet_gd)


@pytest.fixture
def draft(fresh, users, portrait_bytes) -> Registration:
    """A draft ready for its live capture."""
    return ready_for_capture(fresh, users["staff"], portrait_bytes)


def url(name: str, registration: Registration) -> str:
    return reverse(f"verification:{name}", args=[registration.pk])


def new_nonce(client: Client, registration: Registration) -> str:
    response = client.post(url("challenge", registration))
    assert response.status_code == 201, response.content
    return response.json()["nonce"]


def upload(client, registration, data: bytes, *, nonce: str, name: str = "capture.webm"):
    return client.post(
        url("upload", registration),
        {"nonce": nonce, "capture": SimpleUploadedFile(name, data)},
    )


def assert_refused(response, status: int, reason: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["reasons"] == [reason]
    assert body["message"] == errors.message_for(reason)


def assert_untouched(registration: Registration) -> None:
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DRAFT
    assert not VerificationJob.objects.filter(registration=registration).exists()
    assert not registration.evidence.filter(kind=BiometricEvidence.Kind.CAPTURE).exists()
    assert not Challenge.objects.filter(registration=registration, used_at__isnull=False).exists()


# -- the capture upload -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(b"just some text, not a recording\n" * 20, "notes.txt", id="text"),
        pytest.param((FACES / "obama_1.jpg").read_bytes(), "photo.jpg", id="jpeg"),
        pytest.param(b"%PDF-1.7\n" + bytes(500), "scan.pdf", id="pdf"),
    ],
)
def test_a_capture_that_is_not_a_video_is_refused(staff_client, draft, data, name):
    response = upload(staff_client, draft, data, nonce=new_nonce(staff_client, draft), name=name)
    assert_refused(response, 400, "not_a_video")
    assert_untouched(draft)


def test_an_empty_capture_is_refused(staff_client, draft):
    response = upload(staff_client, draft, b"", nonce=new_nonce(staff_client, draft))
    assert response.status_code == 400, response.content
    assert response.json()["reasons"][0] in {"empty_file", "missing_file"}
    assert_untouched(draft)


def test_a_capture_over_the_size_limit_is_refused(staff_client, draft, clip_bytes, settings):
    settings.VERIFICATION_MAX_CAPTURE_BYTES = len(clip_bytes) - 1
    response = upload(staff_client, draft, clip_bytes, nonce=new_nonce(staff_client, draft))
    assert_refused(response, 413, "file_too_large")
    assert_untouched(draft)


def test_a_body_the_upload_handler_drops_is_refused_as_too_large(
    staff_client, draft, clip_bytes, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = len(clip_bytes) // 2
    response = upload(staff_client, draft, clip_bytes, nonce=new_nonce(staff_client, draft))
    assert_refused(response, 413, "file_too_large")
    assert_untouched(draft)


def test_an_upload_without_a_file_is_refused(staff_client, draft):
    nonce = new_nonce(staff_client, draft)
    response = staff_client.post(url("upload", draft), {"nonce": nonce})
    assert_refused(response, 400, "missing_file")
    assert_untouched(draft)


def test_an_upload_without_a_nonce_is_refused(staff_client, draft, clip_bytes):
    new_nonce(staff_client, draft)
    response = upload(staff_client, draft, clip_bytes, nonce="")
    assert_refused(response, 400, "challenge_unknown")
    assert_untouched(draft)


def test_a_capture_whose_challenge_expired_is_refused(staff_client, draft, clip_bytes):
    nonce = new_nonce(staff_client, draft)
    past = timezone.now() - timedelta(minutes=10)
    Challenge.objects.filter(nonce=nonce).update(
        issued_at=past, expires_at=past + timedelta(seconds=1)
    )
    response = upload(staff_client, draft, clip_bytes, nonce=nonce)
    assert_refused(response, 409, "challenge_expired")
    assert_untouched(draft)


def test_a_good_capture_is_accepted(staff_client, draft, clip_bytes, clip_challenge):
    response = upload(staff_client, draft, clip_bytes, nonce=new_nonce(staff_client, draft))
    assert response.status_code == 202, response.content
    draft.refresh_from_db()
    assert draft.status == Registration.Status.SUBMITTED
    status = staff_client.get(response.json()["status_url"]).json()
    assert status["status"] == "queued"
    assert status["registration_status"] == "submitted"


def test_a_challenge_tells_the_page_when_to_prompt_each_action(staff_client, draft, clip_challenge):
    response = staff_client.post(url("challenge", draft))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["actions"] == ["turn_left", "blink"]
    assert body["schedule"] == [
        {"action": "turn_left", "from_s": 1.0, "to_s": 3.5},
        {"action": "blink", "from_s": 4.0, "to_s": 6.5},
    ]
    assert body["record_s"] == 7, "until the last window ends, and a margin"
    assert Challenge.objects.get(nonce=body["nonce"]).schedule == body["schedule"]


# -- the steps before the capture ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # The messages are looked up in the test, in its language (the English of the tests),
        # not when the module is collected (the site's default language, Chinese).
        pytest.param(b"not a photo\n" * 50, lambda: errors.message_for("not_an_image"), id="text"),
        pytest.param(
            (FACES / "multi_two_people.jpg").read_bytes(),
            lambda: errors.portrait_message_for("multiple_faces"),
            id="group-photo",
        ),
    ],
)
def test_a_portrait_that_is_not_one_face_is_refused_plainly(staff_client, fresh, data, message):
    message = message()
    response = staff_client.post(
        url("portrait", fresh), {"portrait": SimpleUploadedFile("portrait.jpg", data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not fresh.evidence.exists()
    fresh.refresh_from_db()
    assert fresh.status == Registration.Status.DRAFT


def test_a_portrait_post_without_a_file_is_refused(staff_client, fresh):
    response = staff_client.post(url("portrait", fresh), {})
    assert response.status_code == 400
    assert "Choose the ID portrait file." in response.content.decode()
    assert not fresh.evidence.exists()


def test_a_portrait_the_upload_handler_drops_is_refused_as_too_large(
    staff_client, fresh, portrait_bytes, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = len(portrait_bytes) // 2
    portrait = SimpleUploadedFile("portrait.jpg", portrait_bytes)
    response = staff_client.post(url("portrait", fresh), {"portrait": portrait})
    assert response.status_code == 400
    assert errors.message_for("file_too_large") in response.content.decode()
    assert not fresh.evidence.exists()


def test_consent_not_ticked_is_refused(staff_client, fresh):
    response = staff_client.post(url("consent", fresh), {})
    assert response.status_code == 400
    assert errors.message_for("consent_required") in response.content.decode()
    assert not Consent.objects.filter(registration=fresh).exists()


def test_a_challenge_before_consent_is_refused(staff_client, fresh):
    assert_refused(staff_client.post(url("challenge", fresh)), 409, "consent_missing")
    assert not Challenge.objects.exists()


def test_a_challenge_before_the_portrait_is_refused(staff_client, fresh):
    assert staff_client.post(url("consent", fresh), {"agreed": "on"}).status_code == 302
    assert_refused(staff_client.post(url("challenge", fresh)), 409, "portrait_missing")
    assert not Challenge.objects.exists()


# -- scope and disk -----------------------------------------------------------------------------


def test_another_outlets_staff_gets_404_on_every_step(
    staff_client, users, draft, clip_bytes, portrait_bytes
):
    nonce = new_nonce(staff_client, draft)
    other = Client()
    sign_in(other, users["staff_bj"])
    requests = [
        ("get", "portrait", {}),
        ("post", "portrait", {"portrait": SimpleUploadedFile("p.jpg", portrait_bytes)}),
        ("get", "consent", {}),
        ("post", "consent", {"agreed": "on"}),
        ("get", "capture", {}),
        ("post", "challenge", {}),
        ("post", "upload", {"nonce": nonce, "capture": SimpleUploadedFile("c.mp4", clip_bytes)}),
        ("get", "status", {}),
    ]
    for method, name, data in requests:
        response = getattr(other, method)(url(name, draft), data)
        assert response.status_code == 404, (method, name, response.status_code)
    assert_untouched(draft)
    assert Challenge.objects.filter(registration=draft).count() == 1


def test_no_upload_ever_lands_in_a_temporary_folder(
    staff_client, fresh, portrait_bytes, clip_bytes, clip_challenge, tmp_path, monkeypatch
):
    isolated = tmp_path / "tmp"
    isolated.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(isolated))
    monkeypatch.setenv("TMPDIR", str(isolated))
    system_tmp = Path("/tmp")  # noqa: S108 - only listed, for Django's "*.upload" files
    uploads_before = set(system_tmp.glob("*.upload*"))

    staff_client.post(url("consent", fresh), {"agreed": "on"})
    portrait = SimpleUploadedFile("portrait.jpg", portrait_bytes)
    assert staff_client.post(url("portrait", fresh), {"portrait": portrait}).status_code == 302
    response = upload(staff_client, fresh, clip_bytes, nonce=new_nonce(staff_client, fresh))
    assert response.status_code == 202, response.content

    assert tempfile.gettempdir() == str(isolated)
    assert list(isolated.iterdir()) == []
    assert set(system_tmp.glob("*.upload*")) == uploads_before


def test_a_capture_for_a_number_already_taken_is_refused_and_nothing_is_spent(
    client, users, outlet_gd, portrait_bytes, clip_bytes
):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    # Someone else takes the number while this draft waits (a draft holds no number).
    create_registration(
        actor=users["staff"], outlet=outlet_gd, msisdn=draft.msisdn, status="approved"
    )
    ready_for_capture(draft, users["staff"], portrait_bytes)
    sign_in(client, users["staff"])
    challenge = client.post(f"/registrations/{draft.pk}/capture/challenge/").json()
    response = client.post(
        f"/registrations/{draft.pk}/capture/upload/",
        {"nonce": challenge["nonce"], "capture": SimpleUploadedFile("c.webm", clip_bytes)},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["reasons"] and body["message"]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not VerificationJob.objects.filter(registration=draft).exists()
    assert Challenge.objects.get(nonce=challenge["nonce"]).used_at is None
