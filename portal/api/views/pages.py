"""Carrier admin pages: the operator's API keys (list, create, revoke).

The plaintext of a new key is in the answer to the creating POST only: never stored, never
shown again (the page is no-store, like every signed-in page).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.api import selectors, services
from portal.api.forms import ApiKeyCreateForm
from portal.api.models import ApiKey
from portal.lib.forms import posted, render_form
from registrations.selectors import own_operator


def _operator_of(user):
    operator = own_operator(user)
    if operator is None:
        raise PermissionDenied(_("Your account is not attached to one operator."))
    return operator


@permission_required(Perm.MANAGE_API_KEYS)
def api_key_list(request):
    api_keys = selectors.api_keys_of_operator(_operator_of(request.user))
    return render(request, "api/keys.html", {"api_keys": api_keys})


@permission_required(Perm.MANAGE_API_KEYS)
def api_key_new(request):
    operator = _operator_of(request.user)
    form = ApiKeyCreateForm(posted(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        api_key, plaintext = services.api_key_create(
            operator=operator,
            name=data["name"],
            actor=request.user,
            expires_at=data["expires_at"],
            allowed_networks=data["allowed_networks"],
        )
        return render(request, "api/key_created.html", {"api_key": api_key, "plaintext": plaintext})
    return render_form(request, "api/key_form.html", {"form": form})


@permission_required(Perm.MANAGE_API_KEYS)
def api_key_revoke(request, pk):
    api_key = get_object_or_404(ApiKey, pk=pk, operator=_operator_of(request.user))
    if request.method == "POST":
        services.api_key_revoke(api_key=api_key, actor=request.user)
        messages.success(request, _("API key %(name)s revoked.") % {"name": api_key.name})
        return redirect("api-pages:keys")
    return render(request, "api/key_revoke.html", {"api_key": api_key})
