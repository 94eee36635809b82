"""Ministry admin pages: the registration policy (the cap)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from registrations import services

CAP_MAX = 50


class PolicyForm(forms.Form):
    cap_per_operator = forms.IntegerField(
        label="Cap per ID per operator",
        min_value=1,
        max_value=CAP_MAX,
        help_text=(
            f"The most pending or active numbers one ID may hold with one operator "
            f"(1 to {CAP_MAX})."
        ),
    )


@role_required(Role.MINISTRY_ADMIN)
def policy_edit(request):
    cap = services.registration_cap()
    form = PolicyForm(
        request.POST if request.method == "POST" else None, initial={"cap_per_operator": cap}
    )
    if form.is_bound and form.is_valid():
        new_cap = form.cleaned_data["cap_per_operator"]
        try:
            services.registration_policy_update(actor=request.user, cap_per_operator=new_cap)
        except services.RegistrationError as error:
            for violation in error.violations:
                form.add_error("cap_per_operator", violation.message)
        else:
            messages.success(
                request,
                f"The cap is now {new_cap} number{'s' if new_cap != 1 else ''} "
                "per ID per operator.",
            )
            return redirect("ministry:policy")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "ministry/policy.html", {"form": form, "cap": cap}, status=status)
