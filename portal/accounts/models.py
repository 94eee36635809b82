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

    class Meta:
        permissions = [
            ("manage_staff", "Create and edit outlet staff accounts of an operator"),
            ("use_pages", "Use the portal's web pages (people, not service accounts)"),
            ("use_admin_site", "Use Django's administration site"),
        ]

    @property
    def role(self):
        """The user's role (the audit trail records it with every event the user causes)."""
        return role_of(self)
