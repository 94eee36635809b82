"""What every form page shares: bind on POST only, answer 400 when the form is refused; and
the fields that refuse values the database or the date arithmetic cannot take."""

from datetime import date

from django import forms
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def posted(request: HttpRequest):
    """The submitted data, or None for a GET (an empty POST is still a bound, invalid form)."""
    return request.POST if request.method == "POST" else None


def form_status(form) -> int:
    """400 for a submitted form with errors, so clients and tests see the refusal; else 200."""
    return 400 if form.is_bound and form.errors else 200


def render_form(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a page around ``context["form"]`` with the status its state calls for."""
    return render(request, template, context, status=form_status(context["form"]))


# -- fields that refuse what the database or the date arithmetic cannot take ---------------------

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_OUT_OF_RANGE = _("Enter a date from %(earliest)s to %(latest)s.")


class BoundedDateField(forms.DateField):
    """A date the portal can compute with: from 2000-01-01 to 2100-12-31 unless told otherwise.

    Year 1 or 9999 is a valid ``date``, but a day range over it (``listing.within_days``) or
    its conversion to the server's time zone overflows.
    """

    def __init__(self, *, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE, **kwargs):
        super().__init__(**kwargs)
        self.earliest, self.latest = earliest, latest

    def validate(self, value):
        super().validate(value)
        if value and not self.earliest <= value <= self.latest:
            raise forms.ValidationError(
                DATE_OUT_OF_RANGE,
                code="date_out_of_range",
                params={"earliest": self.earliest.isoformat(), "latest": self.latest.isoformat()},
            )


def _integer_range(queryset, field_name: str | None) -> tuple[int | None, int | None] | None:
    meta = queryset.model._meta
    field = meta.pk if field_name in (None, "pk") else meta.get_field(field_name)
    try:
        return connections[queryset.db].ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not an integer column
        return None


def _out_of_range(value, bounds) -> bool:
    try:
        number = int(str(value).strip())
    except ValueError:
        return False  # not a number: the field's own check says so
    low, high = bounds
    return (low is not None and number < low) or (high is not None and number > high)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id beyond the column's integer range is "not a valid choice" before
    any query (SQLite raises OverflowError on ``pk__in`` with such a number)."""

    def _check_values(self, value):
        bounds = _integer_range(self.queryset, self.to_field_name)
        if bounds is not None:
            for item in value if isinstance(value, list | tuple) else [value]:
                if _out_of_range(item, bounds):
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return super()._check_values(value)
