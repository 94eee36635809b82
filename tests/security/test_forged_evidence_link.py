"""Evidence opened by a forged link (issue 10, hole 9).

Found: a cross-site top-level GET to ``/registrations/<id>/?reason=...`` rendered the evidence
and wrote one ``evidence.viewed`` event per picture, with the forged reason, in the
inspector's name; the reason sat in every URL (and so in access logs); five zero-width spaces
passed as a reason. Now the reason is posted (CSRF-checked) and opens a short viewing grant,
written once; the files name the grant, never the reason.
"""

import logging
import re
from datetime import timedelta
from urllib.parse import quote, quote_plus

import pytest
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from tests.factories import create_registration, sign_in, store_stand_in_portrait
from verification import services
from verification.errors import VerificationCode, VerificationError
from verification.models import ViewingGrant

pytestmark = pytest.mark.django_db

REASON = "Spot check of outlet GD-001 after a complaint"
EVIDENCE_EVENTS = ("evidence.viewed", "evidence.downloaded", "evidence.grant_opened")
ZERO_WIDTH_SPACE = "\u200b"


@pytest.fixture
def in_review(users, outlet_gd):
    """A case in review with four ID portraits (re-uploads; stand-in bytes)."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    for _ in range(4):
        store_stand_in_portrait(registration)
    return registration


def page_url(registration) -> str:
    return f"/registrations/{registration.pk}/"


def open_url(registration) -> str:
    return f"/registrations/{registration.pk}/evidence/"


def evidence_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=EVIDENCE_EVENTS).order_by("sequence"))


def evidence_links(html: str) -> list[str]:
    return re.findall(r'src="(/evidence/[^"]*)"', html)


def open_grant(client, registration, reason=REASON):
    return client.post(open_url(registration), {"reason": reason})


def access_log_line(response) -> str:
    """What an access log (nginx ``$request``, gunicorn ``%(r)s``) writes for this request."""
    environ = response.wsgi_request.META
    query = environ.get("QUERY_STRING", "")
    target = environ["PATH_INFO"] + (f"?{query}" if query else "")
    return f"{environ['REQUEST_METHOD']} {target} HTTP/1.1 {response.status_code}"


@pytest.mark.parametrize("page", ["/registrations/{pk}/"])
def test_a_forged_get_with_a_reason_shows_no_evidence_and_writes_nothing(
    client, users, in_review, page
):
    sign_in(client, users["carrier_admin"])
    response = client.get(page.format(pk=in_review.pk), {"reason": "Forged by another site"})
    assert response.status_code == 200
    html = response.content.decode()
    assert evidence_links(html) == []
    assert "Forged by another site" not in html
    assert 'method="post"' in html and "Show the evidence" in html, "the form is offered"
    assert evidence_events() == []
    assert not ViewingGrant.objects.exists()


def test_a_forged_reason_never_reaches_the_assigned_reviewer_s_automatic_purpose(
    client, users, in_review
):
    """The carrier admin reviews this case: opening it records the stated review purpose, once,
    whatever a forged link adds; the forged words are neither shown nor recorded."""
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/{in_review.pk}/", {"reason": "Forged by another site"})
    assert response.status_code == 200
    assert "Forged by another site" not in response.content.decode()
    assert list(ViewingGrant.objects.values_list("reason", flat=True)) == [
        "Manual review of this case"
    ]
    assert all("Forged" not in (event.reason or "") for event in evidence_events())


def test_a_cross_site_post_without_the_csrf_token_is_refused(users, in_review):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, users["inspector"])
    response = client.post(open_url(in_review), {"reason": REASON})
    assert response.status_code == 403
    assert not ViewingGrant.objects.exists()
    assert evidence_events() == []


def test_the_page_form_posts_with_its_csrf_token_and_opens_the_evidence(users, in_review):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, users["inspector"])
    html = client.get(page_url(in_review)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(open_url(in_review), {"reason": REASON, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == page_url(in_review)
    assert len(evidence_links(client.get(page_url(in_review)).content.decode())) == 4


def test_one_event_per_grant_however_many_files_are_fetched(client, users, in_review):
    sign_in(client, users["inspector"])
    assert open_grant(client, in_review).status_code == 302
    html = client.get(page_url(in_review)).content.decode()
    links = evidence_links(html)
    assert len(links) == 4, "every portrait"
    for _ in range(3):
        for link in links:
            served = client.get(link)
            assert served.status_code == 200 and served.content == b"\xff\xd8\xff\xd9"
    [event] = evidence_events()
    grant = ViewingGrant.objects.get()
    assert event.action == "evidence.grant_opened"
    assert event.reason == REASON and grant.reason == REASON
    assert event.actor_label == users["inspector"].username
    assert event.object_id == str(in_review.pk)
    assert str(grant.pk) in str(event.changes["grant"])
    assert "Your leave ends at" in html
    assert timezone.localtime(grant.expires_at).strftime("%H:%M") in html


def test_no_url_and_no_access_log_line_carries_the_reason(client, users, in_review, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(client, users["inspector"])
    responses = [open_grant(client, in_review)]
    responses.append(client.get(responses[0]["Location"]))
    responses += [client.get(link) for link in evidence_links(responses[-1].content.decode())]
    assert len(responses) == 6
    forms_of_the_reason = {REASON, quote(REASON), quote_plus(REASON), "Spot check", "Spot%20check"}
    for response in responses:
        line = access_log_line(response)
        assert not any(form in line for form in forms_of_the_reason), line
        assert not any(form in response.get("Location", "") for form in forms_of_the_reason)
    assert all(link.count("/") == 4 for link in evidence_links(responses[1].content.decode()))
    assert not [record for record in caplog.records if "Spot check" in record.getMessage()]


@pytest.mark.parametrize(
    "reason",
    [
        ZERO_WIDTH_SPACE * 5,
        ZERO_WIDTH_SPACE * 20,
        "\u2060\ufeff\u200c\u200d\u00a0\u3000\t\n" * 3,  # joiners, BOM, wide and odd spaces
        "abcdefghi",  # nine visible characters
        "abc \u200b def \u200b ghi     ",
        "\u202e\u202dabcdefghi",  # direction overrides are not characters a reader sees
    ],
)
def test_a_reason_without_ten_visible_characters_is_a_field_error(client, users, in_review, reason):
    sign_in(client, users["inspector"])
    response = open_grant(client, in_review, reason)
    assert response.status_code == 400
    errors = response.context["reason_form"].errors["reason"]
    assert "at least 10 characters" in errors[0]
    assert "at least 10 characters" in response.content.decode(), "shown at the field"
    assert not ViewingGrant.objects.exists()
    assert evidence_events() == []


def test_the_service_refuses_zero_width_spaces_and_records_what_a_reader_sees():
    with pytest.raises(VerificationError) as refused:
        services.evidence_reason_clean(ZERO_WIDTH_SPACE * 5)
    assert refused.value.code == VerificationCode.VIEWING_REASON_REQUIRED
    assert refused.value.field == "reason"
    with pytest.raises(VerificationError):
        services.evidence_reason_clean("abcdefghi")
    assert (
        services.evidence_reason_clean(" Spot\u200b check\n\tof GD-001 ") == "Spot check of GD-001"
    )


def test_ten_visible_characters_are_enough(client, users, in_review):
    sign_in(client, users["inspector"])
    assert open_grant(client, in_review, "抽查广东网点登记材料").status_code == 302
    assert ViewingGrant.objects.get().reason == "抽查广东网点登记材料"


def test_the_grant_lasts_the_setting_and_serves_nothing_after(client, users, in_review, settings):
    settings.VERIFICATION_VIEWING_GRANT_S = 120
    sign_in(client, users["inspector"])
    open_grant(client, in_review)
    grant = ViewingGrant.objects.get()
    assert grant.expires_at - grant.issued_at == timedelta(seconds=120)
    link = evidence_links(client.get(page_url(in_review)).content.decode())[0]
    assert client.get(link).status_code == 200

    # Two minutes later: the same link is refused, and the page asks for a reason again.
    past = timezone.now() - timedelta(seconds=121)
    ViewingGrant.objects.filter(pk=grant.pk).update(
        issued_at=past, expires_at=past + timedelta(seconds=120)
    )
    refused = client.get(link)
    assert refused.status_code == 403
    assert refused.content != b"\xff\xd8\xff\xd9" and b"\xff\xd8" not in refused.content
    assert "has ended" in refused.content.decode()
    html = client.get(page_url(in_review)).content.decode()
    assert evidence_links(html) == [] and "Show the evidence" in html
    assert len(evidence_events()) == 1


def test_ending_the_grant_early_stops_its_links(client, users, in_review):
    sign_in(client, users["inspector"])
    open_grant(client, in_review)
    grant = ViewingGrant.objects.get()
    link = evidence_links(client.get(page_url(in_review)).content.decode())[0]
    response = client.post(f"/evidence/{grant.pk}/end/")
    assert response.status_code == 302 and response["Location"] == page_url(in_review)
    assert client.get(link).status_code == 403
    assert evidence_links(client.get(page_url(in_review)).content.decode()) == []


def test_another_users_grant_serves_nothing(client, users, in_review):
    sign_in(client, users["inspector"])
    open_grant(client, in_review)
    link = evidence_links(client.get(page_url(in_review)).content.decode())[0]
    for other in ("inspector_gd", "carrier_admin"):  # both may see this registration
        sign_in(client, users[other])
        response = client.get(link)
        assert response.status_code == 404, other
        assert b"\xff\xd8" not in response.content
        assert "No such leave" in response.content.decode()
        assert client.post(f"/evidence/{ViewingGrant.objects.get().pk}/end/").status_code == 404
    assert not ViewingGrant.objects.get().expired(), "nobody else ended it"


def test_a_grant_shows_only_its_own_registrations_evidence(client, users, in_review, outlet_gd):
    other = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    elsewhere = store_stand_in_portrait(other)
    sign_in(client, users["inspector"])
    open_grant(client, in_review)
    grant = ViewingGrant.objects.get()
    response = client.get(f"/evidence/{grant.pk}/{elsewhere.pk}/")
    assert response.status_code == 404
    assert b"\xff\xd8" not in response.content


def test_a_chinese_character_counts_as_two_towards_the_minimum():
    with pytest.raises(VerificationError):
        services.evidence_reason_clean("查看材料")  # 4 characters: says little
    assert services.evidence_reason_clean("核实用户身份") == "核实用户身份"  # 6, enough
    assert (
        services.evidence_reason_clean("人工审核此案件") == "人工审核此案件"
    )  # the review purpose
