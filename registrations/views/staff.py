"""Carrier admin pages: the operator's outlet staff accounts.

Accounts are read through ``portal.accounts.scoping.staff_in_scope`` and their outlets through
``registrations.scoping``: another operator's account is a 404.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts import services as account_services
from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.accounts.roles import Role
from portal.accounts.scoping import get_in_scope_or_404, is_appointed_reviewer, staff_in_scope
from portal.lib.forms import posted, render_form
from portal.lib.listing import paginate
from registrations import scoping
from registrations.forms import USERNAME_TAKEN, StaffCreateForm, StaffEditForm
from registrations.views.outlets import PAGE_SIZE, own_operator


@permission_required(Perm.MANAGE_STAFF)
def staff_list(request):
    staff = staff_in_scope(request.user).order_by("username", "pk")
    context = paginate(request, staff, per_page=PAGE_SIZE)
    context["rows"] = [
        (member, list(scoping.outlets_in_scope(member))) for member in context["page_obj"]
    ]
    context["reviewers"] = {
        member.pk for member in context["page_obj"] if is_appointed_reviewer(member)
    }
    return render(request, "registrations/staff.html", context)


@permission_required(Perm.MANAGE_STAFF)
def staff_new(request):
    operator = own_operator(request.user)
    form = StaffCreateForm(posted(request), outlets=scoping.outlets_in_scope(request.user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            member = account_services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=Role.OUTLET_STAFF,
                operator=operator,
                outlets=data["outlets"],
                full_name=data["full_name"],
            )
        except IntegrityError:  # the same username, created a moment ago
            form.add_error("username", USERNAME_TAKEN)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": member.username})
            return redirect("operator:staff")
    return render_form(request, "registrations/staff_form.html", {"form": form, "member": None})


def _saved(was_active: bool, active: bool) -> str:
    if was_active and not active:
        return _("Account %(name)s deactivated: it can no longer sign in.")
    if active and not was_active:
        return _("Account %(name)s reactivated.")
    return _("Account %(name)s saved.")


@permission_required(Perm.MANAGE_STAFF)
def staff_edit(request, pk):
    member = get_in_scope_or_404(staff_in_scope(request.user), pk=pk)
    form = StaffEditForm(
        posted(request),
        outlets=scoping.outlets_in_scope(request.user),
        initial={
            "outlets": list(scoping.outlets_in_scope(member)),
            "is_active": member.is_active,
            "is_reviewer": is_appointed_reviewer(member),
        },
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        was_active = member.is_active
        account_services.staff_update(
            actor=request.user,
            user=member,
            outlets=data["outlets"],
            active=data["is_active"],
            reviewer=data["is_reviewer"],
        )
        message = _saved(was_active, data["is_active"]) % {"name": member.username}
        messages.success(request, message)
        return redirect("operator:staff")
    return render_form(request, "registrations/staff_form.html", {"form": form, "member": member})
