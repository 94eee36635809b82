"""What every request under /api/ gets around its view: problem details for every error
(unknown URLs and crashes included), and ``Idempotency-Key`` on every write."""

import hashlib
import logging
import traceback
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from rest_framework.exceptions import AuthenticationFailed

from portal.api.auth import ApiKeyAuthentication, authenticated_key
from portal.api.errors import ApiCode
from portal.api.services import (
    IdempotencyOutcome,
    idempotent_request_begin,
    idempotent_request_finish,
)
from portal.lib.client_ip import client_ip_address
from portal.lib.errors import (
    API_PATH_PREFIX,
    DATABASE_UNAVAILABLE,
    PROBLEM_CONTENT_TYPE,
    problem_body,
)

logger = logging.getLogger(__name__)

API_V1_PREFIX = "/api/v1/"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADER = "Idempotent-Replayed"
# Documentation pages are not the API's data: they may be cached and carry their own CSP.
_PUBLIC_PREFIXES = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/", "/api/v1/problems/")

_CODE_OF_STATUS = {
    400: ApiCode.PARSE_ERROR,
    401: ApiCode.NOT_AUTHENTICATED,
    403: ApiCode.PERMISSION_DENIED,
    404: ApiCode.NOT_FOUND,
    405: ApiCode.METHOD_NOT_ALLOWED,
    413: ApiCode.TOO_LARGE,
    415: ApiCode.UNSUPPORTED_MEDIA_TYPE,
    429: ApiCode.THROTTLED,
}


def problem_response(request, status: int, code: ApiCode, detail: str | None = None, **headers):
    body = problem_body(status, str(detail or code.label), reasons=[code.value], request=request)
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def database_unavailable_problem(request):
    """A 503 that says to retry: the connection to the database broke (a failover, a restart);
    nothing of the request was kept."""
    return problem_response(request, 503, ApiCode.SERVICE_UNAVAILABLE, Retry_After="2")


def _is_problem(response) -> bool:
    return response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)


class ApiProblemMiddleware:
    """Under /api/, an error response that is not yet problem details (Django's 404 for an
    unknown URL, a 405 or 413 from below DRF) becomes one, and an exception a 500 problem
    with no trace of it in the body. API data is never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PATH_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_problem(response):
            response = self._as_problem(request, response)
        if not request.path.startswith(_PUBLIC_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response

    def _as_problem(self, request, response):
        status = response.status_code
        code = _CODE_OF_STATUS.get(status, ApiCode.SERVER_ERROR if status >= 500 else None)
        if code is None:
            problem = JsonResponse(
                problem_body(status, "", request=request),
                status=status,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        else:
            problem = problem_response(request, status, code)
        for kept in ("Allow", "Retry-After", "WWW-Authenticate"):
            if kept in response:
                problem[kept] = response[kept]
        return problem

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PATH_PREFIX):
            return None
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("API request: the database went away: %s", request.path)
            return database_unavailable_problem(request)
        # The log gets where it failed, not the exception's message, which may quote the
        # personal data being handled; the client gets a problem and nothing of either.
        logger.error(
            "API request failed: %s %s: %s\n%s",
            request.method,
            request.path,
            type(exception).__name__,
            "".join(traceback.format_tb(exception.__traceback__)),
        )
        return problem_response(request, 500, ApiCode.SERVER_ERROR)


def _valid_idempotency_key(value: str) -> bool:
    return 1 <= len(value) <= 255 and all(" " <= char <= "~" for char in value)


def _body_read(request) -> bytes | None:
    """The whole body (kept for the view), or None if it is larger than the API accepts."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_REQUEST_BYTES:
        return None
    # What HttpRequest.body does, with the API's own limit instead of the form limit.
    body = request.read(settings.API_MAX_REQUEST_BYTES + 1)
    if len(body) > settings.API_MAX_REQUEST_BYTES:
        return None
    request._body = body
    request._stream = BytesIO(body)
    request._read_started = False
    return body


