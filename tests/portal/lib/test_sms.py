"""Text messages through each backend: the file the demo and the tests read as a phone, the
console, and an SMS gateway over HTTP that checks the portal's signature."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.lib.sms import HttpBackend, SmsNotSent, sms_file_messages, sms_send

KEY = "gateway-shared-secret"


def test_the_file_backend_appends_one_json_line_per_message_readable_by_its_owner_only(
    settings, tmp_path
):
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms" / "out.jsonl")

    sms_send(to="+8613800138000", text="您的验证码是 123456", kind="sign_in_code")
    sms_send(to="+8613900139000", text="second", kind="new_registration")

    messages = sms_file_messages()
    assert [(m["to"], m["text"], m["kind"]) for m in messages] == [
        ("+8613800138000", "您的验证码是 123456", "sign_in_code"),
        ("+8613900139000", "second", "new_registration"),
    ]
    assert oct((tmp_path / "sms" / "out.jsonl").stat().st_mode & 0o777) == "0o600"


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "console"
    sms_send(to="+8613800138000", text="hello", kind="test")
    assert "SMS to +8613800138000 (test): hello" in capsys.readouterr().out


class Gateway(BaseHTTPRequestHandler):
    """An operator's SMS platform: accepts a message only with a valid signature."""

    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = hmac.new(
            KEY.encode(), f"{self.headers['X-Timestamp']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        valid = hmac.compare_digest(expected, self.headers["X-Signature"])
        if valid:
            type(self).received.append(json.loads(body))
        self.send_response(type(self).answer if valid else 401)
        self.end_headers()

    def log_message(self, *args):  # no request lines (they would name the path only, still)
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()


def test_the_http_backend_posts_a_message_the_gateway_can_verify(settings, gateway):
    settings.SMS_BACKEND, settings.SMS_HTTP_URL, settings.SMS_HTTP_KEY = "http", gateway, KEY

    sms_send(to="+8613800138000", text="验证码 654321", kind="sign_in_code")

    assert Gateway.received == [
        {"to": "+8613800138000", "text": "验证码 654321", "kind": "sign_in_code"}
    ]


def test_a_wrong_key_or_a_failing_gateway_is_reported_as_not_sent(settings, gateway):
    settings.SMS_BACKEND, settings.SMS_HTTP_URL = "http", gateway
    settings.SMS_HTTP_KEY = "another-key"
    with pytest.raises(SmsNotSent):
        sms_send(to="+8613800138000", text="x", kind="test")
    settings.SMS_HTTP_KEY = KEY
    Gateway.answer = 503
    with pytest.raises(SmsNotSent):
        sms_send(to="+8613800138000", text="x", kind="test")
    assert Gateway.received == [{"to": "+8613800138000", "text": "x", "kind": "test"}]


def test_an_unreachable_gateway_is_reported_as_not_sent(settings):
    settings.SMS_BACKEND, settings.SMS_HTTP_KEY = "http", KEY
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"  # the discard port: nothing listens
    with pytest.raises(SmsNotSent):
        sms_send(to="+8613800138000", text="x", kind="test")


def test_the_http_backend_needs_a_url_and_a_key():
    with pytest.raises(ImproperlyConfigured):
        HttpBackend("", KEY)
    with pytest.raises(ImproperlyConfigured):
        HttpBackend("https://sms.example.cn/send", "")
