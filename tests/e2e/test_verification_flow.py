"""Outlet staff register a subscriber and verify her face with the browser's camera.

Chromium's fake camera plays a y4m file in a loop: the shared clip (she turns to her left,
then blinks), or a still photo of her. Every challenge asks for what the clip shows (a turn
to the left, then a blink), so the outcome is known in advance. A real Celery worker runs
the real engine on PostgreSQL and Redis; without them the tests that need it skip.
"""

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from registrations import rules
from registrations.models import Registration
from tests.e2e.conftest import sign_in_through_the_pages, write_y4m
from tests.factories import create_registration, ready_for_capture
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, read_frames
from tests.workers import require_worker_setup, running_worker
from verification import errors

pytestmark = [pytest.mark.django_db(transaction=True)]

CLIP_ACTIONS = ["turn_left", "blink"]
CLIP_SCHEDULE = [1.0, 4.0]  # window starts, 2.5 s each
STILL_FRAME = 100  # frontal, eyes open: between the blinks at frames 77 and 125
VERDICT_TIMEOUT_MS = 60_000  # recording 7 s, upload, and the worker's ~1 s


@cache
def clip_frames() -> tuple:
    frames = read_frames(CLIP)
    assert len(frames) > STILL_FRAME, "the shared clip could not be read"
    return tuple(frames)


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory):
    """``fake_camera("clip" | "still")``: a y4m for Chromium's fake camera, made once."""
    folder = tmp_path_factory.mktemp("fake-camera")
    makers = {
        "clip": lambda: list(clip_frames()),
        "still": lambda: [clip_frames()[STILL_FRAME]] * 250,  # 10 s of one photo
    }

    @cache
    def make(name: str) -> Path:
        return write_y4m(folder / f"{name}.y4m", makers[name]())

    return make


@pytest.fixture
def clip_challenge(settings):
    # The fake camera starts the clip when the page opens it, just before the recording
    # starts: she turns at ~1.1-3.1 s of it and blinks at ~5.0 s, inside these windows.
    settings.VERIFICATION_CHALLENGE_ACTIONS = CLIP_ACTIONS
    settings.VERIFICATION_CHALLENGE_SCHEDULE = CLIP_SCHEDULE
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5


def sign_in(page, live_server, username="staff_gd"):
    sign_in_through_the_pages(page, live_server, username)


def register_up_to_the_capture(page, live_server, screenshot, *, msisdn):
    """New registration, ID portrait and consent through the pages, as outlet staff do it."""
    sign_in(page, live_server)
    page.get_by_role("link", name="New registration").first.click()
    id_number = rules.make_resident_id(
        area_code="440103", birth_date=date(1988, 5, 17), sequence=41
    )
    page.fill("#id_id_number", id_number)
    page.fill("#id_full_name", "Chen Jing")  # the date of birth is read from the number
    page.fill("#id_msisdn", msisdn)
    page.fill("#id_iccid", rules.make_iccid(body="898600123456789012"))
    screenshot("subscriber", page)
    page.click("button:has-text('Save registration')")

    page.wait_for_selector("text=Registration saved as a draft. Next: the ID portrait.")
    page.set_input_files("input[name=portrait]", str(CLIP_PORTRAIT))
    screenshot("portrait", page)
    page.click("button:has-text('Upload portrait')")

    page.wait_for_selector("text=ID portrait saved.")
    page.check("input[name=agreed]")
    screenshot("consent", page)
    page.click("button:has-text('Record consent')")

    page.wait_for_selector("button:has-text('Start capture')")
    screenshot("capture-ready", page)


def capture_with_the_camera(page, screenshot):
    page.click("button:has-text('Start capture')")
    page.wait_for_selector("#capture-countdown:has-text('Recording')")
    page.wait_for_selector("#capture-action:has-text('Turn your head to YOUR left')")
    screenshot("recording-turn", page)
    page.wait_for_selector("#capture-action:has-text('Blink')")
    screenshot("recording-blink", page)
    page.wait_for_selector("#capture-result:visible", timeout=VERDICT_TIMEOUT_MS)
    screenshot("decision", page)
    return page.inner_text("#capture-outcome")


