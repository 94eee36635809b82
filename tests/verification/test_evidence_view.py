"""The evidence view: decrypted bytes under a viewing grant opened with a stated reason, in
scope, each grant audited."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from tests.factories import create_registration, ready_for_capture, sealed, sign_in
from verification.models import BiometricEvidence, ViewingGrant

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
    evidence.file.save("evidence", sealed(registration, data), save=False)
    evidence.save()
    return evidence


def open_grant(client, registration, reason: str = REASON):
    """Post the reason on the registration page's form: a viewing grant for this client's user."""
    return client.post(f"/registrations/{registration.pk}/evidence/", {"reason": reason})


def grant_of(user, registration) -> ViewingGrant:
    return ViewingGrant.objects.filter(user=user, registration=registration).latest("issued_at")


def url(evidence, grant) -> str:
    return f"/evidence/{grant.pk}/{evidence.pk}/"


def views() -> int:
    """Audit events of looks at evidence: grants opened and files served."""
    actions = ["evidence.viewed", "evidence.grant_opened"]
    return AuditEvent.objects.filter(action__in=actions).count()


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
    sign_in(client, users["inspector"])
    open_grant(client, portrait.registration)
    response = client.get(url(portrait, grant_of(users["inspector"], portrait.registration)))
    assert response.status_code == 200
    assert response.content == portrait_bytes
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"] == f'inline; filename="portrait-{portrait.pk.hex[:8]}.jpg"'
    )


def test_it_records_one_event_per_grant_with_the_reason(client, users, portrait):
    viewer = users["carrier_admin"]
    sign_in(client, viewer)
    open_grant(client, portrait.registration)
    client.get(url(portrait, grant_of(viewer, portrait.registration)))
    open_grant(client, portrait.registration, "Second look at the portrait")
    client.get(url(portrait, grant_of(viewer, portrait.registration)))
    events = list(AuditEvent.objects.filter(action="evidence.grant_opened").order_by("sequence"))
    assert [event.reason for event in events] == [REASON, "Second look at the portrait"]
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists(), "the files: none"
    event = events[0]
    assert event.object_type == "registration"
    assert event.object_id == str(portrait.registration_id)
    assert event.actor_label == viewer.username
    first, second = ViewingGrant.objects.order_by("issued_at")
    assert str(first.pk) in str(event.changes["grant"])
    assert first.expired(), "a new reason ends the grant before"
    assert not second.expired()


@pytest.mark.parametrize("reason", [None, "", "   ", "why", "x" * 201])
def test_without_a_reason_it_is_a_400_and_nothing_is_opened_or_recorded(
    client, users, portrait, reason
):
    sign_in(client, users["inspector"])
    data = {} if reason is None else {"reason": reason}
    response = client.post(f"/registrations/{portrait.registration_id}/evidence/", data)
    assert response.status_code == 400
    assert b"reason" in response.content
    assert response["Content-Type"].startswith("text/html")
    assert response.context["reason_form"].errors["reason"]
    assert not ViewingGrant.objects.exists()
    assert views() == 0


def test_a_file_without_a_grant_is_a_404_and_nothing_is_served(
    client, users, portrait, portrait_bytes
):
    sign_in(client, users["inspector"])
    response = client.get(f"/evidence/{uuid.uuid4()}/{portrait.pk}/")
    assert response.status_code == 404
    assert portrait_bytes[:64] not in response.content
    assert client.get(f"/evidence/{portrait.pk}/").status_code == 404, "the old links are gone"
    assert views() == 0


@pytest.mark.parametrize("role", ["inspector_gd", "carrier_admin_cucc"])
def test_out_of_scope_evidence_is_a_404_like_a_missing_one(
    client, users, portrait, portrait_bj, role
):
    sign_in(client, users[role])
    evidence = portrait_bj if role == "inspector_gd" else portrait
    assert open_grant(client, evidence.registration).status_code == 404
    missing = f"/registrations/{uuid.uuid4()}/evidence/"
    assert client.post(missing, {"reason": REASON}).status_code == 404, "no hint that it exists"
    assert not ViewingGrant.objects.exists()
    assert views() == 0


def test_a_grant_whose_registration_left_the_scope_serves_nothing(
    client, users, portrait, portrait_bj
):
    """A grant row made for a registration out of the viewer's scope (no form makes one)."""
    viewer = users["inspector_gd"]
    sign_in(client, viewer)
    grant = ViewingGrant.objects.create(
        registration=portrait_bj.registration,
        user=viewer,
        reason=REASON,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    assert client.get(url(portrait_bj, grant)).status_code == 404


@pytest.mark.parametrize("role", ["staff", "ministry_admin", "partner"])
def test_roles_without_the_permission_get_a_403(client, users, portrait, role):
    inspector = users["inspector"]
    sign_in(client, inspector)
    open_grant(client, portrait.registration)
    grant = grant_of(inspector, portrait.registration)
    sign_in(client, users[role])
    assert open_grant(client, portrait.registration).status_code == 403
    assert client.get(url(portrait, grant)).status_code == 403
    assert views() == 1, "the inspector's grant only"


def test_anonymous_visitors_are_sent_to_sign_in(client, portrait):
    for response in (
        client.get(f"/evidence/{uuid.uuid4()}/{portrait.pk}/"),
        open_grant(client, portrait.registration),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_storage_has_no_public_url(portrait):
    with pytest.raises(ValueError):
        portrait.file.url  # noqa: B018


def test_an_inspector_finds_the_evidence_on_the_registration_page_after_giving_a_reason(
    client, users, portrait
):
    sign_in(client, users["inspector_gd"])
    page = f"/registrations/{portrait.registration_id}/"
    before = client.get(page).content.decode()
    assert "Reason for viewing the evidence" in before
    assert f"/{portrait.pk}/" not in before, "no file before a reason is given"

    response = open_grant(client, portrait.registration)
    assert response.status_code == 302 and response["Location"] == page
    after = client.get(page).content.decode()
    grant = grant_of(users["inspector_gd"], portrait.registration)
    assert f'src="/evidence/{grant.pk}/{portrait.pk}/"' in after
    assert "Spot%20check" not in after and "?reason=" not in after, "links name the grant only"
    assert AuditEvent.objects.filter(action="evidence.grant_opened").count() == 1
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists(), "the page alone"


def test_outlet_staff_see_no_evidence_section(client, users, portrait):
    sign_in(client, users["staff"])
    response = client.get(f"/registrations/{portrait.registration_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert portrait.registration.iccid in page, "the page shows the registration itself"
    assert "Reason for viewing the evidence" not in page
    with_reason = client.get(f"/registrations/{portrait.registration_id}/", {"reason": REASON})
    assert with_reason.status_code == 200
    assert f"/{portrait.pk}/" not in with_reason.content.decode()
    assert open_grant(client, portrait.registration).status_code == 403


def test_a_file_no_key_can_decrypt_is_a_clear_error_and_no_event(client, users, portrait, settings):
    from cryptography.fernet import Fernet

    sign_in(client, users["inspector"])
    open_grant(client, portrait.registration)
    settings.EVIDENCE_KEYS = [Fernet.generate_key().decode()]  # the writing key is gone
    response = client.get(url(portrait, grant_of(users["inspector"], portrait.registration)))
    assert response.status_code == 503
    assert "cannot be decrypted" in response.content.decode()
    assert views() == 1, "the grant's event, nothing for the file"
