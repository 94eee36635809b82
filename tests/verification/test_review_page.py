"""The review page as a reviewer with forty cases uses it: the queue's filters and order,
the verdict band, the evidence shown for the review's own purpose (one viewing, one event),
and the timeline by attempt."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from registrations.models import Registration
from tests.factories import create_registration, sign_in
from tests.verification.test_evidence_view import store_evidence
from verification import selectors
from verification import services as verification_services
from verification.engine import DEFAULT_THRESHOLDS
from verification.models import Challenge, VerificationJob, ViewingGrant
from verification.selectors import MatchBand, match_band
from verification.services import evidence as evidence_services

pytestmark = pytest.mark.django_db

PURPOSE = "Manual review of this case"
JPEG = b"\xff\xd8\xff\xd9"


def in_review(users, outlet, *, hours: float, reasons=(), actor="staff") -> Registration:
    """A case in review, submitted ``hours`` ago, sent there for ``reasons``."""
    case = create_registration(actor=users[actor], outlet=outlet, status="review")
    submitted = timezone.now() - timedelta(hours=hours)
    Registration.objects.filter(pk=case.pk).update(
        submitted_at=submitted, decision_reasons=list(reasons)
    )
    case.refresh_from_db()
    return case


def listed(response) -> list:
    return [case.pk for case, _reasons in response.context["rows"]]


def done_job(case, actor, *, attempt=1, match=None, source="camera") -> VerificationJob:
    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce=f"n-{case.pk}-{attempt}",
        registration=case,
        actions=["turn_left", "blink"],
        issued_to=actor,
        expires_at=now + timedelta(minutes=2),
        used_at=now,
    )
    return VerificationJob.objects.create(
        registration=case,
        challenge=challenge,
        attempt=attempt,
        created_by=actor,
        source=source,
        status="done",
        outcome="review",
        finished_at=now,
        reasons=["match_uncertain"],
        result={"match": match or {}},
    )


@pytest.fixture
def case_with_frames(users, outlet_gd):
    """A case in review with its portrait and, for each of two attempts, three key frames
    and the capture: eight files."""
    case = in_review(users, outlet_gd, hours=2, reasons=["match_uncertain"])
    store_evidence(case, data=JPEG)
    for attempt, source in [(1, "upload"), (2, "camera")]:
        match = {"distance": 0.58, "pass_threshold": 0.55, "review_threshold": 0.62,
                 "frames": [3, 9, 14], "distances": [0.61, 0.58, 0.6]}  # fmt: skip
        job = done_job(case, users["staff"], attempt=attempt, match=match, source=source)
        for index in (3, 9, 14):
            frame = store_evidence(case, data=JPEG, kind="key_frame", job=job)
            frame.frame_index = index
            frame.save()
        store_evidence(case, data=b"\x1aE\xdf\xa3", kind="capture", content_type="video/webm",
                       job=job)  # fmt: skip
    return case


def viewing_events(case) -> list[AuditEvent]:
    looks = ["evidence.grant_opened", "evidence.viewed"]
    return list(AuditEvent.objects.filter(action__in=looks, object_id=str(case.pk)))


# The queue: filters, the number waiting, the oldest first across pages


def test_the_queue_filters_by_outlet(client, users, outlet_gd, outlet_bj):
    gd = in_review(users, outlet_gd, hours=1)
    in_review(users, outlet_bj, hours=2, actor="staff_bj")
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/?outlet={outlet_gd.pk}")
    assert listed(response) == [gd.pk]
    assert "1 registration waiting for a decision" in response.content.decode()


def test_the_outlet_filter_offers_the_outlets_with_cases_waiting(client, users, outlet_gd):
    in_review(users, outlet_gd, hours=1)
    sign_in(client, users["carrier_admin"])
    offered = list(client.get("/review/").context["form"].fields["outlet"].queryset)
    assert offered == [outlet_gd]


def test_the_queue_filters_by_reason_and_says_it_in_words(client, users, outlet_gd):
    no_match = in_review(users, outlet_gd, hours=1, reasons=["no_match", "no_blink"])
    in_review(users, outlet_gd, hours=2, reasons=["no_blink"])
    in_review(users, outlet_gd, hours=3, reasons=["uploaded_file"])
    sign_in(client, users["carrier_admin"])
    response = client.get("/review/?reason=no_match")
    assert listed(response) == [no_match.pk]
    page = response.content.decode()
    assert "The face in the recording does not match the ID portrait." in page
    assert "No blink was seen." in page


def test_the_queue_filters_by_waiting_time(client, users, outlet_gd):
    cases = {hours: in_review(users, outlet_gd, hours=hours) for hours in (0.5, 2, 5, 30)}
    sign_in(client, users["carrier_admin"])
    for waited, expected in [(1, [30, 5, 2]), (4, [30, 5]), (24, [30])]:
        response = client.get(f"/review/?waited={waited}")
        assert listed(response) == [cases[hours].pk for hours in expected], waited
    assert len(listed(client.get("/review/"))) == 4


def test_filters_combine(client, users, outlet_gd, outlet_bj):
    wanted = in_review(users, outlet_gd, hours=6, reasons=["no_match"])
    in_review(users, outlet_gd, hours=2, reasons=["no_match"])  # too recent
    in_review(users, outlet_bj, hours=6, reasons=["no_match"], actor="staff_bj")  # elsewhere
    in_review(users, outlet_gd, hours=6, reasons=["no_blink"])  # another reason
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/?outlet={outlet_gd.pk}&reason=no_match&waited=4")
    assert listed(response) == [wanted.pk]


def test_a_bad_filter_is_reported_and_ignored_not_a_500(client, users, outlet_gd):
    case = in_review(users, outlet_gd, hours=1)
    sign_in(client, users["carrier_admin"])
    response = client.get("/review/?outlet=nope&reason=teleport&waited=7")
    assert response.status_code == 200
    assert listed(response) == [case.pk]
    assert set(response.context["form"].errors) == {"outlet", "reason", "waited"}


def test_the_oldest_come_first_across_pages_and_the_pages_keep_the_filters(
    client, users, outlet_gd, outlet_bj, monkeypatch
):
    monkeypatch.setattr("verification.views.review.PAGE_SIZE", 2)
    hours = [3, 10, 1, 7, 5]
    cases = {h: in_review(users, outlet_gd, hours=h, reasons=["no_match"]) for h in hours}
    in_review(users, outlet_bj, hours=50, reasons=["no_match"], actor="staff_bj")
    sign_in(client, users["carrier_admin"])
    query = f"outlet={outlet_gd.pk}&reason=no_match"
    first = client.get(f"/review/?{query}")
    assert "5 registrations waiting for a decision" in first.content.decode()
    seen, page = listed(first), first
    while (cursor := page.context["page"].newer_than) is not None:
        link = f'href="?{query.replace("&", "&amp;")}&amp;after={cursor}"'
        assert link in page.content.decode(), "the next page keeps the filters"
        page = client.get(f"/review/?{query}&after={cursor}")
        seen += listed(page)
    assert seen == [cases[h].pk for h in sorted(hours, reverse=True)]
    back = client.get(f"/review/?{query}&before={page.context['page'].older_than}")
    assert listed(back) == seen[2:4], "and back, the longer waiting ones"


# The verdict band


@pytest.mark.parametrize(
    ("distance", "band"),
    [
        (0.0, MatchBand.STRONG),
        (0.55, MatchBand.STRONG),  # at the pass threshold: the engine's match
        (0.5501, MatchBand.UNCERTAIN),
        (0.62, MatchBand.UNCERTAIN),  # at the review threshold: still a person's call
        (0.6201, MatchBand.NONE),
        (1.2, MatchBand.NONE),
    ],
)
def test_the_band_edges_are_the_thresholds_the_attempt_used(distance, band):
    match = {"distance": distance, "pass_threshold": 0.55, "review_threshold": 0.62}
    assert match_band(match) == band


def test_the_band_follows_other_recorded_thresholds_and_defaults_to_the_engines():
    moved = {"pass_threshold": 0.4, "review_threshold": 0.5}
    assert match_band({"distance": 0.45, **moved}) == MatchBand.UNCERTAIN
    assert match_band({"distance": 0.51, **moved}) == MatchBand.NONE
    edge = DEFAULT_THRESHOLDS.match_threshold
    assert match_band({"distance": edge}) == MatchBand.STRONG
    assert match_band({"distance": edge + 0.001}) == MatchBand.UNCERTAIN
    assert match_band({"distance": None}) is None
    assert match_band({}) is None


def test_the_page_shows_the_band_beside_the_distance_and_the_capture_source(
    client, users, case_with_frames
):
    sign_in(client, users["carrier_admin"])
    page = client.get(f"/review/{case_with_frames.pk}/").content.decode()
    assert re.search(r'class="badge match-uncertain">Uncertain</strong> distance 0\.580', page)
    assert "Uploaded file, not recorded live by the camera" in page, "attempt 1"
    assert "Recorded live by the camera" in page, "attempt 2"


# The evidence: the review's purpose stated for the assigned reviewer, one event per viewing


def test_the_assigned_reviewer_sees_the_evidence_for_the_review_without_typing_a_reason(
    client, users, case_with_frames
):
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/{case_with_frames.pk}/")
    page = response.content.decode()
    assert 'name="reason"' not in page, "nothing to type"
    assert f"Shown for: “{PURPOSE}”" in page
    [event] = viewing_events(case_with_frames)
    assert event.action == "evidence.grant_opened"
    assert event.reason == PURPOSE
    assert event.actor_label == users["carrier_admin"].username


def test_one_event_per_viewing_of_a_case_however_many_files_and_reloads(
    client, users, case_with_frames
):
    sign_in(client, users["carrier_admin"])
    page = client.get(f"/review/{case_with_frames.pk}/").content.decode()
    files = set(re.findall(r'src="(/evidence/[^"]+)"', page))
    assert len(files) == 9, "the portrait, 2 x 3 key frames, 2 captures"
    for url in files:
        assert client.get(url).status_code == 200
    client.get(f"/review/{case_with_frames.pk}/")  # a reload
    assert len(viewing_events(case_with_frames)) == 1


def test_a_purpose_the_rules_refuse_asks_the_reviewer_for_a_reason_instead_of_failing(
    client, users, case_with_frames, monkeypatch
):
    # Say a translator shortened the purpose below the reasons' minimum length.
    for module in (verification_services, evidence_services):
        monkeypatch.setattr(module, "review_purpose", lambda: "审核")
    sign_in(client, users["carrier_admin"])

    response = client.get(f"/review/{case_with_frames.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page and 'type="hidden" name="reason"' not in page
    assert 'src="/evidence/' not in page
    assert viewing_events(case_with_frames) == []


def test_the_portrait_stands_beside_each_attempts_best_frames_closest_first(
    client, users, case_with_frames
):
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/{case_with_frames.pk}/")
    attempt = response.context["case"].attempts[0]
    assert [(f.frame_index, d) for f, d in attempt.best_frames] == [(9, 0.58), (14, 0.6),
                                                                    (3, 0.61)]  # fmt: skip
    blocks = response.content.decode().split('<div class="evidence-attempt">')[1:]
    assert len(blocks) == 2
    for block in blocks:
        assert block.index('alt="ID portrait"') < block.index('alt="Key frame 9"')
        assert "Frame 9 · distance 0.580" in block


def test_after_ending_the_leave_the_reviewer_asks_again_with_one_click(
    client, users, case_with_frames
):
    sign_in(client, users["carrier_admin"])
    client.get(f"/review/{case_with_frames.pk}/")
    grant = ViewingGrant.objects.get(registration=case_with_frames)
    client.post(f"/evidence/{grant.pk}/end/", {"back_to": "review"})
    page = client.get(f"/review/{case_with_frames.pk}/").content.decode()
    assert 'src="/evidence/' not in page, "not reopened behind the reviewer's back"
    assert f'<input type="hidden" name="reason" value="{PURPOSE}">' in page
    assert len(viewing_events(case_with_frames)) == 1
    response = client.post(
        f"/registrations/{case_with_frames.pk}/evidence/", {"reason": PURPOSE, "back_to": "review"}
    )
    assert response.status_code == 302
    assert [e.reason for e in viewing_events(case_with_frames)] == [PURPOSE, PURPOSE]


def test_a_reviewer_who_took_part_states_a_reason_of_their_own(client, users, outlet_gd):
    from portal.accounts.services import staff_reviewer_set

    staff_reviewer_set(actor=users["carrier_admin"], user=users["staff_bj"], reviewer=True)
    case = in_review(users, outlet_gd, hours=1)
    store_evidence(case, data=JPEG)
    case.evidence.update(created_by=users["staff_bj"])  # they uploaded the portrait
    sign_in(client, users["staff_bj"])
    page = client.get(f"/review/{case.pk}/").content.decode()
    assert 'name="reason"' in page and 'type="hidden" name="reason"' not in page
    assert viewing_events(case) == []


def test_without_a_fresh_second_factor_nothing_opens_on_its_own(client, users, case_with_frames):
    from portal.accounts.second_factor import VERIFIED_AT_SESSION_KEY

    sign_in(client, users["carrier_admin"])
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] = 0  # checked long ago
    session.save()
    page = client.get(f"/review/{case_with_frames.pk}/").content.decode()
    assert viewing_events(case_with_frames) == []
    assert f'<input type="hidden" name="reason" value="{PURPOSE}">' in page


# The timeline, by attempt


def test_the_timeline_groups_the_events_by_attempt(client, users, outlet_gd):
    case = create_registration(actor=users["staff"], outlet=outlet_gd)
    staff = users["staff"]

    def record(action, actor=staff, **changes):
        with transaction.atomic():
            audit_record(action=action, actor=actor, obj=case, changes=changes)

    record(Action.CHALLENGE_ISSUED, attempt=(None, 1))
    record(Action.REGISTRATION_SUBMITTED, status=("draft", "submitted"))
    record(Action.VERIFICATION_QUEUED, attempt=(None, 1), verification_job=(None, "job-1"))
    record(Action.REGISTRATION_VERIFYING, actor=None, status=("submitted", "verifying"))
    record(Action.VERIFICATION_COMPLETED, actor=None, verification_job=(None, "job-1"))
    record(Action.CHALLENGE_ISSUED, attempt=(None, 2))
    record(Action.VERIFICATION_QUEUED, attempt=(None, 2), verification_job=(None, "job-2"))
    record(Action.VERIFICATION_REQUEUED, actor=None, verification_job=(None, "job-1"))
    record(Action.VERIFICATION_COMPLETED, actor=None, verification_job=(None, "job-2"))
    record(Action.REGISTRATION_DECIDED, actor=None, status=("verifying", "review"))
    with transaction.atomic():
        audit_record(action=Action.VIEWING_GRANT_OPENED, actor=users["carrier_admin"], obj=case,
                     reason=PURPOSE)  # fmt: skip

    groups = selectors.registration_timeline(registration=case)
    assert [(g.attempt, [e.action for e in g.events]) for g in groups] == [
        (None, ["registration.created"]),
        (1, ["verification.challenge_issued", "registration.submitted", "verification.queued",
             "registration.verifying", "verification.completed"]),
        (2, ["verification.challenge_issued", "verification.queued"]),
        (1, ["verification.requeued"]),
        (2, ["verification.completed", "registration.decided"]),
        (None, ["evidence.grant_opened"]),
    ]  # fmt: skip

    sign_in(client, users["carrier_admin"])
    page = client.get(f"/registrations/{case.pk}/").content.decode()
    assert page.count('<div class="timeline-group">') == 6
    assert "<h3>Attempt 2</h3>" in page and "<h3>The registration</h3>" in page


def test_the_review_page_shows_the_timeline_by_attempt(client, users, case_with_frames):
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/review/{case_with_frames.pk}/")
    assert response.context["timeline_groups"][0].attempt is None
    assert '<div class="timeline-group">' in response.content.decode()
