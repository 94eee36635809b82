"""The partner API's tables: keys, idempotent replies, webhooks (one module each)."""

from portal.api.models.idempotency import IdempotentRequest
from portal.api.models.keys import ApiKey

__all__ = ["ApiKey", "IdempotentRequest"]
