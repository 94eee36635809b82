"""Five minutes of the portal's whole day at once, on loopback: ``make loadtest``.

``python manage.py loadtest`` makes its own rows (an operator ``LOAD`` with one outlet per
outlet clerk, accounts, cases in review, subscribers with an approved number, partner keys:
codes the demo never uses, and a second run adds only what is missing), starts gunicorn on a
free loopback port and one Celery worker (prefork, two processes), and runs locust headless
for ``--duration`` seconds with the mix of ``USER_MIX`` (the users are in
``locustfile_load.py``, which imports nothing of the portal: it gets its accounts from a JSON
file named in its environment, deleted after the run). It then prints, per endpoint, the
requests, requests/s, failures and p50/p95/p99; the waits the users measure themselves (an
SMS code to arrive, a capture's decision); the verifications the workers decided per minute
(counted from the database); and every failed response by status. It fails on any 5xx, on
any request left without an answer (a dead server answers no 5xx), and if nothing was
verified.

The server is the local configuration with DEBUG off (``DJANGO_ENV=production`` would refuse
the file SMS backend that plays the subscribers' phones), connections kept like production
does, the rate limits off (every simulated person comes from 127.0.0.1, and a 429 measures
the limit, not the server), and challenges fixed to what the shared clip shows.
"""

import csv
import hashlib
import hmac
import io
import json
import logging
import math
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.roles import Role
from portal.accounts.services import role_groups_sync, user_create
from portal.devtools.bench_verification import DEFAULT_CAPTURE, DEFAULT_PORTRAIT, setup_problems
from portal.devtools.processes import free_port, stop_process_group, terminate_as_interrupt
from registrations import rules
from registrations import services as registration_services
from registrations.models import Operator, Outlet, Province, Registration
from registrations.services.outlets import outlet_create
from verification.models import VerificationJob

LOCUSTFILE = Path(__file__).with_name("locustfile_load.py")

# The mix: locust user class -> weight. With the default 12 users: 4 clerks and 3 partners
# (the two channels that make registrations, hence verifications), 2 subscribers signing in,
# 2 inspectors on the dashboards and 1 carrier reviewer, about the proportions of a working
# day in which registering is the main work and reading it the side one.
USER_MIX = {
    "OutletStaffUser": 4,
    "ApiPartnerUser": 3,
    "SubscriberUser": 2,
    "InspectorUser": 2,
    "CarrierReviewerUser": 1,
}

# Codes the demo data and the other benchmarks never use, so they never meet.
OPERATOR_CODE = "LOAD"
OUTLET_PREFIX = "LOAD-"
USERNAME_PREFIX = "loadtest_"
PROVINCE_CODE = "440000"
AREA_CODE = "445302"  # Guangdong, not among portal.devtools.people.AREA_CODES
SUBSCRIBER_MSISDN_PREFIX = "192"  # the subscribers' fixed numbers; no demo operator's prefix
MSISDN_PREFIX = "193"  # the numbers registered during the run
ICCID_PREFIX = "898611"  # no demo operator's issuer
SUBSCRIBER_NAME = "负载测试"
REVIEW_CASES = 20

# What the shared clip shows, and when (tests/api/test_partner_flow_e2e.py WORKER_ENV).
CLIP_ENV = {
    "VERIFICATION_CHALLENGE_ACTIONS": "turn_left,blink",
    "VERIFICATION_CHALLENGE_SCHEDULE": "1.0,4.0",
    "VERIFICATION_CHALLENGE_WINDOW_S": "2.5",
}
RATE_LIMITS_OFF = (
    "RATE_LIMIT_CHALLENGES_PER_ACCOUNT", "RATE_LIMIT_CHALLENGES_PER_OUTLET",
    "RATE_LIMIT_CHALLENGES_PER_API_KEY", "RATE_LIMIT_UPLOADS_PER_ACCOUNT",
    "RATE_LIMIT_UPLOADS_PER_OUTLET", "RATE_LIMIT_UPLOADS_PER_API_KEY",
    "RATE_LIMIT_REGISTRATIONS_PER_ACCOUNT", "RATE_LIMIT_REGISTRATIONS_PER_OUTLET",
    "RATE_LIMIT_REGISTRATIONS_PER_API_KEY", "RATE_LIMIT_SELFSERVICE_PER_ID",
    "RATE_LIMIT_SELFSERVICE_PER_ADDRESS", "RATE_LIMIT_SELFSERVICE_CODES_PER_NUMBER",
    "RATE_LIMIT_SELFSERVICE_CODES_PER_ID", "RATE_LIMIT_SELFSERVICE_CHECKS_PER_ADDRESS",
)  # fmt: skip

