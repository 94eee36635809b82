"""API keys: ``simk_<public id>_<secret><checksum>``, shown once, stored as a SHA-256 hash."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Operator


class ApiKey(models.Model):
    """A key with which one partner service account of one operator calls the API."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="api_keys")
    # The partner service account the key acts for (role api_partner, same operator).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    # What the key is known by in lists, logs and the audit trail: not a secret.
    public_id = models.CharField(max_length=24, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    allowed_networks = models.JSONField(
        _("allowed addresses"),
        default=list,
        blank=True,
        help_text=_("IP addresses or networks (CIDR) the key may be used from; empty: any"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_api_keys", "Can create and revoke the operator's API keys")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="api_key_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"API key {self.name} ({self.public_id})"

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
