from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.accounts.permissions import Perm, can_use_pages


@login_required
def home(request):
    """Send each person to the registration list, their start page; a service account
    (an API partner) has no pages."""
    if not can_use_pages(request.user, Perm.VIEW_REGISTRATION):
        return render(request, "accounts/no_pages.html", status=403)
    return redirect("registrations:list")
