"""The people of ``make loadtest`` (see portal/devtools/loadtest.py), as locust users.

This file imports nothing of the portal (no Django here): it reads its accounts, keys and
made-up subscribers from the JSON file named by ``LOADTEST_CONFIG``, and the subscribers'
phone, the file the SMS backend appends to, from ``LOADTEST_SMS_FILE``. The weights of the
classes come from that file too (``mix``), so loadtest.py sizes the accounts to them.

Each user acts as its browser or app does: CSRF tokens from the pages, one request per page
(redirects followed one by one, so each is measured under its own name), the capture page's
three JSON calls, recording for the challenge's ``record_s`` before uploading, and polling
the status as often as capture.js does. A response other than the expected one is a failure
named "HTTP <status>" ("HTTP 0": no answer), which loadtest.py counts by status.
"""

import hashlib
import hmac
import itertools
import json
import logging
import os
import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.exception import RescheduleTask

logger = logging.getLogger(__name__)
CONFIG = json.loads(Path(os.environ["LOADTEST_CONFIG"]).read_text(encoding="utf-8"))
SMS_FILE = Path(os.environ.get("LOADTEST_SMS_FILE", "sms.jsonl"))
MIX = CONFIG["mix"]
PORTRAIT = Path(CONFIG["portrait"]).read_bytes()
CLIP = Path(CONFIG["clip"]).read_bytes()
PEOPLE = iter(CONFIG["people"])  # each made-up subscriber registered once, by whoever is next

PAGE_POLL_S = 0.3  # capture.js POLL_INTERVAL_MS
API_POLL_S = 0.5  # a partner's app (tests/api/test_partner_flow_e2e.py)
DECISION_TIMEOUT_S = 120
SMS_TIMEOUT_S = 60
TOTP_STEP_S = 30
REDIRECTS = (301, 302, 303)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER_SEGMENT = re.compile(r"/\d+(?=/|$)")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")  # not \b: the Chinese text has no word break


# -- helpers without locust -----------------------------------------------------------------


