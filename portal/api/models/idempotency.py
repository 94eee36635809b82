"""Replies kept for ``Idempotency-Key``: the same write sent twice runs once."""

from django.db import models
from django.utils import timezone

from portal.api.models.keys import ApiKey


class IdempotentRequest(models.Model):
    """The first request made with one Idempotency-Key of one API key, and its reply once
    it has one (``response_status`` None: still in flight)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_request_per_key"),
        ]

    def __str__(self) -> str:
        return f"Idempotent request {self.key} of {self.api_key_id}"
