"""The outlet's flow as a clerk lives it: Back and Save again, a draft corrected or dropped,
an approved number given up with its reason, and what each outcome screen says next."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from registrations import rules, services
from registrations.models import Registration
from tests.factories import (
    create_registration,
    next_iccid,
    next_msisdn,
    sign_in,
    store_stand_in_portrait,
    subscriber_details,
)
from verification.models import Challenge, VerificationJob

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def clerk(users, client) -> Client:
    sign_in(client, users["staff"])
    return client


def new_form(outlet, *, msisdn=None, iccid=None, **overrides) -> dict:
    """The new-registration form as the clerk fills it in."""
    person = subscriber_details(number=7)
    form = {
        "outlet": outlet.pk,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "id_expiry": person.id_expiry.isoformat(),
        "msisdn": msisdn or next_msisdn(),
        "iccid": iccid or next_iccid(),
    }
    form.update(overrides)
    return form


def messages_of(response) -> list[str]:
    """The messages waiting for the next page (a redirect not followed keeps earlier ones)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def drafts_for(msisdn: str):
    return Registration.objects.filter(msisdn=rules.normalize_msisdn(msisdn), status=Status.DRAFT)


def events(registration, action):
    return AuditEvent.objects.filter(object_id=str(registration.pk), action=action)


# -- Back, then Save again ------------------------------------------------------------------------


def test_saving_the_same_form_again_resumes_the_draft_instead_of_making_a_second(clerk, outlet_gd):
    form = new_form(outlet_gd, msisdn="13900139007")
    first = clerk.post(reverse("registrations:new"), form)
    draft = drafts_for("13900139007").get()
    assert first.status_code == 302

    again = clerk.post(reverse("registrations:new"), form)  # Back in the browser, Save again

    assert drafts_for("13900139007").count() == 1
    assert again.status_code == 302
    assert again["Location"] == reverse("verification:portrait", args=[draft.pk])
    assert messages_of(again)[-1] == (
        "This number already had a draft at this outlet: it is opened again, "
        "nothing was saved twice. Go on from where it stopped."
    )
    assert events(draft, Action.REGISTRATION_CREATED).count() == 1


def test_a_resumed_draft_goes_on_from_its_next_step(clerk, outlet_gd, users):
    form = new_form(outlet_gd, msisdn="13900139008")
    clerk.post(reverse("registrations:new"), form)
    draft = drafts_for("13900139008").get()
    store_stand_in_portrait(draft)

    again = clerk.post(reverse("registrations:new"), form)

    assert again["Location"] == reverse("verification:consent", args=[draft.pk])


def test_the_same_sim_card_with_another_number_resumes_the_draft_unchanged_for_editing(
    clerk, outlet_gd
):
    form = new_form(outlet_gd, msisdn="13900139009")
    clerk.post(reverse("registrations:new"), form)
    draft = drafts_for("13900139009").get()

    again = clerk.post(reverse("registrations:new"), {**form, "msisdn": "13900139010"})

    assert Registration.objects.filter(iccid=draft.iccid).count() == 1
    assert again["Location"] == reverse("registrations:edit", args=[draft.pk])
    assert "with other details" in messages_of(again)[-1]
    draft.refresh_from_db()
    assert draft.msisdn == rules.normalize_msisdn("13900139009"), "nothing changed behind the page"


def test_two_saves_at_once_of_one_number_find_one_draft(users, outlet_gd):
    details = subscriber_details(number=8)
    msisdn, iccid = "13900139011", next_iccid()

    opened = [
        services.registration_draft_open(
            actor=users["staff"], subscriber=details, outlet=outlet_gd, msisdn=msisdn, iccid=iccid
        )
        for _ in range(2)
    ]

    assert opened[0].registration.pk == opened[1].registration.pk
    assert [o.resumed for o in opened] == [False, True]


# -- editing a draft ------------------------------------------------------------------------------


