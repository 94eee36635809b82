"""Ministry admin pages: the registration policy (the cap)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import ngettext

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import posted, render_form
from registrations import services
from registrations.forms import PolicyForm


@permission_required(Perm.CHANGE_POLICY)
def policy_edit(request):
    cap = services.registration_cap()
    form = PolicyForm(posted(request), initial={"cap_per_operator": cap})
    if form.is_bound and form.is_valid():
        new_cap = form.cleaned_data["cap_per_operator"]
        try:
            services.registration_policy_update(actor=request.user, cap_per_operator=new_cap)
        except PortalError as error:
            add_to_form(form, error)
        else:
            message = ngettext(
                "The cap is now %(cap)d number per ID per operator.",
                "The cap is now %(cap)d numbers per ID per operator.",
                new_cap,
            ) % {"cap": new_cap}
            messages.success(request, message)
            return redirect("ministry:policy")
    return render_form(request, "registrations/policy.html", {"form": form, "cap": cap})
