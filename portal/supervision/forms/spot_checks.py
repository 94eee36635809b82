from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.scoping import sees_nation
from portal.lib.forms import BoundedDateField
from portal.supervision.models import SpotCheck, SpotCheckSample
from portal.supervision.selectors.spot_checks import Population
from portal.supervision.services.spot_checks import MAX_SAMPLE_SIZE, NOTE_MAX_LENGTH
from registrations import scoping

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The period a new campaign offers: the last 30 days, today included.
DEFAULT_PERIOD_DAYS = 30


class SpotCheckForm(forms.Form):
    """A campaign: its name, its population (decided registrations of an operator and
    province, on the days of a period) and how its sample is sized."""

    name = forms.CharField(label=_("Name of the campaign"), max_length=80)
    operator = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Operator"), empty_label=_("Every operator")
    )
    province = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Province"), empty_label=_("Every province")
    )
    decided_from = BoundedDateField(label=_("Decided from"), widget=DATE_INPUT)
    decided_to = BoundedDateField(label=_("Decided to"), widget=DATE_INPUT)
    size_method = forms.ChoiceField(
        label=_("Sample size"),
        choices=SpotCheck.SizeMethod.choices,
        initial=SpotCheck.SizeMethod.ISO_2859,
        widget=forms.RadioSelect,
    )
    fixed_size = forms.IntegerField(
        label=_("Fixed number of samples"),
        required=False,
        min_value=1,
        max_value=MAX_SAMPLE_SIZE,
        help_text=_("Only with “A fixed number”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = scoping.operators_in_scope(user).order_by("code")
        self.fields["province"].queryset = scoping.provinces_in_scope(user).order_by("code")
        today = timezone.localdate()
        self.fields["decided_from"].initial = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        self.fields["decided_to"].initial = today
        if not sees_nation(user):
            # An inspector for some provinces draws from one of them.
            self.fields["province"].required = True
            self.fields["province"].empty_label = None

    def clean(self):
        data = super().clean()
        first, last = data.get("decided_from"), data.get("decided_to")
        if first and last and last < first:
            self.add_error("decided_to", _("The period must end on or after its first day."))
        if data.get("size_method") == SpotCheck.SizeMethod.FIXED and not data.get("fixed_size"):
            self.add_error("fixed_size", _("Enter the number of samples to draw."))
        return data

    @property
    def population(self) -> Population:
        data = self.cleaned_data
        return Population(
            decided_from=data["decided_from"],
            decided_to=data["decided_to"],
            operator=data.get("operator"),
            province=data.get("province"),
        )

    @property
    def fixed_size_value(self) -> int | None:
        if self.cleaned_data["size_method"] == SpotCheck.SizeMethod.FIXED:
            return self.cleaned_data["fixed_size"]
        return None


class AdjudicationForm(forms.Form):
    """The blind verdict on one sample: is the person of the capture the person of the ID?"""

    verdict = forms.ChoiceField(
        label=_("Is the person in the capture the person on the ID portrait?"),
        choices=SpotCheckSample.Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose match, no match or cannot tell.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if "\x00" in note:
            raise forms.ValidationError(_("The note contains a character that cannot be saved."))
        return note