# gunicorn: one process per core, each with a few threads (gthread). The CPU-heavy part (the
# face engine) runs in the Celery workers; a web request mostly waits, on PostgreSQL, on
# Redis, on reading an upload, and threads overlap those waits without another process's
# memory. One sync worker per core would give a 2-core machine two request slots in all, so
# two clerks' uploads would stall every poll and every dashboard behind them.
GUNICORN_THREADS = 4
# Celery: one worker, prefork with two processes, as production runs it (README: one worker
# with --concurrency of the cores); only prefork enforces the tasks' hard time limits.
WORKER_CONCURRENCY = 2
WORKER_READY_TIMEOUT_S = 180  # it loads the face models first

# The settings the server and the worker read: the site's, with every task on the run's own
# queue, so that a worker of another run or of `make serve` on the same broker takes none of
# its jobs (and its worker none of theirs). A setting, not a route in this process only: the
# web processes queue the jobs, and a worker sends a job of a busy outlet again itself. Written
# into the run's folder, never committed.
SETTINGS_SHIM = """\
# Written by portal/devtools/loadtest.py for one run of `make loadtest`.
import os

from portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["LOADTEST_QUEUE"]
"""
SETTINGS_MODULE = "loadtest_settings"

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class LoadTestError(Exception):
    """The load test cannot run here; the message says why."""


# -- the figures ----------------------------------------------------------------------------


def _number(value: str) -> float | None:
    """A locust figure; "N/A" (no request) is None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class EndpointStats:
    kind: str  # locust's "Type": an HTTP method, or a wait the users measure (SMS, JOB)
    name: str
    requests: int
    failures: int
    requests_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def is_http(self) -> bool:
        return self.kind in HTTP_METHODS

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def read_endpoint_stats(csv_prefix: Path) -> list[EndpointStats]:
    """Every row of locust's ``<prefix>_stats.csv`` but its "Aggregated" one."""
    with Path(f"{csv_prefix}_stats.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    return [
        EndpointStats(
            kind=row["Type"],
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            requests_per_s=_number(row["Requests/s"]) or 0.0,
            p50_ms=_number(row["50%"]),
            p95_ms=_number(row["95%"]),
            p99_ms=_number(row["99%"]),
        )
        for row in rows
    ]


# "HTTP 503" is how locustfile_load.py names a refused status ("HTTP 0": no answer at all);
# "503 Server Error" is how locust itself does, should a request go unchecked.
_STATUS = re.compile(r"\bHTTP (\d{1,3})\b|\b(\d{3}) (?:Server|Client) Error\b")


@dataclass(frozen=True)
class Failure:
    method: str
    name: str
    error: str
    occurrences: int

    @property
    def status(self) -> int | None:
        """The HTTP status the failure was (0: no answer), None for anything else (a decision
        that never came, an unexpected page)."""
        match = _STATUS.search(self.error)
        if match is None:
            return None
        return int(match.group(1) or match.group(2))


def read_failures(csv_prefix: Path) -> list[Failure]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            Failure(
                method=row["Method"],
                name=row["Name"],
                error=row["Error"],
                occurrences=int(row["Occurrences"]),
            )
            for row in csv.DictReader(handle)
        ]


def read_exception_count(csv_prefix: Path) -> int:
    """Errors raised in the users' own code (``<prefix>_exceptions.csv``): a flow cut short."""
    path = Path(f"{csv_prefix}_exceptions.csv")
    if not path.exists():
        return 0
    with path.open(newline="") as handle:
        return sum(int(row["Count"]) for row in csv.DictReader(handle))


@dataclass(frozen=True)
class Verifications:
    decided: int
    by_outcome: dict[str, int]
    backlog: int  # jobs queued or running when the load stopped
    minutes: float

    @property
    def per_minute(self) -> float:
        return self.decided / self.minutes if self.minutes else 0.0


