"""Spot checks: the population, the stratified and reproducible draw, blind verdicts recorded
once and audited, the report's arithmetic, and scope."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.audit.models import AuditEvent
from portal.supervision import sampling
from portal.supervision.errors import SpotCheckCode, SpotCheckError
from portal.supervision.models import SpotCheck, SpotCheckSample
from portal.supervision.selectors import spot_checks as selectors
from portal.supervision.selectors.spot_checks import Population
from portal.supervision.services import spot_checks as services
from registrations.models import Registration
from registrations.services import registration_review
from tests.factories import PASSWORD, create_registration
from verification.models import ViewingGrant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Population(decided_from=TODAY - timedelta(days=7), decided_to=TODAY)


def decided(actor, outlet, status="approved", *, days_ago=1) -> Registration:
    """A registration decided ``days_ago`` days ago (approved, rejected or cancelled)."""
    registration = create_registration(actor=actor, outlet=outlet, status=status)
    when = timezone.now() - timedelta(days=days_ago)
    Registration.objects.filter(pk=registration.pk).update(decided_at=when)
    return registration


@pytest.fixture
def staff_cucc(cucc, outlet_cucc_gd):
    return user_create(
        username="staff_cucc",
        password=PASSWORD,
        role=Role.OUTLET_STAFF,
        operator=cucc,
        outlets=[outlet_cucc_gd],
    )


@pytest.fixture
def population(users, outlet_gd, outlet_bj, outlet_cucc_gd, staff_cucc):
    """Ten decided registrations in three strata: CMCC x Guangdong 6 (4 approved, 2 rejected),
    CMCC x Beijing 3, CUCC x Guangdong 1."""
    rows = {
        "cmcc_gd": [decided(users["staff"], outlet_gd) for _ in range(4)]
        + [decided(users["staff"], outlet_gd, "rejected") for _ in range(2)],
        "cmcc_bj": [decided(users["staff_bj"], outlet_bj) for _ in range(3)],
        "cucc_gd": [decided(staff_cucc, outlet_cucc_gd, "rejected")],
    }
    return rows


def stratum(campaign, operator, province) -> set:
    return set(
        campaign.samples.filter(operator=operator, province=province).values_list(
            "registration_id", flat=True
        )
    )


def sampled(campaign) -> set:
    return set(campaign.samples.values_list("registration_id", flat=True))


# -- the population -------------------------------------------------------------------------------


def test_the_population_is_the_decided_registrations_of_the_period_and_the_filters(
    users, population, outlet_gd, cmcc, guangdong
):
    create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    create_registration(actor=users["staff"], outlet=outlet_gd, status="submitted")
    decided(users["staff"], outlet_gd, days_ago=30)  # before the period
    cancelled = decided(users["staff"], outlet_gd, "cancelled")
    everyone = selectors.spot_check_population(user=users["inspector"], population=PERIOD)
    assert everyone.count() == 11  # the ten, and the one approved then cancelled
    assert cancelled in everyone
    only = Population(**{**PERIOD.__dict__, "operator": cmcc, "province": guangdong})
    assert selectors.spot_check_population(user=users["inspector"], population=only).count() == 7


def test_an_inspector_for_guangdong_draws_only_from_guangdong(users, population):
    registrations = selectors.spot_check_population(user=users["inspector_gd"], population=PERIOD)
    assert {r.province_id for r in registrations} == {"440000"}
    assert registrations.count() == 7


# -- the draw -------------------------------------------------------------------------------------


def test_the_iso_size_of_a_population_of_ten_is_three_one_per_stratum(users, population):
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Nation", population=PERIOD
    )
    assert (campaign.population_size, campaign.code_letter, campaign.planned_size) == (10, "B", 3)
    assert campaign.size_method == SpotCheck.SizeMethod.ISO_2859
    counts = sorted(
        campaign.samples.values_list("operator__code", "province_id").distinct().order_by()
    )
    assert len(counts) == 3
    assert campaign.samples.count() == campaign.drawn_size == 3


def test_a_fixed_size_is_shared_in_proportion_with_at_least_one_per_stratum(
    users, population, cmcc, cucc, guangdong, beijing
):
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Five", population=PERIOD, fixed_size=5
    )
    # Quotas 3, 1.5, 0.5: CUCC x Guangdong is raised to one, the other four shared 6:3.
    assert len(stratum(campaign, cmcc, guangdong)) == 3
    assert len(stratum(campaign, cmcc, beijing)) == 1
    assert len(stratum(campaign, cucc, guangdong)) == 1
    assert campaign.drawn_size == campaign.planned_size == 5


def test_oversampled_strata_are_drawn_twice_as_much(users, population, cmcc, beijing):
    campaign = services.spot_check_create(
        actor=users["inspector"],
        name="Risky Beijing",
        population=PERIOD,
        fixed_size=5,
        oversampled_strata=[(cmcc.pk, beijing.pk), (999, "110000")],  # the second holds nothing
    )
    assert len(stratum(campaign, cmcc, beijing)) == 2
    assert campaign.planned_size == 5 and campaign.drawn_size == 6
    assert campaign.oversampled_strata == [[cmcc.pk, beijing.pk]]


def test_each_sample_keeps_its_stratum_its_original_decision_and_its_place(users, population):
    campaign = services.spot_check_create(
        actor=users["inspector"], name="All", population=PERIOD, fixed_size=10
    )
    assert campaign.samples.count() == 10
    for sample in campaign.samples.select_related("registration"):
        assert sample.operator_id == sample.registration.operator_id
        assert sample.province_id == sample.registration.province_id
        assert sample.original_decision == sample.registration.status
        assert sample.order_key == sampling.order_key(campaign.seed, sample.registration_id)
    ranks = list(
        campaign.samples.filter(province="110000")
        .order_by("rank")
        .values_list("order_key", flat=True)
    )
    assert ranks == sorted(ranks)


def test_a_decision_taken_in_review_is_marked_so(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    registration_review(
        registration=registration, reviewer=users["carrier_admin"], approve=False, note="Not her"
    )
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Review", population=PERIOD
    )
    sample = campaign.samples.get()
    assert sample.decided_in_review is True
    assert sample.original_decision == SpotCheckSample.Decision.REJECTED


def test_the_same_seed_draws_the_same_sample_and_the_stored_seed_redoes_it(users, population):
    def draw(seed):
        return services.spot_check_create(
            actor=users["inspector"],
            name=f"Seed {seed}",
            population=PERIOD,
            fixed_size=5,
            seed=seed,
        )

    first, again = draw("seed-one"), draw("seed-one")
    assert sampled(first) == sampled(again)
    # Anyone can redo it from what is stored: each stratum's members by HMAC(seed, id).
    for operator, province in {(s.operator_id, s.province_id) for s in first.samples.all()}:
        members = Registration.objects.filter(
            operator=operator, province=province, status__in=["approved", "rejected"]
        ).values_list("pk", flat=True)
        mine = first.samples.filter(operator=operator, province=province)
        redone = sampling.draw(first.seed, list(members), mine.count())
        assert [member for _key, member in redone] == list(
            mine.order_by("rank").values_list("registration_id", flat=True)
        )


def test_other_seeds_draw_other_samples(users, population):
    def draw(seed):
        return services.spot_check_create(
            actor=users["inspector"],
            name=f"Seed {seed}",
            population=PERIOD,
            fixed_size=5,
            seed=seed,
        )

    reference = sampled(draw("seed-one"))
    # One seed could draw the same 5 of 10 by chance (1 in 60 here); five in a row cannot.
    others = [sampled(draw(f"seed-{i}")) for i in range(2, 7)]
    assert any(other != reference for other in others)
    assert draw("seed-7").seed == "seed-7"


def test_a_fresh_seed_is_stored_when_none_is_given(users, population):
    one = services.spot_check_create(actor=users["inspector"], name="A", population=PERIOD)
    two = services.spot_check_create(actor=users["inspector"], name="B", population=PERIOD)
    assert len(one.seed) == 64 and one.seed != two.seed


def test_defining_a_campaign_is_audited(users, population):
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Audited", population=PERIOD
    )
    event = AuditEvent.objects.get(action="spot_check.created")
    assert event.object_id == str(campaign.pk)
    assert event.changes["population"] == [None, 10]
    assert event.changes["sample"] == [None, 3]


def test_nothing_to_draw_is_refused_with_a_message(users):
    with pytest.raises(SpotCheckError) as refused:
        services.spot_check_create(actor=users["inspector"], name="Empty", population=PERIOD)
    assert refused.value.code == SpotCheckCode.EMPTY_POPULATION
    assert not SpotCheck.objects.exists()


def test_the_oversampling_hook_feeds_the_strata_its_sources_name(users, cmcc, beijing):
    def risky(user, population):
        return [(cmcc.pk, beijing.pk)]

    services.oversampling_source_register(risky)
    try:
        suggested = services.oversampled_strata_suggested(
            user=users["inspector"], population=PERIOD
        )
        assert suggested == [(cmcc.pk, "110000")]
    finally:
        services._OVERSAMPLING_SOURCES.remove(risky)


# -- scope ----------------------------------------------------------------------------------------


def test_an_inspector_for_guangdong_cannot_define_a_campaign_beyond_it(
    users, population, beijing, guangdong
):
    for province in (None, beijing):
        outside = Population(**{**PERIOD.__dict__, "province": province})
        with pytest.raises(SpotCheckError) as refused:
            services.spot_check_create(actor=users["inspector_gd"], name="Far", population=outside)
        assert refused.value.code == SpotCheckCode.OUT_OF_SCOPE
    inside = Population(**{**PERIOD.__dict__, "province": guangdong})
    campaign = services.spot_check_create(
        actor=users["inspector_gd"], name="Home", population=inside
    )
    assert set(campaign.samples.values_list("province_id", flat=True)) == {"440000"}


def test_an_inspector_for_guangdong_sees_only_campaigns_over_guangdong(
    users, population, guangdong, beijing
):
    def campaign(province, name):
        over = Population(**{**PERIOD.__dict__, "province": province})
        return services.spot_check_create(actor=users["inspector"], name=name, population=over)

    gd, bj, nation = campaign(guangdong, "GD"), campaign(beijing, "BJ"), campaign(None, "All")
    visible = set(selectors.spot_checks_visible(user=users["inspector_gd"]))
    assert visible == {gd}
    assert set(selectors.spot_checks_visible(user=users["inspector"])) == {gd, bj, nation}
    assert not selectors.spot_checks_visible(user=users["carrier_admin"]).exists()
    assert not selectors.spot_checks_visible(user=users["ministry_admin"]).exists()


# -- blind verdicts -------------------------------------------------------------------------------


def test_a_verdict_is_recorded_once_and_audited(users, population):
    campaign = services.spot_check_create(actor=users["inspector"], name="Once", population=PERIOD)
    sample = campaign.samples.first()
    services.spot_check_sample_adjudicate(
        sample=sample, actor=users["inspector"], verdict="match", note="Same ears"
    )
    with pytest.raises(SpotCheckError) as refused:
        services.spot_check_sample_adjudicate(
            sample=sample, actor=users["inspector"], verdict="no_match"
        )
    assert refused.value.code == SpotCheckCode.ALREADY_ADJUDICATED
    assert refused.value.status == 409
    sample.refresh_from_db()
    assert (sample.verdict, sample.note, sample.adjudicated_by) == (
        "match",
        "Same ears",
        users["inspector"],
    )
    events = AuditEvent.objects.filter(action="spot_check.adjudicated")
    assert events.count() == 1
    assert events.get().changes["verdict"] == [None, "match"]
    assert events.get().province_code == sample.province_id


def test_an_unknown_verdict_is_refused(users, population):
    campaign = services.spot_check_create(actor=users["inspector"], name="Bad", population=PERIOD)
    with pytest.raises(SpotCheckError):
        services.spot_check_sample_adjudicate(
            sample=campaign.samples.first(), actor=users["inspector"], verdict="maybe"
        )


def test_the_evidence_of_a_sample_opens_with_the_campaign_as_the_reason(users, population):
    campaign = services.spot_check_create(actor=users["inspector"], name="Q3 GD", population=PERIOD)
    sample = campaign.samples.first()
    grant = services.spot_check_evidence_open(sample=sample, actor=users["inspector"])
    assert grant.reason == f"spot check Q3 GD (#{campaign.pk})"
    event = AuditEvent.objects.get(action="evidence.grant_opened")
    assert event.reason == grant.reason
    assert ViewingGrant.objects.filter(registration=sample.registration).count() == 1


def test_a_closed_campaign_records_nothing_more(users, population):
    campaign = services.spot_check_create(actor=users["inspector"], name="Shut", population=PERIOD)
    services.spot_check_close(spot_check=campaign, actor=users["inspector"])
    with pytest.raises(SpotCheckError) as refused:
        services.spot_check_sample_adjudicate(
            sample=campaign.samples.first(), actor=users["inspector"], verdict="match"
        )
    assert refused.value.code == SpotCheckCode.CLOSED
    assert AuditEvent.objects.filter(action="spot_check.closed").count() == 1


# -- the report -----------------------------------------------------------------------------------


def test_the_report_counts_agreement_per_stratum_with_a_wilson_interval(users, population):
    campaign = services.spot_check_create(
        actor=users["inspector"], name="Report", population=PERIOD, fixed_size=10
    )
    samples = {s.registration_id: s for s in campaign.samples.all()}
    verdicts = {}
    # CMCC x Guangdong: 4 approved -> 3 match, 1 no match; 2 rejected -> 1 no match, 1 cannot tell.
    gd_approved = [r.pk for r in population["cmcc_gd"] if r.status == "approved"]
    gd_rejected = [r.pk for r in population["cmcc_gd"] if r.status == "rejected"]
    verdicts.update(dict.fromkeys(gd_approved[:3], "match"))
    verdicts[gd_approved[3]] = "no_match"
    verdicts[gd_rejected[0]] = "no_match"
    verdicts[gd_rejected[1]] = "cannot_tell"
    # CMCC x Beijing: 3 approved -> 2 match, one left to do. CUCC: 1 rejected -> match.
    verdicts.update(dict.fromkeys([r.pk for r in population["cmcc_bj"][:2]], "match"))
    verdicts[population["cucc_gd"][0].pk] = "match"
    for pk, verdict in verdicts.items():
        services.spot_check_sample_adjudicate(
            sample=samples[pk], actor=users["inspector"], verdict=verdict
        )

    report = selectors.spot_check_report(spot_check=campaign)
    bj, gd, cucc = report.strata  # by operator code, then province code (Beijing is 110000)
    assert "China Mobile" in gd.label and (gd.agreed, gd.disagreed, gd.cannot_tell) == (4, 1, 1)
    assert gd.rate == 4 / 5 and gd.interval == sampling.wilson_interval(4, 5)
    assert (bj.sampled, bj.adjudicated, bj.agreed, bj.judged) == (3, 2, 2, 2)
    assert (cucc.agreed, cucc.disagreed) == (0, 1) and cucc.rate == 0
    total = report.total
    assert (total.sampled, total.adjudicated, total.agreed, total.disagreed) == (10, 9, 6, 2)
    assert total.cannot_tell == 1
    assert total.interval == sampling.wilson_interval(6, 8)
    low, high = total.interval
    assert 0.40 < low < 0.41 and 0.92 < high < 0.93  # 6 of 8: 0.4093 to 0.9285
    assert report.complete is False
    disagreeing = {sample.registration_id for sample in report.disagreements}
    assert disagreeing == {gd_approved[3], population["cucc_gd"][0].pk}


def test_without_any_verdict_the_report_has_no_rate(users, population):
    campaign = services.spot_check_create(actor=users["inspector"], name="Fresh", population=PERIOD)
    report = selectors.spot_check_report(spot_check=campaign)
    assert report.total.rate is None and report.total.interval is None
    assert report.total.rate_percent == "–"
    assert report.disagreements == []


def test_the_period_is_whole_days(users, outlet_gd):
    decided(users["staff"], outlet_gd, days_ago=0)
    today = Population(decided_from=date.today(), decided_to=date.today())
    assert selectors.spot_check_population(user=users["inspector"], population=today).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    "seed",
    ["", "s", "k" * 64, "k" * 65, "抽查-" * 30, sampling.new_seed()],
    ids=["empty", "short", "one-block", "longer-than-a-block", "chinese", "fresh"],
)
def test_the_database_draws_what_python_draws_from_each_stratum(users, population, seed):
    registrations = selectors.spot_check_population(user=users["inspector"], population=PERIOD)

    def stratum(name):
        first = population[name][0]
        return first.operator_id, first.province_id

    # Different shares: 4 of 6, the whole stratum, none at all.
    shares = {stratum("cmcc_gd"): 4, stratum("cmcc_bj"): 3, stratum("cucc_gd"): 0}

    drawn = selectors.spot_check_draw(registrations, seed=seed, shares=shares)

    expected = {
        (operator, province): sampling.draw(
            seed,
            list(
                registrations.filter(operator_id=operator, province_id=province).values_list(
                    "pk", flat=True
                )
            ),
            share,
        )
        for (operator, province), share in shares.items()
        if share
    }
    assert drawn == expected
    assert {key: len(rows) for key, rows in drawn.items()} == {
        stratum("cmcc_gd"): 4,
        stratum("cmcc_bj"): 3,
    }
