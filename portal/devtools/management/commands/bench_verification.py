"""python manage.py bench_verification [--runs 5] [--json]: upload complete -> decision shown.

See portal/devtools/bench_verification.py. Needs PostgreSQL and Redis or RabbitMQ: the worker
it starts is another process, which must see the same database and broker.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_verification


class Command(BaseCommand):
    help = (
        "Start one Celery worker (solo pool) and time the outlet flow with the shared clip: "
        "the upload request, then upload complete -> decision shown (status polled every "
        f"50 ms), against the issue's target of {bench_verification.TARGET_MS} ms."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Registrations to time (5)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the figures as JSON"
        )
        parser.add_argument("--portrait", type=Path, default=bench_verification.DEFAULT_PORTRAIT)
        parser.add_argument("--capture", type=Path, default=bench_verification.DEFAULT_CAPTURE)
        parser.add_argument(
            "--timeout", type=float, default=60.0, help="Seconds to wait for one decision (60)"
        )

    def handle(self, *args, runs, as_json: bool, portrait, capture, timeout, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        for path in (portrait, capture):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        log = Path(settings.VAR_DIR) / "bench-verification-worker.log"
        try:
            summary = bench_verification.bench(
                runs=runs,
                portrait=portrait,
                capture=capture,
                log=log,
                timeout=timeout,
                report=None if as_json else self._report,
            )
        except bench_verification.BenchError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted; the worker is stopped.", returncode=130) from None
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
