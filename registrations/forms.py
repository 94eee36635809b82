"""The forms of the registration, outlet, staff and policy pages."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.lib.forms import BoundedDateField, ModelMultipleChoiceField
from registrations.errors import RegistrationError
from registrations.models import Outlet, Province, Registration, Subscriber
from registrations.search import SearchTerm, UnrecognisedTerm, search_term
from registrations.selectors import RegistrationFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
USERNAME_TAKEN = _("This username is taken: choose another.")
CAP_MAX = 50


class RegistrationFilterForm(forms.Form):
    """The list filters. An unknown value is reported and ignored, never a 500."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Registration.Status.choices],
        required=False,
    )
    operator = forms.ModelChoiceField(
        label=_("Operator"), queryset=None, required=False, empty_label=_("Any operator")
    )
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=None, required=False, empty_label=_("Any outlet")
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=None, required=False, empty_label=_("Any province")
    )
    created_from = BoundedDateField(required=False, label=_("From"), widget=DATE_INPUT)
    created_to = BoundedDateField(required=False, label=_("To"), widget=DATE_INPUT)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Any channel")), *Registration.Channel.choices],
        required=False,
    )
    # Set by the supervision overview's staff level; shown above the list, not as a field.
    staff = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, operators, outlets, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators
        self.fields["outlet"].queryset = outlets
        self.fields["province"].queryset = provinces

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> RegistrationFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        if not self.is_bound:
            return RegistrationFilters()
        self.is_valid()  # invalid fields are left out of cleaned_data
        return RegistrationFilters(**{k: v for k, v in self.cleaned_data.items() if v})


class RegistrationSearchForm(forms.Form):
    """The search box: one term, recognised as a mobile number, an ICCID or an ID number."""

    term = forms.CharField(
        label=_("Mobile number, SIM card number or ID number"),
        max_length=40,
        help_text=_(
            "11-digit mobile number, 19- or 20-digit SIM card number (ICCID), or 15- or "
            "18-character ID number. Spaces and dashes are ignored."
        ),
        error_messages={"required": _("Enter a number to search for.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An ID number: not remembered by the browser, not corrected by its spell checker.
        self.fields["term"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )

    def clean_term(self) -> SearchTerm:
        try:
            return search_term(self.cleaned_data["term"])
        except UnrecognisedTerm:
            raise forms.ValidationError(
                _(
                    "This is not a number the list can search for: enter an 11-digit mobile "
                    "number, a 19- or 20-digit SIM card number (ICCID) or a 15- or "
                    "18-character ID number."
                ),
                code="unrecognised",
            ) from None
        except RegistrationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class RegistrationForm(forms.Form):
    outlet = forms.ModelChoiceField(label=_("Outlet"), queryset=None, empty_label=None)
    id_type = forms.ChoiceField(
        label=_("ID type"),
        choices=Subscriber.IdType.choices,
        initial=Subscriber.IdType.RESIDENT_ID,
    )
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    full_name = forms.CharField(label=_("Full name (as on the ID)"), max_length=100)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Passports and permits only: a resident ID number holds it."),
    )
    id_expiry = forms.DateField(
        label=_("ID valid until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for a long-term ID."),
    )
    msisdn = forms.CharField(
        label=_("Mobile number"),
        max_length=24,
        help_text=_("11 digits, for example 138 0013 8000."),
    )
    iccid = forms.CharField(
        label=_("SIM card number (ICCID)"),
        max_length=24,
        help_text=_("19 or 20 digits starting 89."),
    )

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = outlets
        for name in ("id_number", "msisdn", "iccid"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class DraftEditForm(RegistrationForm):
    """The new-registration form for a saved draft: its outlet and ID stay as they are (the
    portrait and consent already given are that person's), and so does a date of birth read
    from a resident ID number."""

    FIXED = ("outlet", "id_type", "id_number")

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        super().__init__(*args, outlets=Outlet.objects.none(), **kwargs)
        fixed = self.FIXED + (("birth_date",) if subscriber.birth_date_from_id else ())
        for name in fixed:
            del self.fields[name]
        if not subscriber.birth_date_from_id:
            self.fields["birth_date"].required = True
            self.fields["birth_date"].help_text = ""

    @classmethod
    def initial_for(cls, registration: Registration) -> dict:
        subscriber = registration.subscriber
        return {
            "full_name": subscriber.full_name,
            "birth_date": subscriber.birth_date,
            "id_expiry": subscriber.id_expiry,
            "msisdn": registration.msisdn_national,
            "iccid": registration.iccid,
        }


class CancellationForm(forms.Form):
    """Why an approved number is given up: a choice, and words when the choice is "other"."""

    reason = forms.ChoiceField(
        label=_("Why is the number given up?"),
        choices=Registration.CancellationReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the number is given up.")},
    )
    note = forms.CharField(
        label=_("In your words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for another reason. No ID numbers or other personal data."),
    )

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("reason") == Registration.CancellationReason.OTHER
        if other and not cleaned.get("note", "").strip():
            self.add_error("note", _("Write why the number is given up."))
        return cleaned


class PolicyForm(forms.Form):
    cap_per_operator = forms.IntegerField(
        label=_("Cap per ID per operator"),
        min_value=1,
        max_value=CAP_MAX,
        help_text=format_lazy(
            _("The most pending or active numbers one ID may hold with one operator (1 to {max})."),
            max=CAP_MAX,
        ),
    )
    # A checkbox: left unticked, the browser sends nothing, which means "switched off".
    allow_uploaded_captures = forms.BooleanField(
        label=_("Outlets may upload a recorded clip when the camera fails"),
        required=False,
        help_text=_(
            "An uploaded clip proves no live presence: it is never approved without a reviewer."
        ),
    )


class OutletChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Outlet) -> str:
        label = f"{obj.name} ({obj.code})"
        return label if obj.is_active else _("%(outlet)s, suspended") % {"outlet": label}


class OutletForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Your operator's own code for the outlet, unique among yours."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), empty_label=_("Choose a province")
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"), max_length=100, help_text=_("For example 09:00-21:00 daily.")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Outlet.Status.choices,
        initial=Outlet.Status.ACTIVE,
        help_text=_("Staff cannot register subscribers at a suspended outlet."),
    )

    @classmethod
    def initial_for(cls, outlet: Outlet) -> dict:
        return {name: getattr(outlet, name) for name in cls.base_fields}


class _StaffOutletsForm(forms.Form):
    outlets = OutletChoiceField(
        label=_("Outlets"),
        queryset=Outlet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the account may register subscribers."),
        error_messages={"required": _("Choose at least one outlet.")},
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
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    full_name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=150,
        help_text=_("As on the ID, in its own order (surname first for a Chinese name)."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(_password_help, str)(),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "full_name", "password", "password_again", "outlets"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(USERNAME_TAKEN)
        return username

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ."))
        if password:
            # Judge the password against the account it is for (similarity to the names).
            account = get_user_model()(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(password, user=account)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class StaffEditForm(_StaffOutletsForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive account cannot sign in; its outlets are kept."),
    )
    is_reviewer = forms.BooleanField(
        label=_("Reviewer"),
        required=False,
        help_text=_(
            "A reviewer decides your operator's registrations in manual review and sees "
            "their biometric evidence. Nobody reviews a registration they submitted."
        ),
    )
