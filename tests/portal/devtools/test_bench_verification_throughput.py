"""bench_verification --burst: the figures from the jobs' timestamps (fast), and one small burst
through a real worker (slow), for its working, not its figures."""

import io
import os
import re

import pytest
from django.core.management import CommandError, call_command

from portal.devtools import bench_verification as bench
from portal.devtools.bench_verification import JobTimes, Round, Spread, Throughput
from portal.devtools.management.commands.bench_verification import worker_counts
from tests.workers import require_worker_setup, worker_env
from verification.models import VerificationJob

APPROVED = VerificationJob.Outcome.APPROVED


def job(*, uploaded, queued, started, finished, engine_s=1.0, outcome=APPROVED) -> JobTimes:
    return JobTimes(
        uploaded=uploaded,
        queued=queued,
        started=started,
        finished=finished,
        engine_s=engine_s,
        outcome=outcome,
    )


def a_round(workers: int, finishes: list[float], *, cpu_s=None, outcome=APPROVED) -> Round:
    """Jobs uploaded at 0.1 s intervals from t=100, finished ``finishes`` seconds after 100."""
    jobs = [
        job(
            uploaded=100 + 0.1 * (n + 1),
            queued=100 + 0.1 * n + 0.05,
            started=100 + finish - 1.5,
            finished=100 + finish,
            outcome=outcome,
        )
        for n, finish in enumerate(finishes)
    ]
    return Round(workers=workers, first_upload=100.0, uploads_s=1.0, jobs=jobs, cpu_s=cpu_s)


# -- percentiles and spreads ---------------------------------------------------------------------


def test_the_percentile_is_a_value_that_was_measured_by_nearest_rank():
    values = list(range(1, 101))  # 1..100

    assert bench.percentile(values, 0.95) == 95
    assert bench.percentile(values, 0.5) == 50
    assert bench.percentile(values, 1.0) == 100
    assert bench.percentile([3.0], 0.95) == 3.0
    assert bench.percentile([5, 1, 4, 2, 3], 0.95) == 5  # order does not matter
    assert bench.percentile([5, 1, 4, 2, 3], 0.0) == 1


def test_the_p95_of_fifty_is_the_forty_eighth():
    assert bench.percentile([float(n) for n in range(50, 0, -1)], 0.95) == 48.0


def test_no_values_have_no_percentile():
    with pytest.raises(ValueError):
        bench.percentile([], 0.95)


def test_a_spread_gives_median_p95_and_max():
    spread = Spread.of([1.0, 2.0, 3.0, 4.0])

    assert spread == Spread(median=2.5, p95=4.0, max=4.0)
    assert Spread(median=1.23456, p95=2.0, max=3.0).to_dict() == {
        "median": 1.235,
        "p95": 2.0,
        "max": 3.0,
    }


# -- the cores a peak needs ----------------------------------------------------------------------


def test_cores_needed_plans_each_core_at_the_headroom_of_its_rate():
    # 2,400 per core-hour at 0.7 is 1,680 planned: 10,000 / 1,680 = 5.95 -> 6.
    assert bench.cores_needed(10_000, 2_400) == 6
    assert bench.cores_needed(1_680, 2_400) == 1  # exactly one core's planned share
    assert bench.cores_needed(1_681, 2_400) == 2
    assert bench.cores_needed(0, 2_400) == 1  # a province has at least one
    assert bench.cores_needed(1_000, 1_000, headroom=1.0) == 1


def test_the_headroom_is_the_one_the_sizing_line_prints():
    assert bench.HEADROOM == 0.7
    assert bench.cores_needed(700, 1_000) == 1
    assert bench.cores_needed(701, 1_000) == 2


@pytest.mark.parametrize(("rate", "headroom"), [(0, 0.7), (-5, 0.7), (1_000, 0), (1_000, 1.5)])
def test_cores_needed_refuses_a_rate_or_headroom_that_means_nothing(rate, headroom):
    with pytest.raises(ValueError):
        bench.cores_needed(100, rate, headroom=headroom)


# -- a round's figures ---------------------------------------------------------------------------


def test_a_round_counts_from_the_first_upload_to_the_last_decision():
    r = a_round(1, [2.0, 3.5, 5.0, 6.5, 8.0, 9.5, 11.0, 12.5, 14.0, 15.0])

    assert r.elapsed_s == pytest.approx(15.0)
    assert r.per_minute == pytest.approx(40.0)  # 10 in 15 s
    assert r.per_core_minute == pytest.approx(40.0)


def test_per_core_minute_shares_the_rate_among_the_workers():
    r = a_round(2, [1.5 + n * 0.75 for n in range(10)])  # last at 8.25 s

    assert r.per_minute == pytest.approx(10 / 8.25 * 60)
    assert r.per_core_minute == pytest.approx(r.per_minute / 2)


def test_per_cpu_minute_uses_the_workers_cpu_time_when_known():
    assert a_round(1, [6.0] * 4, cpu_s=6.0).per_cpu_minute == pytest.approx(40.0)
    assert a_round(1, [6.0] * 4, cpu_s=None).per_cpu_minute is None


def test_the_waits_come_from_the_jobs_own_timestamps():
    r = Round(
        workers=1,
        first_upload=0.0,
        uploads_s=0.3,
        jobs=[
            job(uploaded=0.1, queued=0.05, started=0.2, finished=1.7, engine_s=1.4),
            job(uploaded=0.2, queued=0.15, started=1.75, finished=3.25, engine_s=1.45),
            job(uploaded=0.3, queued=0.25, started=3.3, finished=4.8, engine_s=1.5),
        ],
        cpu_s=None,
    )

    assert r.queue_wait.median == pytest.approx(1.6)
    assert r.queue_wait.max == pytest.approx(3.05)
    assert r.upload_to_decision.median == pytest.approx(3.05)
    assert r.upload_to_decision.max == pytest.approx(4.5)
    assert r.engine.median == pytest.approx(1.45)


