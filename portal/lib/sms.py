"""Text messages to mobile numbers, through a pluggable backend (``SMS_BACKEND``).

- ``file`` (``SMS_FILE_PATH``): one JSON line per message, appended; the demo's and the
  tests' phone. A reader takes the code from the file as a subscriber reads their phone.
- ``console``: the message on standard output, for a developer's terminal.
- ``http``: an operator's SMS platform, POSTed as JSON to ``SMS_HTTP_URL``, signed with
  HMAC-SHA256 of the timestamp and the body under ``SMS_HTTP_KEY`` (``X-Signature``,
  ``X-Timestamp``), so the gateway knows the portal sent it and when.

A message's text may hold a one-time code: backends never log it, and nothing here logs a
number either (``send`` returns, or raises ``SmsNotSent``, and the caller decides).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


class SmsNotSent(Exception):
    """The backend could not hand the message on; nothing was delivered."""


@dataclass(frozen=True)
class Sms:
    to: str  # E.164, +8613800138000
    text: str
    kind: str  # what it is for ("sign_in_code", "new_registration"...): for the gateway's stats


class SmsBackend(Protocol):
    def send(self, message: Sms) -> None: ...


class FileBackend:
    """Appends one JSON line per message to a file only its owner can read (it holds codes)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, message: Sms) -> None:
        line = json.dumps(
            {
                "to": message.to,
                "text": message.text,
                "kind": message.kind,
                "sent_at": timezone.now().isoformat(timespec="seconds"),
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(line + "\n")


class ConsoleBackend:
    def send(self, message: Sms) -> None:
        sys.stdout.write(f"SMS to {message.to} ({message.kind}): {message.text}\n")
        sys.stdout.flush()


class HttpBackend:
    """An operator's SMS platform: one signed POST per message."""

    TIMEOUT_S = 5

    def __init__(self, url: str, key: str):
        if not url.startswith(("https://", "http://")) or not key:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL and SMS_HTTP_KEY")
        self.url, self.key = url, key.encode()

    def signed(self, body: bytes, timestamp: int) -> str:
        return hmac.new(self.key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()

    def send(self, message: Sms) -> None:
        body = json.dumps(
            {"to": message.to, "text": message.text, "kind": message.kind}, ensure_ascii=False
        ).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Timestamp": str(timestamp),
            "X-Signature": self.signed(body, timestamp),
        }
        try:
            response = httpx.post(self.url, content=body, headers=headers, timeout=self.TIMEOUT_S)
        except httpx.HTTPError as error:
            raise SmsNotSent(type(error).__name__) from None
        if not response.is_success:
            raise SmsNotSent(f"gateway answered {response.status_code}")


def sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    if name == "file":
        return FileBackend(settings.SMS_FILE_PATH)
    if name == "console":
        return ConsoleBackend()
    if name == "http":
        return HttpBackend(settings.SMS_HTTP_URL, settings.SMS_HTTP_KEY)
    raise ImproperlyConfigured(f"SMS_BACKEND must be file, console or http, not {name!r}")


def sms_send(*, to: str, text: str, kind: str) -> None:
    """Hand one message to the configured backend; ``SmsNotSent`` if it could not."""
    sms_backend().send(Sms(to=to, text=text, kind=kind))


def sms_file_messages(path: str | Path | None = None) -> list[dict]:
    """The messages a file backend wrote, oldest first (the demo's and the tests' phone)."""
    path = Path(path or settings.SMS_FILE_PATH)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
