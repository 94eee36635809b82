"""The person is told unasked: a new number under their ID goes by SMS to their other
numbers; a look at their evidence at most once a day; a deferral holds the notices until it
ends, then they go."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.lib.sms import sms_file_messages
from portal.selfservice.models import SmsMessage
from portal.selfservice.services.notices import notice_deferral_create
from portal.selfservice.services.sms import sms_drain
from tests.factories import create_registration
from tests.portal.selfservice.conftest import CMCC_NUMBER, CUCC_NUMBER, PERSON
from verification.services import viewing_grant_open

pytestmark = pytest.mark.django_db


def delivered(kind: str) -> list[dict]:
    sms_drain()
    return [m for m in sms_file_messages() if m["kind"] == kind]


def test_a_new_number_under_an_id_with_two_numbers_sends_two_sms(person, users, outlet_bj):
    third = create_registration(
        actor=users["staff_bj"], outlet=outlet_bj, subscriber=PERSON, msisdn="13900139321",
        status="approved",
    )  # fmt: skip

    about_third = [m for m in delivered("new_registration") if "*******9321" in m["text"]]

    assert sorted(m["to"] for m in about_third) == sorted(
        ["+86" + CMCC_NUMBER, "+86" + CUCC_NUMBER]
    )
    assert "/me/" in about_third[0]["text"]
    assert third.operator.name in about_third[0]["text"]


def test_a_registration_not_yet_approved_tells_nobody(person, users, outlet_bj):
    create_registration(
        actor=users["staff_bj"], outlet=outlet_bj, subscriber=PERSON, status="review"
    )

    # Only the fixture's own second approval told the first number.
    assert [m["to"] for m in delivered("new_registration")] == ["+86" + CMCC_NUMBER]


def test_three_looks_at_the_evidence_in_a_day_send_one_sms(person, users):
    for viewer in ("inspector", "inspector_gd", "inspector"):
        viewing_grant_open(
            registration=person["cmcc"], viewer=users[viewer], reason="核查举报线索：冒名办理"
        )

    sent = delivered("evidence_viewed")

    assert [m["to"] for m in sent] == ["+86" + CMCC_NUMBER]
    assert "/me/" in sent[0]["text"]


def test_a_deferred_notice_waits_and_is_sent_when_the_deferral_ends(person, users):
    deferral = notice_deferral_create(
        subscriber_id=person["subscriber"].pk, actor=users["inspector"],
        reason="涉嫌诈骗案件侦查，暂缓告知", until=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    viewing_grant_open(
        registration=person["cmcc"], viewer=users["inspector"], reason="案件侦查调取"
    )

    assert delivered("evidence_viewed") == [], "held during the investigation"
    held = SmsMessage.objects.get(kind="evidence_viewed")
    assert held.next_attempt_at == deferral.until

    # Three days later: the deferral has ended, the drain sends what it held.
    ended = timezone.now() - timedelta(seconds=1)
    type(deferral).objects.filter(pk=deferral.pk).update(until=ended)
    SmsMessage.objects.filter(pk=held.pk).update(next_attempt_at=ended)
    assert [m["to"] for m in delivered("evidence_viewed")] == ["+86" + CMCC_NUMBER]
    event = AuditEvent.objects.get(action=Action.NOTICES_DEFERRED)
    assert event.reason == "涉嫌诈骗案件侦查，暂缓告知"


def test_an_inspector_defers_the_notices_from_the_registration_page(person, users):
    from django.test import Client
    from django.urls import reverse

    from portal.selfservice.models import NoticeDeferral
    from tests.factories import sign_in

    inspector = Client()
    sign_in(inspector, users["inspector"])
    detail = reverse("registrations:detail", args=[person["cmcc"].pk])
    url = reverse("selfservice:defer", args=[person["cmcc"].pk])
    assert url in inspector.get(detail).content.decode()
    until = (timezone.localdate() + timedelta(days=30)).isoformat()

    assert inspector.post(url, {"reason": "短", "until": until}).status_code == 400
    too_far = (timezone.localdate() + timedelta(days=200)).isoformat()
    assert (
        inspector.post(url, {"reason": "涉嫌电信诈骗案件侦查中", "until": too_far}).status_code
        == 400
    )
    assert (
        inspector.post(url, {"reason": "涉嫌电信诈骗案件侦查中", "until": until}).status_code == 302
    )

    deferral = NoticeDeferral.objects.get()
    assert deferral.subscriber == person["subscriber"]
    assert timezone.localdate(deferral.until).isoformat() == until
    carrier = Client()
    sign_in(carrier, users["carrier_admin"])
    assert url not in carrier.get(detail).content.decode()
    assert carrier.get(url).status_code == 403


def test_the_person_sees_a_deferral_once_it_has_ended(signed_in, person, users):
    from django.urls import reverse

    deferral = notice_deferral_create(
        subscriber_id=person["subscriber"].pk, actor=users["inspector"],
        reason="涉嫌诈骗案件侦查，暂缓告知", until=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    access = reverse("selfservice:access")
    assert "涉嫌诈骗案件侦查，暂缓告知" not in signed_in.get(access).content.decode()

    type(deferral).objects.filter(pk=deferral.pk).update(until=timezone.now())

    assert "涉嫌诈骗案件侦查，暂缓告知" in signed_in.get(access).content.decode()
