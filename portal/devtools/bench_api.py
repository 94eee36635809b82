"""What the partner API costs beside the bare Django ceiling, on a real server.

``python manage.py bench_api`` (``make bench-api``) starts gunicorn on a free loopback port
(one sync worker per core) with ``BENCH_ENDPOINTS`` on, so that the same server also answers
``bare_json`` below: a plain ``JsonResponse`` behind the site's whole middleware stack, the
ceiling of any Django view here. It makes a partner key (``apikey_create``) and one
registration through the API, then runs locust headless twice against that server, first on
the bare endpoint, then on ``GET /api/v1/registrations/{id}`` with the key, and prints
requests/s, p50 and p99 of both and their ratio (target: the API at 40 % of the bare figure
or more). The two runs alternate in rounds (3 by default, bare then API in each), and the
figure is the median round's: the cores are shared, and a pair measured minutes apart would
compare two different machines.

The database is the configured one (set ``DATABASE_URL`` for PostgreSQL); the rows it makes
use codes the demo data never uses.
"""

import csv
import io
import logging
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection
from django.http import JsonResponse
from django.urls import path

from portal.accounts.services import role_groups_sync
from portal.devtools.processes import free_port, stop_process_group
from registrations import rules
from registrations.models import Operator

TARGET_RATIO = 0.40  # the issue: the API endpoint at 40 % of the bare ceiling or more
BARE_PATH = "/bench/bare-json"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

# Codes the demo data and bench_verification never use.
OPERATOR_CODE = "BENCHAPI"
AREA_CODE = "445281"
MSISDN_PREFIX = "196"
ICCID_PREFIX = "898607"


class BenchError(Exception):
    """The benchmark cannot run here; the message says why."""


# -- the bare endpoint (mounted by portal/urls.py only when BENCH_ENDPOINTS is on) ----------


def bare_json(request):
    """The cheapest Django view: no database, no authentication, the same middleware."""
    return JsonResponse({"status": "ok"})


# This module is the URLconf portal/urls.py includes when BENCH_ENDPOINTS is on.
urlpatterns = [path(BARE_PATH.lstrip("/"), bare_json, name="bench-bare-json")]


# -- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    failures: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Round:
    """One bare run and the API run right after it: a pair measured under the same load of
    the machine (which, shared, varies by tens of percent from minute to minute)."""

    bare: Figures
    api: Figures

    @property
    def ratio(self) -> float:
        return self.api.requests_per_s / self.bare.requests_per_s if self.bare.requests_per_s else 0


@dataclass(frozen=True)
class Summary:
    rounds: tuple[Round, ...]
    users: int
    duration_s: int  # per endpoint and round
    workers: int
    database: str

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios."""
        return statistics.median(round_.ratio for round_ in self.rounds)

    @property
    def bare(self) -> Figures:
        return self._median_round().bare

    @property
    def api(self) -> Figures:
        return self._median_round().api

    def _median_round(self) -> Round:
        ordered = sorted(self.rounds, key=lambda round_: round_.ratio)
        return ordered[len(ordered) // 2]

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "ratio": round(self.ratio, 3),
            "round_ratios": [round(round_.ratio, 3) for round_ in self.rounds],
            "target_ratio": TARGET_RATIO,
            "target_met": self.ratio >= TARGET_RATIO,
        }


def read_locust_stats(csv_prefix: Path, name: str) -> Figures:
    """The "Aggregated" row of locust's ``<prefix>_stats.csv``."""
    with Path(f"{csv_prefix}_stats.csv").open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows.get("Aggregated")
    if row is None or not int(row["Request Count"]):
        raise BenchError(f"locust made no request for {name}; see {csv_prefix}_*.csv")
    return Figures(
        name=name,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        requests_per_s=round(float(row["Requests/s"]), 1),
        p50_ms=float(row["50%"]),
        p99_ms=float(row["99%"]),
    )


# -- the partner, its key and a registration ------------------------------------------------


def bench_operator() -> Operator:
    """The benchmark's operator (made on the first run; its key makes its partner account)."""
    role_groups_sync()
    operator, _ = Operator.objects.get_or_create(
        code=OPERATOR_CODE, defaults={"name": "Benchmark Online", "kind": Operator.Kind.MVNO}
    )
    return operator


