"""Forms of the carrier admin pages: the operator's outlets and outlet staff accounts."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.functional import lazy

from registrations.models import Outlet, Province

USERNAME_TAKEN = "This username is taken: choose another."


class OutletChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Outlet) -> str:
        label = f"{obj.name} ({obj.code})"
        return label if obj.is_active else f"{label}, suspended"


class OutletForm(forms.Form):
    code = forms.CharField(
        max_length=32, help_text="Your operator's own code for the outlet, unique among yours."
    )
    name = forms.CharField(max_length=200)
    address = forms.CharField(max_length=300)
    province = forms.ModelChoiceField(
        queryset=Province.objects.all(), empty_label="Choose a province"
    )
    opening_hours = forms.CharField(max_length=100, help_text="For example 09:00-21:00 daily.")
    status = forms.ChoiceField(
        choices=Outlet.Status.choices,
        initial=Outlet.Status.ACTIVE,
        help_text="Staff cannot register subscribers at a suspended outlet.",
    )

    @classmethod
    def initial_for(cls, outlet: Outlet) -> dict:
        return {name: getattr(outlet, name) for name in cls.base_fields}


class _StaffOutletsForm(forms.Form):
    outlets = OutletChoiceField(
        queryset=Outlet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Where the account may register subscribers.",
        error_messages={"required": "Choose at least one outlet."},
    )

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the carrier admin's own outlets: any other id is "not a valid choice".
        self.fields["outlets"].queryset = outlets


def _password_help() -> str:
    """The configured password validators' rules, as one plain sentence each."""
    return " ".join(password_validation.password_validators_help_texts())


class StaffCreateForm(_StaffOutletsForm):
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @/./+/-/_ only.",
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(_password_help, str)(),
    )
    password_again = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "first_name", "last_name", "password", "password_again", "outlets"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(USERNAME_TAKEN)
        return username

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords differ.")
        if password:
            # Judge the password against the account it is for (similarity to the names).
            account = get_user_model()(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user=account)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class StaffEditForm(_StaffOutletsForm):
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        help_text="An inactive account cannot sign in; its outlets are kept.",
    )
    is_reviewer = forms.BooleanField(
        label="Reviewer",
        required=False,
        help_text="A reviewer decides your operator's registrations in manual review and sees "
        "their biometric evidence. Nobody reviews a registration they submitted.",
    )
