"""A spot check end to end in a real browser: the inspector defines a campaign, the sample is
drawn, each sample is re-adjudicated blind from its evidence, and the report gives the
agreement with the original decisions."""

import time
from pathlib import Path

import pytest

from portal.audit.models import AuditEvent
from portal.supervision.models import SpotCheck, SpotCheckSample
from registrations.models import Registration
from tests.e2e.conftest import sign_in_through_the_pages
from tests.factories import create_registration, sealed, store_stand_in_portrait
from tests.portal.supervision.test_spot_check_pages import SECRET_NOTE, rejected_with_evidence
from tests.verification.engine.makers import CLIP_PORTRAIT
from verification.models import BiometricEvidence

pytestmark = [pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def with_real_pictures(registration: Registration) -> Registration:
    """Its evidence replaced by a real JPEG (a face), so the browser can draw each one."""
    jpeg = Path(CLIP_PORTRAIT).read_bytes()
    for evidence in BiometricEvidence.objects.filter(registration=registration):
        evidence.file.save("evidence", sealed(registration, jpeg), save=False)
        evidence.size = len(jpeg)
        evidence.save()
    return registration


@pytest.fixture
def decided(users, outlet_gd, outlet_bj):
    """In Guangdong, two rejections (portrait and key frame each) and one approval (portrait);
    in Beijing one rejection, outside the Guangdong inspector's scope."""
    rejected = [with_real_pictures(rejected_with_evidence(users, outlet_gd)) for _ in range(2)]
    approved = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    store_stand_in_portrait(approved)
    with_real_pictures(approved)
    beijing = rejected_with_evidence(users, outlet_bj)
    return {"rejected": rejected, "approved": approved, "beijing": beijing}


def wait_for_images(page, selector: str) -> int:
    """How many images match, once each has loaded and has a size (polled: the page's
    Content-Security-Policy forbids the eval behind wait_for_function)."""
    images = page.locator(selector)
    deadline = time.monotonic() + 15
    while not images.evaluate_all(
        "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"
    ):
        assert time.monotonic() < deadline, "every evidence image loads"
        page.wait_for_timeout(100)
    return images.count()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_inspector_runs_a_spot_check_from_the_campaign_to_the_report(
    page, live_server, users, decided, screenshot
):
    page.set_viewport_size(WIDE)
    sign_in_through_the_pages(page, live_server, "inspector_gd")
    page.goto(f"{live_server.url}/supervision/spot-checks/")
    page.click("a:has-text('New campaign')")
    page.fill("#id_name", "Guangdong, December")
    assert page.locator("#id_province option").all_inner_texts() != []
    page.check("input[name=size_method][value=fixed]")
    page.fill("#id_fixed_size", "3")
    screenshot("campaign-new-1366")
    page.click("button:has-text('Draw the sample')")
    page.wait_for_selector("text=3 registrations drawn out of 3.")
    campaign = SpotCheck.objects.get()
    assert page.url.endswith(f"/supervision/spot-checks/{campaign.pk}/")
    assert campaign.population_size == 3, "Beijing's rejection is not in Guangdong's population"
    assert "Rejected" not in page.locator("main").inner_text(), "decisions hidden until judged"
    screenshot("campaign-drawn-1366")

    originals = {}
    page.click("a:has-text('Re-adjudicate the next sample')")
    for number in range(3):
        page.wait_for_selector("h1:has-text('Blind re-adjudication')")
        sample = SpotCheckSample.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
        original = sample.registration.status
        originals[sample.pk] = original
        assert page.locator("img").count() == 0, "nothing shown before the evidence is opened"
        page.click("button:has-text('Show the evidence')")
        expected = 2 if original == Registration.Status.REJECTED else 1
        assert wait_for_images(page, ".evidence-grid img") == expected, "portrait and frames"
        shown = page.locator("main").inner_text()
        for telltale in ("Rejected", "Approved", SECRET_NOTE):
            assert telltale not in shown, f"the blind page does not tell {telltale!r}"
        if number == 0:
            screenshot("sample-evidence-1366")
            page.set_viewport_size(PHONE)
            assert no_sideways_scroll(page), "the blind page fits a phone"
            screenshot("sample-evidence-390")
            page.set_viewport_size(WIDE)
        # The inspector sees no match every time: right for the rejections, not the approval.
        page.check("input[name=verdict][value=no_match]")
        page.fill("#id_note", f"Sample {number + 1}: the chin and the ears differ.")
        page.click("button:has-text('Record the verdict')")
        page.wait_for_selector("text=Verdict recorded.")
        if number < 2:
            assert "/samples/" in page.url, "the next sample follows at once"
    page.wait_for_url(f"**/supervision/spot-checks/{campaign.pk}/")

    assert sorted(originals.values()) == ["approved", "rejected", "rejected"]
    grants = AuditEvent.objects.filter(action="evidence.grant_opened")
    assert grants.count() == 3, "the evidence of each sample was opened once, and audited"
    assert set(grants.values_list("reason", flat=True)) == {
        f"spot check Guangdong, December (#{campaign.pk})"
    }
    assert AuditEvent.objects.filter(action="spot_check.adjudicated").count() == 3

    report = page.locator("section.card", has=page.locator("h2:has-text('Report')"))
    text = report.inner_text()
    assert "Every sample is re-adjudicated." in text
    assert "(2 / 3)" in text, "two of the three blind verdicts agree with the decisions"
    assert page.locator("a:has-text('Re-adjudicate the next sample')").count() == 0
    disagreements = report.locator("table").nth(1).locator("tbody tr")
    assert disagreements.count() == 1
    assert "Approved" in disagreements.inner_text()
    link = disagreements.locator("a").get_attribute("href")
    assert link == f"/registrations/{decided['approved'].pk}/"
    screenshot("campaign-report-1366")

    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page), "the campaign's report fits a phone"
    screenshot("campaign-report-390")