def test_a_draft_is_corrected_on_its_edit_page_and_the_change_is_audited(clerk, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    page = clerk.get(reverse("registrations:edit", args=[draft.pk]))
    assert page.status_code == 200
    form = dict(page.context["form"].initial)

    response = clerk.post(
        reverse("registrations:edit", args=[draft.pk]),
        {
            **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in form.items() if v},
            "msisdn": "139 0013 9012",
        },
    )

    assert response.status_code == 302, response.content
    draft.refresh_from_db()
    assert draft.msisdn == "+8613900139012"
    edited = events(draft, Action.REGISTRATION_EDITED).get()
    assert list(edited.changes) == ["msisdn"]
    assert edited.actor_id == str(users["staff"].pk)


def test_a_draft_cannot_take_the_number_of_another_draft_of_the_outlet(clerk, users, outlet_gd):
    other = create_registration(actor=users["staff"], outlet=outlet_gd)
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    initial = {
        k: v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in clerk.get(reverse("registrations:edit", args=[draft.pk]))
        .context["form"]
        .initial.items()
        if v
    }

    response = clerk.post(
        reverse("registrations:edit", args=[draft.pk]), {**initial, "msisdn": other.msisdn_national}
    )

    assert response.status_code == 400
    assert "Another draft at this outlet already has this number" in response.content.decode()


def test_a_submitted_registration_has_no_edit_page(clerk, users, outlet_gd):
    submitted = create_registration(actor=users["staff"], outlet=outlet_gd, status="submitted")

    response = clerk.get(reverse("registrations:edit", args=[submitted.pk]))

    assert response["Location"] == reverse("registrations:detail", args=[submitted.pk])
    assert messages_of(response) == [
        "This registration has been submitted: only a draft can be edited or discarded."
    ]


# -- discarding a draft ---------------------------------------------------------------------------


def test_discarding_asks_first_then_frees_the_number_and_is_audited(clerk, users, outlet_gd):
    form = new_form(outlet_gd, msisdn="13900139013")
    clerk.post(reverse("registrations:new"), form)
    draft = drafts_for("13900139013").get()

    confirm = clerk.get(reverse("registrations:discard", args=[draft.pk]))
    assert confirm.status_code == 200
    assert "can be registered again at once" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT, "the confirmation page changes nothing"

    discarded = clerk.post(reverse("registrations:discard", args=[draft.pk]))

    assert discarded.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DISCARDED
    event = events(draft, Action.REGISTRATION_DISCARDED).get()
    assert event.actor_id == str(users["staff"].pk)
    assert event.changes == {"status": ["draft", "discarded"]}

    anew = clerk.post(reverse("registrations:new"), form)  # the same number and SIM card

    fresh = drafts_for("13900139013").get()
    assert fresh.pk != draft.pk
    assert fresh.iccid == draft.iccid
    assert anew["Location"] == reverse("verification:portrait", args=[fresh.pk])


def test_only_a_draft_is_discarded(clerk, users, outlet_gd):
    approved = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")

    response = clerk.post(reverse("registrations:discard", args=[approved.pk]))

    assert response["Location"] == reverse("registrations:detail", args=[approved.pk])
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not events(approved, Action.REGISTRATION_DISCARDED).exists()


