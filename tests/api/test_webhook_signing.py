"""Webhook signatures are the Standard Webhooks spec's: an independent implementation (the
``standardwebhooks`` package) verifies them, also both of them during a secret rotation."""

import base64
import json
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from portal.api.webhooks_http import body_of, new_secret, signed_headers


def test_a_new_secret_is_whsec_and_24_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert new_secret() != secret


def test_the_signature_verifies_with_the_standard_webhooks_package():
    secret = new_secret()
    body = body_of({"type": "registration.decided", "data": {"status": "approved"}})
    headers = signed_headers([secret], message_id="msg_1", timestamp=int(time.time()), body=body)
    assert Webhook(secret).verify(body, headers) == json.loads(body)


def test_a_changed_body_or_another_secret_does_not_verify():
    secret = new_secret()
    body = body_of({"data": {"status": "approved"}})
    headers = signed_headers([secret], message_id="msg_1", timestamp=int(time.time()), body=body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"approved", b"rejected"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_during_a_rotation_both_signatures_are_sent_and_each_verifies():
    old, new = new_secret(), new_secret()
    body = body_of({"data": {"status": "rejected"}})
    headers = signed_headers([new, old], message_id="msg_2", timestamp=int(time.time()), body=body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        Webhook(secret).verify(body, headers)
    new_signature, old_signature = headers["webhook-signature"].split(" ")
    Webhook(new).verify(body, {**headers, "webhook-signature": new_signature})
    Webhook(old).verify(body, {**headers, "webhook-signature": old_signature})
