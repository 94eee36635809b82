"""Findings and rectification notices: the services (audited, with permission and scope) and
the selectors' scope and overdue rule."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.supervision.errors import NoticeError
from portal.supervision.models import Finding, Notice
from portal.supervision.selectors import notices as selectors
from portal.supervision.selectors.notices import NoticeFilters
from portal.supervision.services import notices as services
from tests.factories import create_registration, province

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def record(actor, operator, where, **links):
    return services.finding_record(
        actor=actor,
        operator=operator,
        province=where,
        severity=links.pop("severity", Finding.Severity.HIGH),
        description=links.pop("description", "Outlet registers without a live capture."),
        **links,
    )


def issue(actor, finding, *, days=14, today=None):
    today = today or TODAY
    return services.notice_issue(
        actor=actor,
        finding=finding,
        deadline=today + timedelta(days=days),
        required_actions="Retrain the outlet's staff and report back.",
        today=today,
    )


def events(action):
    return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def finding_gd(users, cmcc, guangdong):
    return record(users["inspector_gd"], cmcc, guangdong)


@pytest.fixture
def notice_gd(users, finding_gd):
    return issue(users["inspector_gd"], finding_gd)


# -- findings -------------------------------------------------------------------------------


def test_an_inspector_records_a_finding_with_its_links_and_it_is_audited(
    users, cmcc, guangdong, outlet_gd
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    finding = record(
        users["inspector_gd"],
        cmcc,
        guangdong,
        source_kind=Finding.SourceKind.RISK_ALERT,
        source_ref="A-17",
        registrations=[registration],
        outlets=[outlet_gd],
        staff=[users["staff"]],
    )
    assert list(finding.registrations.all()) == [registration]
    assert list(finding.outlets.all()) == [outlet_gd]
    assert list(finding.staff.all()) == [users["staff"]]
    assert (finding.source_kind, finding.source_ref) == ("risk_alert", "A-17")
    [event] = events(Action.FINDING_RECORDED)
    assert event.object_id == str(finding.pk)
    assert event.actor_label == "inspector_gd"
    assert (event.operator_id, event.province_code) == (cmcc.pk, "440000")
    assert event.changes["source"] == [None, "risk_alert:A-17"]
    assert event.changes["staff"] == [None, ["staff_gd"]]


def test_a_provincial_inspector_cannot_record_a_finding_outside_their_provinces(
    users, cmcc, beijing
):
    with pytest.raises(NoticeError) as refused:
        record(users["inspector_gd"], cmcc, beijing)
    assert (refused.value.code, refused.value.status) == ("out_of_scope", 404)
    assert not Finding.objects.exists()
    assert not events(Action.FINDING_RECORDED)


def test_a_carrier_admin_cannot_record_a_finding(users, cmcc, guangdong):
    with pytest.raises(NoticeError) as refused:
        record(users["carrier_admin"], cmcc, guangdong)
    assert (refused.value.code, refused.value.status) == ("not_allowed", 403)


def test_a_finding_links_only_records_of_its_operator_and_province(
    users, cmcc, guangdong, outlet_bj, outlet_cucc_gd
):
    in_beijing = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    refusals = [
        {"registrations": [in_beijing]},
        {"outlets": [outlet_bj]},
        {"outlets": [outlet_cucc_gd]},
        {"staff": [users["staff_bj"]]},
        {"staff": [users["carrier_admin"]]},
    ]
    for links in refusals:
        with pytest.raises(NoticeError) as refused:
            record(users["inspector"], cmcc, guangdong, **links)
        assert refused.value.code == "not_linkable", links
        assert refused.value.field == next(iter(links))
    assert not Finding.objects.exists()


def test_a_finding_needs_a_description_that_says_something(users, cmcc, guangdong):
    with pytest.raises(NoticeError) as refused:
        record(users["inspector"], cmcc, guangdong, description="  bad  ")
    assert (refused.value.code, refused.value.field) == ("text_too_short", "description")


# -- issuing --------------------------------------------------------------------------------


def test_a_finding_becomes_a_notice_to_its_operator_and_it_is_audited(users, cmcc, finding_gd):
    notice = issue(users["inspector_gd"], finding_gd, days=30)
    assert notice.status == Notice.Status.ISSUED
    assert (notice.operator, notice.province_id) == (cmcc, "440000")
    assert notice.deadline == TODAY + timedelta(days=30)
    [event] = events(Action.NOTICE_ISSUED)
    assert event.object_type == "notice"
    assert event.changes["status"] == [None, "issued"]
    assert event.reason == "Retrain the outlet's staff and report back."


def test_a_finding_becomes_at_most_one_notice(users, notice_gd):
    with pytest.raises(NoticeError) as refused:
        issue(users["inspector_gd"], notice_gd.finding)
    assert (refused.value.code, refused.value.status) == ("notice_exists", 409)


@pytest.mark.parametrize(("days", "code"), [(0, "deadline_past"), (-3, "deadline_past"),
                                            (400, "deadline_too_far")])  # fmt: skip
def test_the_deadline_is_after_today_and_within_a_year(users, finding_gd, days, code):
    with pytest.raises(NoticeError) as refused:
        issue(users["inspector_gd"], finding_gd, days=days)
    assert (refused.value.code, refused.value.field) == (code, "deadline")
    assert not Notice.objects.exists()


def test_an_inspector_of_another_province_cannot_issue_a_notice(users, cmcc, beijing):
    finding_bj = record(users["inspector"], cmcc, beijing)
    with pytest.raises(Http404):
        issue(users["inspector_gd"], finding_bj)
    assert not Notice.objects.exists()


# -- answering and deciding ------------------------------------------------------------------


def test_the_carrier_admin_answers_the_notice_with_the_actions_taken(users, notice_gd):
    answered = services.notice_answer(
        actor=users["carrier_admin"], notice=notice_gd, actions_taken="Staff retrained on 1 Dec."
    )
    assert answered.status == Notice.Status.ANSWERED
    assert answered.actions_taken == "Staff retrained on 1 Dec."
    assert answered.answered_by == users["carrier_admin"]
    [event] = events(Action.NOTICE_ANSWERED)
    assert event.changes["status"] == ["issued", "answered"]
    assert event.reason == "Staff retrained on 1 Dec."
    assert event.actor_label == "carrier_admin_cmcc"


def test_another_operators_carrier_admin_does_not_see_the_notice(users, notice_gd):
    with pytest.raises(Http404):
        services.notice_answer(
            actor=users["carrier_admin_cucc"], notice=notice_gd, actions_taken="Nothing to do."
        )
    notice_gd.refresh_from_db()
    assert notice_gd.status == Notice.Status.ISSUED


def test_an_inspector_cannot_answer_for_the_operator(users, notice_gd):
    with pytest.raises(NoticeError) as refused:
        services.notice_answer(
            actor=users["inspector"], notice=notice_gd, actions_taken="Answered for them."
        )
    assert (refused.value.code, refused.value.status) == ("not_allowed", 403)


def test_the_carrier_admin_cannot_accept_their_own_answer(users, notice_gd):
    services.notice_answer(
        actor=users["carrier_admin"], notice=notice_gd, actions_taken="Staff retrained on 1 Dec."
    )
    with pytest.raises(NoticeError) as refused:
        services.notice_accept(actor=users["carrier_admin"], notice=notice_gd)
    assert refused.value.status == 403
    assert Notice.objects.get().status == Notice.Status.ANSWERED


def test_an_unanswered_notice_cannot_be_accepted_or_reopened(users, notice_gd):
    steps = [(services.notice_accept, {}), (services.notice_reopen, {"reason": "Not good enough."})]
    for step, extra in steps:
        with pytest.raises(NoticeError) as refused:
            step(actor=users["inspector_gd"], notice=notice_gd, **extra)
        assert (refused.value.code, refused.value.status) == ("invalid_transition", 409)
    assert not events(Action.NOTICE_ACCEPTED) and not events(Action.NOTICE_REOPENED)


def test_reopen_answer_again_accept_and_every_step_is_on_the_timeline(users, notice_gd):
    admin, inspector = users["carrier_admin"], users["inspector_gd"]
    services.notice_answer(actor=admin, notice=notice_gd, actions_taken="Staff retrained.")
    with pytest.raises(NoticeError) as refused:
        services.notice_reopen(actor=inspector, notice=notice_gd, reason="")
    assert refused.value.field == "reason"
    services.notice_reopen(actor=inspector, notice=notice_gd, reason="Show the training log.")
    notice_gd.refresh_from_db()
    assert (notice_gd.status, notice_gd.reopen_reason) == ("reopened", "Show the training log.")
    services.notice_answer(actor=admin, notice=notice_gd, actions_taken="Log attached, 12 staff.")
    accepted = services.notice_accept(actor=inspector, notice=notice_gd, note="Fine.")
    assert accepted.status == Notice.Status.ACCEPTED
    assert accepted.decided_by == inspector
    with pytest.raises(NoticeError):
        services.notice_answer(actor=admin, notice=notice_gd, actions_taken="One more thing.")
    timeline = [
        (event.action, event.changes.get("status"))
        for event in selectors.notice_timeline(notice=notice_gd)
    ]
    assert timeline == [
        (Action.FINDING_RECORDED, None),
        (Action.NOTICE_ISSUED, [None, "issued"]),
        (Action.NOTICE_ANSWERED, ["issued", "answered"]),
        (Action.NOTICE_REOPENED, ["answered", "reopened"]),
        (Action.NOTICE_ANSWERED, ["reopened", "answered"]),
        (Action.NOTICE_ACCEPTED, ["answered", "accepted"]),
    ]


# -- overdue and scope ----------------------------------------------------------------------


def test_a_notice_past_its_deadline_and_not_accepted_is_overdue(users, cmcc, guangdong):
    inspector = users["inspector"]
    long_ago = TODAY - timedelta(days=30)
    late = issue(inspector, record(inspector, cmcc, guangdong), days=10, today=long_ago)
    on_time = issue(inspector, record(inspector, cmcc, guangdong), days=10)
    done = issue(inspector, record(inspector, cmcc, guangdong), days=10, today=long_ago)
    services.notice_answer(actor=users["carrier_admin"], notice=done, actions_taken="Fixed it all.")
    services.notice_accept(actor=inspector, notice=done)
    done.refresh_from_db()
    assert (late.is_overdue, on_time.is_overdue, done.is_overdue) == (True, False, False)
    overdue = selectors.notice_list(user=inspector, filters=NoticeFilters(overdue=True))
    assert list(overdue) == [late]
    assert selectors.overdue_count(user=users["carrier_admin"]) == 1


def test_each_reader_sees_the_notices_of_their_scope(users, cmcc, cucc, guangdong, beijing):
    inspector = users["inspector"]
    gd_cmcc = issue(inspector, record(inspector, cmcc, guangdong))
    bj_cmcc = issue(inspector, record(inspector, cmcc, beijing))
    gd_cucc = issue(inspector, record(inspector, cucc, guangdong))
    sh_cucc = issue(inspector, record(inspector, cucc, province("310000")))

    def seen(role):
        return set(selectors.notice_list(user=users[role]))

    assert seen("inspector") == {gd_cmcc, bj_cmcc, gd_cucc, sh_cucc}
    assert seen("ministry_admin") == {gd_cmcc, bj_cmcc, gd_cucc, sh_cucc}
    assert seen("inspector_gd") == {gd_cmcc, gd_cucc}
    assert seen("carrier_admin") == {gd_cmcc, bj_cmcc}
    assert seen("carrier_admin_cucc") == {gd_cucc, sh_cucc}
    assert seen("staff") == set()
    assert set(selectors.finding_list(user=users["inspector_gd"])) == {
        gd_cmcc.finding,
        gd_cucc.finding,
    }
    assert not selectors.finding_list(user=users["carrier_admin"]).exists()
    with pytest.raises(Http404):
        selectors.notice_get(user=users["inspector_gd"], pk=bj_cmcc.pk)


def test_the_state_filter_lists_notices_in_that_state(users, notice_gd, cmcc, guangdong):
    other = issue(users["inspector"], record(users["inspector"], cmcc, guangdong))
    services.notice_answer(
        actor=users["carrier_admin"], notice=other, actions_taken="Done, see log."
    )
    answered = selectors.notice_list(
        user=users["inspector"], filters=NoticeFilters(status="answered")
    )
    assert list(answered) == [other]
