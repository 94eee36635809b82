"""Headers every page of a signed-in person gets: never cached, no powerful features."""

from functools import wraps

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
