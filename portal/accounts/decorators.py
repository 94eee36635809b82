"""Access checks for views: who may open a page at all (scope is decided by scoping.py)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from portal.accounts.roles import Role, role_of


def role_required(*roles: Role):
    """Signed-in users of these roles only: others get 403, anonymous users the login page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied("Your role cannot open this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# API partners are service accounts: they use the partner API, never these pages.
WEB_ROLES = frozenset(Role) - {Role.API_PARTNER}


def permission_required(perm: str):
    """Signed-in people whose role grants ``perm``; the check runs after login_required."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if role_of(request.user) not in WEB_ROLES or not request.user.has_perm(perm):
                raise PermissionDenied("Your role cannot do this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
