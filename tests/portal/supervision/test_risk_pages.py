"""The risk alert pages: the ranked list and an alert's page within the inspector's scope,
its steps posted as forms, bad input answered with a 4xx and a message."""

import pytest
from django.utils import timezone

from portal.supervision.models import RiskAlert
from portal.supervision.risk import identities
from portal.supervision.risk.base import RiskConfig
from portal.supervision.services.alerts import risk_alert_change, risk_alert_upsert
from registrations.models import Registration
from tests.factories import sign_in
from tests.portal.supervision.test_alerts import hit_on
from tests.portal.supervision.test_risk_signals import craft, subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(outlet_gd, outlet_bj, users):
    rows = craft(outlet_gd, 2, by=users["staff"], status=Registration.Status.REJECTED)
    _, gd = risk_alert_upsert(hit=hit_on(outlet_gd, score=4.0, registrations=rows))
    _, bj = risk_alert_upsert(hit=hit_on(outlet_bj, score=8.0))
    return {"gd": gd, "bj": bj, "rows": rows}


def test_an_inspector_sees_the_alerts_ranked_by_score(client, users, alerts):
    sign_in(client, users["inspector"])

    page = client.get("/supervision/risk/")

    assert page.status_code == 200
    assert list(page.context["page_obj"]) == [alerts["bj"], alerts["gd"]]
    assert "Failure rate above peers" in page.content.decode()


def test_past_its_cap_the_list_says_more_than_and_still_ranks(client, users, alerts, monkeypatch):
    from portal.supervision.views import risk

    sign_in(client, users["inspector"])
    monkeypatch.setattr(risk, "COUNT_CAP", 1)
    page = client.get("/supervision/risk/")
    assert "More than 1 alerts" in page.content.decode()
    assert list(page.context["page_obj"]) == [alerts["bj"]], "the top of the ranking"

    monkeypatch.setattr(risk, "COUNT_CAP", 2)
    page = client.get("/supervision/risk/")
    assert "2 alerts, the highest score first." in page.content.decode()
    assert not page.context["page_obj"].paginator.capped


