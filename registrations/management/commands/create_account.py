"""Create a portal account with its role and scope (the admin site adds no accounts).

No password is set: with ``--site-url`` the account is mailed a one-time link to set one.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from portal.accounts.roles import Role
from portal.accounts.services import user_create, user_password_reset_issue
from registrations.models import Operator, Outlet, Province


class Command(BaseCommand):
    help = "Create an account with a role and scope through user_create (audited)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--operator", help="operator code (carrier admin, staff, partner)")
        parser.add_argument("--outlet", action="append", default=[], help="outlet code")
        parser.add_argument(
            "--province",
            action="append",
            default=None,
            help="province code of an inspector's scope (none: the whole nation)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="The person's name, as one field (姓名)")
        parser.add_argument("--site-url", help="mail a reset link built on this address")

    def handle(self, *args, **options):
        try:
            operator = (
                Operator.objects.get(code=options["operator"]) if options["operator"] else None
            )
            outlets = [
                Outlet.objects.get(operator=operator, code=code) for code in options["outlet"]
            ]
            provinces = options["province"]
            if provinces is not None:
                provinces = [Province.objects.get(code=code) for code in provinces]
        except (Operator.DoesNotExist, Outlet.DoesNotExist, Province.DoesNotExist) as error:
            raise CommandError(str(error)) from error
        try:
            user = user_create(
                username=options["username"],
                password=None,
                role=Role(options["role"]),
                operator=operator,
                outlets=outlets,
                provinces=provinces,
                email=options["email"],
                full_name=options["name"],
            )
        except (ValueError, IntegrityError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created {user.username} ({user.role.label}).")
        if options["site_url"]:
            if user_password_reset_issue(actor=None, user=user, site_url=options["site_url"]):
                self.stdout.write(f"A link to set the password was mailed to {user.email}.")
            else:
                self.stdout.write("No e-mail address: no link to set the password was sent.")
