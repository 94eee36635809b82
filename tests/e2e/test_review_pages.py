"""A carrier admin decides a case of the manual review queue in a real browser."""

import time
from pathlib import Path

import pytest

from portal.audit.models import AuditEvent
from registrations.models import Registration
from tests.e2e.test_registration_pages import sign_in
from tests.factories import create_registration, is_postgres, ready_for_capture
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT
from tests.verification.test_flow_services import capture, run_job

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sent_to_review(users, outlet_gd, settings):
    if not is_postgres():
        # The page loads its pictures in parallel, each writing an audit event; the in-memory
        # SQLite test database (shared cache) refuses a second writer at once instead of
        # waiting, as the file database of the demo does (BEGIN IMMEDIATE with a timeout).
        pytest.skip("needs PostgreSQL: parallel audited loads on in-memory SQLite")
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink", "turn_right"]
    settings.VERIFICATION_MAX_ATTEMPTS = 1
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], Path(CLIP_PORTRAIT).read_bytes())
    run_job(capture(registration, users["staff"], Path(CLIP).read_bytes()).pk)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REVIEW
    return registration


def test_a_carrier_admin_views_the_evidence_with_a_reason_and_approves(
    page, live_server, users, sent_to_review, screenshot
):
    sign_in(page, live_server, "carrier_admin_cmcc")
    page.get_by_role("link", name="Review").click()
    # The case's reason as a sentence in the queue (the same sentence is also a filter option).
    page.wait_for_selector("td >> text=A head turn that was asked for was not seen")
    screenshot("review-queue")
    page.click(f"a:has-text('{sent_to_review.msisdn_display}')")
    # The carrier admin is this case's reviewer: its purpose is stated for them, once.
    page.wait_for_selector("text=Manual review of this case")
    images = page.locator(".evidence-grid img")
    assert images.count() >= 3, "the ID portrait and the key frames"
    # Polled from here: the page's Content-Security-Policy (no eval) forbids wait_for_function.
    deadline = time.monotonic() + 15
    while not images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"):
        assert time.monotonic() < deadline, "every evidence image loads"
        page.wait_for_timeout(100)
    assert page.locator(".evidence-grid video").count() == 1
    screenshot("review-case-with-evidence")
    opened = AuditEvent.objects.filter(action="evidence.grant_opened")
    assert list(opened.values_list("reason", flat=True)) == ["Manual review of this case"]
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists(), "none per picture"
    assert "reason=" not in page.url

    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=Write the reason for the decision.")
    page.fill("#id_note", "Same person as the ID portrait; the right turn is out of frame.")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=Nothing is waiting for review.")
    screenshot("review-queue-empty")
    sent_to_review.refresh_from_db()
    assert sent_to_review.status == Registration.Status.APPROVED
