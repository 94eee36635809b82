"""python manage.py demo_otp USER: the code USER's demo authenticator app shows now."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.second_factor import totp_current_code


class Command(BaseCommand):
    help = (
        "Print the current six-digit code of a demo account's authenticator app (seed_demo "
        "gives every demo account one), to sign in without an app on a phone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        device = (
            TOTPDevice.objects.filter(user__username=username, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{username!r} has no authenticator app: run seed_demo first")
        self.stdout.write(totp_current_code(device))
