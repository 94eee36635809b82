"""A subscriber signs in at /me/ with the ID details and a code by SMS; nothing tells an
unknown ID from a known one, and limits stop a loop of guesses."""

import statistics
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.lib.sms import sms_file_messages
from portal.selfservice.models import SignInCode, SmsMessage
from portal.selfservice.session import SIGNED_IN_KEY
from tests.portal.selfservice.conftest import CMCC_NUMBER, CUCC_NUMBER, PERSON, sent_code

pytestmark = pytest.mark.django_db

START, NUMBER, CODE, NUMBERS = (
    reverse("selfservice:start"),
    reverse("selfservice:number"),
    reverse("selfservice:code"),
    reverse("selfservice:numbers"),
)


def details(**overrides) -> dict:
    return {
        "id_type": PERSON.id_type,
        "id_number": PERSON.id_number,
        "full_name": PERSON.full_name,
        **overrides,
    }


def choices(client: Client) -> list[tuple[str, str]]:
    """The (token, masked number) pairs the number page offers."""
    form = client.get(NUMBER).context["form"]
    return list(form.fields["number"].choices)


def pick(client: Client, masked: str):
    token = next(token for token, label in choices(client) if label == masked)
    return client.post(NUMBER, {"number": token})


def test_a_subscriber_signs_in_with_the_code_sent_to_the_number_picked(client, person):
    assert client.post(START, details()).url == NUMBER
    assert [label for _token, label in choices(client)] == ["138****8321", "186****6321"]

    response = pick(client, "186****6321")
    assert response.url == CODE
    code = sent_code("+86" + CUCC_NUMBER)
    assert client.post(CODE, {"code": code}).url == NUMBERS

    page = client.get(NUMBERS).content.decode()
    assert "*******8321" in page and "*******6321" in page
    assert CMCC_NUMBER not in page and CUCC_NUMBER not in page, "masked but for 4 digits"
    assert "China Mobile" in page or person["cmcc"].operator.name in page
    assert person["cucc"].operator.name in page
    actions = set(
        AuditEvent.objects.filter(object_id=str(person["subscriber"].pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        Action.SUBSCRIBER_CODE_SENT,
        Action.SUBSCRIBER_SIGNED_IN,
        Action.SUBSCRIBER_NUMBERS_VIEWED,
    } <= actions


def test_a_subscriber_sees_only_the_registrations_under_their_own_id(client, person, users):
    from tests.factories import create_registration

    other = create_registration(
        actor=users["staff"], outlet=person["cmcc"].outlet, msisdn="13700137999", status="approved"
    )
    client.post(START, details())
    pick(client, "138****8321")
    client.post(CODE, {"code": sent_code("+86" + CMCC_NUMBER)})

    page = client.get(NUMBERS).content.decode()
    assert "*******7999" not in page
    assert other.subscriber_id != person["subscriber"].pk
    assert page.count("*******") == 2


def test_the_code_is_never_kept_in_clear_nor_in_the_audit_trail(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    code = sent_code("+86" + CMCC_NUMBER)

    record = SignInCode.objects.get()
    assert code not in record.code_hash
    assert SmsMessage.objects.get(kind="sign_in_code").text == "", "the code's text is cleared"
    for event in AuditEvent.objects.all():
        assert code not in str(event.changes) and code not in event.reason


@pytest.mark.parametrize(
    "typed",
    [
        details(full_name="周晓"),  # a known ID, a wrong name
        details(id_number="110105194912310021"),  # an ID nobody registered
    ],
    ids=["wrong-name", "unknown-id"],
)
def test_details_that_match_nobody_get_the_same_answers_and_no_code_works(client, person, typed):
    assert client.post(START, typed).url == NUMBER
    offered = choices(client)
    assert 1 <= len(offered) <= 2
    assert all(len(label) == 11 and label[3:7] == "****" for _t, label in offered)
    assert {label for _t, label in offered}.isdisjoint({"138****8321", "186****6321"})

    response = client.post(NUMBER, {"number": offered[0][0]})
    assert response.url == CODE
    message = [str(m) for m in response.wsgi_request._messages]
    assert message == [
        f"If the details match, a code was sent to {offered[0][1]}. It is valid for 5 minutes."
    ]
    answer = client.post(CODE, {"code": "123456"})
    assert answer.status_code == 400
    assert "This code is not right" in answer.content.decode()
    assert not SmsMessage.objects.filter(kind="sign_in_code").exists()
    assert SignInCode.objects.count() == 0


def test_the_same_details_offer_the_same_decoys_each_time(client, person):
    client.post(START, details(full_name="李四"))
    first = [label for _t, label in choices(client)]
    client.post(START, details(full_name="李四"))
    assert [label for _t, label in choices(client)] == first


def test_a_code_takes_five_wrong_tries_then_not_even_the_right_one(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    code = sent_code("+86" + CMCC_NUMBER)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        assert "This code is not right" in client.post(CODE, {"code": wrong}).content.decode()
    assert "Too many wrong codes" in client.post(CODE, {"code": wrong}).content.decode()

    assert client.post(CODE, {"code": code}).status_code == 400
    assert SIGNED_IN_KEY not in client.session
    failed = AuditEvent.objects.filter(action=Action.SUBSCRIBER_SIGN_IN_FAILED).count()
    assert failed == 5


def test_a_code_older_than_five_minutes_does_not_work(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    code = sent_code("+86" + CMCC_NUMBER)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.post(CODE, {"code": code}).status_code == 400
    assert SIGNED_IN_KEY not in client.session


def test_a_new_code_ends_the_one_before(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    first = sent_code("+86" + CMCC_NUMBER)
    pick(client, "138****8321")
    second = sent_code("+86" + CMCC_NUMBER)

    if first != second:
        assert client.post(CODE, {"code": first}).status_code == 400
    assert client.post(CODE, {"code": second}).url == NUMBERS


def test_the_session_lasts_fifteen_minutes_from_sign_in(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    client.post(CODE, {"code": sent_code("+86" + CMCC_NUMBER)})
    assert client.get(NUMBERS).status_code == 200

    session = client.session
    session[SIGNED_IN_KEY] = {**session[SIGNED_IN_KEY], "since": time.time() - 901}
    session.save()
    assert client.get(NUMBERS).url == START


def test_a_subscriber_session_is_no_staff_sign_in(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    client.post(CODE, {"code": sent_code("+86" + CMCC_NUMBER)})

    response = client.get(reverse("registrations:list"))
    assert response.status_code == 302 and "login" in response.url


def test_signing_out_ends_the_subscriber_session(client, person):
    client.post(START, details())
    pick(client, "138****8321")
    client.post(CODE, {"code": sent_code("+86" + CMCC_NUMBER)})

    client.post(reverse("selfservice:sign_out"))

    assert client.get(NUMBERS).url == START
    assert AuditEvent.objects.filter(action=Action.SUBSCRIBER_SIGNED_OUT).count() == 1


def test_the_pages_of_the_sign_in_need_its_earlier_steps(client):
    assert client.get(NUMBER).url == START
    assert client.get(CODE).url == START
    assert client.get(NUMBERS).url == START


def test_a_loop_of_guesses_on_one_id_is_stopped(client, person):
    for attempt in range(10):
        assert client.post(START, details(full_name=f"猜{attempt}")).status_code == 302
    stopped = client.post(START, details(full_name="猜测"))
    assert stopped.status_code == 429
    assert "Too many tries for this ID" in stopped.content.decode()
    assert int(stopped["Retry-After"]) > 0


def test_codes_to_one_number_are_limited(client, person):
    client.post(START, details())
    for _ in range(5):
        assert pick(client, "138****8321").status_code == 302
    assert pick(client, "138****8321").status_code == 429
    assert sms_file_messages() == [], "nothing delivered before the worker runs"
    assert SmsMessage.objects.filter(kind="sign_in_code").count() == 5


def test_a_known_an_unknown_id_and_a_wrong_name_answer_in_the_same_time(settings, person):
    settings.RATE_LIMITS = {}  # measured, not limited
    client = Client()
    cases = {
        "right": details(),
        "wrong name": details(full_name="周晓"),
        "unknown ID": details(id_number="110105194912310021"),
    }
    names = list(cases)
    timings = {name: [] for name in cases}
    gaps = {name: [] for name in cases}  # each round's answer against the right details'
    for round_ in range(40):
        # In turns, each round in another order: the machine's other work, and whatever the
        # first request of a round pays, weigh on each case alike.
        order = names[round_ % 3 :] + names[: round_ % 3]
        took = {}
        for name in order:
            started = time.perf_counter()
            client.post(START, cases[name])
            took[name] = (time.perf_counter() - started) * 1000
        if round_ >= 4:  # warm-up
            for name in names:
                timings[name].append(took[name])
                gaps[name].append(took[name] - took["right"])
    medians = {name: statistics.median(values) for name, values in timings.items()}
    gap_medians = {name: statistics.median(values) for name, values in gaps.items()}
    print("median /me/ answer:", ", ".join(f"{n} {ms:.2f} ms" for n, ms in medians.items()))
    print("median gap to the right details:",
          ", ".join(f"{n} {ms:+.2f} ms" for n, ms in gap_medians.items()))  # fmt: skip

    # Round by round, so that a busy machine slowing every answer does not read as a gap.
    assert all(abs(gap) < 3 for gap in gap_medians.values()), gap_medians


def test_my_numbers_say_what_is_kept_and_until_when(signed_in, person):
    page = signed_in.get(NUMBERS).content.decode()

    assert "What is kept" in page
    assert "Live capture video" in page
    deadline = (person["cmcc"].decided_at + timedelta(days=90)).astimezone(
        timezone.get_current_timezone()
    )
    assert f"until {deadline:%Y-%m-%d}" in page
    assert "while the number is in use, then 30 days" in page