@dataclass(frozen=True)
class Report:
    endpoints: list[EndpointStats]
    failures: list[Failure]
    verifications: Verifications
    exceptions: int = 0
    users: int = 0
    duration_s: int = 0
    server: str = ""

    def count_with_status(self, test) -> int:
        return sum(f.occurrences for f in self.failures if f.status is not None and test(f.status))

    @property
    def server_errors(self) -> int:
        return self.count_with_status(lambda status: status >= 500)

    @property
    def unanswered(self) -> int:
        return self.count_with_status(lambda status: status == 0)

    def problems(self) -> list[str]:
        """Why the run fails; empty when it passes."""
        problems = []
        if self.server_errors:
            problems.append(f"{self.server_errors} responses were 5xx")
        if self.unanswered:
            problems.append(f"{self.unanswered} requests got no answer")
        if not self.verifications.decided:
            problems.append("nothing was verified")
        return problems


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _row(stats: EndpointStats, width: int) -> str:
    return (
        f"{stats.kind:<5} {stats.name:<{width}} {stats.requests:>8} {stats.requests_per_s:>8.2f} "
        f"{stats.failure_ratio:>7.1%} {_ms(stats.p50_ms):>7} {_ms(stats.p95_ms):>7} "
        f"{_ms(stats.p99_ms):>7}"
    )


def endpoint_table(endpoints: list[EndpointStats]) -> list[str]:
    """The HTTP endpoints, then the waits, each a table with a header."""
    width = max([len(stats.name) for stats in endpoints] + [20])
    header = (
        f"{'':<5} {'endpoint':<{width}} {'requests':>8} {'req/s':>8} {'failed':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    http = sorted((s for s in endpoints if s.is_http), key=lambda s: (s.name, s.kind))
    waits = sorted((s for s in endpoints if not s.is_http), key=lambda s: (s.kind, s.name))
    lines = [header, *(_row(stats, width) for stats in http)]
    requests = sum(s.requests for s in http)
    failures = sum(s.failures for s in http)
    lines.append(
        f"{'all':<5} {'HTTP requests':<{width}} {requests:>8} "
        f"{sum(s.requests_per_s for s in http):>8.2f} "
        f"{(failures / requests if requests else 0):>7.1%}"
    )
    if waits:
        lines += ["", "waits measured by the users (each row: one wait, its time)"]
        lines += [header.replace("requests", "   waits"), *(_row(s, width) for s in waits)]
    return lines


def failure_lines(failures: list[Failure]) -> list[str]:
    by_status: Counter = Counter()
    for failure in failures:
        by_status[failure.status] += failure.occurrences
    lines = []
    for status, count in sorted(by_status.items(), key=lambda item: (item[0] is None, item[0])):
        label = {None: "other", 0: "no answer"}.get(status, str(status))
        names = sorted({f"{f.method} {f.name}" for f in failures if f.status == status})
        lines.append(f"  {label}: {count} ({'; '.join(names)})")
    for failure in (f for f in failures if f.status is None):
        lines.append(f"    {failure.method} {failure.name}: {failure.error[:160]}")
    return lines


def render(report: Report) -> list[str]:
    verified = report.verifications
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(verified.by_outcome.items())) or "none"
    lines = [
        f"locust: {report.users} users for {report.duration_s} s; server: {report.server}",
        "",
        *endpoint_table(report.endpoints),
        "",
        f"verifications decided: {verified.decided} in {verified.minutes:.1f} min = "
        f"{verified.per_minute:.1f}/min ({outcomes}); still queued or running at the end: "
        f"{verified.backlog}",
    ]
    if report.failures:
        lines += ["failed responses by status:", *failure_lines(report.failures)]
    if report.exceptions:
        lines.append(f"errors in the users' own code: {report.exceptions} (see the exceptions csv)")
    problems = report.problems()
    lines.append("FAILED: " + "; ".join(problems) if problems else "PASSED: no 5xx, all answered")
    return lines


# -- the rows: accounts, outlets, subscribers, cases, keys ----------------------------------


def users_per_class(users: int) -> dict[str, int]:
    """How many locust users of each class at most (locust splits by the weights)."""
    total = sum(USER_MIX.values())
    return {name: math.ceil(users * weight / total) for name, weight in USER_MIX.items()}


