"""The real processes of the fault tests, and the batch they must not lose.

A Redis of the tests' own (port 6392, its append-only file on, as a broker in production keeps
it), gunicorn serving the portal, Celery workers and one beat, all on the test's PostgreSQL
database. A partner submits a batch of registrations through the API (the real upload
endpoint, ``POST .../captures``) and retries what failed with the same Idempotency-Key, as the
API guide tells partners to; the decisions reach a webhook receiver in this process.
"""

import logging
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from portal.devtools.processes import free_port
from tests.api.conftest import registration_body
from tests.verification.engine.makers import CLIP, CLIP_CHALLENGE, CLIP_PORTRAIT, CLIP_SCHEDULE
from tests.workers import ROOT, stop_worker, wait_for

REDIS_PORT = 6392
BROKER = f"redis://127.0.0.1:{REDIS_PORT}/0"
RESULTS = f"redis://127.0.0.1:{REDIS_PORT}/1"

# What the worker and the web process need besides the test's database and keys: a challenge
# the shared clip answers, webhooks to this machine, connections kept between requests as in
# production (so a terminated one is met again), and a stuck job swept after 30 s, not 5 min.
PROCESS_ENV = {
    "VERIFICATION_CHALLENGE_ACTIONS": ",".join(CLIP_CHALLENGE),
    "VERIFICATION_CHALLENGE_SCHEDULE": ",".join(str(w["from_s"]) for w in CLIP_SCHEDULE),
    "VERIFICATION_CHALLENGE_WINDOW_S": "2.5",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
    "DATABASE_CONN_MAX_AGE": "60",
    "VERIFICATION_STUCK_AFTER_S": "30",
    "DEBUG": "0",
    "API_RATE_PER_S": "1000",
    "API_BURST": "1000",
}
RETRY_FOR_S = 120.0

# Each request at INFO would bury what the test prints.
logging.getLogger("httpx").setLevel(logging.WARNING)


# -- the broker ---------------------------------------------------------------------------------


class RedisServer:
    """redis-server on REDIS_PORT with its data in ``folder``; kill it, start it again."""

    def __init__(self, folder: Path):
        if shutil.which("redis-server") is None:
            pytest.skip("needs redis-server")
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.answers, timeout=10)

    def answers(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
        )
        return done.stdout.strip() == "PONG"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# -- the portal's processes ---------------------------------------------------------------------


def _spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    output = log.open("ab")
    try:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    finally:
        output.close()  # the child has its own copy


class WebServer:
    """gunicorn serving the portal on a free port; SIGKILL it and start it again."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.log = env, folder / "web.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            f"--bind=127.0.0.1:{self.port}", "--workers=2", "--threads=2", "--timeout=60",
            "--log-level=warning",
        ]  # fmt: skip
        self.process = _spawn(command, self.env, self.log)
        wait_for(self.answers, timeout=60, interval=0.2)

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        stop_worker(self.process, kill=True)

    def stop(self) -> None:
        stop_worker(self.process)


def start_worker(env: dict, folder: Path, *, pool: str = "solo", concurrency: int = 1):
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}",
        f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
        "--loglevel=INFO", f"--hostname=fault-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    return _spawn(command, env, folder / "workers.log")


def start_beat(env: dict, folder: Path):
    """The one beat of a deployment: the outbox relay every 5 s, the sweeper every minute."""
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
        f"--schedule={folder / 'beat-schedule'}",
    ]  # fmt: skip
    return _spawn(command, env, folder / "beat.log")


def pool_children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


# -- the partner --------------------------------------------------------------------------------


class Partner:
    """A partner's app: every write with an Idempotency-Key, retried with the same key while
    the server cannot answer (no connection, a 5xx, a 409 "still running"). ``seen`` counts
    every answer, so a test can say which ones it allows; ``cut_off`` the requests that got
    none, and ``uploads_in_flight`` says when a capture is on the wire."""

    def __init__(self, base_url: str, key: str):
        self.http = httpx.Client(
            base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=60
        )
        self.seen: Counter = Counter()
        self.cut_off = 0
        self.uploads_in_flight = 0
        self._lock = threading.Lock()

    def _note(self, what) -> None:
        with self._lock:
            self.seen[what] += 1

    def _count_upload(self, path: str, change: int) -> None:
        if path.endswith("/captures"):
            with self._lock:
                self.uploads_in_flight += change

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        self._count_upload(path, +1)
        try:
            return self.http.request(method, path, **kwargs)
        finally:
            self._count_upload(path, -1)

    def request(self, method: str, path: str, expected: int, **kwargs) -> dict:
        headers = {**kwargs.pop("headers", {})}
        if method != "GET":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        deadline = time.monotonic() + RETRY_FOR_S
        while True:
            try:
                response = self._send(method, path, headers=headers, **kwargs)
            except httpx.TransportError as error:
                self._note(type(error).__name__)
                with self._lock:
                    self.cut_off += 1
            else:
                self._note(response.status_code)
                retry = response.status_code >= 500 or (
                    response.status_code == 409 and "Retry-After" in response.headers
                )
                if not retry:
                    assert response.status_code == expected, (method, path, response.text)
                    return response.json() if response.content else {}
            assert time.monotonic() < deadline, f"{method} {path}: no answer in {RETRY_FOR_S} s"
            time.sleep(0.5)

    def webhook_endpoint(self, url: str) -> None:
        body = {"url": url, "events": ["registration.decided"]}
        self.request("POST", "/webhook-endpoints", 201, json=body)

    def register_and_capture(self) -> str:
        """A new registration, its portrait, consent, a challenge and the shared clip."""
        created = self.request("POST", "/registrations", 201, json=registration_body())
        base = f"/registrations/{created['id']}"
        portrait = {
            "content": CLIP_PORTRAIT.read_bytes(),
            "headers": {"Content-Type": "image/jpeg"},
        }
        self.request("PUT", f"{base}/portrait", 200, **portrait)
        consent = {
            "text_version": settings.BIOMETRIC_CONSENT_VERSION,
            "method": "in_app_checkbox",
            "collected_at": timezone.now().isoformat(),
        }
        self.request("POST", f"{base}/consent", 201, json=consent)
        challenge = self.request("POST", f"{base}/challenges", 201)
        files = {"video": ("capture.mp4", CLIP.read_bytes(), "video/mp4")}
        self.request(
            "POST", f"{base}/captures", 202, data={"nonce": challenge["nonce"]}, files=files
        )
        return str(created["id"])

    def close(self) -> None:
        self.http.close()


def submit_batch(partner: Partner, count: int, *, threads: int = 2) -> list[str]:
    """``count`` registrations submitted by ``threads`` at once; their ids."""
    ids: list[str] = []
    errors: list[BaseException] = []

    def submit(share: int) -> None:
        try:
            for _ in range(share):
                ids.append(partner.register_and_capture())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)

    shares = [count // threads + (i < count % threads) for i in range(threads)]
    runners = [threading.Thread(target=submit, args=(share,)) for share in shares]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    if errors:
        raise errors[0]
    return ids


@contextmanager
def in_background(action):
    """``action()`` in a thread for the block, its error raised at the end."""
    errors: list[BaseException] = []
    result: list = []

    def run():
        try:
            result.append(action())
        except BaseException as error:  # noqa: BLE001 - re-raised below
            errors.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    try:
        yield result
    finally:
        runner.join()
    if errors:
        raise errors[0]


def terminate_connections(database: str) -> int:
    """Every other connection to ``database`` ended by PostgreSQL, as a failover or an
    administrator would; how many."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]
