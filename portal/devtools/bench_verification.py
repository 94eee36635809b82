"""How long the person at the counter waits: from the upload's response to the decision shown.

``python manage.py bench_verification`` runs the outlet flow end to end with ONE real Celery
worker (solo pool) that this module starts and stops: a draft registration with consent and
the ID portrait, a challenge, the capture POSTed to the upload endpoint, then the status
endpoint polled every 50 ms, as the capture page does, until the job is done.

The worker listens on a queue of its own, so a worker already running on the same broker
(``make serve``, a test run) neither steals the benchmark's jobs nor answers its ping.
"""

import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from portal.accounts.roles import Role
from portal.accounts.services import role_groups_sync, user_create
from portal.devtools.processes import stop_process_group
from registrations import rules
from registrations import services as registration_services
from registrations.models import Operator, Outlet, Province, Registration
from verification import services
from verification.models import VerificationJob

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
DEFAULT_PORTRAIT = DATA / "videos" / "blink_turn_portrait_102x126.jpg"
DEFAULT_CAPTURE = DATA / "videos" / "blink_turn.mp4"
CHALLENGE = ["turn_left", "blink"]  # what the shared clip shows
TARGET_MS = 3000  # the issue: at most 3 s from upload complete to decision shown
POLL_S = 0.05

# Codes the demo data never uses, so seed_demo and the benchmark never meet.
OPERATOR_CODE = "BENCH"
OUTLET_CODE = "BENCH-001"
STAFF_USERNAME = "bench_verification_staff"
AREA_CODE = "445281"  # not among portal.devtools.people.AREA_CODES
MSISDN_PREFIX = "195"  # no demo operator's prefix
ICCID_PREFIX = "898609"  # no demo operator's issuer


class BenchError(Exception):
    """The benchmark cannot run here; the message says why."""


@dataclass(frozen=True)
class Run:
    upload_ms: float
    decision_ms: float  # from the upload's response to the status saying done
    engine_ms: float
    outcome: str
    reasons: list[str]


@dataclass(frozen=True)
class Summary:
    runs: list[Run]

    def median(self, field: str) -> float:
        return statistics.median(getattr(run, field) for run in self.runs)

    def to_dict(self) -> dict:
        return {
            "runs": [asdict(run) for run in self.runs],
            "median_ms": {
                field: round(self.median(field), 1)
                for field in ("upload_ms", "decision_ms", "engine_ms")
            },
            "target_ms": TARGET_MS,
            "target_met": self.median("decision_ms") <= TARGET_MS,
        }


def setup_problems() -> list[str]:
    """What keeps the benchmark from measuring a real worker on a shared database."""
    from portal.celery import app

    problems = []
    if connection.vendor != "postgresql":
        problems.append("the database must be PostgreSQL (set DATABASE_URL)")
    if not str(app.conf.broker_url).startswith(("redis://", "rediss://", "amqp://", "pyamqp://")):
        problems.append("the broker must be Redis or RabbitMQ (set CELERY_BROKER_URL)")
    return problems


# -- the worker ---------------------------------------------------------------------------------


