"""A partner's whole online registration, end to end: the API over HTTP (the live server),
PostgreSQL, a real Celery worker on Redis, and the decision learnt twice, by polling and by a
signed webhook received on a local HTTP server, checked with ``standardwebhooks`` (an
implementation of the Standard Webhooks spec that is not ours).
"""

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.api import webhook_receiver as receivers
from tests.api.conftest import registration_body
from tests.verification.engine.makers import (
    CLIP,
    CLIP_CHALLENGE,
    CLIP_PORTRAIT,
    CLIP_SCHEDULE,
    FACES,
    still_replay_frames,
    write_video,
)
from tests.workers import require_worker_setup, running_worker, wait_for

receiver = receivers.receiver  # the fixture: a local HTTP server that records each POST

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

DECISION_TIMEOUT_S = 90
# The worker is another process: it gets the test's settings through its environment. The
# challenge asks what the shared clip shows, when it shows it (tests/verification/engine/makers).
WORKER_ENV = {
    "VERIFICATION_CHALLENGE_ACTIONS": ",".join(CLIP_CHALLENGE),
    "VERIFICATION_CHALLENGE_SCHEDULE": ",".join(str(w["from_s"]) for w in CLIP_SCHEDULE),
    "VERIFICATION_CHALLENGE_WINDOW_S": "2.5",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
}


@pytest.fixture(autouse=True)
def worker_setup(settings):
    require_worker_setup()
    settings.VERIFICATION_CHALLENGE_ACTIONS = CLIP_CHALLENGE
    settings.VERIFICATION_CHALLENGE_SCHEDULE = [window["from_s"] for window in CLIP_SCHEDULE]
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True


class Partner:
    """The partner's side: httpx against the live server with its key, a fresh
    Idempotency-Key on every write."""

    def __init__(self, base_url: str, key: str):
        self.http = httpx.Client(
            base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30
        )

    def write(self, method: str, path: str, expected: int, **kwargs) -> dict:
        headers = {"Idempotency-Key": str(uuid.uuid4()), **kwargs.pop("headers", {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expected, (method, path, response.text)
        return response.json() if response.content else {}

    def get(self, path: str) -> dict:
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def webhook_endpoint(self, url: str) -> str:
        """Subscribe ``url`` to the decisions; the secret (``whsec_...``), shown once."""
        body = {"url": url, "events": ["registration.decided"]}
        return self.write("POST", "/webhook-endpoints", 201, json=body)["secret"]

    def registration(self) -> str:
        body = registration_body(province="440000")
        created = self.write("POST", "/registrations", 201, json=body)
        assert created["status"] == "draft"
        return str(created["id"])

    def verify(self, registration_id: str, *, portrait: bytes, video: bytes) -> None:
        """Portrait, consent, a challenge, the capture: all a partner's app sends."""
        base = f"/registrations/{registration_id}"
        self.write(
            "PUT", f"{base}/portrait", 200, content=portrait, headers={"Content-Type": "image/jpeg"}
        )
        consent = {
            "text_version": settings.BIOMETRIC_CONSENT_VERSION,
            "method": "in_app_checkbox",
            "collected_at": timezone.now().isoformat(),
        }
        self.write("POST", f"{base}/consent", 201, json=consent)
        challenge = self.write("POST", f"{base}/challenges", 201)
        assert challenge["actions"] == CLIP_CHALLENGE
        files = {"video": ("capture.mp4", video, "video/mp4")}
        job = self.write(
            "POST", f"{base}/captures", 202, data={"nonce": challenge["nonce"]}, files=files
        )
        assert job["job"]

    def decision_polled(self, registration_id: str) -> dict:
        """GET .../verification until its job is done, as the partner's app would."""
        deadline = time.monotonic() + DECISION_TIMEOUT_S
        while time.monotonic() < deadline:
            verification = self.get(f"/registrations/{registration_id}/verification")
            if verification["status"] == "done":
                return verification
            time.sleep(0.5)
        raise AssertionError(f"no decision for {registration_id} in {DECISION_TIMEOUT_S} s")


@pytest.fixture
def partner(live_server, api_key_cmcc):
    partner = Partner(live_server.url, api_key_cmcc[1])
    yield partner
    partner.http.close()


def signed_payload(receiver, secret: str, registration_id: str) -> dict:
    """The decision's webhook, whose signature standardwebhooks accepts (it raises if not)."""

    def decided():
        for delivery in receiver.received:
            payload = json.loads(delivery.body)
            if payload["type"] == "registration.decided" and (
                payload["data"]["registration_id"] == registration_id
            ):
                return delivery
        return None

    delivery = wait_for(decided, timeout=DECISION_TIMEOUT_S)
    payload = Webhook(secret).verify(delivery.body, delivery.headers)
    return payload["data"]


def test_a_live_capture_of_the_right_person_is_approved_by_poll_and_by_webhook(
    partner, receiver, tmp_path
):
    secret = partner.webhook_endpoint(receiver.url)
    registration_id = partner.registration()
    with running_worker(tmp_path, **WORKER_ENV):
        partner.verify(
            registration_id, portrait=CLIP_PORTRAIT.read_bytes(), video=CLIP.read_bytes()
        )
        polled = partner.decision_polled(registration_id)
        delivered = signed_payload(receiver, secret, registration_id)
    assert (polled["outcome"], polled["registration_status"]) == ("approved", "approved"), polled
    assert polled["reasons"] == []
    assert delivered["status"] == "approved"
    assert partner.get(f"/registrations/{registration_id}")["status"] == "approved"


def test_a_still_photo_made_into_a_video_is_rejected_with_reasons(partner, receiver, tmp_path):
    secret = partner.webhook_endpoint(receiver.url)
    registration_id = partner.registration()
    replay = write_video(tmp_path / "replay.mp4", still_replay_frames(FACES / "obama_1.jpg"))
    with running_worker(tmp_path, **WORKER_ENV):
        partner.verify(
            registration_id,
            portrait=(FACES / "obama_2.jpg").read_bytes(),
            video=Path(replay).read_bytes(),
        )
        polled = partner.decision_polled(registration_id)
        delivered = signed_payload(receiver, secret, registration_id)
    assert (polled["outcome"], polled["registration_status"]) == ("rejected", "rejected"), polled
    codes = {reason["code"] for reason in polled["reasons"]}
    assert {"no_blink", "not_live"} <= codes
    assert all(reason["text"] for reason in polled["reasons"])
    assert delivered["status"] == "rejected"
    assert {"no_blink", "not_live"} <= set(delivered["reasons"])
