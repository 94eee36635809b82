from django.contrib.auth.models import AbstractUser
from django.db import models

from portal.accounts.roles import role_of


class User(AbstractUser):
    """A person or service account. The role is the user's group (see roles.py)."""

    operator = models.ForeignKey(
        "registrations.Operator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="The employer of carrier admins, outlet staff and API partners",
    )
    # One field, in the person's own order (姓名: surname first, no space, for Chinese names);
    # Django's first_name and last_name stay empty.
    full_name = models.CharField(max_length=150, blank=True, help_text="The person's name")
    # Empty: not chosen yet (the cookie, the browser or the site's default decide).
    language = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text="The interface language the person chose in the page header",
    )

    class Meta:
        permissions = [
            ("manage_staff", "Create and edit outlet staff accounts of an operator"),
            ("use_pages", "Use the portal's web pages (people, not service accounts)"),
            ("use_admin_site", "Use Django's administration site"),
        ]

    def get_full_name(self) -> str:
        return self.full_name.strip()

    def get_short_name(self) -> str:
        return self.full_name.strip()

    @property
    def role(self):
        """The user's role (the audit trail records it with every event the user causes)."""
        return role_of(self)
