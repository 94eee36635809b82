"""The codes of the partner API's own refusals: keys, idempotency, limits, unknown URLs."""

from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError


class ApiCode(ErrorCode):
    NOT_AUTHENTICATED = (
        "not_authenticated",
        _("Send your API key as 'Authorization: Bearer simk_...'."),
    )
    KEY_MALFORMED = (
        "api_key_malformed",
        _("This is not an API key: check it was copied whole (simk_..., 56 characters)."),
    )
    KEY_UNKNOWN = "api_key_unknown", _("This API key does not exist.")
    KEY_EXPIRED = "api_key_expired", _("This API key has expired: ask your carrier for a new one.")
    KEY_REVOKED = "api_key_revoked", _("This API key was revoked: ask your carrier for a new one.")
    KEY_ADDRESS_REFUSED = (
        "api_key_address_refused",
        _("This API key may not be used from this address."),
    )
    KEY_ACCOUNT_INACTIVE = (
        "api_key_account_inactive",
        _("The account this API key acts for is disabled."),
    )
    INVALID_NETWORK = (
        "invalid_network",
        _("Enter IP addresses or networks such as 203.0.113.0/24, one per line."),
    )
    IDEMPOTENCY_KEY_MISSING = (
        "idempotency_key_missing",
        _(
            "Send an Idempotency-Key header (1 to 255 printable characters, a new UUID per "
            "operation) with every POST, PUT, PATCH and DELETE."
        ),
    )
    IDEMPOTENCY_KEY_INVALID = (
        "idempotency_key_invalid",
        _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."),
    )
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        _(
            "This Idempotency-Key was already used with a different request: use a new key "
            "for a new operation."
        ),
    )
    IDEMPOTENCY_IN_FLIGHT = (
        "idempotency_in_flight",
        _("The first request with this Idempotency-Key is still running: retry in a moment."),
    )
    NOT_FOUND = "not_found", _("There is nothing at this address.")
    METHOD_NOT_ALLOWED = "method_not_allowed", _("This method is not allowed here.")
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        _("This body's Content-Type is not accepted here."),
    )
    TOO_LARGE = "request_too_large", _("The request body is too large.")
    THROTTLED = "throttled", _("Too many requests with this API key: slow down and retry.")
    SERVER_ERROR = (
        "server_error",
        _("Something went wrong on our side. It was logged; retry later."),
    )
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        _("The service is briefly unavailable and kept nothing of this request: retry shortly."),
    )
    PERMISSION_DENIED = "permission_denied", _("This API key may not do this.")
    PARSE_ERROR = "parse_error", _("The request body could not be read: check it is valid JSON.")
    INVALID = "invalid", _("Some fields are not valid: see errors for each field's messages.")
    NOT_ACCEPTABLE = (
        "not_acceptable",
        _("The API answers in JSON only: accept application/json."),
    )
    AUTHENTICATION_FAILED = "authentication_failed", _("The API key was not accepted.")


class ApiError(PortalError):
    pass