def password_for(username: str) -> str:
    """The account's password, the same at every run on this database's SECRET_KEY (so a
    second run needs to store nothing, and nobody else can guess it)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"loadtest password|{username}".encode(), hashlib.sha256
    )
    return "Lt-" + digest.hexdigest()[:21]


def load_operator() -> Operator:
    role_groups_sync()
    operator, _ = Operator.objects.get_or_create(
        code=OPERATOR_CODE, defaults={"name": "Load test mobile", "kind": Operator.Kind.MVNO}
    )
    return operator


def load_outlets(operator: Operator, count: int) -> list[Outlet]:
    """One outlet per clerk: a verification runs one job per outlet at a time
    (VERIFICATION_OUTLET_MAX_RUNNING), and one shared outlet would leave a worker idle."""
    province = Province.objects.get(code=PROVINCE_CODE)
    outlets = []
    for number in range(1, count + 1):
        code = f"{OUTLET_PREFIX}{number:03d}"
        outlet = Outlet.objects.filter(operator=operator, code=code).first() or outlet_create(
            actor=None, operator=operator, code=code, name=f"Load test outlet {number}",
            address=f"{number} Load Test Road", province=province, opening_hours="00:00-24:00",
        )  # fmt: skip
        outlets.append(outlet)
    return outlets


def load_account(username: str, *, role: Role, second_factor: bool = False, **scope) -> dict:
    """The account (made once) and what its locust user signs in with."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=password_for(username), role=role, **scope)
    account = {"username": username, "password": password_for(username)}
    if second_factor:
        account["totp_key"] = _totp_device(user).key
    return account


def _totp_device(user) -> TOTPDevice:
    """An authenticator app whose key the locust user computes codes from (RFC 6238), made
    as the demo's are (portal/devtools/demo_devices.py)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name="Load test authenticator app", confirmed=True
    )


def check_passwords(accounts: list[dict]) -> None:
    """The accounts' passwords come from SECRET_KEY: made under another, they cannot sign in."""
    account = accounts[0]
    user = get_user_model().objects.get(username=account["username"])
    if not user.check_password(account["password"]):
        raise LoadTestError(
            "the load-test accounts were made under another SECRET_KEY: use a fresh database"
        )


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


ID_SPACE = 40 * 365 * 1000  # (birth date, sequence) pairs of the load's area code


