"""Form pages bind on POST only and answer 400 to a refused form."""

from django import forms
from django.test import RequestFactory

from portal.lib.forms import form_status, posted


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
