"""How many first pages of ``/registrations/`` a nation-wide inspector gets a second, on a
real server over a large table (the issue's target: 100/s or more with 8 users).

``python manage.py bench_lists`` (``make bench-lists``) needs PostgreSQL holding at least
``--min-rows`` registrations (``seed_demo --rows-only --registrations 1000000`` makes them).
It makes one nation-wide inspector account per user (with an authenticator app, as
make loadtest's are), starts gunicorn on a free loopback port (``--workers`` processes, the
same threads and keep-alive as make loadtest), and runs locust headless: each user signs in,
then asks the list's first page back to back. It prints requests/s, p50/p95/p99 and failures
of the list alone (the sign-ins are timed apart), and fails below the target.
"""

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from portal.accounts.roles import Role
from portal.devtools import loadtest
from portal.devtools.bench_verification import DEFAULT_CAPTURE, DEFAULT_PORTRAIT
from portal.devtools.processes import free_port

LOCUSTFILE = Path(__file__).with_name("locustfile_lists.py")
LIST_ENDPOINT = "GET /registrations/ (first page)"
TARGET_PER_S = 100.0


@dataclass(frozen=True)
class Figures:
    rows: int
    users: int
    workers: int
    duration_s: int
    requests: int
    failures: int
    requests_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    def lines(self) -> list[str]:
        return [
            f"/registrations/, first page, nation-wide inspector: {self.rows:,} registrations; "
            f"{self.users} users for {self.duration_s} s; gunicorn {self.workers} x "
            f"{loadtest.GUNICORN_THREADS} threads",
            f"requests {self.requests:,}  failed {self.failures}  "
            f"{self.requests_per_s:.1f} requests/s  p50 {self.p50_ms} ms  p95 {self.p95_ms} ms  "
            f"p99 {self.p99_ms} ms  (target: {TARGET_PER_S:.0f}/s or more)",
        ]

    def problems(self) -> list[str]:
        problems = []
        if self.failures:
            problems.append(f"{self.failures} requests failed")
        if self.requests_per_s < TARGET_PER_S:
            problems.append(f"{self.requests_per_s:.1f} requests/s, under {TARGET_PER_S:.0f}")
        return problems


def registrations_estimate() -> int:
    """The planner's row count (a count(*) over millions of rows is itself a benchmark)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            ["registrations_registration"],
        )
        return max(cursor.fetchone()[0], 0)


def accounts(users: int) -> list[dict]:
    made = [
        loadtest.load_account(
            f"{loadtest.USERNAME_PREFIX}lists_{n:02d}", role=Role.MINISTRY_INSPECTOR,
            second_factor=True, provinces=None,
        )
        for n in range(1, users + 1)
    ]  # fmt: skip
    loadtest.check_passwords(made)
    return made


def locust_config(inspectors: list[dict]) -> dict:
    """What locustfile_load.py reads at import: only the inspectors are used here."""
    return {
        "mix": loadtest.USER_MIX, "inspectors": inspectors, "staff": [], "reviewers": [],
        "partners": [], "subscribers": [], "people": [], "consent_version": "",
        "portrait": str(DEFAULT_PORTRAIT), "clip": str(DEFAULT_CAPTURE),
    }  # fmt: skip


def run(*, users: int, duration_s: int, workers: int, min_rows: int) -> Figures:
    if connection.vendor != "postgresql":
        raise loadtest.LoadTestError("bench_lists measures PostgreSQL: set DATABASE_URL")
    rows = registrations_estimate()
    if rows < min_rows:
        raise loadtest.LoadTestError(
            f"{rows:,} registrations, fewer than {min_rows:,}: run "
            f"seed_demo --rows-only --registrations {min_rows} first"
        )
    run_dir, port = loadtest._run_dir(), free_port()
    env = loadtest.server_env(queue=f"lists-{uuid.uuid4().hex[:8]}", run_dir=run_dir)
    base_url, log = f"http://127.0.0.1:{port}", run_dir / "gunicorn-lists.log"
    config_path = run_dir / "users-lists.json"
    loadtest.write_private(config_path, json.dumps(locust_config(accounts(users))))
    command = loadtest.gunicorn_command(port=port, workers=workers)
    try:
        with loadtest.started(command, env=env, log=log) as server:
            loadtest.wait_until_serving(server, base_url, log)
            loadtest.run_locust(
                base_url=base_url, users=users, spawn_rate=users, duration_s=duration_s,
                csv_prefix=run_dir / "lists", env={"LOADTEST_CONFIG": str(config_path)},
                locustfile=LOCUSTFILE, log_name="locust-lists.log",
            )  # fmt: skip
    finally:
        config_path.unlink(missing_ok=True)
    return figures_of(run_dir / "lists", rows=rows, users=users, workers=workers)


def figures_of(csv_prefix: Path, *, rows: int, users: int, workers: int) -> Figures:
    stats = {s.name: s for s in loadtest.read_endpoint_stats(csv_prefix)}
    listed = stats.get(LIST_ENDPOINT)
    if listed is None:
        raise loadtest.LoadTestError(f"locust asked no list page; see {csv_prefix}_stats.csv")
    duration_s = _history_seconds(csv_prefix)
    return Figures(
        rows=rows, users=users, workers=workers, duration_s=duration_s,
        requests=listed.requests, failures=listed.failures,
        requests_per_s=listed.requests_per_s, p50_ms=listed.p50_ms, p95_ms=listed.p95_ms,
        p99_ms=listed.p99_ms,
    )  # fmt: skip


def _history_seconds(csv_prefix: Path) -> int:
    history = Path(f"{csv_prefix}_stats_history.csv")
    if not history.exists():
        return 0
    stamps = [line.split(",", 1)[0] for line in history.read_text().splitlines()[1:] if line]
    return int(stamps[-1]) - int(stamps[0]) if len(stamps) > 1 else 0
