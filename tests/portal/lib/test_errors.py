"""One error vocabulary: a code, a message, a field and a status, and its translators."""

import json

import pytest
from django import forms
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from portal.lib.errors import (
    PortalError,
    add_to_form,
    error_response,
    problem_details_handler,
    raise_if_any,
)
from registrations.errors import RegistrationCode, RegistrationError


class NameForm(forms.Form):
    full_name = forms.CharField()


def test_it_takes_its_message_from_the_code_unless_given_one():
    default = PortalError(RegistrationCode.NAME_MISMATCH, field="full_name")
    assert default.message == str(RegistrationCode.NAME_MISMATCH.label)
    assert (default.code, default.field, default.status) == ("name_mismatch", "full_name", 400)
    precise = PortalError(RegistrationCode.ID_EXPIRED, "Expired on 2020-01-01.", status=409)
    assert (precise.message, precise.status) == ("Expired on 2020-01-01.", 409)
    assert str(precise) == "Expired on 2020-01-01."


def test_several_errors_travel_as_one_of_the_same_class():
    first = RegistrationError(RegistrationCode.INVALID_MSISDN, field="msisdn")
    second = RegistrationError(RegistrationCode.INVALID_ICCID, field="iccid", status=409)
    both = RegistrationError.several([first, second])
    assert isinstance(both, RegistrationError)
    assert list(both) == [first, second]
    assert both.reasons == ["invalid_msisdn", "invalid_iccid"]
    assert both.status == 400  # the first one's
    assert RegistrationError.several([first]) is first
    with pytest.raises(ValueError):
        PortalError.several([])


def test_raise_if_any_raises_only_when_something_was_refused():
    raise_if_any([])
    with pytest.raises(RegistrationError) as refused:
        raise_if_any([RegistrationError(RegistrationCode.CAP_REACHED)], RegistrationError)
    assert refused.value.reasons == ["cap_reached"]


def test_a_form_shows_each_refusal_at_its_field_and_the_rest_on_top():
    form = NameForm({"full_name": "王芳"})
    assert form.is_valid()
    error = PortalError.several(
        [
            PortalError(RegistrationCode.NAME_MISMATCH, field="full_name"),
            PortalError(RegistrationCode.CAP_REACHED, "Too many numbers."),
            PortalError(RegistrationCode.INVALID_ICCID, "Bad SIM.", field="iccid"),  # not here
        ]
    )
    add_to_form(form, error)
    assert form.errors["full_name"] == [str(RegistrationCode.NAME_MISMATCH.label)]
    assert form.non_field_errors() == ["Too many numbers.", "Bad SIM."]


def test_a_json_endpoint_answers_with_the_message_and_the_reasons():
    error = PortalError(RegistrationCode.MSISDN_IN_USE, "Taken.", status=409)
    response = error_response(error)
    assert response.status_code == 409
    assert json.loads(response.content) == {"message": "Taken.", "reasons": ["msisdn_in_use"]}
    assert error_response(error, status=422).status_code == 422


class Raising(APIView):
    """An API view that raises what it is given, through DRF's whole error path."""

    authentication_classes: list = []
    permission_classes: list = []
    error: Exception = RuntimeError("set by the test")

    def get(self, request):
        raise self.error


def _handled(exc):
    response = Raising.as_view(error=exc)(APIRequestFactory().get("/"))
    response.render()
    return response


def test_the_api_answers_a_portal_error_with_problem_details():
    error = PortalError.several(
        [
            PortalError(RegistrationCode.INVALID_MSISDN, "Bad number.", field="msisdn"),
            PortalError(RegistrationCode.CAP_REACHED, "Too many."),
        ]
    )
    response = _handled(error)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.data == {
        "type": "about:blank",
        "title": "Bad request",
        "status": 400,
        "detail": "Bad number. Too many.",
        "reasons": ["invalid_msisdn", "cap_reached"],
        "errors": {"msisdn": ["Bad number."], "non_field_errors": ["Too many."]},
    }


def test_the_api_answers_drf_errors_with_problem_details_too():
    invalid = _handled(exceptions.ValidationError({"msisdn": ["This field is required."]}))
    assert invalid.status_code == 400
    assert invalid.data["reasons"] == ["invalid"]
    assert invalid.data["errors"] == {"msisdn": ["This field is required."]}
    missing = _handled(exceptions.NotFound())
    assert missing.status_code == 404
    assert (missing.data["title"], missing.data["reasons"]) == ("Not found", ["not_found"])
    assert missing["Content-Type"].startswith("application/problem+json")


def test_the_api_leaves_an_unexpected_exception_to_drf():
    assert problem_details_handler(KeyError("boom"), {"view": APIView(), "request": None}) is None