def test_the_outcomes_are_counted_and_the_not_approved_named():
    jobs = [
        *a_round(1, [2.0, 3.0]).jobs,
        job(uploaded=1, queued=1, started=2, finished=4, outcome="review"),
    ]
    r = Round(workers=1, first_upload=0.0, uploads_s=1.0, jobs=jobs, cpu_s=None)

    assert r.outcomes == {"approved": 2, "review": 1}
    assert r.not_approved == 1


# -- the rounds together -------------------------------------------------------------------------


def test_the_plan_uses_the_lowest_per_core_rate_and_scaling_is_against_the_first_round():
    one = a_round(1, [1.5 * (n + 1) for n in range(10)], cpu_s=15.0)  # 40 per core-minute
    two = a_round(2, [0.8 * (n + 1) for n in range(10)], cpu_s=16.0)  # 37.5 per core-minute
    throughput = Throughput(burst=10, cpu_count=2, rounds=[one, two])

    assert throughput.per_core_hour == pytest.approx(37.5 * 60)
    assert throughput.scaling(one) == 1.0
    assert throughput.scaling(two) == pytest.approx(1.875)
    assert throughput.cores_needed(10_000) == 7  # 10,000 / (2,250 * 0.7) = 6.35


def test_the_json_has_every_figure_and_says_whether_all_were_approved():
    one = a_round(1, [1.5 * (n + 1) for n in range(4)], cpu_s=6.0)
    figures = Throughput(burst=4, cpu_count=2, rounds=[one]).to_dict()

    assert figures["burst"] == 4
    assert figures["cpu_count"] == 2
    assert figures["headroom"] == 0.7
    assert figures["per_core_hour"] == 2400
    assert figures["cores_needed"] == {"1000": 1, "10000": 6}
    assert figures["all_approved"] is True
    (r,) = figures["rounds"]
    assert r["per_core_minute"] == 40.0
    assert r["per_cpu_minute"] == 40.0
    assert r["scaling"] == 1.0
    assert set(r["queue_wait_s"]) == set(r["upload_to_decision_s"]) == {"median", "p95", "max"}
    assert r["outcomes"] == {"approved": 4}

    late = a_round(1, [2.0, 3.0], outcome="retake")
    assert Throughput(burst=2, cpu_count=2, rounds=[one, late]).to_dict()["all_approved"] is False


# -- the command's arguments and the worker's CPU time -------------------------------------------


def test_worker_counts_are_read_from_a_list():
    assert worker_counts("1,2") == [1, 2]
    assert worker_counts("4") == [4]
    assert worker_counts(" 1, 2, ") == [1, 2]
    for bad in ("", "0,1", "one", "1;2"):
        with pytest.raises(CommandError):
            worker_counts(bad)


def test_runs_and_burst_are_two_modes():
    with pytest.raises(CommandError, match="--burst"):
        call_command("bench_verification", runs=3, burst=5, stdout=io.StringIO())


def test_the_command_prints_the_figures_then_fails_when_one_was_not_approved(monkeypatch):
    rounds = [a_round(1, [2.0, 3.5]), a_round(2, [1.0, 2.0], outcome="review")]

    def measured(*, report, **_):
        for r in rounds:
            report(r)
        return Throughput(burst=2, cpu_count=2, rounds=rounds)

    monkeypatch.setattr(bench, "bench_throughput", measured)
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"2 captures not approved \(2 workers: review 2\)"):
        call_command("bench_verification", burst=2, stdout=out)

    printed = out.getvalue()
    assert "approved 2" in printed and "review 2" in printed
    assert "needs ceil(P / (" in printed and "e.g. 1,000/hour: 1 core," in printed


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_the_cpu_time_of_a_process_is_read_from_proc():
    used = bench._cpu_seconds([os.getpid()])

    assert used is not None and used > 0
    assert bench._cpu_seconds([2**22 + 1]) is None  # above any pid: no such process


# -- a small burst through a real worker ---------------------------------------------------------


@pytest.mark.slow  # about 20 s: a worker loads the face models, then 4 verifications
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_four_through_one_worker_prints_the_figures_all_approved(
    monkeypatch, settings, tmp_path
):
    require_worker_setup()
    # The worker sees the test database, the test's keys and evidence, as tests/workers.py's.
    monkeypatch.setattr(bench, "_worker_env", lambda: worker_env(tmp_path))
    settings.VAR_DIR = tmp_path  # the worker's log
    out = io.StringIO()

    call_command("bench_verification", burst=4, workers="1", stdout=out, stderr=io.StringIO())

    printed = out.getvalue()
    assert f"os.cpu_count() = {os.cpu_count()}" in printed
    (row,) = re.findall(r"^\s+1\s+([\d.]+) s\s+([\d.]+) s\s+([\d.]+)\s+([\d.]+) .*$", printed, re.M)
    elapsed, _uploads, per_minute, per_core_minute = map(float, row)
    assert elapsed > 0 and per_minute == per_core_minute == pytest.approx(
        4 / elapsed * 60, rel=0.02
    )
    assert re.search(r"approved 4$", printed, re.M)
    assert re.search(r"^1 worker\s+[\d.]+ / [\d.]+ / [\d.]+", printed, re.M), "the waits"
    assert re.search(r"needs ceil\(P / \(\d+ per core-hour \* 0.7\)\) worker cores", printed)
    assert VerificationJob.objects.filter(outcome=APPROVED).count() == 4
    assert (tmp_path / "bench-verification-worker.log").exists()
