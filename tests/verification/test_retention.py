"""The retention table: one in the code and the README, and the days each class is due."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import create_registration
from verification.retention import BY_CODE, DATA_CLASSES, retention_of

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_rows() -> dict[str, list[str]]:
    rows = {}
    for line in README.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"`[a-z_]+`", cells[0]) and cells[0].strip("`") in BY_CODE:
            rows[cells[0].strip("`")] = cells
    return rows


def test_the_readme_holds_the_codes_table_word_for_word():
    rows = readme_rows()
    assert set(rows) == set(BY_CODE)
    after = {"decision": "the decision", "number_ended": "the number's end"}
    for data_class in DATA_CLASSES:
        code, holds, kept, when, basis, then = rows[data_class.code]
        assert holds == str(data_class.holds)
        assert kept == f"{data_class.days} days"
        assert when == after[data_class.after]
        assert basis == str(data_class.basis)
        assert then == str(data_class.action)


@pytest.mark.django_db
def test_an_approved_number_counts_from_its_decision_and_waits_for_its_end(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    due = {data_class.code: until for data_class, until in retention_of(registration)}

    assert due["capture_video"] == registration.decided_at + timedelta(days=90)
    assert due["key_frames"] == registration.decided_at + timedelta(days=365)
    assert due["id_portrait"] is None, "kept while the number is in use"


@pytest.mark.django_db
def test_a_cancelled_number_counts_from_its_cancellation(users, outlet_gd, settings):
    settings.RETENTION_ID_PORTRAIT_DAYS = 10
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="cancelled")
    due = {data_class.code: until for data_class, until in retention_of(registration)}

    assert due["id_portrait"] == registration.cancelled_at + timedelta(days=10)
    assert due["id_portrait"] > timezone.now()
