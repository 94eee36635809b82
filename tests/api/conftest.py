"""Fixtures of the partner API tests: keys of two operators and clients that send them.

``api`` is a small client on DRF's APIClient with ``Authorization: Bearer <key>`` set; every
write gets a fresh ``Idempotency-Key`` unless the test gives one (``idempotency_key=None``
sends none).
"""

import uuid

import pytest
from rest_framework.test import APIClient

from portal.api.services import api_key_create
from tests.api.webhook_fixtures import (  # noqa: F401 - the webhook tests' fixtures
    endpoint,
    private_networks_allowed,
    receiver,
)

_FRESH = object()


class ApiTestClient:
    """``get(path, **params)``, ``post(path, json=..., data=..., files=...)``, ``put``,
    ``patch``, ``delete``; each returns DRF's test response (``.json()``, ``.headers``)."""

    def __init__(self, plaintext_key: str | None):
        self.client = APIClient()
        self.key = plaintext_key
        if plaintext_key is not None:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext_key}")

    @staticmethod
    def _idempotency(idempotency_key) -> dict:
        if idempotency_key is _FRESH:
            idempotency_key = str(uuid.uuid4())
        return {} if idempotency_key is None else {"HTTP_IDEMPOTENCY_KEY": idempotency_key}

    def get(self, path, **params):
        return self.client.get(path, params)

    def post(self, path, json=None, data=None, files=None, *, idempotency_key=_FRESH, **extra):
        headers = {**self._idempotency(idempotency_key), **extra}
        if data is not None or files is not None:
            body = {**(data or {}), **(files or {})}
            return self.client.post(path, body, format="multipart", **headers)
        return self.client.post(path, json, format="json", **headers)

    def put(self, path, body, content_type, *, idempotency_key=_FRESH, **extra):
        headers = {**self._idempotency(idempotency_key), **extra}
        return self.client.put(path, body, content_type=content_type, **headers)

    def patch(self, path, json=None, *, idempotency_key=_FRESH, **extra):
        headers = {**self._idempotency(idempotency_key), **extra}
        return self.client.patch(path, json, format="json", **headers)

    def delete(self, path, *, idempotency_key=_FRESH, **extra):
        return self.client.delete(path, **{**self._idempotency(idempotency_key), **extra})


@pytest.fixture
def partner_cmcc(users):
    """CMCC's partner service account (role api_partner): the one its keys act for."""
    return users["partner"]


@pytest.fixture
def api_key_cmcc(partner_cmcc, cmcc, users):
    """(ApiKey, plaintext) of a usable CMCC key, made by CMCC's carrier admin."""
    return api_key_create(operator=cmcc, name="CMCC online shop", actor=users["carrier_admin"])


@pytest.fixture
def api_key_cucc(cucc, users):
    """(ApiKey, plaintext) of a key of another operator (CUCC, its own partner account)."""
    return api_key_create(operator=cucc, name="CUCC app", actor=users["carrier_admin_cucc"])


@pytest.fixture
def api(api_key_cmcc):
    """A client calling the API with CMCC's key."""
    return ApiTestClient(api_key_cmcc[1])


@pytest.fixture
def api_cucc(api_key_cucc):
    """A client calling the API with CUCC's key."""
    return ApiTestClient(api_key_cucc[1])


@pytest.fixture
def anonymous_api():
    """A client sending no key."""
    return ApiTestClient(None)


@pytest.fixture
def api_client_for():
    """A client sending the key given (a mangled or revoked one, say): ``api_client_for(key)``."""
    return ApiTestClient


# --- Registrations of the online channel (the registration and verification operations) ---


def registration_body(**overrides) -> dict:
    """What a partner POSTs to /api/v1/registrations: a valid, new subscriber and number."""
    from tests.factories import next_iccid, next_msisdn, subscriber_details

    subscriber = subscriber_details()
    body = {
        "id_type": subscriber.id_type,
        "id_number": subscriber.id_number,
        "full_name": subscriber.full_name,
        "birth_date": subscriber.birth_date.isoformat(),
        "id_expiry": subscriber.id_expiry.isoformat(),
        "msisdn": next_msisdn(),
        "iccid": next_iccid(),
    }
    return {**body, **overrides}


def online_registration_for(partner, *, status: str = "draft"):
    """A registration ``partner`` created on the online channel, brought to ``status``
    (draft, submitted, verifying, approved) through the real services."""
    from registrations import selectors, services
    from tests.factories import next_iccid, next_msisdn, subscriber_details

    registration = services.registration_create(
        actor=partner,
        subscriber=subscriber_details(),
        operator=selectors.own_operator(partner),
        msisdn=next_msisdn(),
        iccid=next_iccid(),
    )
    steps = ["draft", "submitted", "verifying", "approved"]
    for step in steps[1 : steps.index(status) + 1]:
        if step == "submitted":
            registration = services.registration_submit(
                registration=registration, actor=partner, with_capture=True
            )
        elif step == "verifying":
            registration = services.registration_start_verification(registration=registration)
        else:
            registration = services.registration_decide(
                registration=registration, decision=step, reasons=[]
            )
    return registration


@pytest.fixture
def online_registration(partner_cmcc):
    """A draft CMCC's partner created on the online channel."""
    return online_registration_for(partner_cmcc)