def request_fingerprint(method: str, path: str, body: bytes, content_type: str = "") -> str:
    """What makes two requests the same: method, path and body. A multipart body is taken
    without its boundary, which a client draws anew for each send, its retries included."""
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() == "multipart/form-data":
        boundary = next(
            (
                value.strip().strip('"')
                for name, _, value in (p.partition("=") for p in parameters.split(";"))
                if name.strip().lower() == "boundary"
            ),
            "",
        )
        if boundary:
            body = body.replace(boundary.encode("latin-1"), b"")
    return hashlib.sha256(
        f"{method}\n{path}\n".encode() + hashlib.sha256(body).digest()
    ).hexdigest()


class IdempotencyMiddleware:
    """A write under /api/v1/ runs once per ``Idempotency-Key`` of one API key.

    The key is claimed, the view run and its response kept in one transaction (the unique
    constraint decides between two arriving together). Same key, same request: the response
    replayed; same key, another request: 422; the first not finished: 409. A 5xx, 409 or 429
    is not kept, so the key can be retried; nor is the work of a 5xx, or of a request whose
    process or database connection died.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WRITE_METHODS or not request.path.startswith(API_V1_PREFIX):
            return self.get_response(request)
        api_key = self._api_key(request)
        if api_key is None:  # the view answers 401 with the reason
            return self.get_response(request)
        idempotency_key = request.headers.get("Idempotency-Key")
        if idempotency_key is None:
            return problem_response(request, 400, ApiCode.IDEMPOTENCY_KEY_MISSING)
        if not _valid_idempotency_key(idempotency_key):
            return problem_response(request, 400, ApiCode.IDEMPOTENCY_KEY_INVALID)
        body = _body_read(request)
        if body is None:
            return problem_response(request, 413, ApiCode.TOO_LARGE)
        fingerprint = request_fingerprint(
            request.method, request.path, body, request.META.get("CONTENT_TYPE", "")
        )
        try:
            return self._run_once(request, api_key, idempotency_key, fingerprint)
        except DATABASE_UNAVAILABLE:
            # The claim and the work rolled back together: the same key may be sent again.
            logger.warning("API write: the database went away: %s", request.path)
            return database_unavailable_problem(request)

    def _run_once(self, request, api_key, idempotency_key: str, fingerprint: str):
        """The claim of the key, the view's work and the response kept for replay, in one
        transaction: all of them happen or none (a 5xx keeps nothing)."""
        with transaction.atomic():
            outcome, record = idempotent_request_begin(
                api_key=api_key, key=idempotency_key, fingerprint=fingerprint
            )
            if outcome == IdempotencyOutcome.REPLAY:
                return self._replayed(record)
            if outcome == IdempotencyOutcome.CONFLICT:
                return problem_response(request, 422, ApiCode.IDEMPOTENCY_KEY_REUSED)
            if outcome == IdempotencyOutcome.IN_FLIGHT:
                return problem_response(
                    request, 409, ApiCode.IDEMPOTENCY_IN_FLIGHT, Retry_After="1"
                )
            response = _rendered(self.get_response(request))
            kept = idempotent_request_finish(record=record, response=response)
            if not kept and response.status_code >= 500:
                transaction.set_rollback(True)
            return response

    @staticmethod
    def _api_key(request):
        header = request.headers.get("Authorization", "")
        scheme, _, raw_key = header.partition(" ")
        if scheme.lower() != ApiKeyAuthentication.keyword.lower() or not raw_key:
            return None
        try:
            return authenticated_key(raw_key.strip(), client_ip_address(request))
        except AuthenticationFailed:
            return None

    @staticmethod
    def _replayed(record):
        response = HttpResponse(bytes(record.response_body), status=record.response_status)
        for name, value in record.response_headers.items():
            response[name] = value
        response[REPLAYED_HEADER] = "true"
        return response


def _rendered(response):
    if response is not None and hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response
