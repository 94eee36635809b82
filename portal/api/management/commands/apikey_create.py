"""``manage.py apikey_create --operator CODE --name NAME``: a partner API key, printed once."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.api.services import api_key_create
from portal.lib.errors import PortalError
from registrations.models import Operator


class Command(BaseCommand):
    help = "Create an API key for an operator's partner account and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("--operator", required=True, help="The operator's code, e.g. CMCC.")
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument("--expires-days", type=int, help="Expire after this many days.")
        parser.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="CIDR",
            help="An address or network the key may be used from (repeat for more).",
        )

    def handle(self, *args, operator, name, expires_days, allow, **options):
        found = Operator.objects.filter(code__iexact=operator).first()
        if found is None:
            raise CommandError(f"No operator with code {operator}.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            api_key, plaintext = api_key_create(
                operator=found, name=name, actor=None, expires_at=expires_at, allowed_networks=allow
            )
        except PortalError as refused:
            raise CommandError(refused.message) from None
        self.stderr.write(f"API key {api_key.public_id} for {found.code} (shown only once):")
        self.stdout.write(plaintext)
