"""make loadtest: its reading of locust's csv files, its verdict, its table and its locustfile
(run in a process of its own: importing locust patches this one's sockets); then, slow, the
whole thing for a few seconds."""

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import call_command
from django_otp.oath import TOTP

from portal.devtools import loadtest
from portal.devtools.loadtest import EndpointStats, Failure, Report, Verifications
from tests.workers import require_worker_setup

STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,"
    "75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
STATS_ROWS = [
    "GET,/registrations/{id}/verification/,77,1,200,230.5,90.1,590.2,400.0,1.97,0.02,200,210,"
    "230,250,300,430,500,590,590,590,590",
    "JOB,outlet: upload -> decision,4,0,12000,11000.0,9000.0,12500.0,0.0,0.1,0.0,12000,12000,"
    "12000,12000,12000,12000,12000,12000,12000,12000,12000",
    "POST,/me/code/,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
    ",Aggregated,81,1,210,700.0,90.1,12500.0,380.0,2.07,0.02,210,230,250,300,400,12000,12000,"
    "12000,12000,12000,12000",
]
FAILURES = """\
Method,Name,Error,Occurrences,First Seen,Last Seen
POST,/registrations/{id}/capture/upload/,CatchResponseError('HTTP 503'),2,,
GET,/registrations/{id}/verification/,CatchResponseError('HTTP 0 (no answer: ConnectionError)'),1,,
POST,/me/,CatchResponseError('HTTP 429'),3,,
GET,/supervision/,HTTPError('500 Server Error: Internal Server Error for url: /supervision/'),1,,
JOB,api: capture -> decision,TimeoutError('none in 120 s'),1,,
GET,/review/,CatchResponseError('cut off by the end of the run (ConnectionError)'),1,,
"""


def write_csv(tmp_path: Path, *, stats=STATS_ROWS, failures=FAILURES) -> Path:
    prefix = tmp_path / "load"
    Path(f"{prefix}_stats.csv").write_text("\n".join([STATS_HEADER, *stats]) + "\n")
    Path(f"{prefix}_failures.csv").write_text(failures)
    Path(f"{prefix}_exceptions.csv").write_text("Count,Message,Traceback,Nodes\n2,boom,tb,local\n")
    return prefix


def verified(decided: int = 9) -> Verifications:
    return Verifications(decided=decided, by_outcome={"approved": decided}, backlog=1, minutes=0.5)


def report(tmp_path, *, failures=FAILURES, decided: int = 9) -> Report:
    prefix = write_csv(tmp_path, failures=failures)
    return loadtest.read_report(prefix, verified(decided), users=12, duration_s=30)


def test_it_reads_every_endpoint_but_the_aggregate_with_its_percentiles(tmp_path):
    endpoints = loadtest.read_endpoint_stats(write_csv(tmp_path))

    assert [(e.kind, e.name) for e in endpoints] == [
        ("GET", "/registrations/{id}/verification/"),
        ("JOB", "outlet: upload -> decision"),
        ("POST", "/me/code/"),
    ]
    poll = endpoints[0]
    assert (poll.requests, poll.failures, poll.requests_per_s) == (77, 1, 1.97)
    assert (poll.p50_ms, poll.p95_ms, poll.p99_ms) == (200, 430, 590)
    assert poll.is_http and not endpoints[1].is_http
    assert endpoints[2].p50_ms is None  # "N/A": no request made
    assert endpoints[2].failure_ratio == 0


def test_it_reads_the_status_of_each_failure_from_its_words(tmp_path):
    failures = loadtest.read_failures(write_csv(tmp_path))

    assert [(f.status, f.occurrences) for f in failures] == [
        (503, 2), (0, 1), (429, 3), (500, 1), (None, 1), (None, 1),
    ]  # fmt: skip


def test_a_run_without_failures_files_has_no_failures(tmp_path):
    assert loadtest.read_failures(tmp_path / "none") == []
    assert loadtest.read_exception_count(tmp_path / "none") == 0


def test_any_5xx_or_unanswered_request_fails_the_run_and_a_429_does_not(tmp_path):
    failing = report(tmp_path)

    assert failing.server_errors == 3
    assert failing.unanswered == 1
    assert failing.problems() == ["3 responses were 5xx", "1 requests got no answer"]

    refused_only = "Method,Name,Error,Occurrences\nPOST,/me/,CatchResponseError('HTTP 429'),3\n"
    assert report(tmp_path, failures=refused_only).problems() == []


def test_a_run_that_verified_nothing_fails(tmp_path):
    empty = "Method,Name,Error,Occurrences\n"

    assert report(tmp_path, failures=empty, decided=0).problems() == ["nothing was verified"]


