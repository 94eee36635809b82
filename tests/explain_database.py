"""The EXPLAIN test's database of 1,000,000 registrations and 1,000,000 audit events.

It is built once and kept between runs while its migrations are the code's (``explain_1m``):
the demo's rows by ``seed_demo --rows-only``, and audit events made up in SQL (the demo's
history has none, and at a few thousand events the planner rightly prefers a scan). It is a
throwaway: the made-up events do not form a hash chain.

Building it takes minutes of a machine of two cores, so it is built beside the tests rather
than before the one that needs it: ``start`` (from ``pytest_collection_finish``, when that test
is collected) begins it in a thread; the test's fixture ``wait``s for it. One generating
process leaves the other core to the tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from django.db import connection

from tests.workers import ROOT

DATABASE = "explain_1m"
REGISTRATIONS = 1_000_000
AUDIT_EVENTS = 1_000_000
GENERATING_PROCESSES = 1

SYNTHETIC_AUDIT = """
INSERT INTO audit_auditevent (sequence, occurred_at, actor_type, actor_id, actor_label,
    actor_role, action, object_type, object_id, operator_id, province_code, changes,
    ip_address, user_agent, request_id, reason, prev_hash, hash)
SELECT m.s + g, now() - ((%(n)s - g) * interval '30 seconds'), 'user', '1',
    (array['staff_gd_sz_001', 'carrier_admin_cmcc', 'inspector', 'staff_bj_xc_001'])[1 + g %% 4],
    'outlet_staff',
    (array['registration.created', 'registration.submitted', 'registration.verifying',
           'registration.decided', 'verification.completed', 'evidence.stored', 'auth.login',
           'registration.viewed'])[1 + g %% 8],
    'registration', md5(g::text), 1 + g %% 4,
    (array['440000', '110000', '310000', '320000', '330000', '510000'])[1 + (g / 7) %% 6],
    '{}'::jsonb, NULL, '', '', '', md5('p' || g), md5('h' || g)
FROM generate_series(1, %(n)s) g,
    (SELECT coalesce(max(sequence), 0) s FROM audit_auditevent) m
"""

BUILT = """SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s
UNION ALL SELECT NULL LIMIT 1"""


def url(name: str = DATABASE) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin(sql: str, params=None, database: str = "postgres"):
    """Run ``sql`` outside any transaction (CREATE DATABASE); the first column of its row."""
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=database, user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if cursor.description else None
    finally:
        conn.close()


def manage_env(database_url: str, **env: str) -> dict[str, str]:
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    environment.pop("CACHE_URL", None)  # per-process memory: this database's own
    return environment


class _Build:
    """The build in a thread; the running ``manage.py`` kept, to be stopped at the end (with
    the processes it generates rows in: it leads a process group of its own)."""

    def __init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name="explain_1m", daemon=True)
        self.process: subprocess.Popen | None = None
        self.failure: str | None = None
        self.stopping = False
        self.seconds: float | None = None  # how long the build took, None if it was kept

    def _manage(self, database_url: str, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=manage_env(database_url),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        _out, err = self.process.communicate()
        if self.process.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(arguments)} failed: {err[-2000:]}")

    def _run(self) -> None:
        try:
            target = url()
            built = admin(BUILT, [DATABASE]) == "built"  # a build cut short never says so
            if built and self._migrations_current(target):
                return
            started = time.monotonic()
            admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')
            admin(f'CREATE DATABASE "{DATABASE}"')
            self._manage(target, "migrate", "--noinput")
            self._manage(
                target, "seed_demo", "--registrations", str(REGISTRATIONS), "--rows-only",
                "--processes", str(GENERATING_PROCESSES),
            )  # fmt: skip
            admin(SYNTHETIC_AUDIT, {"n": AUDIT_EVENTS}, database=DATABASE)
            admin("ANALYZE audit_auditevent", database=DATABASE)
            admin(f"COMMENT ON DATABASE \"{DATABASE}\" IS 'built'")
            self.seconds = time.monotonic() - started
        except Exception as error:  # noqa: BLE001 - handed to the test that waits for it
            self.failure = "stopped" if self.stopping else f"{type(error).__name__}: {error}"

    def _migrations_current(self, target: str) -> bool:
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT,
            env=manage_env(target), capture_output=True, check=False,
        )  # fmt: skip
        return check.returncode == 0


_build: _Build | None = None


def start() -> None:
    """Begin the build (or the check that the kept database is current), once."""
    global _build
    if _build is None:
        _build = _Build()
        _build.thread.start()


def wait() -> tuple[str, float | None]:
    """The database's URL once it is ready, and how long building it took (None: kept).
    Raises if the build failed."""
    start()
    _build.thread.join()
    if _build.failure is not None:
        raise RuntimeError(f"building {DATABASE} failed: {_build.failure}")
    return url(), _build.seconds


def stop() -> None:
    """End a build still running (the session is over): its manage.py is terminated."""
    if _build is None or not _build.thread.is_alive():
        return
    _build.stopping = True
    process = _build.process
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    _build.thread.join(timeout=60)
