"""One error vocabulary for the whole portal, and its three translators.

A service refuses a request by raising ``PortalError``: a code from its app's ``ErrorCode``
enum, a message a person understands, optionally the form field it concerns, and the HTTP
status it means. ``PortalError.several`` carries more than one refusal at once (a form with
three wrong fields gets all three). Interfaces never build their own error shapes; they hand
the error to one of:

- ``add_to_form``: each refusal onto its field (or the form as a whole);
- ``add_to_messages``: each refusal as a message shown after a redirect;
- ``error_response``: ``{"message": ..., "reasons": [...]}`` for the pages' JSON endpoints;
- ``problem_details_handler``: DRF's exception handler, RFC 9457 ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError, models
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ErrorCode(models.TextChoices):
    """Base of each app's enum of codes: the value is the stable code, the label the default
    message (translatable). Codes are stored and compared by other code: never rename one."""


class PortalError(Exception):
    """A request refused by the portal's rules. Nothing was saved.

    One refusal, or several raised together (``several``): iterate it to get each one.
    """

    def __init__(
        self,
        code: ErrorCode | str,
        message: str | None = None,
        *,
        field: str | None = None,
        status: int = 400,
    ):
        self.code = str(code)
        self.message = str(message if message is not None else _label(code))
        self.field = field
        self.status = status
        self._several: list[PortalError] = []
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"

    def __iter__(self) -> Iterator[PortalError]:
        """The single refusals this error carries (itself, unless it carries several)."""
        yield from self._several or [self]

    @property
    def errors(self) -> list[PortalError]:
        return list(self)

    @property
    def reasons(self) -> list[str]:
        return [error.code for error in self]

    @classmethod
    def several(cls, errors: Iterable[PortalError]) -> PortalError:
        """One error of this class carrying every refusal given (status of the first)."""
        singles = [single for error in errors for single in error]
        if not singles:
            raise ValueError("several() needs at least one error")
        if len(singles) == 1 and isinstance(singles[0], cls):
            return singles[0]
        first = singles[0]
        combined = cls(first.code, " ".join(e.message for e in singles), status=first.status)
        combined._several = singles
        return combined


def raise_if_any(errors: list[PortalError], error_class: type[PortalError] = PortalError) -> None:
    """Raise the collected refusals together, if there are any."""
    if errors:
        raise error_class.several(errors)


def _label(code: ErrorCode | str) -> str:
    return code.label if isinstance(code, ErrorCode) else str(code)


# -- translators -------------------------------------------------------------------------------


def add_to_form(form, error: PortalError) -> None:
    """Show each refusal at its field; one about no field of this form goes on top."""
    for single in error:
        field = single.field if single.field in form.fields else None
        form.add_error(field, single.message)


def add_to_messages(request, error: PortalError) -> None:
    """Each refusal as an error message on the next page (after a redirect)."""
    for single in error:
        messages.error(request, single.message)


def error_response(error: PortalError, *, status: int | None = None) -> JsonResponse:
    """The JSON answer of the pages' own endpoints (the capture page reads it)."""
    body = {"message": error.message, "reasons": error.reasons}
    return JsonResponse(body, status=status or error.status)


PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_details_handler(exc, context):
    """DRF's exception handler: every error becomes RFC 9457 problem details.

    A ``PortalError`` keeps its codes as ``reasons`` and each refusal under ``errors``; DRF's
    own exceptions (validation, authentication, throttling, 404) get the same shape. Anything
    else is left to DRF, which lets it become a 500 without leaking details.
    """
    from django.core.exceptions import RequestDataTooBig
    from rest_framework import exceptions
    from rest_framework.response import Response
    from rest_framework.views import exception_handler

    request = context.get("request")
    if isinstance(exc, PortalError):
        body = problem_body(exc.status, exc.message, reasons=exc.reasons, request=request)
        body["errors"] = _errors_by_field((e.field, e.message) for e in exc)
        response = Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)
        # A refusal that says when to come back (a rate limit) says it as HTTP does.
        retry_after_s = getattr(exc, "retry_after_s", None)
        if retry_after_s is not None:
            response["Retry-After"] = str(retry_after_s)
        return response
    if isinstance(exc, RequestDataTooBig):
        detail = str(_("The request body is larger than this server accepts."))
        body = problem_body(413, detail, reasons=["request_too_large"], request=request)
        return Response(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = str(_("Some fields are not valid."))
        body = problem_body(response.status_code, detail, reasons=["invalid"], request=request)
        body["errors"] = _errors_by_field(_field_errors(exc.detail))
    else:
        detail = getattr(exc, "detail", "")
        code = detail.code if hasattr(detail, "code") else "error"
        body = problem_body(response.status_code, str(detail), reasons=[str(code)], request=request)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


# Problems of the partner API link to a page describing their first reason, and name the
# request they answer; elsewhere (the pages' own DRF endpoints) ``type`` stays about:blank.
API_PATH_PREFIX = "/api/"
# The database cannot be reached or the connection broke mid-request (a failover, a restart,
# pg_terminate_backend): answered as 503 "retry shortly", not as a crash.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# What a task retries on when the database fails it: InterfaceError is not a DatabaseError,
# and is what a connection the server closed raises on its next use.
DATABASE_ERRORS = (DatabaseError, InterfaceError)
PROBLEM_PAGES_PATH = "/api/v1/problems/"


# The ``title`` of a problem: the HTTP status in words, in the request's language (the
# statuses the portal answers with; any other falls back to the standard English phrase).
_STATUS_TITLES = {
    400: pgettext_lazy("HTTP status", "Bad request"),
    401: pgettext_lazy("HTTP status", "Not authenticated"),
    403: pgettext_lazy("HTTP status", "Forbidden"),
    404: pgettext_lazy("HTTP status", "Not found"),
    405: pgettext_lazy("HTTP status", "Method not allowed"),
    406: pgettext_lazy("HTTP status", "Not acceptable"),
    409: pgettext_lazy("HTTP status", "Conflict"),
    410: pgettext_lazy("HTTP status", "Gone"),
    412: pgettext_lazy("HTTP status", "Precondition failed"),
    413: pgettext_lazy("HTTP status", "Content too large"),
    415: pgettext_lazy("HTTP status", "Unsupported media type"),
    422: pgettext_lazy("HTTP status", "Unprocessable content"),
    428: pgettext_lazy("HTTP status", "Precondition required"),
    429: pgettext_lazy("HTTP status", "Too many requests"),
    500: pgettext_lazy("HTTP status", "Internal server error"),
    502: pgettext_lazy("HTTP status", "Bad gateway"),
    503: pgettext_lazy("HTTP status", "Service unavailable"),
    504: pgettext_lazy("HTTP status", "Gateway timeout"),
}


def status_title(status: int) -> str:
    from http import HTTPStatus

    title = _STATUS_TITLES.get(status)
    return str(title) if title is not None else HTTPStatus(status).phrase


def problem_body(
    status: int, detail: str, *, reasons: list[str] | None = None, request=None
) -> dict:
    """The RFC 9457 members every problem of the portal has."""
    reasons = reasons or []
    body = {
        "type": "about:blank",
        "title": status_title(status),
        "status": status,
        "detail": detail,
        "reasons": reasons,
    }
    path = getattr(request, "path", "")
    if path.startswith(API_PATH_PREFIX):
        if reasons:
            body["type"] = request.build_absolute_uri(f"{PROBLEM_PAGES_PATH}{reasons[0]}/")
        body["instance"] = path
    return body


# The key of refusals that concern the request as a whole (DRF's name for them).
WHOLE_REQUEST = "non_field_errors"


def _errors_by_field(refusals: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``errors`` of a problem: field -> its messages (the codes are in ``reasons``)."""
    by_field: dict[str, list[str]] = {}
    for field, message in refusals:
        by_field.setdefault(field or WHOLE_REQUEST, []).append(str(message))
    return by_field


def _field_errors(detail, prefix: str = "") -> Iterator[tuple[str, str]]:
    """DRF's nested validation detail as (dotted field, message) pairs."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            field = name if name != WHOLE_REQUEST else ""
            yield from _field_errors(value, f"{prefix}.{field}" if prefix and field else field)
    elif isinstance(detail, list):
        for item in detail:
            yield from _field_errors(item, prefix)
    else:
        yield prefix, str(detail)
