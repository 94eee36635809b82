"""The overview's query: a period (named or from/to) and the filters, checked for format.

Whether an operator, province, outlet or staff member is the user's to see is the
selector's decision (``selectors.summary.summary_filters``: a 404 otherwise).
"""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import BoundedDateField
from portal.supervision.selectors.summary import (
    province_name,
    summary_operators,
    summary_provinces,
)
from registrations.models import Registration

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": _("YYYY-MM")})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# The longest period one query may ask for (two years: a year against the one before).
MAX_DAYS = 366


class IsoDateField(BoundedDateField):
    """A date written YYYY-MM-DD, nothing else (the JSON's callers are programs)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not ISO_DATE.fullmatch(value.strip()):
            raise forms.ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid")
        return super().to_python(value)


class PeriodChoice:
    TODAY = "today"
    DAYS_7 = "7d"
    DAYS_30 = "30d"
    MONTH = "month"
    CUSTOM = "custom"
    CHOICES = [
        (TODAY, _("Today")),
        (DAYS_7, _("Last 7 days")),
        (DAYS_30, _("Last 30 days")),
        (MONTH, _("A month")),
        (CUSTOM, _("From – to")),
    ]


def _month_bounds(value: str) -> tuple[date, date]:
    year, month = (int(part) for part in value.split("-"))
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


class OverviewForm(forms.Form):
    """Read from the query string with ``from_query``: its ``from`` and ``to`` are ``first``
    and ``last`` here (``from`` is a Python keyword)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PeriodChoice.CHOICES,
        required=False,
        initial=PeriodChoice.DAYS_30,
    )
    month = forms.RegexField(
        label=_("Month"), regex=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", required=False,
        widget=MONTH_INPUT, error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )  # fmt: skip
    first = IsoDateField(label=_("From"), required=False, widget=DATE_INPUT)
    last = IsoDateField(label=_("To"), required=False, widget=DATE_INPUT)
    operator = forms.RegexField(label=_("Operator"), regex=r"^[A-Za-z0-9_-]{1,16}$", required=False)
    province = forms.RegexField(
        label=_("Province"), regex=r"^[1-8]\d0000$", required=False,
        error_messages={"invalid": _("Enter a province code of six digits, such as 440000.")},
    )  # fmt: skip
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *Registration.Channel.choices],
        required=False,
    )  # fmt: skip
    outlet = forms.IntegerField(label=_("Outlet"), min_value=1, max_value=2**31 - 1, required=False)
    staff = forms.IntegerField(
        label=_("Staff member"), min_value=1, max_value=2**31 - 1, required=False
    )

    def __init__(
        self, *args, require_dates: bool = False, today: date | None = None, user=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.require_dates = require_dates
        self.today = today or timezone.localdate()
        for name in ("outlet", "staff"):
            self.fields[name].widget = forms.HiddenInput()
        if user is not None:
            # Offered as lists of what the user may see; a code typed into the URL is checked
            # against the same scope by the selector (a 404 outside it).
            self.fields["operator"].widget = forms.Select(
                choices=[("", _("Every operator")),
                         *((o.code, o.name) for o in summary_operators(user))]
            )  # fmt: skip
            self.fields["province"].widget = forms.Select(
                choices=[("", _("Every province")),
                         *((p.code, province_name(p)) for p in summary_provinces(user))]
            )  # fmt: skip

    def show_period(self, first: date, last: date) -> None:
        """Show the days of the period chosen in the date fields (a named period too)."""
        data = self.data.copy()
        data["first"], data["last"] = first.isoformat(), last.isoformat()
        self.data = data

    @classmethod
    def from_query(cls, query, **kwargs) -> "OverviewForm":
        data = query.copy()
        for outer, inner in (("from", "first"), ("to", "last")):
            if outer in data:
                data[inner] = data[outer]
        if not data.get("period"):
            # A link with its dates (a drill-down) is a custom period; no dates, 30 days.
            dated = "first" in data or "last" in data
            data["period"] = PeriodChoice.CUSTOM if dated else PeriodChoice.DAYS_30
        return cls(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        first, last = self._period(cleaned)
        if first is None or last is None:
            raise forms.ValidationError(_("Give both dates of the period, from and to."))
        if last < first:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("A period is at most %(days)s days long."), params={"days": MAX_DAYS}
            )
        cleaned["first"], cleaned["last"] = first, last
        if cleaned.get("staff") and not cleaned.get("outlet"):
            self.add_error("staff", _("Choose the outlet of the staff member as well."))
        return cleaned

    def _period(self, cleaned) -> tuple[date | None, date | None]:
        """The days asked for: a named period when one is chosen, else from/to (which
        summary.json always needs), else the last 30 days."""
        first, last = cleaned.get("first"), cleaned.get("last")
        period = cleaned.get("period") or ""
        today = self.today
        if self.require_dates or period == PeriodChoice.CUSTOM:
            return first, last
        if period == PeriodChoice.TODAY:
            return today, today
        if period == PeriodChoice.DAYS_7:
            return today - timedelta(days=6), today
        if period == PeriodChoice.DAYS_30:
            return today - timedelta(days=29), today
        if period == PeriodChoice.MONTH:
            return _month_bounds(cleaned.get("month") or today.strftime("%Y-%m"))
        if first or last:
            return first, last
        return today - timedelta(days=29), today

    def message(self) -> str:
        """Every error in one sentence, for a JSON answer."""
        return " ".join(
            f"{'' if name == '__all__' else self._label(name) + ': '}{error}"
            for name, errors in self.errors.items()
            for error in errors
        )

    def _label(self, name: str) -> str:
        return {"first": "from", "last": "to"}.get(name, name)
