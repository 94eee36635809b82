"""Ministry admin pages: the registration policy (the cap, the capture upload fallback)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import posted, render_form
from registrations import services
from registrations.forms import PolicyForm
from registrations.services.policy import uploaded_captures_allowed


def _uploads_message(allowed: bool) -> str:
    if allowed:
        return _("Outlets may upload a recorded clip; a reviewer decides each one.")
    return _("Uploading a recorded clip is switched off: captures come from the camera only.")


@permission_required(Perm.CHANGE_POLICY)
def policy_edit(request):
    cap, uploads = services.registration_cap(), uploaded_captures_allowed()
    initial = {"cap_per_operator": cap, "allow_uploaded_captures": uploads}
    form = PolicyForm(posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        new_cap = form.cleaned_data["cap_per_operator"]
        new_uploads = form.cleaned_data["allow_uploaded_captures"]
        try:
            services.registration_policy_update(
                actor=request.user, cap_per_operator=new_cap, allow_uploaded_captures=new_uploads
            )
        except PortalError as error:
            add_to_form(form, error)
        else:
            message = ngettext(
                "The cap is now %(cap)d number per ID per operator.",
                "The cap is now %(cap)d numbers per ID per operator.",
                new_cap,
            ) % {"cap": new_cap}
            messages.success(request, message)
            if new_uploads != uploads:
                messages.success(request, _uploads_message(new_uploads))
            return redirect("ministry:policy")
    context = {
        "form": form,
        "cap": cap,
        "uploads_allowed": uploads,
        # The deployment's switch wins: the policy cannot open what the settings closed.
        "uploads_forbidden_here": not settings.VERIFICATION_ALLOW_UPLOADS,
    }
    return render_form(request, "registrations/policy.html", context)
