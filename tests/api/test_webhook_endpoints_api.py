"""The partner manages its webhook endpoints through the API: the secret shown at creation
and rotation only, a URL to a private address refused with a clear problem, another
operator's endpoint a 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhook-endpoints"


def create(api, url, events=("registration.decided",), **extra):
    return api.post(URL, json={"url": url, "events": list(events), **extra})


def test_an_endpoint_is_created_with_its_secret_shown_once(api, receiver, private_networks_allowed):
    created = create(api, receiver.url, description="Orders")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["events"], body["enabled"]) == (
        receiver.url,
        ["registration.decided"],
        True,
    )
    listed = api.get(URL).json()
    assert [e["id"] for e in listed] == [body["id"]]
    read = api.get(f"{URL}/{body['id']}").json()
    for shown in (listed[0], read):
        assert "secret" not in shown
        assert body["secret"] not in str(shown)
    # Stored sealed: the column holds no plain secret.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhookendpoint")
        (stored,) = cursor.fetchone()
    assert body["secret"] not in stored


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hooks", "webhook_url_not_public"),
        ("http://169.254.169.254/latest/meta-data/", "webhook_url_not_public"),
        ("http://[::1]/hooks", "webhook_url_not_public"),
        ("ftp://203.0.113.7/hooks", "webhook_url_scheme"),
        ("file:///etc/passwd", "invalid"),
    ],
)
def test_a_url_that_is_not_public_is_a_400_problem(api, settings, url, reason):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    refused = create(api, url)
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/problem+json")
    assert reason in refused.json()["reasons"]
    assert WebhookEndpoint.objects.count() == 0


def test_an_unknown_event_or_none_is_refused(api, receiver, private_networks_allowed):
    assert create(api, receiver.url, events=["registration.eaten"]).status_code == 400
    assert create(api, receiver.url, events=[]).status_code == 400


def test_patch_changes_events_turns_off_and_on(api, receiver, private_networks_allowed):
    endpoint_id = create(api, receiver.url).json()["id"]
    changed = api.patch(f"{URL}/{endpoint_id}", json={"events": ["registration.cancelled"]})
    assert changed.json()["events"] == ["registration.cancelled"]
    off = api.patch(f"{URL}/{endpoint_id}", json={"enabled": False}).json()
    assert (off["enabled"], off["disabled_reason"]) == (False, "by_owner")
    on = api.patch(f"{URL}/{endpoint_id}", json={"enabled": True}).json()
    assert (on["enabled"], on["disabled_reason"], on["disabled_at"]) == (True, "", None)


def test_patch_to_a_private_url_is_refused(api, receiver, settings, private_networks_allowed):
    endpoint_id = create(api, receiver.url).json()["id"]
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    refused = api.patch(f"{URL}/{endpoint_id}", json={"url": "http://10.0.0.1/"})
    assert refused.status_code == 400
    assert WebhookEndpoint.objects.get().url == receiver.url


def test_rotation_shows_a_new_secret_and_keeps_the_old_one_for_24_hours(
    api, receiver, private_networks_allowed
):
    created = create(api, receiver.url).json()
    rotated = api.post(f"{URL}/{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    ends = timezone.datetime.fromisoformat(body["previous_secret_expires_at"])
    assert abs(ends - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.signing_secrets() == [body["secret"], created["secret"]]


def test_delete_removes_it(api, receiver, private_networks_allowed):
    endpoint_id = create(api, receiver.url).json()["id"]
    assert api.delete(f"{URL}/{endpoint_id}").status_code == 204
    assert api.get(f"{URL}/{endpoint_id}").status_code == 404


def test_another_operators_key_sees_nothing_of_it(
    api, api_cucc, anonymous_api, receiver, private_networks_allowed
):
    endpoint_id = create(api, receiver.url).json()["id"]
    assert api_cucc.get(URL).json() == []
    for response in (
        api_cucc.get(f"{URL}/{endpoint_id}"),
        api_cucc.patch(f"{URL}/{endpoint_id}", json={"enabled": False}),
        api_cucc.post(f"{URL}/{endpoint_id}/rotate-secret"),
        api_cucc.delete(f"{URL}/{endpoint_id}"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    assert WebhookEndpoint.objects.get().is_active
    assert anonymous_api.get(URL).status_code == 401
