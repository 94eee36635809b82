"""Simplified Chinese by default, English on request, the choice kept for the person."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


def sign_in_page(client, **headers):
    return client.get(reverse("login"), **headers).content.decode()


def test_a_first_visit_is_in_simplified_chinese(client):
    page = sign_in_page(client)
    assert '<html lang="zh-Hans">' in page
    assert "登录" in page
    assert "Sign in" not in page


def test_the_browser_may_ask_for_english(client):
    page = sign_in_page(client, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_the_switch_offers_the_other_language_named_in_itself(client):
    chinese = sign_in_page(client)
    assert 'value="en" lang="en">English</button>' in chinese
    english = sign_in_page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="zh-hans" lang="zh-hans">简体中文</button>' in english


def test_switching_signed_out_is_kept_by_the_browser_and_returns_to_the_page(client):
    answer = client.post(
        reverse("language_set"), {"language": "en", "return_to": reverse("login") + "?next=/x/"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("login") + "?next=/x/"
    assert '<html lang="en">' in sign_in_page(client)


def test_switching_signed_in_is_kept_on_the_account_for_another_browser(client, users):
    staff = users["staff"]
    sign_in(client, staff)
    client.post(reverse("language_set"), {"language": "en", "return_to": reverse("home")})
    staff.refresh_from_db()
    assert staff.language == "en"

    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    sign_in(elsewhere, staff)
    page = elsewhere.get(reverse("registrations:list")).content.decode()
    assert '<html lang="en">' in page


def test_an_account_without_a_choice_follows_the_browser(client, users):
    sign_in(client, users["staff"])
    page = client.get(reverse("registrations:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    page = client.get(reverse("registrations:list")).content.decode()
    assert '<html lang="zh-Hans">' in page


def test_an_offered_language_only(client):
    answer = client.post(reverse("language_set"), {"language": "fr"})
    assert answer.status_code == 400
    assert "不提供" in answer.content.decode() or "not offered" in answer.content.decode()


def test_the_switch_never_leads_off_the_site(client):
    answer = client.post(
        reverse("language_set"), {"language": "en", "return_to": "https://evil.example/"}
    )
    assert answer["Location"] == reverse("home")


def test_the_switch_takes_posts_only(client):
    assert client.get(reverse("language_set") + "?language=en").status_code == 405