def test_a_carrier_admin_sees_the_draft_but_cannot_discard_it(client, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    sign_in(client, users["carrier_admin"])

    assert client.get(reverse("registrations:detail", args=[draft.pk])).status_code == 200
    assert client.post(reverse("registrations:discard", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_draft_page_offers_edit_and_discard_to_the_clerk_only(client, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    discard_url = reverse("registrations:discard", args=[draft.pk])
    detail_url = reverse("registrations:detail", args=[draft.pk])
    sign_in(client, users["staff"])
    assert discard_url in client.get(detail_url).content.decode()

    sign_in(client, users["carrier_admin"])
    assert discard_url not in client.get(detail_url).content.decode()


# -- cancelling an approved registration ----------------------------------------------------------


@pytest.fixture
def approved(users, outlet_gd) -> Registration:
    return create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")


def test_cancelling_asks_for_confirmation_and_a_reason(clerk, approved):
    page = clerk.get(reverse("registrations:cancel", args=[approved.pk]))

    assert page.status_code == 200
    assert "Why is the number given up?" in page.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_cancelling_without_a_reason_is_refused_with_a_form_error(clerk, approved):
    response = clerk.post(reverse("registrations:cancel", args=[approved.pk]), {"note": ""})

    assert response.status_code == 400
    assert "Choose why the number is given up." in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not events(approved, Action.REGISTRATION_CANCELLED).exists()


def test_another_reason_needs_words(clerk, approved):
    response = clerk.post(reverse("registrations:cancel", args=[approved.pk]), {"reason": "other"})

    assert response.status_code == 400
    assert "Write why the number is given up." in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_a_cancellation_keeps_who_when_and_why_and_the_page_shows_them(clerk, users, approved):
    response = clerk.post(
        reverse("registrations:cancel", args=[approved.pk]),
        {"reason": "subscriber_request", "note": "Moving abroad"},
    )

    assert response["Location"] == reverse("registrations:detail", args=[approved.pk])
    approved.refresh_from_db()
    assert approved.status == Status.CANCELLED
    assert approved.cancelled_by == users["staff"]
    assert approved.cancellation_reason == "subscriber_request"
    assert approved.cancellation_note == "Moving abroad"
    event = events(approved, Action.REGISTRATION_CANCELLED).get()
    assert event.reason == "subscriber_request: Moving abroad"
    assert event.changes["cancellation_reason"] == ["", "subscriber_request"]

    page = clerk.get(reverse("registrations:detail", args=[approved.pk])).content.decode()
    when = timezone.localtime(approved.cancelled_at).strftime("%Y-%m-%d %H:%M")
    assert f"{when} by {users['staff'].username}" in page
    assert "The subscriber gives up the number: Moving abroad" in page


def test_a_cancellation_leaves_the_reviewers_reason_as_it_was(users, outlet_gd):
    case = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    case = services.registration_review(
        registration=case, reviewer=users["carrier_admin"], approve=True, note="Seen in person"
    )

    services.registration_cancel(
        registration=case, actor=users["staff"], reason="wrong_details", note="Typo in name"
    )

    case.refresh_from_db()
    assert case.decision_note == "Seen in person"
    assert case.cancellation_note == "Typo in name"


def test_a_draft_is_not_cancelled_and_its_page_says_why(clerk, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)

    response = clerk.get(reverse("registrations:cancel", args=[draft.pk]))

    assert response["Location"] == reverse("registrations:detail", args=[draft.pk])
    assert messages_of(response) == ["A registration that is draft cannot be cancelled."]


# -- the outcome screens --------------------------------------------------------------------------


def finished_job(registration, actor, *, outcome, reasons, attempt=1) -> VerificationJob:
    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce=f"n-{registration.pk}-{attempt}",
        registration=registration,
        actions=["turn_left", "blink"],
        issued_to=actor,
        expires_at=now + timedelta(minutes=2),
        used_at=now,
    )
    return VerificationJob.objects.create(
        registration=registration,
        challenge=challenge,
        attempt=attempt,
        created_by=actor,
        source="camera",
        status="done",
        outcome=outcome,
        finished_at=now,
        reasons=list(reasons),
    )


def decided(users, outlet, decision: str, reasons: list[str]) -> Registration:
    registration = create_registration(actor=users["staff"], outlet=outlet, status="verifying")
    outcome = {"approved": "approved", "rejected": "rejected", "review": "review"}[decision]
    finished_job(registration, users["staff"], outcome=outcome, reasons=reasons)
    return services.registration_decide(
        registration=registration, decision=decision, reasons=reasons
    )


def screens(client, registration) -> tuple[str, dict]:
    """The registration's page and the capture page's status answer."""
    page = client.get(reverse("registrations:detail", args=[registration.pk]))
    status = client.get(reverse("verification:status", args=[registration.pk]))
    assert page.status_code == 200 and status.status_code == 200
    return page.content.decode(), status.json()


def test_a_retake_says_so_with_the_attempts_left(clerk, users, outlet_gd, settings):
    settings.VERIFICATION_MAX_ATTEMPTS = 3
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="verifying")
    finished_job(registration, users["staff"], outcome="retake", reasons=["too_blurry"])

    page, status = screens(clerk, registration)

    next_step = "Retake the live capture now: 2 attempts left."
    assert status["next_step"] == next_step and next_step in page
    assert status["headline"].startswith("The last capture could not be used")
    assert status["status_word"] == "Retake needed"
    assert status["retake_allowed"] is True
    assert "Retake the live capture" in page


def test_review_says_a_reviewer_decides_and_what_happens_now(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "review", ["match_uncertain"])

    page, status = screens(clerk, registration)

    assert status["headline"] == (
        "Sent to a reviewer: the automatic check could not decide on its own."
    )
    assert status["next_step"].startswith(
        "Nothing more to do at the counter. A reviewer of China Mobile compares the capture"
    )
    assert "the decision appears on this page" in page
    assert "The match with the ID portrait is uncertain" in page


def test_a_rejection_for_no_match_tells_what_the_customer_can_do(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "rejected", ["no_match"])

    page, status = screens(clerk, registration)

    assert status["headline"] == "Rejected: the number was not registered."
    assert "they renew the ID card first" in status["next_step"]
    assert "original ID card" in page
    assert "The face in the recording does not match the ID portrait." in page


def test_a_rejection_for_a_photo_tells_the_customer_to_come_in_person(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "rejected", ["not_live"])

    _page, status = screens(clerk, registration)

    assert status["next_step"].startswith("The customer must come in person and face the camera")


def test_an_approval_says_to_hand_over_the_sim(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "approved", [])

    page, status = screens(clerk, registration)

    assert status["headline"] == "Approved: the number is registered to the subscriber."
    assert status["next_step"] == "Hand over the SIM card: the number works now."
    assert "Hand over the SIM card" in page


def test_a_draft_names_its_next_step(clerk, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)

    page = clerk.get(reverse("registrations:detail", args=[draft.pk])).content.decode()

    assert "Saved as a draft, not submitted yet." in page
    assert "Next: upload the ID portrait." in page


def test_a_discarded_draft_says_the_number_is_free(clerk, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd, status="discarded")

    page = clerk.get(reverse("registrations:detail", args=[draft.pk])).content.decode()

    assert "This draft was discarded before it was submitted." in page
    assert "The number and the SIM card are free" in page
    assert reverse("registrations:discard", args=[draft.pk]) not in page


# -- status words and prompts agree with the decision ---------------------------------------------


def test_approved_in_review_no_longer_shows_the_attempts_review_outcome(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "review", ["uploaded_file"])
    services.registration_review(
        registration=registration, reviewer=users["carrier_admin"], approve=True, note="Seen"
    )

    page, status = screens(clerk, registration)

    assert status["outcome"] == "review", "the attempt's own outcome stays as it was"
    assert status["outcome_key"] == "approved"
    assert status["headline"] == (
        "Approved by a reviewer: the number is registered to the subscriber."
    )
    assert status["retake_allowed"] is False
    for prompt in ("Retake the live capture", "Continue: verify the subscriber", "Submit for"):
        assert prompt not in page
    assert "With a reviewer" not in page


def test_a_rejected_registration_is_never_said_to_be_in_progress(clerk, users, outlet_gd):
    registration = decided(users, outlet_gd, "rejected", ["no_match"])

    page, status = screens(clerk, registration)

    assert status["status_word"] == "Rejected"
    for words in ("Being verified", "Retake the live capture", "Continue: verify", "Submit for"):
        assert words not in page


def test_a_draft_at_a_suspended_outlet_offers_no_way_on(clerk, users, outlet_gd):
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)
    outlet_gd.status = outlet_gd.Status.SUSPENDED
    outlet_gd.save()

    page = clerk.get(reverse("registrations:detail", args=[draft.pk])).content.decode()

    assert "This outlet is suspended: the draft cannot go on here." in page
    assert "Continue: verify the subscriber" not in page
