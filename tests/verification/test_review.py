"""Manual review: the queue, a case with its scores and evidence, and the decision."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts import scoping
from portal.accounts.services import staff_reviewer_set
from portal.audit.models import AuditEvent
from registrations.models import Registration
from tests.factories import create_registration, ready_for_capture, sign_in
from tests.verification.test_evidence_view import store_evidence
from tests.verification.test_flow_services import capture, run_job
from verification.models import BiometricEvidence, ViewingGrant

pytestmark = pytest.mark.django_db

NOTE = "Face matches the ID portrait; the right turn was cut off by the frame."


@pytest.fixture
def sent_to_review(users, outlet_gd, portrait_bytes, clip_bytes, settings):
    """A real capture sent to review: the clip shows no right turn and no attempt is left."""
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink", "turn_right"]
    settings.VERIFICATION_MAX_ATTEMPTS = 1
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], portrait_bytes)
    job = capture(registration, users["staff"], clip_bytes)
    run_job(job.pk)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REVIEW
    return registration


@pytest.fixture
def in_review(users, outlet_gd):
    return create_registration(actor=users["staff"], outlet=outlet_gd, status="review")


def decide(client, registration, decision: str, note: str = NOTE):
    return client.post(f"/review/{registration.pk}/", {"decision": decision, "note": note})


def open_grant(client, registration, reason: str):
    """The review page's evidence form: the reason opens a viewing grant, back to the page."""
    data = {"reason": reason, "back_to": "review"}
    return client.post(f"/registrations/{registration.pk}/evidence/", data)


def evidence_url(client, evidence) -> str:
    """The link the page shows for ``evidence``, under the live grant of the client's user."""
    user_pk = int(client.session["_auth_user_id"])
    grant = ViewingGrant.objects.filter(user_id=user_pk, registration=evidence.registration_id)
    return f"/evidence/{grant.latest('issued_at').pk}/{evidence.pk}/"


# The queue


def test_the_queue_lists_the_operators_cases_the_longest_waiting_first(
    client, users, outlet_gd, outlet_bj
):
    now = timezone.now()
    cases = []
    for hours, outlet, actor in [
        (1, outlet_gd, "staff"),
        (5, outlet_bj, "staff_bj"),
        (3, outlet_gd, "staff"),
    ]:
        case = create_registration(actor=users[actor], outlet=outlet, status="review")
        Registration.objects.filter(pk=case.pk).update(submitted_at=now - timedelta(hours=hours))
        cases.append(case)
    create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")  # decided
    sign_in(client, users["carrier_admin"])
    response = client.get("/review/")
    assert response.status_code == 200
    listed = [case.pk for case, _ in response.context["rows"]]
    assert listed == [cases[1].pk, cases[2].pk, cases[0].pk]


