"""python manage.py bench_verification [--runs 5] [--json]: upload complete -> decision shown.

python manage.py bench_verification --burst 50 --workers 1,2 [--json]: verifications per
core-minute with 1, then 2 workers, and the queue wait under a burst of uploads.

See portal/devtools/bench_verification.py. Needs PostgreSQL and Redis or RabbitMQ: the workers
it starts are other processes, which must see the same database and broker.
"""

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_verification

DEFAULT_RUNS = 5
DEFAULT_TIMEOUT_S = 60.0  # one decision, one worker
DEFAULT_BURST_TIMEOUT_S = 600.0  # a burst's last decision: 50 jobs of ~1.5 s on one core


def worker_counts(text: str) -> list[int]:
    """``"1,2"`` -> [1, 2]."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--workers is a list of counts like 1,2, not {text!r}") from None
    if not counts or min(counts) < 1:
        raise CommandError("--workers needs counts of at least 1")
    return counts


def _seconds(spread: bench_verification.Spread) -> str:
    return f"{spread.median:.2f} / {spread.p95:.2f} / {spread.max:.2f}"


def _workers(count: int) -> str:
    return f"{count} worker" if count == 1 else f"{count} workers"


def _outcomes(r: bench_verification.Round) -> str:
    return ", ".join(f"{name} {count}" for name, count in r.outcomes.items())


def _cores(count: int) -> str:
    return f"{count} core" if count == 1 else f"{count} cores"


class Command(BaseCommand):
    help = (
        "Start one Celery worker (solo pool) and time the outlet flow with the shared clip: "
        "the upload request, then upload complete -> decision shown (status polled every "
        f"50 ms), against the issue's target of {bench_verification.TARGET_MS} ms. With "
        "--burst N: for each count of --workers, start that many workers, upload N captures "
        "at once and print verifications per core-minute, queue waits and the worker cores "
        "a province's peak needs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, help=f"Registrations to time ({DEFAULT_RUNS})")
        parser.add_argument("--burst", type=int, help="Throughput: captures uploaded at once")
        parser.add_argument(
            "--workers", default="1,2", help="Throughput: worker counts, one round each (1,2)"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the figures as JSON"
        )
        parser.add_argument("--portrait", type=Path, default=bench_verification.DEFAULT_PORTRAIT)
        parser.add_argument("--capture", type=Path, default=bench_verification.DEFAULT_CAPTURE)
        parser.add_argument(
            "--timeout",
            type=float,
            help=f"Seconds to wait for one decision ({DEFAULT_TIMEOUT_S:g}), or with --burst "
            f"for a round's last ({DEFAULT_BURST_TIMEOUT_S:g})",
        )

    def handle(self, *args, runs, burst, workers, as_json: bool, portrait, capture, timeout, **_):
        for path in (portrait, capture):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        log = Path(settings.VAR_DIR) / "bench-verification-worker.log"
        try:
            if burst is None:
                self._latency(runs, as_json, portrait, capture, log, timeout)
            else:
                if runs is not None:
                    raise CommandError("--runs times one capture at a time; --burst is the other")
                self._throughput(
                    burst, worker_counts(workers), as_json, portrait, capture, log, timeout
                )
        except bench_verification.BenchError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted; the workers are stopped.", returncode=130) from None

    # -- one capture at a time ------------------------------------------------------------------

    def _latency(self, runs, as_json, portrait, capture, log, timeout) -> None:
        runs = DEFAULT_RUNS if runs is None else runs
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        summary = bench_verification.bench(
            runs=runs,
            portrait=portrait,
            capture=capture,
            log=log,
            timeout=DEFAULT_TIMEOUT_S if timeout is None else timeout,
            report=None if as_json else self._report,
        )
        if as_json:
            self.stdout.write(json.dumps(summary.to_dict(), indent=2))
        else:
            self._summary(summary)

    def _report(self, number: int, run: bench_verification.Run) -> None:
        reasons = f" ({', '.join(run.reasons)})" if run.reasons else ""
        self.stdout.write(
            f"run {number}: upload {run.upload_ms:7.1f} ms   upload complete -> decision "
            f"{run.decision_ms:7.1f} ms   engine {run.engine_ms:7.1f} ms   "
            f"{run.outcome}{reasons}"
        )

    def _summary(self, summary: bench_verification.Summary) -> None:
        decision = summary.median("decision_ms")
        verdict = "met" if decision <= bench_verification.TARGET_MS else "MISSED"
        self.stdout.write(
            f"median ({len(summary.runs)} runs): upload {summary.median('upload_ms'):.1f} ms   "
            f"upload complete -> decision {decision:.1f} ms   "
            f"engine {summary.median('engine_ms'):.1f} ms"
        )
        self.stdout.write(f"target <= {bench_verification.TARGET_MS} ms with one worker: {verdict}")

    # -- a burst --------------------------------------------------------------------------------

    def _throughput(self, burst, counts, as_json, portrait, capture, log, timeout) -> None:
        if burst < 1:
            raise CommandError("--burst must be at least 1")
        if not as_json:
            self._burst_header(burst, counts)
        throughput = bench_verification.bench_throughput(
            burst=burst,
            workers=counts,
            portrait=portrait,
            capture=capture,
            log=log,
            timeout=DEFAULT_BURST_TIMEOUT_S if timeout is None else timeout,
            report=None if as_json else self._round,
        )
        if as_json:
            self.stdout.write(json.dumps(throughput.to_dict(), indent=2))
        else:
            self._burst_summary(throughput)
        if throughput.not_approved:
            outcomes = "; ".join(
                f"{_workers(r.workers)}: {_outcomes(r)}"
                for r in throughput.rounds
                if r.not_approved
            )
            raise CommandError(f"{throughput.not_approved} captures not approved ({outcomes})")

    def _burst_header(self, burst: int, counts: list[int]) -> None:
        cpus = os.cpu_count()
        self.stdout.write(
            f"burst of {burst} captures of the shared clip, one outlet each (the outlet-busy "
            f"rule never defers one); os.cpu_count() = {cpus}; one core per worker"
        )
        if cpus is not None and max(counts) > cpus:
            self.stdout.write(
                f"  more workers than CPUs: those rounds share {cpus} cores, their per-core "
                "figures are too low"
            )
        self.stdout.write(
            "workers  first upload -> last decision  uploads  verif/min  per core-min  "
            "worker CPU  per CPU-min  outcomes"
        )

    def _round(self, r: bench_verification.Round) -> None:
        cpu = "-" if r.cpu_s is None else f"{r.cpu_s:.1f} s"
        per_cpu = "-" if r.per_cpu_minute is None else f"{r.per_cpu_minute:.1f}"
        self.stdout.write(
            f"{r.workers:7d}  {r.elapsed_s:27.1f} s  {r.uploads_s:5.1f} s  {r.per_minute:9.1f}  "
            f"{r.per_core_minute:12.1f}  {cpu:>10}  {per_cpu:>11}  {_outcomes(r)}"
        )

    def _burst_summary(self, throughput: bench_verification.Throughput) -> None:
        self.stdout.write("")
        self.stdout.write(
            "seconds, median / p95 / max   queue wait (queued -> started)   "
            "upload answered -> decided   engine run"
        )
        for r in throughput.rounds:
            self.stdout.write(
                f"{_workers(r.workers):<28} {_seconds(r.queue_wait):<32} "
                f"{_seconds(r.upload_to_decision):<28} {_seconds(r.engine)}"
            )
        self.stdout.write("")
        for r in throughput.rounds[1:]:
            first = throughput.rounds[0]
            self.stdout.write(
                f"scaling {_workers(first.workers)} -> {r.workers}: x{throughput.scaling(r):.2f} "
                f"the verifications per minute (ideal x{r.workers / first.workers:g})"
            )
        self._sizing(throughput)

    def _sizing(self, throughput: bench_verification.Throughput) -> None:
        per_core_hour = throughput.per_core_hour
        headroom = bench_verification.HEADROOM
        self.stdout.write(
            f"a province's peak of P registrations/hour needs ceil(P / ({per_core_hour:.0f} "
            f"per core-hour * {headroom:g})) worker cores"
        )
        examples = ", ".join(
            f"{peak:,}/hour: {_cores(throughput.cores_needed(peak))}"
            for peak in bench_verification.SIZING_EXAMPLES_PER_HOUR
        )
        self.stdout.write(f"  e.g. {examples}")
        self.stdout.write(
            f"  ({per_core_hour:.0f}: the lowest per-core rate above, x 60; {headroom:g}: HEADROOM"
            " in portal/devtools/bench_verification.py,\n   which also covers retakes)"
        )
