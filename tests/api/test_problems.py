"""Every API error is RFC 9457 problem details: never HTML, never a traceback."""

import pytest

from tests.api.plumbing_urls import Runs

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.plumbing_urls")]
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "reasons"}


def _assert_problem(response, status: int, reason: str, path: str):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["reasons"] == [reason]
    assert body["instance"] == path
    assert body["type"] == f"http://testserver/api/v1/problems/{reason}/"
    assert body["detail"]
    return body


def test_an_unknown_api_url_is_a_404_problem(api):
    _assert_problem(api.get("/api/v1/no-such-thing"), 404, "not_found", "/api/v1/no-such-thing")


def test_an_unknown_url_without_a_key_is_a_404_problem_too(anonymous_api):
    _assert_problem(anonymous_api.get("/api/nothing"), 404, "not_found", "/api/nothing")


def test_a_method_not_allowed_is_a_405_problem_naming_the_allowed(api):
    response = api.post("/api/v1/api-key", {})
    _assert_problem(response, 405, "method_not_allowed", "/api/v1/api-key")
    assert "GET" in response["Allow"]


def test_an_unsupported_body_type_is_a_415_problem(api):
    response = api.client.post(
        "/api/v1/test/echo", b"<x/>", content_type="application/xml", HTTP_IDEMPOTENCY_KEY="k1"
    )
    _assert_problem(response, 415, "unsupported_media_type", "/api/v1/test/echo")


def test_a_body_that_is_not_json_is_a_400_problem(api):
    response = api.client.post(
        "/api/v1/test/echo", b"{nope", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    _assert_problem(response, 400, "parse_error", "/api/v1/test/echo")


def test_a_body_over_the_limit_is_a_413_problem(api, settings):
    settings.API_MAX_REQUEST_BYTES = 1000
    response = api.client.post(
        "/api/v1/test/echo",
        b"x" * 1001,
        content_type="application/octet-stream",
        HTTP_IDEMPOTENCY_KEY="k3",
    )
    _assert_problem(response, 413, "request_too_large", "/api/v1/test/echo")


def test_a_crash_is_a_500_problem_with_nothing_of_the_exception(api, caplog):
    Runs.reset()
    Runs.fail_next = True
    response = api.post("/api/v1/test/echo", {"id_number": "440103199001010012"})
    body = _assert_problem(response, 500, "server_error", "/api/v1/test/echo")
    assert "440103199001010012" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "RuntimeError" not in str(body)
    logged = caplog.text
    assert "RuntimeError" in logged and "plumbing_urls.py" in logged  # where, for us
    assert "440103199001010012" not in logged


def test_each_problem_type_is_a_page_that_explains_it(client, api):
    body = api.get("/api/v1/no-such-thing").json()
    page = client.get(body["type"])
    assert page.status_code == 200
    assert "There is nothing at this address." in page.content.decode()
    listing = client.get("/api/v1/problems/").content.decode()
    for code in ("idempotency_key_missing", "api_key_revoked", "throttled", "msisdn_in_use"):
        assert code in listing


def test_api_answers_are_not_cached(api):
    assert api.get("/api/v1/api-key")["Cache-Control"] == "no-store"


def test_the_pages_own_json_problems_keep_about_blank(rf):
    from portal.lib.errors import problem_body

    assert problem_body(400, "x", reasons=["a"], request=rf.get("/registrations/"))["type"] == (
        "about:blank"
    )


@pytest.mark.chinese
def test_a_problem_speaks_chinese_by_default_and_english_when_asked(api):
    chinese = api.client.get("/api/v1/no-such-thing").json()
    assert (chinese["title"], chinese["reasons"]) == ("未找到", ["not_found"])
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese["detail"]), chinese["detail"]

    english = api.client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["title"], english["reasons"]) == ("Not found", ["not_found"])
    assert english["detail"] != chinese["detail"]
