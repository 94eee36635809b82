from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.accounts.roles import Role, role_of

_HOME = {
    Role.MINISTRY_ADMIN: "registrations:list",
    Role.MINISTRY_INSPECTOR: "registrations:list",
    Role.CARRIER_ADMIN: "registrations:list",
    Role.OUTLET_STAFF: "registrations:list",
}


@login_required
def home(request):
    """Send each role to its own start page."""
    target = _HOME.get(role_of(request.user))
    if target is None:
        return render(request, "accounts/no_pages.html", status=403)
    return redirect(target)
