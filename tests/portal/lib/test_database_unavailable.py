"""A page whose database connection broke answers 503 "try again", not the crash page."""

from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from portal.lib.middleware import DatabaseUnavailableMiddleware


def middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


def test_a_broken_connection_on_a_page_is_a_503_saying_to_retry():
    for error in (OperationalError("server closed the connection"), InterfaceError("closed")):
        response = middleware().process_exception(RequestFactory().get("/registrations/"), error)
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert "Nothing of this request was kept" in response.content.decode()
        assert "server closed" not in response.content.decode()


def test_other_errors_and_the_api_are_left_to_their_own_handlers():
    assert middleware().process_exception(RequestFactory().get("/"), ValueError("x")) is None
    api_request = RequestFactory().post("/api/v1/registrations")
    assert middleware().process_exception(api_request, OperationalError("gone")) is None
