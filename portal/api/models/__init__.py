"""The partner API's tables: keys, idempotent replies, webhooks (one module each)."""

from portal.api.models.idempotency import IdempotentRequest
from portal.api.models.keys import ApiKey
from portal.api.models.webhooks import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiKey",
    "IdempotentRequest",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