def test_the_table_has_a_row_per_endpoint_the_waits_apart_and_the_verdict(tmp_path):
    lines = loadtest.render(report(tmp_path))
    text = "\n".join(lines)

    header = next(line for line in lines if "endpoint" in line)
    assert header.split() == ["endpoint", "requests", "req/s", "failed", "p50", "ms", "p95",
                              "ms", "p99", "ms"]  # fmt: skip
    row = next(line for line in lines if "/registrations/{id}/verification/" in line)
    assert row.split() == ["GET", "/registrations/{id}/verification/", "77", "1.97", "1.3%",
                           "200", "430", "590"]  # fmt: skip
    assert lines.index(row) < text.split("\n").index(
        next(line for line in lines if "outlet: upload -> decision" in line)
    )
    assert "verifications decided: 9 in 0.5 min = 18.0/min (approved 9)" in text
    assert "  429: 3 (POST /me/)" in text
    assert "  no answer: 1 (GET /registrations/{id}/verification/)" in text
    assert "errors in the users' own code: 2" in text
    assert lines[-1] == "FAILED: 3 responses were 5xx; 1 requests got no answer"


def test_a_clean_run_says_it_passed():
    clean = Report(
        endpoints=[EndpointStats("GET", "/", 3, 0, 0.1, 100.0, 120.0, 130.0)],
        failures=[Failure("POST", "/me/", "CatchResponseError('HTTP 429')", 1)],
        verifications=verified(),
    )

    assert loadtest.render(clean)[-1] == "PASSED: no 5xx, all answered"


def test_the_accounts_of_each_kind_cover_the_users_the_mix_may_spawn():
    counts = loadtest.users_per_class(12)

    assert counts == {
        "OutletStaffUser": 4, "ApiPartnerUser": 3, "SubscriberUser": 2, "InspectorUser": 2,
        "CarrierReviewerUser": 1,
    }  # fmt: skip
    assert all(count >= 1 for count in loadtest.users_per_class(1).values())


def test_an_account_has_the_same_strong_password_at_every_run():
    password = loadtest.password_for("loadtest_staff_001")

    assert password == loadtest.password_for("loadtest_staff_001")
    assert password != loadtest.password_for("loadtest_staff_002")
    assert len(password) >= 12


LOCUSTFILE_PROBE = textwrap.dedent(
    """
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("locustfile_load", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ours = ("django", "portal", "registrations", "verification")
    print(json.dumps({
        "totp": module.totp(sys.argv[2], at=float(sys.argv[3])),
        "names": [module.endpoint_name(path) for path in sys.argv[4:]],
        "imported": sorted(m for m in sys.modules if m.split(".")[0] in ours),
        "classes": sorted(
            name for name, value in vars(module).items()
            if isinstance(value, type) and name.endswith("User") and not value.abstract
        ),
    }))
    """
)


def test_the_locustfile_imports_nothing_of_the_portal_and_makes_django_otps_codes(tmp_path):
    (tmp_path / "portrait.jpg").write_bytes(b"jpeg")
    (tmp_path / "clip.mp4").write_bytes(b"mp4")
    config = {
        "mix": loadtest.USER_MIX, "people": [], "consent_version": "2026-12",
        "portrait": str(tmp_path / "portrait.jpg"), "clip": str(tmp_path / "clip.mp4"),
    }  # fmt: skip
    (tmp_path / "users.json").write_text(json.dumps(config))
    key, at = "3132333435363738393031323334353637383930", 1_800_000_000.0
    paths = ["/registrations/0b6c9f2e-6a3e-4c1e-9a57-3f0e2d1c4b5a/portrait/",
             "/supervision/risk/12/?x=1"]  # fmt: skip

    completed = subprocess.run(
        [sys.executable, "-c", LOCUSTFILE_PROBE, str(loadtest.LOCUSTFILE), key, str(at), *paths],
        env={"LOADTEST_CONFIG": str(tmp_path / "users.json"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip

    probe = json.loads(completed.stdout)
    otp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    otp.time = at
    assert probe["totp"] == f"{otp.token():06d}"
    assert probe["names"] == ["/registrations/{id}/portrait/", "/supervision/risk/{n}/"]
    assert probe["imported"] == []
    assert probe["classes"] == sorted(loadtest.USER_MIX)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_short_run_loads_every_kind_of_user_verifies_and_passes(settings):
    require_worker_setup()
    # The server checks the passwords with the real hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    out = io.StringIO()

    call_command("loadtest", duration=25, users=5, spawn_rate=5, stdout=out)

    printed = out.getvalue()
    assert "endpoint" in printed and "p99 ms" in printed
    for endpoint in ("POST  /registrations/{id}/capture/upload/", "GET   /supervision/",
                     "POST  /api/v1/registrations ", "POST  /me/number/"):  # fmt: skip
        assert endpoint in printed
    assert "verifications decided: 0 " not in printed
    assert printed.rstrip().endswith("PASSED: no 5xx, all answered")
