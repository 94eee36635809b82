"""The spot check pages: defining a campaign, the blind page (evidence without the decision),
the verdict, the report, scope and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.supervision.models import SpotCheck, SpotCheckSample
from portal.supervision.selectors.spot_checks import Population
from portal.supervision.services import spot_checks as services
from registrations.models import Registration
from tests.factories import create_registration, sealed, sign_in, store_stand_in_portrait
from verification.errors import message_for
from verification.models import BiometricEvidence, Challenge, VerificationJob

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Population(decided_from=TODAY - timedelta(days=7), decided_to=TODAY)
SECRET_NOTE = "Reviewer note: moustache differs"
SCORE = 0.4321


def rejected_with_evidence(users, outlet) -> Registration:
    """A rejected registration with a reason, a reviewer-like note, scores, a portrait and a
    key frame of its one attempt: everything the blind page must not tell, and what it shows."""
    staff = users["staff"] if outlet.province_id == "440000" else users["staff_bj"]
    registration = create_registration(actor=staff, outlet=outlet, status="rejected")
    Registration.objects.filter(pk=registration.pk).update(
        decision_reasons=["no_match"], decision_note=SECRET_NOTE
    )
    store_stand_in_portrait(registration)
    challenge = Challenge.objects.create(
        nonce=f"{registration.pk.hex[:32]}",
        registration=registration,
        actions=["blink"],
        issued_to=staff,
        expires_at=timezone.now() + timedelta(minutes=2),
    )
    job = VerificationJob.objects.create(
        registration=registration,
        challenge=challenge,
        attempt=1,
        created_by=staff,
        decision="fail",
        reasons=["no_match"],
        result={"match": {"score": SCORE, "threshold": 0.6}, "liveness": {"score": 0.91}},
    )
    frame = BiometricEvidence(
        registration=registration,
        job=job,
        kind=BiometricEvidence.Kind.KEY_FRAME,
        content_type="image/jpeg",
        size=4,
        sha256="1" * 64,
        frame_index=3,
    )
    frame.file.save("evidence", sealed(registration, b"\xff\xd8\xff\xd9"), save=False)
    frame.save()
    return Registration.objects.get(pk=registration.pk)


@pytest.fixture
def campaign(users, outlet_gd, guangdong):
    rejected_with_evidence(users, outlet_gd)
    over = Population(**{**PERIOD.__dict__, "province": guangdong})
    return services.spot_check_create(
        actor=users["inspector_gd"], name="GD weekly", population=over
    )


@pytest.fixture
def sample(campaign) -> SpotCheckSample:
    return campaign.samples.get()


def sample_url(sample) -> str:
    return f"/supervision/spot-checks/{sample.spot_check_id}/samples/{sample.pk}/"


def test_an_inspector_defines_a_campaign_and_lands_on_it(client, users, outlet_gd):
    for _ in range(3):
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    sign_in(client, users["inspector_gd"])
    response = client.get("/supervision/spot-checks/new/")
    assert response.status_code == 200
    assert "Guangdong" in response.text or "广东" in response.text
    response = client.post(
        "/supervision/spot-checks/new/",
        {
            "name": "Guangdong, this week",
            "province": "440000",
            "decided_from": PERIOD.decided_from.isoformat(),
            "decided_to": PERIOD.decided_to.isoformat(),
            "size_method": "iso2859",
        },
    )
    campaign = SpotCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/spot-checks/{campaign.pk}/"
    assert (campaign.population_size, campaign.planned_size, campaign.code_letter) == (3, 2, "A")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Guangdong, this week" in page.text
    listing = client.get("/supervision/spot-checks/")
    assert "Guangdong, this week" in listing.text


def test_the_navigation_links_the_spot_checks_for_inspectors_only(client, users):
    sign_in(client, users["inspector"])
    assert 'href="/supervision/spot-checks/"' in client.get("/registrations/").text
    sign_in(client, users["carrier_admin"])
    assert 'href="/supervision/spot-checks/"' not in client.get("/registrations/").text


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "", "size_method": "iso2859"}, "name"),
        ({"name": "X", "size_method": "fixed", "fixed_size": ""}, "fixed_size"),
        ({"name": "X", "size_method": "fixed", "fixed_size": "999999999"}, "fixed_size"),
        ({"name": "X", "size_method": "iso2859", "decided_to": "2020-13-45"}, "decided_to"),
        ({"name": "X", "size_method": "nonsense"}, "size_method"),
        ({"name": "X", "size_method": "iso2859", "province": "110000"}, "province"),
    ],
)
def test_bad_input_is_a_400_with_the_message_at_its_field(client, users, data, field_error):
    sign_in(client, users["inspector_gd"])
    base = {
        "province": "440000",
        "decided_from": PERIOD.decided_from.isoformat(),
        "decided_to": PERIOD.decided_to.isoformat(),
    }
    response = client.post("/supervision/spot-checks/new/", {**base, **data})
    assert response.status_code == 400
    assert field_error in response.context["form"].errors
    assert not SpotCheck.objects.exists()


def test_an_empty_population_is_a_400_that_says_so(client, users):
    sign_in(client, users["inspector"])
    response = client.post(
        "/supervision/spot-checks/new/",
        {
            "name": "Nothing",
            "decided_from": PERIOD.decided_from.isoformat(),
            "decided_to": PERIOD.decided_to.isoformat(),
            "size_method": "iso2859",
        },
    )
    assert response.status_code == 400
    assert "nothing to draw" in response.text


def test_the_blind_page_shows_neither_the_decision_nor_its_reasons_nor_the_scores(
    client, users, sample
):
    sign_in(client, users["inspector_gd"])
    before = client.get(sample_url(sample))
    assert before.status_code == 200
    assert "<img" not in before.text  # nothing shown before the evidence is opened
    opened = client.post(sample_url(sample) + "evidence/")
    assert opened.status_code == 302
    page = client.get(sample_url(sample))
    assert page.status_code == 200
    text = page.text
    for telltale in (
        "Rejected",
        "rejected",
        "Approved",
        SECRET_NOTE,
        str(message_for("no_match")),
        str(SCORE),
        "0.91",
        f"/registrations/{sample.registration_id}/",
    ):
        assert telltale not in text, telltale
    assert text.count("<img") == 2  # the ID portrait and the attempt's key frame
    assert "Cannot tell" in text


def test_the_evidence_is_opened_with_the_campaign_as_the_reason_and_served(client, users, sample):
    sign_in(client, users["inspector_gd"])
    client.post(sample_url(sample) + "evidence/")
    event = AuditEvent.objects.get(action="evidence.grant_opened")
    assert event.reason == f"spot check GD weekly (#{sample.spot_check_id})"
    page = client.get(sample_url(sample))
    grant = page.context["evidence"].grant
    portrait = page.context["evidence"].portraits[0]
    served = client.get(f"/evidence/{grant.pk}/{portrait.pk}/")
    assert served.status_code == 200
    assert served.content == b"\xff\xd8\xff\xd9"


def test_a_grant_opened_for_another_reason_does_not_show_the_evidence_here(client, users, sample):
    sign_in(client, users["inspector_gd"])
    client.post(
        f"/registrations/{sample.registration_id}/evidence/",
        {"reason": "Checking a complaint by phone"},
    )
    page = client.get(sample_url(sample))
    assert page.context["evidence"].grant is None
    assert "<img" not in page.text


def test_a_verdict_is_recorded_once_then_the_page_refuses_another(client, users, sample):
    sign_in(client, users["inspector_gd"])
    client.post(sample_url(sample) + "evidence/")
    response = client.post(sample_url(sample), {"verdict": "no_match", "note": "Other chin"})
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/spot-checks/{sample.spot_check_id}/"
    sample.refresh_from_db()
    assert (sample.verdict, sample.note) == ("no_match", "Other chin")
    again = client.post(sample_url(sample), {"verdict": "match"})
    assert again.status_code == 409
    assert "recorded once" in again.text
    sample.refresh_from_db()
    assert sample.verdict == "no_match"
    assert AuditEvent.objects.filter(action="spot_check.adjudicated").count() == 1


def test_a_verdict_that_is_not_a_choice_is_a_400(client, users, sample):
    sign_in(client, users["inspector_gd"])
    client.post(sample_url(sample) + "evidence/")
    response = client.post(sample_url(sample), {"verdict": "perhaps"})
    assert response.status_code == 400
    sample.refresh_from_db()
    assert sample.verdict == ""


def test_the_report_lists_the_disagreement_once_adjudicated(client, users, sample):
    sign_in(client, users["inspector_gd"])
    detail = f"/supervision/spot-checks/{sample.spot_check_id}/"
    before = client.get(detail)
    assert "Rejected" not in before.text  # pending samples keep their decision hidden
    client.post(sample_url(sample), {"verdict": "match"})
    after = client.get(detail)
    report = after.context["report"]
    assert (report.total.agreed, report.total.disagreed) == (0, 1)
    assert report.complete
    assert "Rejected" in after.text
    assert f"/registrations/{sample.registration_id}/" in after.text


def test_closing_a_campaign(client, users, campaign):
    sign_in(client, users["inspector_gd"])
    response = client.post(f"/supervision/spot-checks/{campaign.pk}/close/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == SpotCheck.Status.CLOSED
    again = client.post(f"/supervision/spot-checks/{campaign.pk}/close/")
    assert again.status_code == 302  # said on the next page, nothing changed
    assert AuditEvent.objects.filter(action="spot_check.closed").count() == 1


# -- scope and permissions ------------------------------------------------------------------------


def test_a_campaign_over_beijing_is_a_404_for_the_guangdong_inspector(
    client, users, outlet_bj, beijing
):
    rejected_with_evidence(users, outlet_bj)
    over = Population(**{**PERIOD.__dict__, "province": beijing})
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Beijing sample", population=over
    )
    sample = campaign.samples.get()
    sign_in(client, users["inspector_gd"])
    assert client.get(f"/supervision/spot-checks/{campaign.pk}/").status_code == 404
    assert client.get(sample_url(sample)).status_code == 404
    assert client.post(sample_url(sample), {"verdict": "match"}).status_code == 404
    assert client.post(sample_url(sample) + "evidence/").status_code == 404
    # a name with a space: a random CSRF token cannot contain it
    assert "Beijing sample" not in client.get("/supervision/spot-checks/").text
    sample.refresh_from_db()
    assert sample.verdict == ""


def test_a_sample_under_another_campaigns_number_is_a_404(client, users, sample, guangdong):
    other = services.spot_check_create(
        actor=users["inspector_gd"],
        name="Another",
        population=Population(**{**PERIOD.__dict__, "province": guangdong}),
    )
    sign_in(client, users["inspector_gd"])
    wrong = f"/supervision/spot-checks/{other.pk}/samples/{sample.pk}/"
    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize("role", ["ministry_admin", "carrier_admin", "staff"])
def test_those_who_do_not_run_spot_checks_get_a_403(client, users, sample, role):
    sign_in(client, users[role])
    assert client.get("/supervision/spot-checks/").status_code == 403
    assert client.get(sample_url(sample)).status_code == 403
    assert client.post(sample_url(sample), {"verdict": "match"}).status_code == 403


def test_the_page_oversamples_the_strata_its_registered_sources_name(
    client, users, outlet_gd, outlet_bj, cmcc, beijing
):
    for _ in range(20):
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    for _ in range(5):
        create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="approved")

    def beijing_is_risky(user, population):
        return [(cmcc.pk, beijing.pk)]

    services.oversampling_source_register(beijing_is_risky)
    try:
        sign_in(client, users["inspector"])
        response = client.post(
            "/supervision/spot-checks/new/",
            {
                "name": "With alerts",
                "decided_from": PERIOD.decided_from.isoformat(),
                "decided_to": PERIOD.decided_to.isoformat(),
                "size_method": "fixed",
                "fixed_size": "5",
            },
        )
    finally:
        services._OVERSAMPLING_SOURCES.remove(beijing_is_risky)
    assert response.status_code == 302
    campaign = SpotCheck.objects.get()
    # Shares 4 and 1; Beijing's is doubled.
    assert campaign.samples.filter(province=beijing).count() == 2
    assert campaign.samples.filter(province="440000").count() == 4
    assert campaign.oversampled_strata == [[cmcc.pk, "110000"]]


def test_opening_the_evidence_asks_for_a_fresh_second_factor(client, users, sample):
    from portal.accounts.second_factor import VERIFIED_AT_SESSION_KEY

    sign_in(client, users["inspector_gd"])
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] = 0
    session.save()
    response = client.post(sample_url(sample) + "evidence/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")
    assert not AuditEvent.objects.filter(action="evidence.grant_opened").exists()
