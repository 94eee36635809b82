"""The pages of findings and notices, as the inspector and the carrier admin use them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.supervision.models import Finding, Notice
from portal.supervision.services import notices as services
from tests.factories import create_registration, sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def finding_form(cmcc, **overrides):
    data = {
        "operator": cmcc.pk,
        "province": "440000",
        "severity": "high",
        "description": "Registrations approved without a live capture.",
        "source_kind": "manual",
        "source_ref": "",
        "registrations": "",
        "outlets": "",
        "staff": "",
    }
    data.update(overrides)
    return data


def make_notice(users, cmcc, guangdong, *, days=14, today=None):
    inspector = users["inspector_gd"]
    finding = services.finding_record(
        actor=inspector,
        operator=cmcc,
        province=guangdong,
        severity="medium",
        description="Consent forms missing at the outlet.",
    )
    today = today or TODAY
    return services.notice_issue(
        actor=inspector,
        finding=finding,
        deadline=today + timedelta(days=days),
        required_actions="Collect the consent again and report.",
        today=today,
    )


def test_inspector_issues_carrier_answers_inspector_reopens_then_accepts(
    client, users, cmcc, outlet_gd
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    sign_in(client, users["inspector_gd"])
    assert client.get("/supervision/findings/new/").status_code == 200
    response = client.post(
        "/supervision/findings/new/",
        finding_form(cmcc, registrations=str(registration.pk), outlets="GD-001", staff="staff_gd"),
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/findings/{finding.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Issue a notice" in page.content.decode()
    assert registration.subscriber.masked_id_number in page.content.decode()

    deadline = (TODAY + timedelta(days=10)).isoformat()
    response = client.post(
        f"/supervision/findings/{finding.pk}/notice/",
        {"deadline": deadline, "required_actions": "Re-verify every linked registration."},
    )
    notice = Notice.objects.get()
    assert response["Location"] == f"/supervision/notices/{notice.pk}/"
    assert (
        "Issue a notice" not in client.get(f"/supervision/findings/{finding.pk}/").content.decode()
    )

    sign_in(client, users["carrier_admin"])
    listing = client.get("/operator/notices/")
    assert list(listing.context["page_obj"]) == [notice]
    detail = client.get(f"/operator/notices/{notice.pk}/")
    assert detail.context["answer_form"] is not None
    assert "Re-verify every linked registration." in detail.content.decode()
    # The operator sees what the finding is about, the ID numbers masked.
    assert registration.subscriber.masked_id_number in detail.content.decode()
    assert registration.subscriber.id_number not in detail.content.decode()
    assert list(detail.context["outlets"]) == [outlet_gd]
    response = client.post(
        f"/operator/notices/{notice.pk}/answer/", {"actions_taken": "All 1 re-verified in person."}
    )
    assert response["Location"] == f"/operator/notices/{notice.pk}/"
    assert client.get(f"/operator/notices/{notice.pk}/").context["answer_form"] is None

    sign_in(client, users["inspector_gd"])
    detail = client.get(f"/supervision/notices/{notice.pk}/")
    assert detail.context["accept_form"] is not None and detail.context["reopen_form"] is not None
    assert "All 1 re-verified in person." in detail.content.decode()
    client.post(f"/supervision/notices/{notice.pk}/reopen/", {"reason": "Send the signed forms."})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.REOPENED

    sign_in(client, users["carrier_admin"])
    client.post(
        f"/operator/notices/{notice.pk}/answer/", {"actions_taken": "Signed forms attached."}
    )
    sign_in(client, users["inspector_gd"])
    client.post(f"/supervision/notices/{notice.pk}/accept/", {"note": ""})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ACCEPTED

    timeline = client.get(f"/supervision/notices/{notice.pk}/").context["timeline"]
    assert [event.action for event in timeline] == [
        Action.FINDING_RECORDED,
        Action.NOTICE_ISSUED,
        Action.NOTICE_ANSWERED,
        Action.NOTICE_REOPENED,
        Action.NOTICE_ANSWERED,
        Action.NOTICE_ACCEPTED,
    ]
    sign_in(client, users["carrier_admin"])
    page = client.get(f"/operator/notices/{notice.pk}/").content.decode()
    assert "Send the signed forms." in page  # the reopen reason, on the operator's timeline


def test_an_overdue_notice_is_flagged_on_both_sides(client, users, cmcc, guangdong):
    late = make_notice(users, cmcc, guangdong, days=5, today=TODAY - timedelta(days=20))
    on_time = make_notice(users, cmcc, guangdong)
    for user, url in [(users["inspector_gd"], "/supervision/notices/"),
                      (users["carrier_admin"], "/operator/notices/")]:  # fmt: skip
        sign_in(client, user)
        page = client.get(url)
        assert page.context["overdue_count"] == 1
        assert page.content.decode().count('class="badge overdue') == 2  # the count and the row
        only_overdue = client.get(url, {"overdue": "on"})
        assert list(only_overdue.context["page_obj"]) == [late]
        assert on_time not in only_overdue.context["page_obj"]
        detail = client.get(f"{url}{late.pk}/").content.decode()
        assert "past the deadline and not accepted" in detail


def test_the_state_filter_and_nonsense_filters(client, users, cmcc, guangdong):
    issued = make_notice(users, cmcc, guangdong)
    sign_in(client, users["inspector_gd"])
    assert list(client.get("/supervision/notices/", {"status": "issued"}).context["page_obj"]) == [
        issued
    ]
    assert not client.get("/supervision/notices/", {"status": "accepted"}).context["page_obj"]
    nonsense = client.get("/supervision/notices/", {"status": "zzz", "page": "x", "overdue": "q"})
    assert nonsense.status_code == 200


def test_another_operators_carrier_admin_gets_404(client, users, cmcc, guangdong):
    notice = make_notice(users, cmcc, guangdong)
    sign_in(client, users["carrier_admin_cucc"])
    assert client.get(f"/operator/notices/{notice.pk}/").status_code == 404
    response = client.post(f"/operator/notices/{notice.pk}/answer/", {"actions_taken": "Ours now."})
    assert response.status_code == 404
    assert not client.get("/operator/notices/").context["page_obj"]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ISSUED


def test_an_inspector_of_another_province_gets_404(client, users, cmcc, beijing):
    finding = services.finding_record(
        actor=users["inspector"],
        operator=cmcc,
        province=beijing,
        severity="low",
        description="Opening hours not posted.",
    )
    sign_in(client, users["inspector_gd"])
    assert client.get(f"/supervision/findings/{finding.pk}/").status_code == 404
    response = client.post(
        f"/supervision/findings/{finding.pk}/notice/",
        {"deadline": (TODAY + timedelta(days=3)).isoformat(), "required_actions": "Post them."},
    )
    assert response.status_code == 404
    assert not Notice.objects.exists()


def test_the_province_choices_are_the_inspectors_own(client, users, cmcc):
    sign_in(client, users["inspector_gd"])
    form = client.get("/supervision/findings/new/").context["form"]
    assert [p.code for p in form.fields["province"].queryset] == ["440000"]
    response = client.post("/supervision/findings/new/", finding_form(cmcc, province="110000"))
    assert response.status_code == 400
    assert "province" in response.context["form"].errors


def test_links_outside_the_operator_and_province_are_refused_with_a_message(
    client, users, cmcc, outlet_bj
):
    in_beijing = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    sign_in(client, users["inspector"])
    response = client.post(
        "/supervision/findings/new/",
        finding_form(
            cmcc, registrations=f"{in_beijing.pk}", outlets="BJ-001 GD-001", staff="staff_bj"
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert str(in_beijing.pk) in errors["registrations"][0]
    assert "BJ-001" in errors["outlets"][0] and "GD-001" not in errors["outlets"][0]
    assert "staff_bj" in errors["staff"][0]
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"registrations": "not-a-uuid"},
        {"operator": "99999999999999999999999"},
        {"operator": "abc"},
        {"severity": "apocalyptic"},
        {"description": ""},
        {"description": "short"},
    ],
)
def test_bad_input_on_a_new_finding_is_a_400(client, users, cmcc, overrides):
    sign_in(client, users["inspector"])
    response = client.post("/supervision/findings/new/", finding_form(cmcc, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Finding.objects.exists()


def test_a_link_from_an_alert_prefills_the_new_finding(client, users, cmcc):
    sign_in(client, users["inspector"])
    query = {"source_kind": "risk_alert", "source_ref": "42", "operator": cmcc.pk}
    form = client.get("/supervision/findings/new/", query).context["form"]
    assert form["source_kind"].value() == "risk_alert"
    assert form["source_ref"].value() == "42"
    assert str(form["operator"].value()) == str(cmcc.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": TODAY.isoformat(), "required_actions": "Fix the outlet."}, "after today"),
        ({"deadline": "2026-02-30", "required_actions": "Fix the outlet."}, "valid date"),
        ({"deadline": "9999-01-01", "required_actions": "Fix the outlet."}, "Enter a date"),
        ({"deadline": "", "required_actions": ""}, "required"),
    ],
)
def test_a_bad_notice_is_refused_with_a_400_and_a_message(
    client, users, cmcc, guangdong, data, message
):
    finding = services.finding_record(
        actor=users["inspector"],
        operator=cmcc,
        province=guangdong,
        severity="low",
        description="Opening hours not posted.",
    )
    sign_in(client, users["inspector"])
    response = client.post(f"/supervision/findings/{finding.pk}/notice/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Notice.objects.exists()


def test_a_step_the_state_does_not_allow_is_a_409_with_a_message(client, users, cmcc, guangdong):
    notice = make_notice(users, cmcc, guangdong)
    sign_in(client, users["inspector_gd"])
    response = client.post(f"/supervision/notices/{notice.pk}/accept/", {"note": ""})
    assert response.status_code == 409
    assert "cannot be accepted" in response.content.decode()
    sign_in(client, users["carrier_admin"])
    response = client.post(f"/operator/notices/{notice.pk}/answer/", {"actions_taken": ""})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.NOTICE_ANSWERED).exists()


def test_the_navigation_links_each_side_to_its_pages(client, users):
    sign_in(client, users["inspector"])
    links = {url for _label, url in client.get("/registrations/").context["nav_links"]}
    assert "/supervision/findings/" in links and "/supervision/notices/" in links
    assert "/operator/notices/" not in links
    sign_in(client, users["carrier_admin"])
    links = {url for _label, url in client.get("/registrations/").context["nav_links"]}
    assert "/operator/notices/" in links and "/supervision/notices/" not in links