def _worker_env() -> dict[str, str]:
    from portal.celery import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
        "CELERY_BROKER_URL": str(app.conf.broker_url),
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "EVIDENCE_KEYS": ",".join(settings.EVIDENCE_KEYS),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _wait_until_ready(process: subprocess.Popen, queue: str, log: Path, timeout: float) -> None:
    from celery.exceptions import TimeoutError as CeleryTimeout

    from portal.celery import app

    token = uuid.uuid4().hex
    result = app.send_task("portal.ping", args=[token], queue=queue)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the worker exited ({process.returncode}); see {log}")
        try:
            answer = result.get(timeout=1)
        except CeleryTimeout:
            continue
        if answer["token"] == token:
            return
    raise BenchError(f"the worker did not answer a ping within {timeout:g} s; see {log}")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """A SIGTERM ends the benchmark like Ctrl-C does: through ``finally``, worker stopped."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _route_jobs(app, routes) -> None:
    """Route tasks sent from this process; Celery caches its router, so build it again."""
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@contextmanager
def one_worker(*, log: Path, timeout: float = 120.0) -> Iterator[str]:
    """A solo worker on a queue of its own, for the block; the jobs this process queues go
    to that queue. Stopped at the end, whatever happens (Ctrl-C included)."""
    from portal.celery import app

    queue = f"bench-verification-{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
        f"--queues={queue}", f"--hostname={queue}@%h",
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    routes = app.conf.task_routes
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=settings.BASE_DIR,
            env=_worker_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _route_jobs(app, {"verification.run_job": {"queue": queue}})
        try:
            with _terminate_as_interrupt():
                _wait_until_ready(process, queue, log, timeout)
                yield queue
        finally:
            _route_jobs(app, routes)
            stop_process_group(process)


# -- the demo objects ---------------------------------------------------------------------------


def bench_staff():
    """An outlet worker at an outlet of a benchmark operator (created on the first run)."""
    role_groups_sync()
    operator, _ = Operator.objects.get_or_create(
        code=OPERATOR_CODE, defaults={"name": "Benchmark Mobile", "kind": Operator.Kind.MVNO}
    )
    outlet, _ = Outlet.objects.get_or_create(
        operator=operator,
        code=OUTLET_CODE,
        defaults={
            "name": "Benchmark outlet",
            "address": "1 Benchmark Road",
            "province": Province.objects.get(code="440000"),
            "opening_hours": "00:00-24:00",
        },
    )
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(username=STAFF_USERNAME).first()
    if staff is None:
        staff = user_create(
            username=STAFF_USERNAME,
            password=None,
            role=Role.OUTLET_STAFF,
            operator=operator,
            outlets=[outlet],
        )
    return staff, outlet


def _subscriber() -> registration_services.SubscriberDetails:
    birth_date = date(1960, 1, 1) + timedelta(days=secrets.randbelow(40 * 365))
    id_number = rules.make_resident_id(
        area_code=AREA_CODE, birth_date=birth_date, sequence=secrets.randbelow(1000)
    )
    return registration_services.SubscriberDetails(
        id_type="resident_id",
        id_number=id_number,
        full_name="Bench Mark",
        birth_date=birth_date,
        id_expiry=date.today() + timedelta(days=3650),  # noqa: DTZ011 - a date, not a time
    )


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def new_draft(*, staff, outlet, portrait: bytes) -> Registration:
    registration = registration_services.registration_create(
        actor=staff,
        subscriber=_subscriber(),
        operator=outlet.operator,
        outlet=outlet,
        msisdn=MSISDN_PREFIX + _digits(8),
        iccid=rules.make_iccid(body=ICCID_PREFIX + _digits(13)),
    )
    services.consent_record(
        registration=registration,
        actor=staff,
        text_version=settings.BIOMETRIC_CONSENT_VERSION,
    )
    services.portrait_store(registration=registration, actor=staff, data=portrait)
    return registration


# -- one run ------------------------------------------------------------------------------------


def _client(staff) -> Client:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    client = Client(SERVER_NAME=hosts[0] if hosts else "localhost")
    client.force_login(staff)
    return client


def _expect(response, status: int, step: str):
    if response.status_code != status:
        raise BenchError(f"{step}: HTTP {response.status_code}: {response.content[:300]!r}")
    return response.json()


def run_once(*, client: Client, registration: Registration, capture: bytes, timeout: float) -> Run:
    secure = settings.SECURE_SSL_REDIRECT
    pk = registration.pk
    with override_settings(VERIFICATION_CHALLENGE_ACTIONS=CHALLENGE):
        response = client.post(reverse("verification:challenge", args=[pk]), secure=secure)
    nonce = _expect(response, 201, "challenge")["nonce"]
    upload = SimpleUploadedFile("capture.mp4", capture, content_type="video/mp4")
    started = time.perf_counter()
    response = client.post(
        reverse("verification:upload", args=[pk]),
        # What the capture page sends for its own camera's recording: the bench times a live
        # capture, which the engine may approve (a file would always wait for a person).
        {"nonce": nonce, "capture": upload, "source": VerificationJob.Source.CAMERA},
        secure=secure,
    )
    uploaded = time.perf_counter()
    body = _expect(response, 202, "upload")
    while True:
        status = _expect(client.get(body["status_url"], secure=secure), 200, "status")
        if status["status"] == VerificationJob.Status.DONE:
            break
        if time.perf_counter() - uploaded > timeout:
            raise BenchError(f"no decision within {timeout:g} s (job {body['job']})")
        time.sleep(POLL_S)
    decided = time.perf_counter()
    job = VerificationJob.objects.get(pk=body["job"])
    return Run(
        upload_ms=round((uploaded - started) * 1000, 1),
        decision_ms=round((decided - uploaded) * 1000, 1),
        engine_ms=float(job.timings_ms.get("total", 0.0)),
        outcome=status["outcome"],
        reasons=[reason["code"] for reason in status["reasons"]],
    )


def bench(
    *,
    runs: int,
    portrait: Path,
    capture: Path,
    log: Path,
    timeout: float = 60.0,
    report: Callable[[int, Run], None] | None = None,
) -> Summary:
    problems = setup_problems()
    if problems:
        raise BenchError("; ".join(problems))
    portrait_bytes, capture_bytes = portrait.read_bytes(), capture.read_bytes()
    staff, outlet = bench_staff()
    client = _client(staff)
    done = []
    with one_worker(log=log):
        for number in range(1, runs + 1):
            registration = new_draft(staff=staff, outlet=outlet, portrait=portrait_bytes)
            run = run_once(
                client=client, registration=registration, capture=capture_bytes, timeout=timeout
            )
            done.append(run)
            if report is not None:
                report(number, run)
    return Summary(runs=done)
