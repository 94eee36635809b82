"""Carrier admin pages: the operator's outlets.

Every row is read through ``registrations.scoping``: another operator's outlet is a 404, the
same answer as one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import posted, render_form
from portal.lib.listing import paginate
from registrations import selectors, services
from registrations.forms import OutletForm
from registrations.models import Operator

PAGE_SIZE = 25


def own_operator(user) -> Operator:
    """The carrier admin's operator: exactly one is in their scope."""
    operator = selectors.own_operator(user)
    if operator is None:
        raise PermissionDenied(_("Your account is not attached to one operator."))
    return operator


@permission_required(Perm.MANAGE_OUTLETS)
def outlet_list(request):
    outlets = selectors.outlet_list(user=request.user)
    return render(
        request, "registrations/outlets.html", paginate(request, outlets, per_page=PAGE_SIZE)
    )


@permission_required(Perm.MANAGE_OUTLETS)
def outlet_new(request):
    operator = own_operator(request.user)
    form = OutletForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            outlet = services.outlet_create(
                actor=request.user, operator=operator, **form.cleaned_data
            )
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Outlet %(outlet)s added.") % {"outlet": outlet})
            return redirect("operator:outlets")
    return render_form(request, "registrations/outlet_form.html", {"form": form, "outlet": None})


@permission_required(Perm.MANAGE_OUTLETS)
def outlet_edit(request, pk):
    outlet = selectors.outlet_get(user=request.user, pk=pk)
    form = OutletForm(posted(request), initial=OutletForm.initial_for(outlet))
    if form.is_bound and form.is_valid():
        try:
            outlet = services.outlet_update(actor=request.user, outlet=outlet, **form.cleaned_data)
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Outlet %(outlet)s saved.") % {"outlet": outlet})
            return redirect("operator:outlets")
    context = {"form": form, "outlet": outlet}
    return render_form(request, "registrations/outlet_form.html", context)