def _details(*, number: int, full_name: str) -> registration_services.SubscriberDetails:
    """The subscriber ``number`` (below ID_SPACE: one ID number each)."""
    birth_date = date(1960, 1, 1) + timedelta(days=number // 1000)
    return registration_services.SubscriberDetails(
        id_type="resident_id",
        id_number=rules.make_resident_id(
            area_code=AREA_CODE, birth_date=birth_date, sequence=number % 1000
        ),
        full_name=full_name,
        birth_date=None,
        id_expiry=date.today() + timedelta(days=3650),  # noqa: DTZ011 - a date, not a time
    )


def _held_registration(*, staff, outlet: Outlet, details, msisdn: str, decision: str):
    """A registration brought to ``decision`` through the lifecycle services (as the
    factories of the tests do): a case to review, or a subscriber's approved number."""
    registration = registration_services.registration_create(
        actor=staff, subscriber=details, operator=outlet.operator, outlet=outlet, msisdn=msisdn,
        iccid=rules.make_iccid(body=ICCID_PREFIX + _digits(13)),
    )  # fmt: skip
    registration = registration_services.registration_submit(
        registration=registration, actor=staff, with_capture=True
    )
    registration = registration_services.registration_start_verification(registration=registration)
    return registration_services.registration_decide(
        registration=registration, decision=decision, reasons=[]
    )


def load_review_cases(*, staff, outlet: Outlet) -> None:
    """Cases in review for the reviewers to open (they only read: the queue stays)."""
    waiting = Registration.objects.filter(
        operator=outlet.operator, status=Registration.Status.REVIEW
    ).count()
    for _ in range(max(0, REVIEW_CASES - waiting)):
        details = _details(number=secrets.randbelow(ID_SPACE), full_name="待审核")
        _held_registration(
            staff=staff, outlet=outlet, details=details,
            msisdn=f"+86{MSISDN_PREFIX}{_digits(8)}", decision="review",
        )  # fmt: skip


def load_subscribers(*, staff, outlet: Outlet, count: int) -> list[dict]:
    """People with one approved number each, who sign in at /me/ with a code by SMS."""
    people = []
    for number in range(1, count + 1):
        details = _details(number=number, full_name=SUBSCRIBER_NAME)
        msisdn = f"+86{SUBSCRIBER_MSISDN_PREFIX}{number:08d}"
        if not Registration.objects.filter(msisdn=msisdn).exists():
            _held_registration(
                staff=staff, outlet=outlet, details=details, msisdn=msisdn, decision="approved"
            )
        people.append(
            {"id_type": details.id_type, "id_number": details.id_number,
             "full_name": details.full_name, "msisdn": msisdn}
        )  # fmt: skip
    return people


def new_people(count: int) -> list[dict]:
    """Made-up subscribers for the registrations of the run (GB 11643 and Luhn hold), with
    numbers not held in the database yet."""
    people = []
    for _ in range(count):
        details = _details(number=secrets.randbelow(ID_SPACE), full_name="负载甲")
        people.append(
            {"id_type": details.id_type, "id_number": details.id_number,
             "full_name": details.full_name, "id_expiry": details.id_expiry.isoformat(),
             "msisdn": MSISDN_PREFIX + _digits(8),
             "iccid": rules.make_iccid(body=ICCID_PREFIX + _digits(13)),
             "province": PROVINCE_CODE}
        )  # fmt: skip
    held = set(
        Registration.objects.filter(
            msisdn__in=[f"+86{person['msisdn']}" for person in people]
        ).values_list("msisdn", flat=True)
    )
    return [person for person in people if f"+86{person['msisdn']}" not in held]


def new_api_keys(operator: Operator, count: int) -> list[str]:
    """Fresh keys from ``apikey_create`` (a command: devtools and the API are independent
    layers), expiring in a day: the keys of old runs stop working by themselves."""
    keys = []
    for number in range(1, count + 1):
        output = io.StringIO()
        call_command(
            "apikey_create", operator=operator.code, name=f"loadtest {uuid.uuid4().hex[:6]}",
            expires_days=1, stdout=output, stderr=io.StringIO(),
        )  # fmt: skip
        key = next((w for w in output.getvalue().split() if w.startswith("simk_")), None)
        if key is None:
            raise LoadTestError(f"apikey_create printed no key (key {number})")
        keys.append(key)
    return keys


def set_up(*, users: int, duration_s: int) -> dict:
    """Every row the run needs, and the locust users' configuration."""
    counts = users_per_class(users)
    operator = load_operator()
    outlets = load_outlets(operator, counts["OutletStaffUser"])
    staff = [
        {**load_account(f"{USERNAME_PREFIX}staff_{n:03d}", role=Role.OUTLET_STAFF,
                        operator=operator, outlets=[outlet]), "outlet": outlet.pk}
        for n, outlet in enumerate(outlets, start=1)
    ]  # fmt: skip
    reviewers = [
        load_account(f"{USERNAME_PREFIX}reviewer_{n:03d}", role=Role.CARRIER_ADMIN,
                     second_factor=True, operator=operator)
        for n in range(1, counts["CarrierReviewerUser"] + 1)
    ]  # fmt: skip
    inspectors = [
        load_account(f"{USERNAME_PREFIX}inspector_{n:03d}", role=Role.MINISTRY_INSPECTOR,
                     second_factor=True, provinces=None)
        for n in range(1, counts["InspectorUser"] + 1)
    ]  # fmt: skip
    check_passwords(staff + reviewers + inspectors)
    clerk = get_user_model().objects.get(username=staff[0]["username"])
    load_review_cases(staff=clerk, outlet=outlets[0])
    # A registration every recording (6.5 s) at most, per user that makes them.
    makers = counts["OutletStaffUser"] + counts["ApiPartnerUser"]
    return {
        "mix": USER_MIX,
        "staff": staff,
        "reviewers": reviewers,
        "inspectors": inspectors,
        "partners": new_api_keys(operator, counts["ApiPartnerUser"]),
        "subscribers": load_subscribers(
            staff=clerk, outlet=outlets[0], count=counts["SubscriberUser"]
        ),
        "people": new_people(makers * (duration_s // 6 + 2) + 10),
        "consent_version": settings.BIOMETRIC_CONSENT_VERSION,
        "portrait": str(DEFAULT_PORTRAIT),
        "clip": str(DEFAULT_CAPTURE),
    }


def write_private(path: Path, text: str) -> None:
    """A file only its owner reads, private from its creation (it holds passwords and keys)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


# -- the processes: worker, server, locust --------------------------------------------------


def _database_url() -> str:
    """This process's database as a URL (under pytest: the test database, not the named one)."""
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _shared_cache(broker_url: str) -> str:
    """Rate-limit counters and API buckets shared by every process, as production's CACHE_URL
    makes them: the one given, else the broker when it is Redis, else each process's own."""
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else ""


def server_env(*, queue: str, run_dir: Path) -> dict[str, str]:
    """The environment of gunicorn and of the worker: the same database, broker, keys and
    evidence as this process, the run's queue and SMS file, DEBUG off, no rate limits."""
    from portal.celery import app

    given = {
        **CLIP_ENV,
        **dict.fromkeys(RATE_LIMITS_OFF, "off"),
        "DJANGO_ENV": "local",  # production allows no SMS backend but a gateway's
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(run_dir), str(settings.BASE_DIR)]),
        "LOADTEST_QUEUE": queue,
        "DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        "CELERY_BROKER_URL": str(app.conf.broker_url),
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "CACHE_URL": _shared_cache(str(app.conf.broker_url)),
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "EVIDENCE_KEYS": ",".join(settings.EVIDENCE_KEYS),
        "SUBSCRIBER_DATA_KEYS": ",".join(settings.SUBSCRIBER_DATA_KEYS),
        "SUBSCRIBER_INDEX_KEY": settings.SUBSCRIBER_INDEX_KEY,
        "SECRET_KEY": settings.SECRET_KEY,  # the accounts' passwords and the SMS codes' hash
        # Partners may send more than their 20/s here: the bucket is not what is measured.
        "API_RATE_PER_S": "1000000",
        "API_BURST": "1000000",
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(run_dir / "sms.jsonl"),
        "LOG_LEVEL": "WARNING",
    }
    # A variable given here with its <NAME>_FILE inherited would be refused by the settings.
    dropped = {f"{name}_FILE" for name in given} | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **given}


