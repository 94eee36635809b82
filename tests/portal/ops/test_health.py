"""/healthz and /readyz: open to a load balancer, detail only for the operations token."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN = "ops-token-for-the-tests"


@pytest.fixture(autouse=True)
def ops_token(settings):
    settings.OPS_TOKEN = TOKEN


def with_token(value=TOKEN):
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def test_healthz_answers_without_a_session_or_a_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies, "a probe every few seconds must not make sessions"


def test_readyz_is_ready_when_every_part_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}, "no detail without the token"


def test_the_token_holder_reads_each_part(client):
    response = client.get("/readyz", **with_token())
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "ok", "evidence_storage": "ok", "keys": "ok"},
    }


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic " + TOKEN, TOKEN, "Bearer "])
def test_a_wrong_token_reads_no_detail(client, header):
    response = client.get("/readyz", HTTP_AUTHORIZATION=header)
    assert response.json() == {"status": "ready"}


def test_no_token_configured_means_no_detail_for_anyone(client, settings):
    settings.OPS_TOKEN = ""
    assert "checks" not in client.get("/readyz", HTTP_AUTHORIZATION="Bearer ").json()


def test_a_broker_that_does_not_answer_makes_it_not_ready(client, broker_unreachable, caplog):
    stranger = client.get("/readyz")
    assert stranger.status_code == 503
    assert stranger.json() == {"status": "not ready"}
    checks = client.get("/readyz", **with_token()).json()["checks"]
    assert checks["broker"].startswith("the task broker does not answer")
    assert checks["database"] == "ok"
    assert "broker" in caplog.text, "the operators' log says which part is down"


def test_an_unwritable_evidence_folder_makes_it_not_ready(client, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with override_settings(EVIDENCE_ROOT=blocked):
        response = client.get("/readyz", **with_token())
    assert response.status_code == 503
    assert response.json()["checks"]["evidence_storage"].startswith("the evidence storage")


def test_unusable_evidence_keys_make_it_not_ready(client):
    with override_settings(EVIDENCE_KEYS=[]):
        response = client.get("/readyz", **with_token())
    assert response.status_code == 503
    assert (
        response.json()["checks"]["keys"] == "the evidence keys are unusable (ImproperlyConfigured)"
    )


def test_the_detail_holds_no_secret(client, settings):
    body = client.get("/readyz", **with_token()).content.decode()
    for secret in [
        *settings.EVIDENCE_KEYS,
        settings.SUBSCRIBER_INDEX_KEY,
        settings.DATABASES["default"].get("PASSWORD") or "unset-password",
    ]:
        assert secret not in body


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_only_get_and_head_are_answered(client, url):
    assert client.post(url).status_code == 405
    assert client.head(url).status_code in (200, 503)
