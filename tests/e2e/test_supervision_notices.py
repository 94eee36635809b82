"""A finding becomes a rectification notice in a real browser: the inspector records the
finding and issues the notice, the carrier admin (another browser) answers it, the inspector
accepts the answer, and the notice's timeline shows each step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.supervision.models import Finding, Notice
from tests.e2e.conftest import sign_in_through_the_pages
from tests.factories import create_registration

pytestmark = [pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ANSWER = "Staff retrained on 1 December; 3 registrations re-verified."


@pytest.fixture
def open_page(browser):
    """``open_page()``: a page of a new browser context (its own cookies: its own person)."""
    contexts = []

    def new_page():
        context = browser.new_context(viewport=WIDE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def fits_a_phone(page) -> bool:
    """At 390 px wide the page does not scroll sideways (left back at 1366 px)."""
    page.set_viewport_size(PHONE)
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def at_both_widths(page, screenshot, step: str) -> None:
    screenshot(f"{step}-1366", page)
    assert fits_a_phone(page), f"{step}: no sideways scroll at 390 px"
    screenshot(f"{step}-390", page)
    page.set_viewport_size(WIDE)


def test_a_notice_is_issued_answered_by_the_operator_and_accepted(
    open_page, live_server, users, cmcc, outlet_gd, screenshot
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    inspector = open_page()
    sign_in_through_the_pages(inspector, live_server, "inspector_gd")

    inspector.goto(f"{live_server.url}/supervision/findings/new/")
    inspector.select_option("#id_operator", str(cmcc.pk))
    inspector.select_option("#id_province", "440000")
    inspector.select_option("#id_severity", "high")
    inspector.fill("#id_description", "Registrations approved without a live capture.")
    inspector.fill("#id_registrations", str(registration.pk))
    inspector.fill("#id_outlets", outlet_gd.code)
    inspector.fill("#id_staff", "staff_gd")
    screenshot("finding-new-1366", inspector)
    inspector.click("button:has-text('Record the finding')")
    inspector.wait_for_selector("text=Finding recorded.")
    finding = Finding.objects.get()
    assert inspector.url.endswith(f"/supervision/findings/{finding.pk}/")
    assert outlet_gd.code in inspector.locator("main").inner_text(), "the outlet is linked"

    deadline = timezone.localdate() + timedelta(days=10)
    inspector.fill("#id_deadline", deadline.isoformat())
    inspector.fill("#id_required_actions", "Retrain the staff and re-verify.")
    inspector.click("button:has-text('Issue the notice')")
    inspector.wait_for_selector("text=Rectification notice issued to")
    notice = Notice.objects.get()
    assert (notice.finding_id, notice.status, notice.deadline) == (
        finding.pk,
        Notice.Status.ISSUED,
        deadline,
    )
    screenshot("finding-with-notice-1366", inspector)

    # The carrier admin, in a browser of their own, finds the notice and answers it.
    carrier = open_page()
    sign_in_through_the_pages(carrier, live_server, "carrier_admin_cmcc")
    carrier.goto(f"{live_server.url}/operator/notices/")
    assert f"N-{notice.pk}" in carrier.locator("main").inner_text()
    at_both_widths(carrier, screenshot, "operator-notice-list")
    carrier.click(f"a:has-text('N-{notice.pk}')")
    carrier.wait_for_selector("text=Answer the notice")
    assert "Retrain the staff and re-verify." in carrier.locator("main").inner_text()
    carrier.fill("#id_actions_taken", ANSWER)
    carrier.click("button:has-text('Send the answer')")
    carrier.wait_for_selector("text=Answer sent to the ministry.")
    carrier.wait_for_selector("text=waiting for the ministry's decision")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ANSWERED
    at_both_widths(carrier, screenshot, "operator-notice-answered")

    # The inspector reads the answer and accepts it.
    inspector.goto(f"{live_server.url}/supervision/notices/")
    inspector.click(f"a:has-text('N-{notice.pk}')")
    inspector.wait_for_selector("text=Decide on the answer")
    assert ANSWER in inspector.locator("main").inner_text(), "the operator's answer is shown"
    inspector.click("button:has-text('Accept: the rectification is done')")
    inspector.wait_for_selector("text=Notice accepted: the rectification is done.")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ACCEPTED
    assert inspector.locator("button:has-text('Accept')").count() == 0, "decided once"

    timeline = inspector.locator("ol.timeline li").all_inner_texts()
    steps = [
        ("Finding recorded", "inspector_gd"),
        ("Rectification notice issued", "inspector_gd"),
        ("Rectification notice answered", "carrier_admin_cmcc"),
        ("Rectification notice accepted", "inspector_gd"),
    ]
    for (action, actor), line in zip(steps, timeline, strict=True):
        assert action in line and actor in line, (action, actor, line)
    assert list(
        AuditEvent.objects.filter(action__startswith="notice.")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["notice.issued", "notice.answered", "notice.accepted"]
    at_both_widths(inspector, screenshot, "notice-accepted-with-timeline")

    # The operator's side shows the outcome too.
    carrier.reload()
    assert "Accepted" in carrier.locator("main").inner_text()
