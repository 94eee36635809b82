"""The partner REST API (/api/v1/): API keys, problem details, idempotency, webhooks."""
