"""Each registration's biometric consent as a receipt the person keeps (a page, and a JSON
document with the Kantara consent-receipt fields), and its withdrawal."""

import json

import pytest
from django.urls import reverse

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from verification.consent_notice import NOTICES
from verification.models import Consent

pytestmark = pytest.mark.django_db

KANTARA_FIELDS = {
    "version", "jurisdiction", "consentTimestamp", "collectionMethod", "consentReceiptID",
    "language", "piiPrincipalId", "piiControllers", "policyUrl", "services", "sensitive",
    "spiCat",
}  # fmt: skip


@pytest.fixture
def consented(person, users):
    """The China Mobile registration's consent, as the outlet recorded it (in Chinese)."""
    notice = NOTICES[("2026-12", "zh-hans")]
    return Consent.objects.create(
        registration=person["cmcc"], text_version=notice.version, language=notice.language,
        text_digest=notice.digest, recorded_by=users["staff"],
    )  # fmt: skip


def test_the_receipt_as_json_carries_the_kantara_fields(signed_in, person, consented):
    response = signed_in.get(reverse("selfservice:receipt_json", args=[person["cmcc"].pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    receipt = json.loads(response.content)
    assert set(receipt) >= KANTARA_FIELDS
    assert receipt["jurisdiction"] == "CN" and receipt["sensitive"] is True
    assert receipt["piiPrincipalId"] == person["subscriber"].masked_id_number
    assert receipt["piiControllers"][0]["piiController"] == person["cmcc"].operator.name
    assert receipt["notice"]["sha256"] == NOTICES[("2026-12", "zh-hans")].digest
    assert {item["dataClass"] for item in receipt["retention"]} >= {"capture_video", "id_portrait"}
    again = json.loads(
        signed_in.get(reverse("selfservice:receipt_json", args=[person["cmcc"].pk])).content
    )
    assert again["consentReceiptID"] == receipt["consentReceiptID"], "the same receipt each time"


def test_the_receipt_page_shows_the_notice_agreed_to(signed_in, person, consented):
    page = signed_in.get(reverse("selfservice:receipt", args=[person["cmcc"].pk])).content.decode()

    assert NOTICES[("2026-12", "zh-hans")].intro in page
    assert "In force" in page


def test_withdrawing_makes_what_rests_on_consent_due_and_is_audited(signed_in, person, consented):
    url = reverse("selfservice:withdraw", args=[person["cmcc"].pk])

    assert signed_in.post(url).status_code == 302
    signed_in.post(url)  # twice: nothing more

    consent = Consent.objects.get(pk=consented.pk)
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAWN).count() == 1
    receipt = json.loads(
        signed_in.get(reverse("selfservice:receipt_json", args=[person["cmcc"].pk])).content
    )
    due = {item["dataClass"]: item["keptUntil"] for item in receipt["retention"]}
    assert due["capture_video"] == consent.withdrawn_at.isoformat(timespec="seconds")
    assert due["id_portrait"] is None, "the registration's record stays while it is in use"
    assert receipt["withdrawn"] is not None


def test_no_receipt_of_someone_elses_or_without_a_consent(signed_in, person, users):
    from tests.factories import create_registration

    other = create_registration(actor=users["staff"], outlet=person["cmcc"].outlet)
    assert signed_in.get(reverse("selfservice:receipt", args=[other.pk])).status_code == 404
    assert (
        signed_in.get(reverse("selfservice:receipt", args=[person["cucc"].pk])).status_code == 404
    )
    assert signed_in.post(reverse("selfservice:withdraw", args=[other.pk])).status_code == 404