@contextmanager
def started(command: list[str], *, env: dict, log: Path) -> Iterator[subprocess.Popen]:
    """A child process for the block, its output in ``log``; stopped at the end, whatever
    happens (its whole group: gunicorn's and Celery's own children too)."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop_process_group(process)


def worker_command(queue: str) -> list[str]:
    """One prefork worker on the run's queue only."""
    return [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
        f"--concurrency={WORKER_CONCURRENCY}", "--without-gossip", "--without-mingle",
        "--loglevel=WARNING", f"--queues={queue}", f"--hostname={queue}@%h",
    ]  # fmt: skip


# Longer than any user's pause between two requests. With gunicorn's default of 2 s, a user
# who thinks for about that long sends into a connection the server is closing: a reset,
# which a browser retries silently but locust counts as no answer. Behind a load balancer
# the same rule holds: the server's keep-alive outlasts the balancer's idle timeout.
KEEP_ALIVE_S = 75


def gunicorn_command(*, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=gthread",
        f"--threads={GUNICORN_THREADS}", f"--keep-alive={KEEP_ALIVE_S}", "--log-level=warning",
    ]  # fmt: skip


def wait_for_worker(process: subprocess.Popen, queue: str, log: Path) -> None:
    from celery.exceptions import TimeoutError as CeleryTimeout

    from portal.celery import app

    token = uuid.uuid4().hex
    result = app.send_task("portal.ping", args=[token], queue=queue)
    deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError(f"the worker exited ({process.returncode}); see {log}")
        try:
            if result.get(timeout=1)["token"] == token:
                return
        except CeleryTimeout:
            continue
    raise LoadTestError(f"the worker did not answer within {WORKER_READY_TIMEOUT_S} s; see {log}")


def wait_until_serving(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise LoadTestError(f"gunicorn did not answer /healthz within 60 s; see {log}")


def run_locust(
    *, base_url: str, users: int, spawn_rate: float, duration_s: int, csv_prefix: Path, env: dict,
    locustfile: Path = LOCUSTFILE, log_name: str = "locust.log",
) -> None:  # fmt: skip
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
        "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration_s}s", "--host", base_url,
        "--csv", str(csv_prefix), "--only-summary", "--loglevel=WARNING",
    ]  # fmt: skip
    log = csv_prefix.with_name(log_name)
    with log.open("wb") as output:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env={**os.environ, **env}, stdout=output,
            stderr=subprocess.STDOUT, timeout=duration_s + 180, check=False,
        )  # fmt: skip
    # locust exits 1 when a request failed: the figures say which, so go on.
    if completed.returncode not in (0, 1):
        raise LoadTestError(f"locust failed ({completed.returncode}); see {log}")


