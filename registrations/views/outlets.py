"""Carrier admin pages: the operator's outlets and outlet staff accounts.

Every row is read through ``portal.accounts.scoping``: another operator's outlet or staff
account is a 404, the same answer as one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.accounts import scoping
from portal.accounts import services as account_services
from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.listing import paginate
from registrations import outlet_services
from registrations.models import Operator
from registrations.operator_forms import (
    USERNAME_TAKEN,
    OutletForm,
    StaffCreateForm,
    StaffEditForm,
)

PAGE_SIZE = 25


def _posted(request: HttpRequest):
    """The submitted data, or None for a GET (an empty POST is still a bound, invalid form)."""
    return request.POST if request.method == "POST" else None


def _render_form(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _own_operator(user) -> Operator:
    """The carrier admin's operator: exactly one is in their scope."""
    try:
        return scoping.operators_in_scope(user).get()
    except (Operator.DoesNotExist, Operator.MultipleObjectsReturned):
        raise PermissionDenied("Your account is not attached to one operator.") from None


@role_required(Role.CARRIER_ADMIN)
def outlet_list(request):
    outlets = scoping.outlets_in_scope(request.user).order_by("code", "pk")
    return render(request, "operator/outlets.html", paginate(request, outlets, per_page=PAGE_SIZE))


@role_required(Role.CARRIER_ADMIN)
def outlet_new(request):
    operator = _own_operator(request.user)
    form = OutletForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            outlet = outlet_services.outlet_create(
                actor=request.user, operator=operator, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Outlet {outlet} added.")
            return redirect("operator:outlets")
    return _render_form(request, "operator/outlet_form.html", {"form": form, "outlet": None})


@role_required(Role.CARRIER_ADMIN)
def outlet_edit(request, pk):
    outlet = scoping.get_in_scope_or_404(scoping.outlets_in_scope(request.user), pk=pk)
    form = OutletForm(_posted(request), initial=OutletForm.initial_for(outlet))
    if form.is_bound and form.is_valid():
        try:
            outlet = outlet_services.outlet_update(
                actor=request.user, outlet=outlet, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Outlet {outlet} saved.")
            return redirect("operator:outlets")
    return _render_form(request, "operator/outlet_form.html", {"form": form, "outlet": outlet})


@role_required(Role.CARRIER_ADMIN)
def staff_list(request):
    staff = scoping.staff_in_scope(request.user).order_by("username", "pk")
    context = paginate(request, staff, per_page=PAGE_SIZE)
    context["rows"] = [
        (member, list(scoping.outlets_in_scope(member))) for member in context["page_obj"]
    ]
    context["reviewers"] = {
        member.pk for member in context["page_obj"] if scoping.is_appointed_reviewer(member)
    }
    return render(request, "operator/staff.html", context)


@role_required(Role.CARRIER_ADMIN)
def staff_new(request):
    operator = _own_operator(request.user)
    form = StaffCreateForm(_posted(request), outlets=scoping.outlets_in_scope(request.user))
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
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except IntegrityError:  # the same username, created a moment ago
            form.add_error("username", USERNAME_TAKEN)
        else:
            messages.success(request, f"Account {member.username} created.")
            return redirect("operator:staff")
    return _render_form(request, "operator/staff_form.html", {"form": form, "member": None})


def _saved(was_active: bool, active: bool) -> str:
    if was_active and not active:
        return "deactivated: it can no longer sign in"
    if active and not was_active:
        return "reactivated"
    return "saved"


@role_required(Role.CARRIER_ADMIN)
def staff_edit(request, pk):
    member = scoping.get_in_scope_or_404(scoping.staff_in_scope(request.user), pk=pk)
    form = StaffEditForm(
        _posted(request),
        outlets=scoping.outlets_in_scope(request.user),
        initial={
            "outlets": list(scoping.outlets_in_scope(member)),
            "is_active": member.is_active,
            "is_reviewer": scoping.is_appointed_reviewer(member),
        },
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        was_active, active = member.is_active, data["is_active"]
        with transaction.atomic():
            account_services.staff_outlets_set(
                actor=request.user, user=member, outlets=data["outlets"]
            )
            account_services.staff_active_set(actor=request.user, user=member, active=active)
            account_services.staff_reviewer_set(
                actor=request.user, user=member, reviewer=data["is_reviewer"]
            )
        messages.success(request, f"Account {member.username} {_saved(was_active, active)}.")
        return redirect("operator:staff")
    return _render_form(request, "operator/staff_form.html", {"form": form, "member": member})
