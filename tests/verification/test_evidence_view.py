"""The evidence view: decrypted bytes for a stated reason, in scope, each look audited."""

import pytest
from django.core.files.base import ContentFile

from portal.audit.models import AuditEvent
from tests.factories import create_registration, ready_for_capture
from verification.models import BiometricEvidence

pytestmark = pytest.mark.django_db

REASON = "Spot check of outlet GD-001"


def store_evidence(
    registration, *, data: bytes, kind="portrait", content_type="image/jpeg", job=None
):
    """Evidence on the encrypted storage without running the engine (any bytes will do)."""
    evidence = BiometricEvidence(
        registration=registration,
        job=job,
        kind=kind,
        content_type=content_type,
        size=len(data),
        sha256="0" * 64,
    )
    evidence.file.save("evidence", ContentFile(data), save=False)
    evidence.save()
    return evidence


def url(evidence, reason: str | None = REASON) -> str:
    return f"/evidence/{evidence.pk}/" + (f"?reason={reason}" if reason is not None else "")


def views() -> int:
    return AuditEvent.objects.filter(action="evidence.viewed").count()


@pytest.fixture
def portrait(users, outlet_gd, portrait_bytes):
    """The real ID portrait of a Guangdong registration, stored by the flow's own service."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], portrait_bytes)
    return BiometricEvidence.objects.get(registration=registration, kind="portrait")


@pytest.fixture
def portrait_bj(users, outlet_bj, portrait_bytes):
    registration = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    return store_evidence(registration, data=portrait_bytes)


def test_it_serves_the_decrypted_bytes_with_private_headers(
    client, users, portrait, portrait_bytes
):
    client.force_login(users["inspector"])
    response = client.get(url(portrait))
    assert response.status_code == 200
    assert response.content == portrait_bytes
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"] == f'inline; filename="portrait-{portrait.pk.hex[:8]}.jpg"'
    )


def test_it_records_one_event_per_view_with_the_reason(client, users, portrait):
    client.force_login(users["carrier_admin"])
    client.get(url(portrait))
    client.get(url(portrait, "Second look at the portrait"))
    events = list(AuditEvent.objects.filter(action="evidence.viewed").order_by("sequence"))
    assert [event.reason for event in events] == [REASON, "Second look at the portrait"]
    event = events[0]
    assert event.object_type == "registration"
    assert event.object_id == str(portrait.registration_id)
    assert event.actor_label == users["carrier_admin"].username
    assert str(portrait.pk) in str(event.changes["evidence"])
    assert "portrait" in str(event.changes["kind"])


@pytest.mark.parametrize("reason", [None, "", "   ", "why", "x" * 201])
def test_without_a_reason_it_is_a_400_and_nothing_is_served_or_recorded(
    client, users, portrait, portrait_bytes, reason
):
    client.force_login(users["inspector"])
    response = client.get(url(portrait, reason))
    assert response.status_code == 400
    assert b"reason" in response.content
    assert portrait_bytes[:64] not in response.content
    assert response["Content-Type"].startswith("text/html")
    assert views() == 0


@pytest.mark.parametrize("role", ["inspector_gd", "carrier_admin_cucc"])
def test_out_of_scope_evidence_is_a_404_like_a_missing_one(
    client, users, portrait, portrait_bj, role
):
    client.force_login(users[role])
    evidence = portrait_bj if role == "inspector_gd" else portrait
    assert client.get(url(evidence)).status_code == 404
    assert client.get(url(evidence, None)).status_code == 404, "no hint that it exists"
    assert views() == 0


@pytest.mark.parametrize("role", ["staff", "ministry_admin", "partner"])
def test_roles_without_the_permission_get_a_403(client, users, portrait, role):
    client.force_login(users[role])
    assert client.get(url(portrait)).status_code == 403
    assert views() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, portrait):
    response = client.get(url(portrait))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_storage_has_no_public_url(portrait):
    with pytest.raises(ValueError):
        portrait.file.url  # noqa: B018


def test_an_inspector_finds_the_evidence_on_the_registration_page_after_giving_a_reason(
    client, users, portrait
):
    client.force_login(users["inspector_gd"])
    page = f"/registrations/{portrait.registration_id}/"
    before = client.get(page).content.decode()
    assert "Reason for viewing the evidence" in before
    assert f"/evidence/{portrait.pk}/" not in before, "no file before a reason is given"

    after = client.get(page, {"reason": REASON}).content.decode()
    assert f"/evidence/{portrait.pk}/?reason=Spot%20check" in after
    assert views() == 0, "the page itself shows no bytes; each file load is the audited view"


def test_outlet_staff_see_no_evidence_section(client, users, portrait):
    client.force_login(users["staff"])
    response = client.get(f"/registrations/{portrait.registration_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert portrait.registration.iccid in page, "the page shows the registration itself"
    assert "Reason for viewing the evidence" not in page
    with_reason = client.get(f"/registrations/{portrait.registration_id}/", {"reason": REASON})
    assert with_reason.status_code == 200
    assert f"/evidence/{portrait.pk}/" not in with_reason.content.decode()


def test_a_file_no_key_can_decrypt_is_a_clear_error_and_no_event(client, users, portrait, settings):
    from cryptography.fernet import Fernet

    settings.EVIDENCE_KEYS = [Fernet.generate_key().decode()]  # the writing key is gone
    client.force_login(users["inspector"])
    response = client.get(url(portrait))
    assert response.status_code == 503
    assert "cannot be decrypted" in response.content.decode()
    assert views() == 0
