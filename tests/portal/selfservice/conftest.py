"""A person with two numbers at two operators, and the SMS file the tests read as a phone."""

import re

import pytest

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.lib.sms import sms_file_messages
from portal.selfservice.services.sms import sms_drain
from tests.factories import PASSWORD, create_registration, subscriber_details

PERSON = subscriber_details(number=321, name="周晓梅")
CMCC_NUMBER, CUCC_NUMBER = "13800138321", "18600186321"


@pytest.fixture(autouse=True)
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


@pytest.fixture
def person(users, outlet_gd, outlet_cucc_gd):
    """The person's two approved numbers, at China Mobile and China Unicom."""
    staff_cucc = user_create(
        username="staff_cucc", password=PASSWORD, role=Role.OUTLET_STAFF,
        operator=outlet_cucc_gd.operator, outlets=[outlet_cucc_gd],
    )  # fmt: skip
    cmcc = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=PERSON, msisdn=CMCC_NUMBER,
        status="approved",
    )  # fmt: skip
    cucc = create_registration(
        actor=staff_cucc, outlet=outlet_cucc_gd, subscriber=PERSON, msisdn=CUCC_NUMBER,
        status="approved",
    )  # fmt: skip
    return {"cmcc": cmcc, "cucc": cucc, "subscriber": cmcc.subscriber}


def sent_code(to: str) -> str:
    """Deliver what is queued (the worker's job), then read the last code sent to ``to``."""
    sms_drain()
    texts = [m["text"] for m in sms_file_messages() if m["to"] == to]
    assert texts, f"no SMS to {to}"
    return re.search(r"\d{6}", texts[-1]).group(0)


@pytest.fixture
def signed_in(client, person):
    """The person's browser, signed in at /me/ with the code sent to their China Mobile number."""
    from django.urls import reverse

    client.post(
        reverse("selfservice:start"),
        {"id_type": PERSON.id_type, "id_number": PERSON.id_number, "full_name": PERSON.full_name},
    )
    form = client.get(reverse("selfservice:number")).context["form"]
    token = next(token for token, label in form.fields["number"].choices if label == "138****8321")
    client.post(reverse("selfservice:number"), {"number": token})
    client.post(reverse("selfservice:code"), {"code": sent_code("+86" + CMCC_NUMBER)})
    return client
