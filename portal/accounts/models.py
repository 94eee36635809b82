from django.contrib.auth.models import AbstractUser
from django.db import models


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
        permissions = [("manage_staff", "Create and edit outlet staff accounts of an operator")]

    @property
    def role(self):
        from portal.accounts.roles import role_of

        return role_of(self)
