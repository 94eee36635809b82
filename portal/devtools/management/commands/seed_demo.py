"""python manage.py seed_demo [--registrations N]: the demo data of portal/devtools/loader.py."""

import os

from django.core.management.base import BaseCommand, CommandError

from portal.devtools.loader import DEFAULT_PASSWORD, DEFAULT_REGISTRATIONS, seed_demo


class Command(BaseCommand):
    help = (
        "Create demo operators, outlets, accounts and registrations. Idempotent: a re-run "
        "adds nothing, a larger --registrations adds the missing rows. The accounts' password "
        f"is $DEMO_PASSWORD (default {DEFAULT_PASSWORD!r})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--registrations",
            type=int,
            default=DEFAULT_REGISTRATIONS,
            help=f"How many registrations the demo holds (default {DEFAULT_REGISTRATIONS})",
        )
        parser.add_argument(
            "--rows-only",
            action="store_true",
            help="Only the rows: no rollup rebuild, risk evaluation or supervision demo",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="Processes generating a large load (200,000 rows or more, on PostgreSQL); "
            "default one per core. Fewer leave cores to whatever else runs on the machine",
        )

    def handle(
        self,
        *args,
        registrations: int,
        rows_only: bool,
        processes: int | None,
        verbosity: int,
        **options,
    ):
        if registrations < 0:
            raise CommandError("--registrations cannot be negative")
        if processes is not None and processes < 1:
            raise CommandError("--processes must be at least 1")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        summary = seed_demo(
            registrations=registrations,
            password=password,
            progress=self.stdout.write if verbosity >= 2 else None,
            supervision=not rows_only,
            processes=processes,
        )
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Demo logins, password {password!r}:")
        width = max(len(login.username) for login in summary.logins)
        for login in summary.logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.description}")
        self._print_second_factors(summary, password)
        if summary.users.kept:
            self.stdout.write("Accounts that already existed keep the password they had.")

    def _print_second_factors(self, summary, password: str) -> None:
        """A table per account: username, password, backup codes. Indented deeper than the
        logins above, so that nothing reading those takes a row of it for a login."""
        self.stdout.write(
            "Second factor: after the password, one of the account's backup codes (each works "
            "once), or the code of its authenticator app: python manage.py demo_otp USER"
        )
        width = max(len(name) for name in [*summary.backup_codes, "username"])
        pad = max(len(password), len("password"))
        self.stdout.write(f"    {'username':<{width}}  {'password':<{pad}}  backup codes")
        for username, codes in summary.backup_codes.items():
            spare = " ".join(codes) or "(all spent)"
            self.stdout.write(f"    {username:<{width}}  {password:<{pad}}  {spare}")