def new_api_key(operator: Operator) -> str:
    """A fresh key from ``apikey_create``, which prints it once (a command, not an import:
    the devtools and the API are independent layers)."""
    if "apikey_create" not in get_commands():
        raise BenchError("the apikey_create command is missing (portal.api)")
    output = io.StringIO()
    name = f"bench-api {uuid.uuid4().hex[:6]}"
    call_command(
        "apikey_create", operator=operator.code, name=name, stdout=output, stderr=io.StringIO()
    )
    for word in output.getvalue().split():
        if word.startswith("simk_"):
            return word
    raise BenchError("apikey_create printed no key")


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def registration_body() -> dict:
    """A valid online registration for a made-up subscriber (GB 11643 and Luhn hold)."""
    birth_date = date(1960, 1, 1) + timedelta(days=secrets.randbelow(40 * 365))
    return {
        "id_type": "resident_id",
        "id_number": rules.make_resident_id(
            area_code=AREA_CODE, birth_date=birth_date, sequence=secrets.randbelow(1000)
        ),
        "full_name": "Bench Mark",
        "birth_date": birth_date.isoformat(),
        "id_expiry": (date.today() + timedelta(days=3650)).isoformat(),  # noqa: DTZ011
        "msisdn": MSISDN_PREFIX + _digits(8),
        "iccid": rules.make_iccid(body=ICCID_PREFIX + _digits(13)),
        "province": "440000",
    }


def create_registration(base_url: str, key: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/registrations",
        json=registration_body(),
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    if response.status_code != 201:
        raise BenchError(
            f"POST /api/v1/registrations: HTTP {response.status_code}: {response.text[:300]}"
        )
    return str(response.json()["id"])


# -- the server and the load ----------------------------------------------------------------


def _wait_until_serving(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            if httpx.get(base_url + BARE_PATH, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {BARE_PATH} within 60 s; see {log}")


def server_env() -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
        "BENCH_ENDPOINTS": "1",
        # The figures of a server, not of the debug machinery (which keeps every query).
        "DEBUG": "0",
        # Connections kept between requests, as production does (settings: 60 s there).
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        # A bucket too large to run dry: the benchmark sends far more than a partner may, and
        # the throttle's cost (one counter per request) is still measured.
        "API_RATE_PER_S": os.environ.get("API_RATE_PER_S", "1000000"),
        "API_BURST": os.environ.get("API_BURST", "1000000"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@contextmanager
def gunicorn(*, workers: int, log: Path) -> Iterator[str]:
    """gunicorn on a free loopback port for the block; stopped at the end, whatever happens."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=sync",
        "--log-level=warning",
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=settings.BASE_DIR,
            env=server_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, base_url, log)
            yield base_url
        finally:
            stop_process_group(process)


def run_locust(
    *, user_class: str, base_url: str, users: int, duration_s: int, csv_prefix: Path, env: dict
) -> None:
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{duration_s}s", "--host", base_url,
        "--csv", str(csv_prefix), "--only-summary", "--loglevel=WARNING", user_class,
    ]  # fmt: skip
    completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        timeout=duration_s + 120,
    )
    # locust exits 1 when some request failed: the figures say how many, so go on.
    if completed.returncode not in (0, 1):
        raise BenchError(f"locust failed ({completed.returncode}): {completed.stderr[-500:]!r}")


def bench(*, users: int, duration_s: int, workers: int | None = None, rounds: int = 3) -> Summary:
    workers = workers or os.cpu_count() or 1
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its own few requests: no log lines
    out = Path(settings.VAR_DIR) / "bench-api"
    operator = bench_operator()
    key = new_api_key(operator)
    with gunicorn(workers=workers, log=out / "gunicorn.log") as base_url:
        registration_id = create_registration(base_url, key)
        env = {
            "BENCH_BARE_PATH": BARE_PATH,
            "BENCH_API_KEY": key,
            "BENCH_REGISTRATION_ID": registration_id,
        }
        done = []
        for number in range(1, rounds + 1):
            figures = {}
            for name, user_class in (("bare", "BareJsonUser"), ("api", "PartnerApiUser")):
                csv_prefix = out / f"{name}-{number}"
                run_locust(
                    user_class=user_class,
                    base_url=base_url,
                    users=users,
                    duration_s=duration_s,
                    csv_prefix=csv_prefix,
                    env=env,
                )
                figures[name] = read_locust_stats(csv_prefix, name)
            done.append(Round(**figures))
    return Summary(
        rounds=tuple(done),
        users=users,
        duration_s=duration_s,
        workers=workers,
        database=connection.vendor,
    )
