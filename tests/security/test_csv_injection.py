"""The audit export cannot carry a spreadsheet formula (CSV injection, OWASP).

A hostile value typed where the trail records it verbatim (a username at a failed sign-in,
a reason for viewing evidence) must reach the CSV as text, never as a formula.
"""

import csv
import io

import pytest
from django.db import transaction

from tests.factories import create_registration, sign_in
from verification.models import BiometricEvidence
from verification.services.evidence import evidence_store

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_USERNAME = '=HYPERLINK("http://evil","x")'
HOSTILE_REASON = "=1+2+cmd|' /C calc'!A0"


def export_rows(client) -> list[list[str]]:
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


def stored_evidence(registration, actor) -> BiometricEvidence:
    # Any bytes will do: the page decrypts and serves them, the engine is not involved.
    with transaction.atomic():
        return evidence_store(
            registration=registration,
            kind=BiometricEvidence.Kind.PORTRAIT,
            data=b"\xff\xd8\xff\xe0" + b"\x00" * 64,
            media_kind="jpeg",
            actor=actor,
        )


def test_no_exported_cell_starts_a_formula(client, users, outlet_gd):
    client.post("/accounts/login/", {"username": HOSTILE_USERNAME, "password": "wrong"})
    evidence = stored_evidence(
        create_registration(actor=users["staff"], outlet=outlet_gd), users["staff"]
    )
    sign_in(client, users["inspector"])  # evidence is for inspectors and carriers
    opened = client.post(
        f"/registrations/{evidence.registration_id}/evidence/", {"reason": HOSTILE_REASON}
    )
    assert opened.status_code == 302  # a viewing grant, recorded with the reason

    sign_in(client, users["ministry_admin"])

    rows = export_rows(client)
    cells = [cell for row in rows for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert dangerous == []
    # The values are still there, as text a reader can see.
    assert "'" + HOSTILE_REASON in cells
    assert any(cell.startswith("'=") for cell in cells if cell != "'" + HOSTILE_REASON)
