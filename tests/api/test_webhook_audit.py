"""Every change to a webhook endpoint is in the audit trail, as the API key that made it,
and never with the signing secret."""

import json

import pytest

from portal.audit.actions import Action
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhook-endpoints"


def events_of(action):
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_the_endpoints_life_is_audited_as_the_key_without_its_secrets(
    api, api_key_cmcc, receiver, private_networks_allowed
):
    key, _plaintext = api_key_cmcc
    created = api.post(URL, json={"url": receiver.url, "events": ["registration.decided"]})
    assert created.status_code == 201, created.content
    endpoint_id, first_secret = created.json()["id"], created.json()["secret"]
    changed = api.patch(f"{URL}/{endpoint_id}", json={"enabled": False})
    assert changed.status_code == 200, changed.content
    rotated = api.post(f"{URL}/{endpoint_id}/rotate-secret")
    assert rotated.status_code in (200, 201), rotated.content
    assert api.delete(f"{URL}/{endpoint_id}").status_code == 204

    trail = [
        *events_of(Action.WEBHOOK_ENDPOINT_CREATED),
        *events_of(Action.WEBHOOK_ENDPOINT_CHANGED),
        *events_of(Action.WEBHOOK_SECRET_ROTATED),
        *events_of(Action.WEBHOOK_ENDPOINT_DELETED),
    ]
    assert len(trail) == 4
    assert {(event.actor_type, event.actor_id) for event in trail} == {("api_key", key.public_id)}
    assert trail[1].changes["enabled"] == [True, False]
    recorded = json.dumps([event.changes for event in trail])
    for secret in (first_secret, rotated.json()["secret"]):
        assert secret not in recorded