def test_a_live_subscriber_is_approved(
    camera_page, fake_camera, live_server, users, outlet_gd, clip_challenge, screenshot, tmp_path
):
    require_worker_setup()
    page = camera_page(fake_camera("clip"))
    with running_worker(tmp_path):
        register_up_to_the_capture(page, live_server, screenshot, msisdn="138 0013 8000")
        assert page.locator("#capture-actions li").count() == 0, "no challenge before the start"

        outcome = capture_with_the_camera(page, screenshot)

    # What happened, then the one next step at the counter.
    assert outcome == "Approved: the number is registered to the subscriber."
    assert page.locator("#capture-reasons li").count() == 0
    assert "Hand over the SIM card" in page.inner_text("#capture-result")
    assert page.get_by_role("link", name="Open the registration").is_visible()
    assert not page.get_by_role("button", name="Retake").is_visible()
    assert page.locator("#capture-alert").inner_text() == ""
    registration = Registration.objects.get()
    assert registration.status == "approved"

    page.click("text=Open the registration")
    page.wait_for_selector("table.attempts")
    screenshot("registration", page)

    # The capture page opened again shows the decision at once.
    page.goto(f"{live_server.url}/registrations/{registration.pk}/capture/")
    page.wait_for_selector("#capture-outcome:has-text('Approved')")
    assert not page.get_by_role("button", name="Start capture").is_visible()


def test_a_still_photo_held_to_the_camera_is_rejected(
    camera_page, fake_camera, live_server, users, outlet_gd, clip_challenge, screenshot, tmp_path
):
    require_worker_setup()
    page = camera_page(fake_camera("still"))
    with running_worker(tmp_path):
        register_up_to_the_capture(page, live_server, screenshot, msisdn="138 0013 8001")
        outcome = capture_with_the_camera(page, screenshot)

    assert outcome == "Rejected: the number was not registered."
    shown = page.locator("#capture-reasons li").all_inner_texts()
    assert errors.message_for("not_live") in shown
    job = Registration.objects.get().verification_jobs.get()
    assert shown == [errors.message_for(code) for code in job.reasons]
    assert not page.get_by_role("button", name="Retake").is_visible(), "a photo is not retaken"
    assert Registration.objects.get().status == "rejected"


def test_a_text_file_uploaded_as_a_clip_is_refused_in_plain_words(
    page, live_server, users, outlet_gd, clip_challenge, screenshot, tmp_path
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], Path(CLIP_PORTRAIT).read_bytes())
    fake = tmp_path / "clip.webm"
    fake.write_text("Not a video, only text with a video's name.\n")

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/registrations/{registration.pk}/capture/")
    page.click("text=No camera here? Upload a clip recorded on another device")
    page.set_input_files("#capture-file", str(fake))
    screenshot("file-chosen")
    page.click("button:has-text('Upload a recorded clip')")

    alert = page.get_by_role("alert")
    alert.filter(has_text="The recording must be a video").wait_for()
    screenshot("refused")
    assert alert.inner_text() == errors.message_for("not_a_video")
    shown = page.locator("#capture-actions li").all_inner_texts()
    assert shown == [
        "Turn your head to YOUR left (from 1 s to 3.5 s)",
        "Blink (from 4 s to 6.5 s)",
    ], "the actions asked for are shown, with their times"
    assert "Traceback" not in page.content()
    assert "Upload the clip within" in page.inner_text("#capture-countdown"), "still answerable"
    registration.refresh_from_db()
    assert registration.status == "draft"
    assert not registration.verification_jobs.exists()


def test_a_camera_that_cannot_be_opened_points_to_the_clip_upload(
    page, live_server, users, outlet_gd, clip_challenge, screenshot
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], Path(CLIP_PORTRAIT).read_bytes())

    sign_in(page, live_server)  # a browser without any camera, nor the permission to use one
    page.goto(f"{live_server.url}/registrations/{registration.pk}/capture/")
    page.click("button:has-text('Start capture')")

    alert = page.get_by_role("alert")
    alert.filter(has_text="Upload a recorded clip").wait_for()
    screenshot("no-camera")
    assert "camera" in alert.inner_text()
    assert page.get_by_role("button", name="Upload a recorded clip").is_visible()
    assert page.get_by_role("button", name="Start capture").is_enabled(), "it can be tried again"
    registration.refresh_from_db()
    assert registration.status == "draft"
