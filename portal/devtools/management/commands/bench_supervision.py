"""python manage.py bench_supervision [--registrations 1000000,10000000] [--requests 20]
[--measure-only] [--json] [--allow-sqlite]: the server time of every supervision page at
each size of the data. See portal/devtools/bench_supervision.py."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_supervision as bench


def sizes(value: str) -> list[int]:
    """``1000000,10000000`` (underscores allowed): sizes of at least 1, in the order given."""
    try:
        numbers = [int(part.strip().replace("_", "")) for part in value.split(",")]
    except ValueError:
        raise CommandError(f"--registrations: numbers separated by commas, not {value!r}") from None
    if not numbers or any(number < 1 for number in numbers):
        raise CommandError("--registrations: every size must be at least 1")
    return numbers


def _yes(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


class Command(BaseCommand):
    help = (
        "For each size in turn: seed_demo up to that many registrations, rebuild the "
        "supervision rollups (timed), then request every supervision page as a nation-wide "
        "and a one-province inspector for 30 and 365 days, and print the median and p95 "
        f"server time of each; targets: under {bench.TARGET_MS:.0f} ms, and the later sizes "
        f"within {bench.GROWTH_LIMIT} times the first. PostgreSQL only (DATABASE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--registrations",
            default=",".join(str(size) for size in bench.DEFAULT_SIZES),
            help="Sizes, separated by commas, measured in turn (1000000,10000000)",
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=bench.DEFAULT_REQUESTS,
            help=f"Timed requests per page, after one warm-up ({bench.DEFAULT_REQUESTS})",
        )
        parser.add_argument(
            "--allow-sqlite",
            action="store_true",
            help="Run on SQLite too: a smoke run of the command, its figures mean nothing",
        )
        parser.add_argument(
            "--measure-only",
            action="store_true",
            help="Neither seed nor rebuild: measure the pages over the database as it is",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the figures as JSON"
        )

    def handle(
        self,
        *args,
        registrations: str,
        requests: int,
        allow_sqlite: bool,
        measure_only: bool,
        as_json: bool,
        verbosity: int,
        **options,
    ):
        if requests < 1:
            raise CommandError("--requests must be at least 1")
        # Progress goes to stderr with --json, so that stdout stays one JSON document.
        out = self.stderr if as_json else self.stdout
        progress = out.write if verbosity >= 1 else None
        try:
            summary = bench.bench(
                sizes=sizes(registrations),
                requests=requests,
                allow_sqlite=allow_sqlite,
                progress=progress,
                measure_only=measure_only,
            )
        except bench.BenchError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted.", returncode=130) from None
        if as_json:
            self.stdout.write(json.dumps(summary.to_dict(), indent=2))
            return
        self._report(summary)

    def _report(self, summary: bench.Summary) -> None:
        write = self.stdout.write
        write(
            f"{summary.database}; {summary.requests} timed requests per page after one warm-up; "
            f"periods end {summary.today}"
        )
        for run in summary.runs:
            write("")
            write(
                f"{run.registrations:,} registrations ({run.rows:,} rows): seeded in "
                f"{run.seed_s:.1f} s, rollups rebuilt in {run.rebuild_s:.2f} s "
                f"(then ANALYZE {run.analyze_s:.2f} s)"
            )
            if run.rollup_rows:
                rollups = ", ".join(f"{name} {rows:,}" for name, rows in run.rollup_rows.items())
                write(f"  rollup rows: {rollups}")
            write(
                f"  {'page':<19} {'scope':<8} {'days':>4} {'HTTP':>4} {'median':>9} "
                f"{'p95':>9} {'max':>9}  < {bench.TARGET_MS:.0f} ms"
            )
            for row in run.pages:
                write(
                    f"  {row.page:<19} {row.scope:<8} {row.period_days:>4} {row.status:>4} "
                    f"{row.median_ms:>6.1f} ms {row.p95_ms:>6.1f} ms {row.max_ms:>6.1f} ms  "
                    f"{_yes(row.target_met)}"
                )
        growth = summary.growth()
        if growth:
            write("")
            write(f"growth against the first size (target <= {bench.GROWTH_LIMIT}x):")
            for row in growth:
                ratios = f"median x{row.median_ratio}, p95 x{row.p95_ratio}"
                write(
                    f"  {row.page:<19} {row.scope:<8} {row.period_days:>4} d "
                    f"{row.registrations:,} / {row.baseline_registrations:,}: {ratios}  "
                    f"{_yes(row.met)}"
                )
        write("")
        write(
            f"every page under {bench.TARGET_MS:.0f} ms (median and p95): "
            f"{_yes(summary.target_met)}"
        )
        write(f"later sizes within {bench.GROWTH_LIMIT}x the first: {_yes(summary.growth_met)}")