@contextmanager
def routed_to(queue: str) -> Iterator[None]:
    """Send this process's tasks (the set-up's outbox) to the run's queue too; Celery caches
    its router, so build it again on the way in and out."""
    from portal.celery import app

    def route(routes) -> None:
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    previous = app.conf.task_routes
    route({"*": {"queue": queue}})
    try:
        yield
    finally:
        route(previous)


def purge_queue(queue: str) -> None:
    """Drop the run's queue from the broker: nothing will ever read it again."""
    from portal.celery import app

    # A broker gone meanwhile keeps the queue: harmless, and no reason to hide the figures.
    with suppress(Exception), app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


# -- the run ---------------------------------------------------------------------------------


def count_verifications(*, started, ended) -> Verifications:
    jobs = VerificationJob.objects.filter(registration__operator__code=OPERATOR_CODE)
    done = jobs.filter(
        status=VerificationJob.Status.DONE, finished_at__gte=started, finished_at__lte=ended
    )
    by_outcome = Counter(done.values_list("outcome", flat=True))
    backlog = jobs.filter(
        status__in=[VerificationJob.Status.QUEUED, VerificationJob.Status.RUNNING]
    ).count()
    return Verifications(
        decided=sum(by_outcome.values()),
        by_outcome=dict(by_outcome),
        backlog=backlog,
        minutes=(ended - started).total_seconds() / 60,
    )


def _load(*, base_url: str, config_path: Path, run_dir: Path, **locust) -> Verifications:
    env = {"LOADTEST_CONFIG": str(config_path), "LOADTEST_SMS_FILE": str(run_dir / "sms.jsonl")}
    started_at = timezone.now()
    run_locust(base_url=base_url, csv_prefix=run_dir / "load", env=env, **locust)
    return count_verifications(started=started_at, ended=timezone.now())


def _run_dir() -> Path:
    """var/loadtest: the logs, locust's csv files, the settings and the SMS file of a run."""
    run_dir = Path(settings.VAR_DIR) / "loadtest"
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in [run_dir / "sms.jsonl", *run_dir.glob("load_*.csv")]:  # an earlier run's
        stale.unlink(missing_ok=True)  # the SMS file exists only after a sign-in
    (run_dir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SHIM)
    return run_dir


def run(*, duration_s: int, users: int, spawn_rate: float, workers: int | None = None) -> Report:
    problems = setup_problems()
    if problems:
        raise LoadTestError("; ".join(problems))
    workers = workers or os.cpu_count() or 1
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its own few requests: no log lines
    run_dir, queue, port = _run_dir(), f"loadtest-{uuid.uuid4().hex[:8]}", free_port()
    env, base_url = server_env(queue=queue, run_dir=run_dir), f"http://127.0.0.1:{port}"
    config_path = run_dir / "users.json"
    logs = {name: run_dir / f"{name}.log" for name in ("worker", "gunicorn")}
    try:
        with (
            terminate_as_interrupt(),
            routed_to(queue),
            started(worker_command(queue), env=env, log=logs["worker"]) as celery_worker,
            started(
                gunicorn_command(port=port, workers=workers), env=env, log=logs["gunicorn"]
            ) as server,
        ):
            # The rows are made while both start (the worker loads the face models).
            write_private(config_path, json.dumps(set_up(users=users, duration_s=duration_s)))
            wait_for_worker(celery_worker, queue, logs["worker"])
            wait_until_serving(server, base_url, logs["gunicorn"])
            verifications = _load(
                base_url=base_url, config_path=config_path, run_dir=run_dir,
                users=users, spawn_rate=spawn_rate, duration_s=duration_s,
            )  # fmt: skip
    finally:
        config_path.unlink(missing_ok=True)
        purge_queue(queue)
    return read_report(
        run_dir / "load", verifications, users=users, duration_s=duration_s,
        server=f"gunicorn {workers} x {GUNICORN_THREADS} threads, 1 Celery worker x "
        f"{WORKER_CONCURRENCY} processes, {connection.vendor}",
    )  # fmt: skip


def read_report(csv_prefix: Path, verifications: Verifications, **about) -> Report:
    return Report(
        endpoints=read_endpoint_stats(csv_prefix),
        failures=read_failures(csv_prefix),
        verifications=verifications,
        exceptions=read_exception_count(csv_prefix),
        **about,
    )
