"""What drf-spectacular cannot guess: the Bearer key scheme, the Idempotency-Key header of
every write, and the problem details every operation may answer with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

WRITE_METHODS = ("post", "put", "patch", "delete")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# The answers any operation may give, whatever it does; writes add 409 and 422.
_ANY_OPERATION = {
    "400": "The request is not valid (see errors and reasons), or its Idempotency-Key is missing.",
    "401": "No API key, or one not accepted (see reasons: revoked, expired, address refused).",
    "403": "The key may not do this.",
    "404": "Nothing here, or nothing this key may see.",
    "405": "This method is not allowed here.",
    "406": "The API answers in JSON only.",
    "413": "The request body is too large.",
    "415": "This Content-Type is not accepted here.",
    "429": "Too many requests with this key: wait for Retry-After seconds.",
    "500": "Something went wrong on our side; retry later.",
}
_WRITES = {
    "409": "The first request with this Idempotency-Key is still running: retry in a moment.",
    "422": "This Idempotency-Key was used for a different request.",
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json).",
    "required": ["type", "title", "status", "detail", "reasons"],
    "properties": {
        "type": {
            "type": "string",
            "description": "The URL of a page describing the problem (its first reason).",
        },
        "title": {"type": "string", "description": "The HTTP status in words."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "instance": {"type": "string", "description": "The path of the request."},
        "reasons": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Stable codes (GET /api/v1/reasons gives their plain sentences).",
        },
        "errors": {
            "type": "object",
            "description": "Field -> its messages; refusals of the request as a whole are "
            "under non_field_errors. The codes are in reasons.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "A new UUID per operation (1-255 printable characters). The same key with "
    "the same request within 24 hours replays the first response (Idempotent-Replayed: true).",
    "schema": {"type": "string", "pattern": "^[ -~]{1,255}$", "minLength": 1, "maxLength": 255},
}


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "simk_<public id>_<secret><checksum>",
            "description": "An API key from your carrier: Authorization: Bearer simk_...",
        }


def _problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }


def problems_and_idempotency(result, generator, request, public):
    """Postprocessing hook: the Problem component, each operation's problem answers, and the
    Idempotency-Key header on writes."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in (*WRITE_METHODS, "get", "head", "options"):
                continue
            responses = operation.setdefault("responses", {})
            wanted = {**_ANY_OPERATION, **(_WRITES if method in WRITE_METHODS else {})}
            if not operation.get("security"):
                wanted.pop("401", None)
            for status, description in wanted.items():
                responses.setdefault(status, _problem_response(description))
            if method in WRITE_METHODS:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY_PARAMETER)
    return result
