"""Idempotency-Key: a write sent twice runs once; misuse is a clear problem."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.api.models import IdempotentRequest
from portal.api.services import idempotent_requests_purge
from tests.api.plumbing_urls import Runs

pytestmark = pytest.mark.urls("tests.api.plumbing_urls")
ECHO = "/api/v1/test/echo"


@pytest.fixture(autouse=True)
def runs():
    Runs.reset()
    yield Runs
    Runs.release.set()
    Runs.reset()


@pytest.mark.django_db
def test_the_same_request_twice_runs_once_and_replays_the_first_answer(api):
    first = api.post(ECHO, {"msisdn": "13800138000"}, idempotency_key="order-1")
    again = api.post(ECHO, {"msisdn": "13800138000"}, idempotency_key="order-1")
    assert Runs.count == 1
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


@pytest.mark.django_db
def test_a_write_without_a_key_is_a_400_problem_saying_what_to_send(api):
    response = api.post(ECHO, {}, idempotency_key=None)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["reasons"] == ["idempotency_key_missing"]
    assert "Idempotency-Key" in body["detail"]
    assert Runs.count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "café"])
def test_a_key_that_is_not_1_to_255_printable_characters_is_refused(api, key):
    response = api.post(ECHO, {}, idempotency_key=key)
    assert response.status_code == 400
    assert response.json()["reasons"] == ["idempotency_key_invalid"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second",
    [
        {"method": "post", "path": ECHO, "body": {"msisdn": "13900139000"}},  # another body
        {"method": "put", "path": ECHO, "body": {"msisdn": "13800138000"}},  # another method
        {"method": "post", "path": ECHO + "?x=1", "body": {"msisdn": "13800138000"}},
    ],
)
def test_the_same_key_with_another_request_is_a_422(api, second):
    api.post(ECHO, {"msisdn": "13800138000"}, idempotency_key="order-2")
    if second["method"] == "put":
        response = api.put(
            second["path"],
            b'{"msisdn": "13800138000"}',
            "application/json",
            idempotency_key="order-2",
        )
    else:
        response = api.post(second["path"], second["body"], idempotency_key="order-2")
    if "?" in second["path"]:
        # The query is not part of the path: the same request, replayed.
        assert response.status_code == 201
        return
    assert response.status_code == 422
    assert response.json()["reasons"] == ["idempotency_key_reused"]
    assert Runs.count == 1


@pytest.mark.django_db
def test_keys_are_per_api_key(api, api_cucc):
    api.post(ECHO, {"n": 1}, idempotency_key="shared")
    other = api_cucc.post(ECHO, {"n": 2}, idempotency_key="shared")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Runs.count == 2


@pytest.mark.django_db
def test_an_unanswered_record_left_by_an_earlier_release_frees_its_key(api, api_key_cmcc):
    """Releases before one transaction per request committed the claim first; a process that
    died left it unanswered. Nobody answers it any more: the retry runs."""
    from portal.api.middleware import request_fingerprint

    body = b'{"n": 1}'
    IdempotentRequest.objects.create(
        api_key=api_key_cmcc[0],
        key="orphan",
        fingerprint=request_fingerprint("POST", ECHO, body, "application/json"),
    )
    response = api.client.post(
        ECHO, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="orphan"
    )
    assert response.status_code == 201
    assert Runs.count == 1


class ProcessDied(Exception):
    pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_request_in_flight_is_a_409_and_once_it_died_its_retry_runs_at_once(
    api, api_key_cmcc, settings
):
    """The first holds its claim uncommitted while it runs: a second with the key waits
    API_IDEMPOTENCY_WAIT_S, then gets a 409. The first's process dies: its claim is rolled
    back with it, and the retry runs at once (no time to wait out)."""
    from portal.api.middleware import request_fingerprint

    settings.API_IDEMPOTENCY_WAIT_S = 0.2
    body = b'{"n": 1}'
    claimed, die = threading.Event(), threading.Event()

    def first_request():
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    api_key=api_key_cmcc[0],
                    key="dies",
                    fingerprint=request_fingerprint("POST", ECHO, body, "application/json"),
                )
                claimed.set()
                die.wait(timeout=10)
                raise ProcessDied
        except ProcessDied:
            pass
        finally:
            connection.close()  # this thread's own connection

    first = threading.Thread(target=first_request)
    first.start()
    try:
        assert claimed.wait(timeout=10)

        def send():
            return api.client.post(
                ECHO, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="dies"
            )

        in_flight = send()
        assert in_flight.status_code == 409
        assert in_flight.json()["reasons"] == ["idempotency_in_flight"]
        assert in_flight["Retry-After"] == "1"
    finally:
        die.set()
        first.join(timeout=10)
    retried = send()
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Runs.count == 1


@pytest.mark.django_db
def test_a_multipart_retry_with_another_boundary_is_the_same_request(api):
    """Clients draw a new multipart boundary for every send, their retries included."""

    def multipart(boundary: str) -> tuple[bytes, str]:
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="nonce"\r\n\r\nabc\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        return body, f"multipart/form-data; boundary={boundary}"

    answers = []
    for boundary in ("first0a1b2c", "second9z8y7x"):
        body, content_type = multipart(boundary)
        answers.append(
            api.client.post(ECHO, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="parts")
        )
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Runs.count == 1


@pytest.mark.django_db
def test_a_database_gone_mid_request_is_a_503_to_retry_and_keeps_nothing(api):
    Runs.database_gone_next = True
    gone = api.post(ECHO, {"n": 1}, idempotency_key="failover")
    assert gone.status_code == 503
    assert gone["Content-Type"] == "application/problem+json"
    assert gone["Retry-After"] == "2"
    assert gone.json()["reasons"] == ["service_unavailable"]
    assert not IdempotentRequest.objects.filter(key="failover").exists()
    retried = api.post(ECHO, {"n": 1}, idempotency_key="failover")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried


@pytest.mark.django_db
def test_a_5xx_is_not_kept_so_the_key_can_be_retried(api):
    Runs.fail_next = True
    crashed = api.post(ECHO, {"n": 1}, idempotency_key="retry-me")
    assert crashed.status_code == 500
    retried = api.post(ECHO, {"n": 1}, idempotency_key="retry-me")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Runs.count == 2


@pytest.mark.django_db
def test_a_request_without_a_valid_api_key_is_left_to_authentication(api_client_for):
    response = api_client_for("simk_nonsense").post(ECHO, {}, idempotency_key=None)
    assert response.status_code == 401
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.django_db
def test_reads_need_no_key(api):
    assert api.get("/api/v1/api-key").status_code == 200


@pytest.mark.django_db
def test_records_older_than_the_ttl_are_purged(api, settings):
    settings.API_IDEMPOTENCY_TTL_S = 3600
    api.post(ECHO, {"n": 1}, idempotency_key="old")
    api.post(ECHO, {"n": 2}, idempotency_key="new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    assert idempotent_requests_purge() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_beat_runs_the_purge_task(api, settings):
    from portal.api.tasks import purge_idempotent_requests

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert purge_idempotent_requests.name in schedule
    api.post(ECHO, {"n": 1}, idempotency_key="old")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert purge_idempotent_requests.apply().get() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_run_once(api):
    """Both start together (a barrier); the view of whichever wins holds until the other has
    its answer, so they truly overlap: one runs, the other gets a 409."""
    Runs.slow = True
    barrier = threading.Barrier(2)

    def send():
        barrier.wait(timeout=10)
        try:
            return api.post(ECHO, {"n": 1}, idempotency_key="together")
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(send) for _ in range(2)]
        # The loser answers at once, without running the view; then the winner may finish.
        first_done = next(iter(_as_completed(futures)))
        Runs.release.set()
        statuses = sorted(future.result().status_code for future in futures)
    assert first_done.result().status_code == 409
    assert statuses == [201, 409]
    assert Runs.count == 1


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures, timeout=30)
