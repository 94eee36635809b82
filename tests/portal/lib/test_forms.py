"""Form pages bind on POST only and answer 400 to a refused form; the shared fields refuse what
the database or the date arithmetic cannot take."""

from datetime import date

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.test import RequestFactory

from portal.lib.forms import BoundedDateField, ModelMultipleChoiceField, form_status, posted


class AgeForm(forms.Form):
    age = forms.IntegerField()


def test_it_binds_a_post_even_an_empty_one_and_never_a_get():
    factory = RequestFactory()
    assert posted(factory.get("/?age=3")) is None
    empty = posted(factory.post("/", {}))
    assert empty is not None and AgeForm(empty).is_bound


def test_a_refused_form_is_a_400_and_anything_else_a_200():
    assert form_status(AgeForm()) == 200
    assert form_status(AgeForm({"age": "3"})) == 200
    assert form_status(AgeForm({"age": "three"})) == 400


class RangeForm(forms.Form):
    day = BoundedDateField(required=False)


def test_a_date_the_range_arithmetic_cannot_take_is_a_field_error():
    for value in ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"):
        form = RangeForm({"day": value})
        assert not form.is_valid()
        assert form.errors["day"] == ["Enter a date from 2000-01-01 to 2100-12-31."]
    assert RangeForm({"day": "2000-01-01"}).is_valid()
    assert RangeForm({"day": "2100-12-31"}).is_valid()
    assert RangeForm({"day": ""}).is_valid()


def test_a_date_range_can_be_narrowed():
    field = BoundedDateField(earliest=date(2020, 1, 1), latest=date(2020, 12, 31))
    assert field.clean("2020-06-01") == date(2020, 6, 1)
    with pytest.raises(forms.ValidationError):
        field.clean("2021-01-01")


@pytest.mark.django_db
def test_an_id_beyond_the_integer_column_is_not_a_valid_choice():
    group = Group.objects.create(name="bounded")
    field = ModelMultipleChoiceField(queryset=Group.objects.all())
    assert list(field.clean([str(group.pk)])) == [group]
    for huge in ("99999999999999999999", "-99999999999999999999"):
        with pytest.raises(forms.ValidationError) as refused:
            field.clean([str(group.pk), huge])
        assert refused.value.code == "invalid_choice"
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(["not-a-number"])
    assert refused.value.code == "invalid_pk_value"
