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

    def handle(self, *args, registrations: int, verbosity: int, **options):
        if registrations < 0:
            raise CommandError("--registrations cannot be negative")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        summary = seed_demo(
            registrations=registrations,
            password=password,
            progress=self.stdout.write if verbosity >= 2 else None,
        )
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Demo logins, password {password!r}:")
        width = max(len(login.username) for login in summary.logins)
        for login in summary.logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.description}")
        if summary.users.kept:
            self.stdout.write("Accounts that already existed keep the password they had.")
