"""python manage.py bench_who_looked [--events 5000000] [--requests 20] [--json]: the
subscriber's "who looked at my data" over millions of audit events.
See portal/devtools/bench_who_looked.py."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_who_looked as bench


class Command(BaseCommand):
    help = (
        "Fill the audit trail up to --events (one in five a look at a registration, indexed "
        "by subject), sign in as the person looked at most and time /me/access/; "
        f"target: under {bench.TARGET_MS:.0f} ms. A database of its own: the rows' chain is "
        "a stand-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=5_000_000)
        parser.add_argument("--requests", type=int, default=20)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, events, requests, as_json, verbosity, **options):
        if events < 1 or requests < 1:
            raise CommandError("--events and --requests must be at least 1")
        out = self.stderr if as_json else self.stdout
        try:
            result = bench.bench(
                events=events,
                requests=requests,
                progress=(lambda line: out.write(line)) if verbosity else None,
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        if as_json:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        met = "met" if result.target_met else "MISSED"
        self.stdout.write(
            f"/me/access/ with {result.events:,} audit events ({result.looks:,} looks, "
            f"{result.looks_of_person} of this person): median {result.median_ms} ms, "
            f"p95 {result.p95_ms} ms (target under {bench.TARGET_MS:.0f} ms: {met}); "
            f"history written in {result.seed_s:.0f} s"
        )
