"""Bearer keys: who gets in, and the 401 problem that says why someone did not."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.api import keys
from portal.api.auth import ApiKeyAuthentication
from portal.api.models import ApiKey
from portal.api.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def _authenticate(raw, address="198.51.100.7"):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get(
        "/api/v1/reasons", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=address
    )
    return ApiKeyAuthentication().authenticate(Request(request))


def _refusal(raw, address="198.51.100.7"):
    from rest_framework.exceptions import AuthenticationFailed

    with pytest.raises(AuthenticationFailed) as refused:
        _authenticate(raw, address)
    return refused.value.get_codes()


def test_a_valid_key_authenticates_as_its_partner_account(api_key_cmcc, partner_cmcc):
    api_key, plaintext = api_key_cmcc
    user, auth = _authenticate(plaintext)
    assert user == partner_cmcc
    assert auth.pk == api_key.pk


def test_no_bearer_header_is_no_authentication_attempt(db):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    assert ApiKeyAuthentication().authenticate(Request(APIRequestFactory().get("/api/v1/"))) is None


def test_a_key_with_a_wrong_checksum_is_refused_without_a_query(api_key_cmcc):
    plaintext = api_key_cmcc[1]
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    with CaptureQueriesContext(connection) as queries:
        assert _refusal(tampered) == "api_key_malformed"
    assert len(queries) == 0


def test_a_well_formed_key_that_is_not_ours_is_unknown(api_key_cmcc):
    api_key = api_key_cmcc[0]
    forged = keys.new_key(api_key.public_id)  # right id, right checksum, wrong secret
    assert _refusal(forged) == "api_key_unknown"


def test_a_revoked_key_is_refused_at_once_even_when_cached(api_key_cmcc, users):
    api_key, plaintext = api_key_cmcc
    _authenticate(plaintext)  # now cached
    api_key_revoke(api_key=api_key, actor=users["carrier_admin"])
    assert _refusal(plaintext) == "api_key_revoked"


def test_an_expired_key_is_refused(cmcc, users):
    api_key, plaintext = api_key_create(
        operator=cmcc,
        name="short",
        actor=users["carrier_admin"],
        expires_at=timezone.now() + timedelta(hours=1),
    )
    ApiKey.objects.filter(pk=api_key.pk).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    assert _refusal(plaintext) == "api_key_expired"


def test_the_allow_list_admits_its_networks_only(cmcc, users):
    _, plaintext = api_key_create(
        operator=cmcc,
        name="office",
        actor=users["carrier_admin"],
        allowed_networks=["203.0.113.0/24", "2001:db8::1"],
    )
    assert _authenticate(plaintext, "203.0.113.200")
    assert _authenticate(plaintext, "2001:db8::1")
    assert _refusal(plaintext, "198.51.100.7") == "api_key_address_refused"


def test_the_allow_list_reads_the_client_behind_trusted_proxies(cmcc, users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _, plaintext = api_key_create(
        operator=cmcc,
        name="proxied",
        actor=users["carrier_admin"],
        allowed_networks=["203.0.113.9"],
    )
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get(
        "/api/v1/reasons",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert ApiKeyAuthentication().authenticate(Request(request))


def test_a_cached_key_authenticates_with_no_query(api_key_cmcc):
    plaintext = api_key_cmcc[1]
    _authenticate(plaintext)  # fills the cache, notes the use
    with CaptureQueriesContext(connection) as queries:
        user, _ = _authenticate(plaintext)
        assert user.role is not None
        assert user.has_perm("registrations.add_registration")
    assert len(queries) == 0


def test_a_key_held_by_the_process_is_not_even_read_from_the_cache(api_key_cmcc, monkeypatch):
    from django.core.cache import cache

    plaintext = api_key_cmcc[1]
    first, _ = _authenticate(plaintext)
    monkeypatch.setattr(cache, "get", lambda *a, **k: pytest.fail(f"cache read: {a}"))
    user, _ = _authenticate(plaintext)
    assert user is first


def test_another_process_s_revocation_takes_effect_once_the_memo_lapses(api_key_cmcc, monkeypatch):
    """Another process revoked the key: the row changed and the shared cache lost its copy,
    but this process's memo still holds it, for KEY_MEMO_SECONDS at most."""
    from django.core.cache import cache

    from portal.api import selectors

    api_key, plaintext = api_key_cmcc
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    _authenticate(plaintext)
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    cache.delete(selectors.key_cache_name(api_key.public_id))
    clock[0] += selectors.KEY_MEMO_SECONDS / 2
    assert _authenticate(plaintext)[1].pk == api_key.pk
    clock[0] += selectors.KEY_MEMO_SECONDS
    assert _refusal(plaintext) == "api_key_revoked"


def test_last_use_is_written_once_a_minute_not_per_request(api_key_cmcc):
    api_key, plaintext = api_key_cmcc
    _authenticate(plaintext, "198.51.100.7")
    first = ApiKey.objects.get(pk=api_key.pk)
    assert first.last_used_ip == "198.51.100.7"
    _authenticate(plaintext, "198.51.100.8")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first.last_used_at


def test_an_api_request_without_a_key_gets_a_401_problem_with_bearer_challenge(anonymous_api):
    response = anonymous_api.get("/api/v1/api-key")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["reasons"] == ["not_authenticated"]


@pytest.mark.parametrize(
    "mangle, reason",
    [
        (lambda key: "simk_short", "api_key_malformed"),
        (lambda key: key[:-1] + ("x" if key[-1] != "x" else "y"), "api_key_malformed"),
    ],
)
def test_a_bad_key_gets_a_401_problem_naming_why(api_key_cmcc, api_client_for, mangle, reason):
    response = api_client_for(mangle(api_key_cmcc[1])).get("/api/v1/api-key")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["reasons"] == [reason]
    assert body["status"] == 401
    assert body["detail"]


def test_a_revoked_key_gets_a_401_problem_over_http(api, api_key_cmcc, users):
    assert api.get("/api/v1/api-key").status_code == 200
    api_key_revoke(api_key=api_key_cmcc[0], actor=users["carrier_admin"])
    response = api.get("/api/v1/api-key")
    assert response.status_code == 401
    assert response.json()["reasons"] == ["api_key_revoked"]


def test_the_key_in_use_is_described_to_its_holder(api, api_key_cmcc):
    body = api.get("/api/v1/api-key").json()
    assert body["public_id"] == api_key_cmcc[0].public_id
    assert body["operator"] == "CMCC"


def test_a_session_does_not_open_the_api(client, users):
    from tests.factories import sign_in

    sign_in(client, users["partner"])
    assert client.get("/api/v1/api-key").status_code == 401