def totp(key_hex: str, at: float | None = None, digits: int = 6) -> str:
    """The RFC 6238 code of a django-otp TOTP device's key (SHA-1, 30 s steps, from 0)."""
    counter = int((time.time() if at is None else at) // TOTP_STEP_S)
    digest = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def endpoint_name(path: str) -> str:
    """The path as one endpoint: ids made ``{id}``, the query left out."""
    path = urlsplit(path).path
    return _NUMBER_SEGMENT.sub("/{n}", _UUID.sub("{id}", path))


class Page(HTMLParser):
    """What a user reads on a page: its inputs, its links, its ``data-`` attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict] = []
        self.links: list[str] = []
        self.data: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name, value in attributes.items():
            if name.startswith("data-"):
                self.data.setdefault(name[5:], value)

    def value(self, name: str) -> str | None:
        return next((i.get("value") for i in self.inputs if i.get("name") == name), None)

    def links_like(self, pattern: str) -> list[str]:
        return sorted({link for link in self.links if re.fullmatch(pattern, link)})


_taken = {kind: itertools.count() for kind in ("staff", "reviewers", "inspectors", "partners")}
_taken["subscribers"] = itertools.count()
_last_totp_step: dict[str, int] = {}


def take(kind: str):
    """The next account of a kind: one per user while there are enough (loadtest.py makes
    as many as the mix can spawn), then shared."""
    accounts = CONFIG[kind]
    return accounts[next(_taken[kind]) % len(accounts)]


def fresh_totp(key_hex: str) -> str:
    """A code of a step this key has not used yet: django-otp accepts each step once, so a
    second sign-in within the same 30 s waits for the next one, as a person would."""
    step = int(time.time() // TOTP_STEP_S)
    if _last_totp_step.get(key_hex) == step:
        time.sleep((step + 1) * TOTP_STEP_S - time.time() + 0.1)
        step += 1
    _last_totp_step[key_hex] = step
    return totp(key_hex)


# -- the browser and the app ----------------------------------------------------------------


class Client(HttpUser):
    """The requests every user makes: checked, named, redirects not followed by themselves."""

    abstract = True

    def call(self, method: str, path: str, *, expect=(200,), name: str | None = None, **kwargs):
        """One request; a status not in ``expect`` is a failure, and ends the task there."""
        with self.client.request(
            method, path, name=name or endpoint_name(path), catch_response=True,
            allow_redirects=False, **kwargs,
        ) as response:  # fmt: skip
            if response.status_code in expect:
                response.success()
                return response
            response.failure(_failure_text(response))
        raise RescheduleTask  # counted above; this flow cannot go on

    def measured(self, kind: str, name: str, started: float, error: Exception | None = None):
        """A wait the user measured (an SMS, a decision) as a row of locust's figures."""
        self.environment.events.request.fire(
            request_type=kind, name=name, response_time=(time.monotonic() - started) * 1000,
            response_length=0, exception=error, context={},
        )  # fmt: skip

    def wait_for_decision(self, path: str, *, every_s: float, label: str, name=None) -> dict:
        started = time.monotonic()
        while time.monotonic() - started < DECISION_TIMEOUT_S:
            body = self.call("GET", path, name=name).json()
            if body["status"] == "done":
                self.measured("JOB", label, started)
                return body
            time.sleep(every_s)
        self.measured("JOB", label, started, TimeoutError(f"none in {DECISION_TIMEOUT_S} s"))
        raise RescheduleTask


_run = {"stopping": False}


@events.test_stopping.add_listener
def _stopping(**kwargs):
    _run["stopping"] = True


def _failure_text(response) -> str:
    if response.status_code:
        return f"HTTP {response.status_code}"
    error = type(response.error).__name__
    if _run["stopping"]:
        # Locust ending the users cuts requests in flight: no status, and not the server's.
        return f"cut off by the end of the run ({error})"
    # The error's own words (a URL with ids at most) go to locust's log, not to its figures.
    logger.warning("no answer: %r", response.error)
    return f"HTTP 0 (no answer: {error})"


class Browser(Client):
    abstract = True

    def csrf(self, page: Page | None = None) -> str:
        token = page.value("csrfmiddlewaretoken") if page else None
        return token or self.client.cookies.get("csrftoken", "")

    def page(self, path: str, *, name: str | None = None) -> Page:
        return Page(self.call("GET", path, name=name).text)

    def follow(self, response, limit: int = 5):
        """GET each redirect's target in turn, as a browser does."""
        for _ in range(limit):
            if response.status_code not in REDIRECTS:
                break
            response = self.call("GET", response.headers["Location"], expect=(200, *REDIRECTS))
        return response

    def post_form(self, path: str, fields: dict, *, files=None, expect=(302,)):
        """GET the form's page, then POST it with the page's CSRF token."""
        page = self.page(path)
        data = {"csrfmiddlewaretoken": self.csrf(page), **fields}
        return self.call("POST", path, data=data, files=files, expect=expect)

    def sign_in(self, account: dict) -> None:
        """The password, then the authenticator app's code where the account has one."""
        fields = {"username": account["username"], "password": account["password"]}
        landed = self.follow(self.post_form("/accounts/login/", fields))
        path = urlsplit(landed.url).path
        if path == "/accounts/second-factor/":
            page = Page(landed.text)
            target = urlsplit(landed.url)
            code = fresh_totp(account["totp_key"])
            response = self.call(
                "POST", f"{target.path}?{target.query}", expect=(302,),
                data={"csrfmiddlewaretoken": self.csrf(page), "code": code},
            )  # fmt: skip
            self.follow(response)

    def open_one(self, page: Page, pattern: str) -> None:
        links = page.links_like(pattern)
        if links:
            self.page(random.choice(links))


# -- the people -----------------------------------------------------------------------------

REGISTRATION_LINK = r"/registrations/[0-9a-f-]{36}/"


class OutletStaffUser(Browser):
    """A clerk at the counter: a registration through the outlet pages, the ID portrait,
    the consent, the live capture (the shared clip), then the page follows the decision."""

    weight = MIX["OutletStaffUser"]
    wait_time = between(1, 3)

    def on_start(self):
        self.account = take("staff")
        self.sign_in(self.account)

    @task(5)
    def register(self):
        person = next(PEOPLE, None)
        if person is None:
            return self.registrations()
        fields = {
            "outlet": self.account["outlet"], "id_type": person["id_type"],
            "id_number": person["id_number"], "full_name": person["full_name"],
            "birth_date": "", "id_expiry": person["id_expiry"], "msisdn": person["msisdn"],
            "iccid": person["iccid"],
        }  # fmt: skip
        portrait = self.post_form("/registrations/new/", fields).headers["Location"]
        files = {"portrait": ("portrait.jpg", PORTRAIT, "image/jpeg")}
        consent = self.post_form(portrait, {}, files=files).headers["Location"]
        capture = self.post_form(consent, {"agreed": "on"}).headers["Location"]
        self.capture(self.page(capture))

    def capture(self, page: Page) -> None:
        """What capture.js does: a challenge, the recording, the upload, then the status."""
        headers = {"X-CSRFToken": self.csrf(page), "Accept": "application/json"}
        for _attempt in range(3):
            challenge = self.call(
                "POST", page.data["challenge-url"], expect=(201,), headers=headers
            ).json()
            time.sleep(challenge["record_s"])  # the camera records until the last window ends
            files = {"capture": ("capture.mp4", CLIP, "video/mp4")}
            data = {"nonce": challenge["nonce"], "source": "camera"}
            self.call(
                "POST", page.data["upload-url"], expect=(202,), headers=headers, data=data,
                files=files,
            )  # fmt: skip
            status = self.wait_for_decision(
                page.data["status-url"], every_s=PAGE_POLL_S, label="outlet: upload -> decision"
            )
            if not status.get("retake_allowed"):
                break
        self.page(status["detail_url"])

    @task(1)
    def registrations(self):
        self.open_one(self.page("/registrations/"), REGISTRATION_LINK)


class CarrierReviewerUser(Browser):
    """A carrier's reviewer: the review queue, a case, the operator's lists."""

    weight = MIX["CarrierReviewerUser"]
    wait_time = between(2, 6)

    def on_start(self):
        self.sign_in(take("reviewers"))

    @task(3)
    def review_case(self):
        self.open_one(self.page("/review/"), r"/review/[0-9a-f-]{36}/")

    @task(1)
    def registrations(self):
        self.page("/registrations/")

    @task(1)
    def dashboard(self):
        self.page("/operator/dashboard/")


class InspectorUser(Browser):
    """A ministry inspector for the nation: the overview and its figures, the lists."""

    weight = MIX["InspectorUser"]
    wait_time = between(2, 6)

    def on_start(self):
        self.sign_in(take("inspectors"))

    @task(3)
    def overview(self):
        self.page("/supervision/")

    @task(3)
    def summary(self):
        today = datetime.now(UTC).date()
        period = f"from={(today - timedelta(days=29)).isoformat()}&to={today.isoformat()}"
        self.call("GET", f"/supervision/summary.json?{period}")

    @task(3)
    def registrations(self):
        self.open_one(self.page("/registrations/"), REGISTRATION_LINK)

    @task(1)
    def risk(self):
        self.page("/supervision/risk/")

    @task(1)
    def audit(self):
        self.page("/audit/")

    @task(1)
    def outlets(self):
        self.page("/supervision/directory/outlets/")


class ApiPartnerUser(Client):
    """An operator's online channel: a registration over the API (sent twice with one
    Idempotency-Key, as after a lost answer), portrait, consent, challenge, the capture,
    then GET .../verification until the decision."""

    weight = MIX["ApiPartnerUser"]
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {take('partners')}"

    def write(self, method: str, path: str, expect: int, *, name=None, key=None, **kwargs):
        headers = {"Idempotency-Key": key or str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.call(method, path, expect=(expect,), name=name, headers=headers, **kwargs)

    @task
    def register(self):
        person = next(PEOPLE, None)
        if person is None:
            self.call("GET", "/api/v1/registrations")
            return
        body = {k: person[k] for k in ("id_type", "id_number", "full_name", "id_expiry")}
        body |= {k: person[k] for k in ("msisdn", "iccid", "province")}
        key = str(uuid.uuid4())
        created = self.write("POST", "/api/v1/registrations", 201, json=body, key=key).json()
        self.write(
            "POST", "/api/v1/registrations", 201, json=body, key=key,
            name="/api/v1/registrations (same Idempotency-Key)",
        )  # fmt: skip
        self.verify(f"/api/v1/registrations/{created['id']}")

    def verify(self, base: str) -> None:
        headers = {"Content-Type": "image/jpeg"}
        self.write("PUT", f"{base}/portrait", 200, data=PORTRAIT, headers=headers)
        consent = {
            "text_version": CONFIG["consent_version"], "method": "in_app_checkbox",
            "collected_at": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        self.write("POST", f"{base}/consent", 201, json=consent)
        challenge = self.write("POST", f"{base}/challenges", 201).json()
        time.sleep(challenge["record_s"])
        files = {"video": ("capture.mp4", CLIP, "video/mp4")}
        self.write("POST", f"{base}/captures", 202, data={"nonce": challenge["nonce"]}, files=files)
        self.wait_for_decision(
            f"{base}/verification", every_s=API_POLL_S, label="api: capture -> decision"
        )
        self.call("GET", base)


class SubscriberUser(Browser):
    """A subscriber at /me/: ID details, the number to text, the code from the SMS (read
    from the SMS backend's file, their phone here), their numbers, who looked, sign out."""

    weight = MIX["SubscriberUser"]
    wait_time = between(5, 15)

    def on_start(self):
        self.person = take("subscribers")

    @task
    def sign_in_and_look(self):
        person = self.person
        fields = {k: person[k] for k in ("id_type", "id_number", "full_name")}
        self.post_form("/me/", fields)
        page = self.page("/me/number/")
        sent_from = SMS_FILE.stat().st_size if SMS_FILE.exists() else 0
        data = {"csrfmiddlewaretoken": self.csrf(page), "number": page.value("number") or ""}
        self.call("POST", "/me/number/", expect=(302,), data=data)
        page = self.page("/me/code/")
        code = self.sms_code(person["msisdn"], sent_from)
        data = {"csrfmiddlewaretoken": self.csrf(page), "code": code}
        self.follow(self.call("POST", "/me/code/", expect=(302,), data=data))
        self.page("/me/access/")
        data = {"csrfmiddlewaretoken": self.csrf()}
        self.call("POST", "/me/sign-out/", expect=(302,), data=data)

    def sms_code(self, to: str, offset: int) -> str:
        """The code texted to ``to`` after ``offset`` of the SMS file, as it arrives."""
        started = time.monotonic()
        while time.monotonic() - started < SMS_TIMEOUT_S:
            code = _code_in(SMS_FILE, to=to, offset=offset)
            if code:
                self.measured("SMS", "sign-in code delivered", started)
                return code
            time.sleep(0.2)
        self.measured("SMS", "sign-in code delivered", started, TimeoutError("no SMS"))
        raise RescheduleTask


def _code_in(path: Path, *, to: str, offset: int) -> str | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", errors="replace")
    for line in text.splitlines()[::-1]:
        try:
            message = json.loads(line)
        except ValueError:
            continue  # a line still being written
        if message.get("to") == to and message.get("kind") == "sign_in_code":
            found = _CODE.search(message.get("text", ""))
            return found.group(0) if found else None
    return None
