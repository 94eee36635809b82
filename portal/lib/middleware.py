"""Headers every page of a signed-in person gets (never cached, no powerful features), and a
503 instead of a crash when the database goes away."""

import logging
from functools import wraps

from django.shortcuts import render

from portal.lib.errors import API_PATH_PREFIX, DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)

# The browser features no page needs; the capture page grants itself the camera.
NO_FEATURES = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CAMERA_FOR_THIS_PAGE = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"


class PrivatePagesMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (pages with personal
    data must not stay in a browser or proxy cache), and a ``Permissions-Policy`` on all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", NO_FEATURES)
        return response


def allow_camera(view):
    """Let this page (the live capture) ask for the camera, and only this one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = CAMERA_FOR_THIS_PAGE
        return response

    return wrapper


class DatabaseUnavailableMiddleware:
    """A page whose database connection broke (a failover, a restart) answers 503 "try again
    in a moment" with Retry-After, not the crash page: nothing of the request was kept, and
    the next request gets a new connection. The API's own middleware answers its paths."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE) or request.path.startswith(
            API_PATH_PREFIX
        ):
            return None
        logger.warning("page request: the database went away: %s", request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response
