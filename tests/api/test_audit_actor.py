"""A write made with an API key is the key's in the audit trail: type api_key, its public id,
the client's address."""

import pytest

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_in_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.plumbing_urls")]


def test_an_api_write_is_audited_with_the_key_as_actor(api, api_key_cmcc, partner_cmcc):
    response = api.post("/api/v1/test/audited", {}, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(sequence=response.json()["sequence"])
    assert event.actor_type == AuditEvent.ActorType.API_KEY
    assert event.actor_id == api_key_cmcc[0].public_id
    assert event.actor_label == partner_cmcc.username
    assert event.actor_role == "api_partner"
    assert event.ip_address == "198.51.100.23"


def test_the_address_is_the_client_behind_the_trusted_proxy(api, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = api.post(
        "/api/v1/test/audited",
        {},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.40",
    )
    event = AuditEvent.objects.get(sequence=response.json()["sequence"])
    assert event.ip_address == "203.0.113.40"


def test_the_key_does_not_outlive_its_request(api, partner_cmcc):
    api.post("/api/v1/test/audited", {})
    # The same account acting outside a request (a task, a command) is a user again.
    event = audit_in_transaction(action=Action.EXPORTED, actor=partner_cmcc, obj=partner_cmcc)
    assert (event.actor_type, event.actor_id) == (AuditEvent.ActorType.USER, str(partner_cmcc.pk))


def test_the_key_creation_and_revocation_are_audited(api_key_cmcc, users):
    from portal.api.services import api_key_revoke

    api_key = api_key_cmcc[0]
    api_key_revoke(api_key=api_key, actor=users["carrier_admin"])
    events = AuditEvent.objects.filter(object_type="apikey", object_id=str(api_key.pk))
    assert [(e.action, e.actor_label) for e in events.order_by("sequence")] == [
        (Action.API_KEY_CREATED, "carrier_admin_cmcc"),
        (Action.API_KEY_REVOKED, "carrier_admin_cmcc"),
    ]
    assert all(e.operator_id == api_key.operator_id for e in events)
    # Neither event holds the secret.
    assert all(api_key_cmcc[1] not in str(e.changes) for e in events)
