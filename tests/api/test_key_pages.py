"""The carrier admin's API key pages: list, create (the key shown once), revoke."""

import pytest
from django.urls import reverse

from portal.api.keys import KEY_PATTERN
from portal.api.models import ApiKey
from tests.factories import sign_in

pytestmark = pytest.mark.django_db
KEYS, NEW = "/operator/api-keys/", "/operator/api-keys/new/"


@pytest.fixture
def admin_client(client, users):
    sign_in(client, users["carrier_admin"])
    return client


def test_a_new_key_is_shown_once_and_then_only_by_its_public_id(admin_client, api_client_for):
    response = admin_client.post(
        NEW, {"name": "Online shop", "allowed_networks": "127.0.0.1\n203.0.113.0/24"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    plaintext = KEY_PATTERN.search(page).group(0)
    assert response["Cache-Control"] == "no-store"
    api_key = ApiKey.objects.get(name="Online shop")
    assert api_key.allowed_networks == ["127.0.0.1/32", "203.0.113.0/24"]
    assert api_client_for(plaintext).get("/api/v1/api-key").status_code == 200

    listing = admin_client.get(KEYS).content.decode()
    assert api_key.public_id in listing
    assert "203.0.113.0/24" in listing
    assert plaintext not in listing
    assert KEY_PATTERN.search(listing) is None


def test_the_list_shows_last_use_and_only_the_admins_operator(
    admin_client, api, api_key_cmcc, api_key_cucc
):
    api.get("/api/v1/api-key")
    listing = admin_client.get(KEYS).content.decode()
    assert api_key_cmcc[0].public_id in listing
    assert api_key_cucc[0].public_id not in listing
    assert "127.0.0.1" in listing  # last used from


def test_a_wrong_network_or_a_past_expiry_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        NEW, {"name": "x", "allowed_networks": "not-an-ip", "expires_at": "2000-01-01T00:00"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not-an-ip is not an IP address" in page
    assert "Choose a time in the future." in page
    assert not ApiKey.objects.exists()


def test_revoking_asks_first_then_the_key_stops_working(admin_client, api, api_key_cmcc):
    api_key = api_key_cmcc[0]
    url = reverse("api-pages:key_revoke", args=[api_key.pk])
    assert admin_client.get(url).status_code == 200
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert admin_client.post(url).status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api.get("/api/v1/api-key").status_code == 401


def test_another_operators_key_cannot_be_revoked(admin_client, api_key_cucc):
    url = reverse("api-pages:key_revoke", args=[api_key_cucc[0].pk])
    assert admin_client.post(url).status_code == 404
    api_key_cucc[0].refresh_from_db()
    assert api_key_cucc[0].revoked_at is None


def test_the_carrier_admin_has_the_link_and_others_do_not(admin_client, client, users):
    assert f'href="{KEYS}"' in admin_client.get("/registrations/").content.decode()
    client.logout()
    sign_in(client, users["staff"])
    assert f'href="{KEYS}"' not in client.get("/registrations/").content.decode()
