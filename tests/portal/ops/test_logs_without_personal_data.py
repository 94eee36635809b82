"""A day's work, logged at DEBUG by the web process and a real worker, holds no ID number, no
name, no phone number and no sign-in code: a grep of every line finds none of them."""

import json
import logging

import pytest
from django.urls import reverse

from portal.api.services import api_key_create
from portal.audit.context import RequestIdLogFilter
from portal.lib.logs import JsonFormatter
from portal.selfservice.services.sms import sms_drain
from tests.api.conftest import registration_body
from tests.api.test_partner_flow_e2e import WORKER_ENV, Partner
from tests.factories import sign_in
from tests.portal.selfservice.conftest import sent_code
from tests.verification.engine.makers import CLIP, CLIP_CHALLENGE, CLIP_PORTRAIT, CLIP_SCHEDULE
from tests.workers import require_worker_setup, running_worker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]


class Lines(logging.Handler):
    """Every record of this process, as the JSON line production writes."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestIdLogFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def web_log():
    root = logging.getLogger()
    handler, level = Lines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def worker_setup(settings, tmp_path):
    require_worker_setup()
    settings.VERIFICATION_CHALLENGE_ACTIONS = CLIP_CHALLENGE
    settings.VERIFICATION_CHALLENGE_SCHEDULE = [window["from_s"] for window in CLIP_SCHEDULE]
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms.jsonl")


def spaced(msisdn: str) -> str:
    return f"{msisdn[:3]} {msisdn[3:7]} {msisdn[7:]}"


def test_a_days_work_logs_no_personal_data(live_server, client, users, web_log, tmp_path):
    key = api_key_create(
        operator=users["partner"].operator, name="Shop", actor=users["carrier_admin"]
    )
    partner = Partner(live_server.url, key[1])
    body = registration_body(province="440000")
    worker_log_env = {**WORKER_ENV, "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"}

    with running_worker(tmp_path, **worker_log_env):
        # A partner registers a person online; the worker decides.
        registration_id = str(partner.write("POST", "/registrations", 201, json=body)["id"])
        partner.verify(
            registration_id, portrait=CLIP_PORTRAIT.read_bytes(), video=CLIP.read_bytes()
        )
        assert partner.decision_polled(registration_id)["outcome"] == "approved"
        partner.http.close()

    # A carrier admin searches for the person by ID number and by number, opens the record.
    sign_in(client, users["carrier_admin"])
    for term in (body["id_number"], body["msisdn"]):
        response = client.post("/registrations/search/", {"term": term}, follow=True)
        assert response.status_code == 200 and registration_id in response.content.decode()
    assert client.get(f"/registrations/{registration_id}/").status_code == 200
    client.post(reverse("logout"))

    # Someone types the person's ID number as a username; the person signs in at /me/.
    client.post("/accounts/login/", {"username": body["id_number"], "password": "wrong"})
    client.post(reverse("selfservice:start"), {
        "id_type": body["id_type"], "id_number": body["id_number"], "full_name": body["full_name"],
    })  # fmt: skip
    form = client.get(reverse("selfservice:number")).context["form"]
    client.post(reverse("selfservice:number"), {"number": form.fields["number"].choices[0][0]})
    code = sent_code("+86" + body["msisdn"])
    client.post(reverse("selfservice:code"), {"code": code})
    assert client.get(reverse("selfservice:numbers")).status_code == 200
    sms_drain()

    worker_lines = [
        line for path in tmp_path.glob("worker-*.log") for line in path.read_text().splitlines()
    ]
    everything = "\n".join(web_log.lines + worker_lines)
    personal = {
        "ID number": body["id_number"],
        "name": body["full_name"],
        "number": body["msisdn"],
        "number as shown": spaced(body["msisdn"]),
        "ICCID": body["iccid"],
        "sign-in code": code,
    }
    found = {what: value for what, value in personal.items() if value in everything}
    assert not found, f"personal data in the logs: {sorted(found)}"
    # The grep read real logs: the web's lines and the worker's, as JSON with their ids.
    assert len(web_log.lines) > 20
    worker_json = [json.loads(line) for line in worker_lines if line.startswith("{")]
    assert any(line["request_id"].startswith("task-") for line in worker_json), worker_lines[-5:]