def test_another_operators_admin_sees_none_of_the_cases(client, users, in_review):
    sign_in(client, users["carrier_admin_cucc"])
    response = client.get("/review/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert client.get(f"/review/{in_review.pk}/").status_code == 404
    assert decide(client, in_review, "approve").status_code == 404
    in_review.refresh_from_db()
    assert in_review.status == Registration.Status.REVIEW


@pytest.mark.slow  # runs the face engine on the shared clip
def test_the_queue_says_why_in_plain_words(client, users, sent_to_review):
    sign_in(client, users["carrier_admin"])
    response = client.get("/review/")
    assert response.context["rows"] == [
        (sent_to_review, ["A head turn that was asked for was not seen. Turn the head clearly."])
    ]
    assert b"A head turn that was asked for was not seen" in response.content


# One case


@pytest.mark.slow  # runs the face engine on the shared clip
def test_a_case_shows_the_scores_and_the_evidence_for_the_reviews_own_purpose(
    client, users, sent_to_review
):
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/{sent_to_review.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    attempt = response.context["case"].attempts[0]
    assert attempt.band == "strong", "the shared clip is the portrait's holder"
    assert f"Strong match</strong> distance {attempt.match['distance']:.3f}" in page
    assert "turn_left, blink, turn_right" in page and "not met" in page
    assert "A head turn that was asked for was not seen" in page
    # The assigned reviewer's purpose is stated for them: one viewing, one event.
    assert 'src="/evidence/' in page
    looks = AuditEvent.objects.filter(action__startswith="evidence.").exclude(
        action="evidence.stored"
    )
    assert [(e.action, e.reason) for e in looks] == [
        ("evidence.grant_opened", "Manual review of this case")
    ]


@pytest.mark.slow  # runs the face engine on the shared clip
def test_with_a_reason_the_page_shows_every_piece_of_evidence_through_the_audited_view(
    client, users, sent_to_review, portrait_bytes
):
    sign_in(client, users["carrier_admin"])
    response = open_grant(client, sent_to_review, "Deciding the review case")
    assert response.status_code == 302 and response["Location"] == f"/review/{sent_to_review.pk}/"
    page = client.get(response["Location"]).content.decode()
    evidence = BiometricEvidence.objects.filter(registration=sent_to_review)
    assert evidence.filter(kind="key_frame").count() >= 2
    for item in evidence:
        assert f'src="{evidence_url(client, item)}"' in page
    assert "<video controls" in page
    assert "Deciding the review case" in page, "the page says what the grant is for"

    portrait = evidence.get(kind="portrait")
    served = client.get(evidence_url(client, portrait))
    assert served.content == portrait_bytes
    key_frame = evidence.filter(kind="key_frame").first()
    served = client.get(evidence_url(client, key_frame))
    assert served["Content-Type"] == "image/jpeg" and served.content[:3] == b"\xff\xd8\xff"
    events = AuditEvent.objects.filter(action="evidence.grant_opened")
    assert [e.reason for e in events] == ["Deciding the review case"], "one event per grant"
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists()


def test_a_too_short_reason_shows_the_form_again_with_its_error(client, users, in_review):
    store_evidence(in_review, data=b"\xff\xd8\xff\xd9")
    sign_in(client, users["carrier_admin"])
    response = open_grant(client, in_review, "eh, a look")
    assert response.status_code == 400
    assert b"at least 10 characters, not counting spaces." in response.content
    assert b'src="/evidence/' not in response.content
    assert f'href="/review/{in_review.pk}/"'.encode() in response.content, "back to the review"
    assert not ViewingGrant.objects.exists()


# Deciding


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_a_decision_with_a_reason_moves_the_registration_and_is_audited(
    client, users, in_review, decision, status
):
    sign_in(client, users["carrier_admin"])
    response = decide(client, in_review, decision)
    assert response.status_code == 302 and response["Location"] == "/review/"
    in_review.refresh_from_db()
    assert in_review.status == status
    assert in_review.decided_by == users["carrier_admin"]
    assert in_review.decision_note == NOTE
    event = AuditEvent.objects.get(action="registration.reviewed")
    assert event.object_id == str(in_review.pk) and event.reason == NOTE
    assert client.get("/review/").context["rows"] == []


def test_an_empty_note_is_refused_with_the_message_on_the_page(client, users, in_review):
    sign_in(client, users["carrier_admin"])
    response = decide(client, in_review, "approve", note="   ")
    assert response.status_code == 400
    assert b"Write the reason for the decision." in response.content
    assert b"The decision was not saved" in response.content
    in_review.refresh_from_db()
    assert in_review.status == Registration.Status.REVIEW
    assert not AuditEvent.objects.filter(action="registration.reviewed").exists()


def test_a_reviewer_cannot_decide_a_registration_they_submitted(client, users, in_review):
    staff_reviewer_set(actor=users["carrier_admin"], user=users["staff"], reviewer=True)
    sign_in(client, users["staff"])
    assert b"another reviewer must decide it" in client.get(f"/review/{in_review.pk}/").content
    response = decide(client, in_review, "approve")
    assert response.status_code == 400
    assert b"You cannot review a registration you submitted." in response.content
    in_review.refresh_from_db()
    assert in_review.status == Registration.Status.REVIEW


# Reviewers appointed by the carrier admin


@pytest.mark.slow  # runs the face engine on the shared clip
def test_an_appointed_reviewer_reviews_cases_of_any_outlet_of_their_operator(
    client, users, sent_to_review
):
    reviewer = users["staff_bj"]  # works in Beijing; the case is from Guangdong
    staff_reviewer_set(actor=users["carrier_admin"], user=reviewer, reviewer=True)
    sign_in(client, reviewer)
    assert [case.pk for case, _ in client.get("/review/").context["rows"]] == [sent_to_review.pk]
    key_frame = BiometricEvidence.objects.filter(registration=sent_to_review, kind="key_frame")[0]
    assert open_grant(client, sent_to_review, "Review of the case").status_code == 302
    assert client.get(evidence_url(client, key_frame)).status_code == 200
    response = decide(client, sent_to_review, "approve")
    assert response.status_code == 302
    sent_to_review.refresh_from_db()
    assert sent_to_review.status == "approved" and sent_to_review.decided_by == reviewer
    # Decided, the case leaves the queue, and with it the reviewer's sight of its evidence.
    assert client.get(evidence_url(client, key_frame)).status_code == 404
    assert open_grant(client, sent_to_review, "Review of the case").status_code == 404


def test_staff_who_are_not_reviewers_get_a_403(client, users, in_review):
    evidence = store_evidence(in_review, data=b"\xff\xd8\xff\xd9")
    sign_in(client, users["staff_bj"])
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{in_review.pk}/").status_code == 403
    assert decide(client, in_review, "approve").status_code == 403
    assert open_grant(client, in_review, "Curious about it").status_code == 403
    assert client.get(f"/evidence/{uuid.uuid4()}/{evidence.pk}/").status_code == 403


def test_a_revoked_reviewer_loses_the_pages(client, users, in_review):
    reviewer = users["staff_bj"]
    staff_reviewer_set(actor=users["carrier_admin"], user=reviewer, reviewer=True)
    staff_reviewer_set(actor=users["carrier_admin"], user=reviewer, reviewer=False)
    sign_in(client, reviewer)
    assert client.get("/review/").status_code == 403
    events = AuditEvent.objects.filter(action="user.reviewer_changed", object_id=str(reviewer.pk))
    assert events.count() == 2


def test_the_carrier_admin_appoints_a_reviewer_on_the_staff_page(client, users, outlet_bj):
    member = users["staff_bj"]
    sign_in(client, users["carrier_admin"])
    form = {"outlets": [outlet_bj.pk], "is_active": "on", "is_reviewer": "on"}
    response = client.post(f"/operator/staff/{member.pk}/", form)
    assert response.status_code == 302
    assert scoping.is_appointed_reviewer(member)
    assert member.has_perm("registrations.review_registration")
    assert member.has_perm("verification.view_biometricevidence")
    assert not users["staff"].has_perm("registrations.review_registration"), "nobody else"
    event = AuditEvent.objects.get(action="user.reviewer_changed")
    assert event.actor_label == users["carrier_admin"].username
    assert b"Reviewer" in client.get("/operator/staff/").content

    client.post(f"/operator/staff/{member.pk}/", {"outlets": [outlet_bj.pk], "is_active": "on"})
    assert not scoping.is_appointed_reviewer(member)
    assert AuditEvent.objects.filter(action="user.reviewer_changed").count() == 2


def test_saving_the_staff_page_unchanged_records_no_appointment(client, users, outlet_bj):
    member = users["staff_bj"]
    sign_in(client, users["carrier_admin"])
    response = client.post(
        f"/operator/staff/{member.pk}/", {"outlets": [outlet_bj.pk], "is_active": "on"}, follow=True
    )
    assert response.redirect_chain == [("/operator/staff/", 302)], "the form was accepted"
    assert response.status_code == 200
    assert f"Account {member.username} saved." in response.content.decode()
    assert member.pk not in response.context["reviewers"]
    assert not scoping.is_appointed_reviewer(member)
    assert not AuditEvent.objects.filter(action="user.reviewer_changed").exists()


def test_only_outlet_staff_are_appointed(users):
    with pytest.raises(ValueError):
        staff_reviewer_set(actor=users["carrier_admin"], user=users["inspector"], reviewer=True)


@pytest.mark.parametrize(
    ("role", "appointed", "shown"),
    [
        ("carrier_admin", False, True),
        ("staff", True, True),
        ("staff", False, False),
        ("inspector", False, False),
    ],
)
def test_the_navigation_offers_review_to_those_who_review(client, users, role, appointed, shown):
    if appointed:
        staff_reviewer_set(actor=users["carrier_admin"], user=users[role], reviewer=True)
    sign_in(client, users[role])
    links = client.get("/registrations/").context["nav_links"]
    assert (("Review", "/review/") in links) is shown
