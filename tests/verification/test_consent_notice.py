"""The biometric consent notice: one reviewed wording per version and language, shown in the
page's language, and each consent records the version, the language and the text's digest."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from tests.factories import create_registration, sign_in
from verification.consent_notice import CHINESE, ENGLISH, NOTICES, consent_notice
from verification.models import Consent

# The published wordings. A notice in use is never edited: a new wording is a new version
# (and BIOMETRIC_CONSENT_VERSION moves to it). Changing a text here fails this test.
PUBLISHED = {
    ("2026-11", "en"): "8cf3ff8f35d58cd73d4a96c768dcb058957c4ba2e9edf3330d15d04651e2b50d",
    ("2026-12", "zh-hans"): "d711b0e23025bdb96dad7c87b401bcc12e745174d46235e95dc92ac600ab1af9",
    ("2026-12", "en"): "f1b8eef9ebdffc16f1a6293cb5c548d5574fbc38f2393ca38957bbd6453a1548",
}


def test_no_published_notice_has_changed():
    assert {key: notice.digest for key, notice in NOTICES.items()} == PUBLISHED


def test_the_notice_in_force_is_published_in_chinese_and_english():
    version = settings.BIOMETRIC_CONSENT_VERSION
    assert {CHINESE, ENGLISH} <= {language for v, language in NOTICES if v == version}


def test_each_notice_names_its_own_version():
    for (version, _language), notice in NOTICES.items():
        assert version in notice.title


def test_the_notice_is_found_whatever_the_spelling_of_the_language():
    assert consent_notice("2026-12", "zh-Hans").language == CHINESE
    assert consent_notice("2026-12", "fr").language == CHINESE, "the text of record"
    assert consent_notice("2026-11", "zh-hans").language == ENGLISH, "its only language"
    assert consent_notice("1999-01", "en") is None


@pytest.fixture
def clerk(users) -> Client:
    client = Client()
    sign_in(client, users["staff"])
    return client


@pytest.mark.django_db
@pytest.mark.chinese
def test_a_chinese_page_shows_the_chinese_notice_and_records_it(clerk, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    url = reverse("verification:consent", args=[registration.pk])
    notice = NOTICES[("2026-12", CHINESE)]

    page = clerk.get(url).content.decode()
    assert notice.intro in page and all(point in page for point in notice.points)
    assert 'lang="zh-Hans"' in page
    clerk.post(url, {"agreed": "on", "language": CHINESE})

    consent = Consent.objects.get(registration=registration)
    assert (consent.text_version, consent.language) == ("2026-12", CHINESE)
    assert consent.text_digest == notice.digest
    event = AuditEvent.objects.get(object_id=str(registration.pk), action=Action.CONSENT_RECORDED)
    assert event.changes["consent_language"] == [None, CHINESE]


@pytest.mark.django_db
def test_an_english_page_shows_the_english_notice(clerk, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    url = reverse("verification:consent", args=[registration.pk])

    page = clerk.get(url).content.decode()

    assert NOTICES[("2026-12", ENGLISH)].intro in page
    assert NOTICES[("2026-12", CHINESE)].intro not in page


@pytest.mark.django_db
def test_the_language_read_is_recorded_even_if_the_page_changed_language_since(
    clerk, users, outlet_gd
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    url = reverse("verification:consent", args=[registration.pk])
    # Shown in Chinese, then the clerk switched the portal to English before agreeing.
    clerk.post(url, {"agreed": "on", "language": CHINESE})

    assert Consent.objects.get(registration=registration).language == CHINESE


@pytest.mark.django_db
def test_a_language_the_notice_is_not_published_in_is_refused(clerk, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    url = reverse("verification:consent", args=[registration.pk])

    response = clerk.post(url, {"agreed": "on", "language": "fr"})

    assert response.status_code == 400
    assert not Consent.objects.filter(registration=registration).exists()