def test_inspector_gd_sees_only_guangdong_and_gets_a_404_for_beijing(client, users, alerts):
    sign_in(client, users["inspector_gd"])

    assert list(client.get("/supervision/risk/").context["page_obj"]) == [alerts["gd"]]
    assert client.get(f"/supervision/risk/{alerts['bj'].pk}/").status_code == 404
    assert client.post(f"/supervision/risk/{alerts['bj'].pk}/change/").status_code == 404
    assert client.get(f"/supervision/risk/{alerts['gd'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ["ministry_admin", "carrier_admin", "staff"])
def test_accounts_without_the_permission_are_refused(client, users, alerts, role):
    sign_in(client, users[role])

    assert client.get("/supervision/risk/").status_code == 403
    assert client.get(f"/supervision/risk/{alerts['gd'].pk}/").status_code == 403


def test_the_alert_page_lists_the_registrations_behind_it_masked_and_linked(client, users, alerts):
    sign_in(client, users["inspector_gd"])

    page = client.get(f"/supervision/risk/{alerts['gd'].pk}/")
    html = page.content.decode()

    for registration in alerts["rows"]:
        assert f"/registrations/{registration.pk}/" in html
        assert registration.subscriber.masked_id_number in html
        assert registration.subscriber.id_number not in html
        assert registration.msisdn not in html
    assert "Wang Fang" not in html and "W**" in html
    assert "Risk alert raised" in html  # the timeline
    assert "Cases counted" in html  # the figures, named


def test_an_id_alert_shows_the_id_masked_and_only_the_registrations_in_scope(
    client, users, outlet_gd, outlet_bj, outlet_cucc_gd
):
    (person,) = subscribers(1)
    in_gd = craft(outlet_gd, 1, by=users["staff"], subscriber=person)
    in_bj = craft(outlet_bj, 1, by=users["staff_bj"], subscriber=person)
    in_cucc = craft(outlet_cucc_gd, 1, by=users["staff"], subscriber=person)
    (hit,) = identities.id_spread(kind="subscriber", now=timezone.now(), config=RiskConfig())
    _, alert = risk_alert_upsert(hit=hit)
    assert alert.province_id == "440000"  # its latest registration's
    sign_in(client, users["inspector_gd"])

    html = client.get(f"/supervision/risk/{alert.pk}/").content.decode()

    assert person.masked_id_number in html and person.id_number not in html
    for registration in in_gd + in_cucc:
        assert f"/registrations/{registration.pk}/" in html
    assert f"/registrations/{in_bj[0].pk}/" not in html


def test_an_inspector_takes_the_alert_through_review_to_a_confirmation(client, users, alerts):
    sign_in(client, users["inspector_gd"])
    url = f"/supervision/risk/{alerts['gd'].pk}/"

    assert client.post(url + "change/", {"step": "start_review"}).status_code == 302
    response = client.post(url + "change/", {"step": "confirm", "note": "Seen on the spot"})

    assert response.status_code == 302 and response["Location"] == url
    alert = RiskAlert.objects.get(pk=alerts["gd"].pk)
    assert alert.status == "confirmed" and alert.assignee == users["inspector_gd"]
    page = client.get(url).content.decode()
    assert f"/supervision/findings/new/?source_kind=alert&amp;source_ref={alert.pk}" in page


def test_only_a_confirmed_alert_offers_a_finding(client, users, alerts):
    sign_in(client, users["inspector"])

    page = client.get(f"/supervision/risk/{alerts['gd'].pk}/").content.decode()

    assert "source_kind=alert" not in page


def test_a_dismissal_without_a_note_is_refused_with_a_message(client, users, alerts):
    sign_in(client, users["inspector"])

    response = client.post(f"/supervision/risk/{alerts['gd'].pk}/change/", {"step": "dismiss"})

    assert response.status_code == 400
    assert "Write a note saying why." in response.content.decode()
    assert RiskAlert.objects.get(pk=alerts["gd"].pk).status == "new"


@pytest.mark.parametrize(
    "data",
    [{}, {"step": "reopen"}, {"step": "assign", "assignee": "nobody"}, {"step": "x" * 5000}],
)
def test_nonsense_posted_is_a_400(client, users, alerts, data):
    sign_in(client, users["inspector"])

    response = client.post(f"/supervision/risk/{alerts['gd'].pk}/change/", data)

    assert response.status_code == 400


def test_a_step_the_alert_can_no_longer_take_is_a_400(client, users, alerts):
    risk_alert_change(alert=alerts["gd"], actor=users["inspector"], step="dismiss", note="Fine")
    sign_in(client, users["inspector"])

    response = client.post(
        f"/supervision/risk/{alerts['gd'].pk}/change/", {"step": "confirm", "note": "x"}
    )

    assert response.status_code == 400
    assert RiskAlert.objects.get(pk=alerts["gd"].pk).status == "dismissed"


def test_an_alert_is_assigned_from_its_page(client, users, alerts):
    sign_in(client, users["inspector"])

    response = client.post(
        f"/supervision/risk/{alerts['gd'].pk}/change/",
        {"step": "assign", "assignee": users["inspector_gd"].pk},
    )

    assert response.status_code == 302
    assert RiskAlert.objects.get(pk=alerts["gd"].pk).assignee == users["inspector_gd"]


def test_bad_filters_are_dropped_not_a_500(client, users, alerts):
    sign_in(client, users["inspector"])

    page = client.get("/supervision/risk/?status=nonsense&signal=zz&province=99&page=abc")

    assert page.status_code == 200
    assert len(page.context["page_obj"]) == 2


def test_filters_narrow_the_list(client, users, alerts):
    risk_alert_change(alert=alerts["bj"], actor=users["inspector"], step="dismiss", note="Fine")
    sign_in(client, users["inspector"])

    dismissed = client.get("/supervision/risk/?status=dismissed").context["page_obj"]
    in_guangdong = client.get("/supervision/risk/?status=all&province=440000").context["page_obj"]

    assert list(dismissed) == [alerts["bj"]]
    assert list(in_guangdong) == [alerts["gd"]]


def test_the_navigation_offers_risk_alerts_to_inspectors_only(client, users):
    sign_in(client, users["inspector_gd"])
    assert "/supervision/risk/" in client.get("/registrations/").content.decode()

    sign_in(client, users["carrier_admin"])
    assert "/supervision/risk/" not in client.get("/registrations/").content.decode()
