"""The inspectors' outlet and staff pages: read-only, within the provinces they inspect.

The carrier admin's pages of the same rows (``/operator/outlets/``, ``/operator/staff/``)
edit them; these only read (a GET, no form), and each row leads to its registrations.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.listing import paginate
from portal.supervision.selectors import directory as selectors

PAGE_SIZE = 50


@permission_required(Perm.VIEW_OUTLET_DIRECTORY)
@require_GET
def outlet_directory(request):
    context = paginate(request, selectors.outlet_directory(user=request.user), per_page=PAGE_SIZE)
    outlets = list(context["page_obj"])
    counts = selectors.registration_counts(outlets=outlets)
    context["rows"] = [(outlet, counts.get(outlet.pk, 0)) for outlet in outlets]
    return render(request, "supervision/outlet_directory.html", context)


@permission_required(Perm.VIEW_OUTLET_DIRECTORY)
@require_GET
def staff_directory(request):
    context = paginate(request, selectors.staff_directory(user=request.user), per_page=PAGE_SIZE)
    members = list(context["page_obj"])
    outlets = selectors.staff_outlets(user=request.user, members=members)
    context["rows"] = [(member, outlets[member.pk]) for member in members]
    return render(request, "supervision/staff_directory.html", context)
