"""The audit pages: scoped lists, filters, the registration timeline and an audited export."""

import csv
import io

import pytest

from portal.audit.models import AuditEvent
from tests.factories import create_registration, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(users, outlet_gd, outlet_bj, outlet_cucc_gd):
    from portal.accounts.roles import Role
    from portal.accounts.services import user_create

    staff_cucc = user_create(
        username="staff_cucc",
        password="x-pass-1234-5678",
        role=Role.OUTLET_STAFF,
        operator=outlet_cucc_gd.operator,
        outlets=[outlet_cucc_gd],
    )
    return {
        "gd": create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        "bj": create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="rejected"),
        "cucc": create_registration(actor=staff_cucc, outlet=outlet_cucc_gd, status="submitted"),
    }


def listed_object_ids(response) -> set[str]:
    return {event.object_id for event in response.context["page"]}


def test_a_nationwide_inspector_reads_every_event(client, users, registrations):
    sign_in(client, users["inspector"])
    response = client.get("/audit/?object_type=registration")
    assert listed_object_ids(response) == {str(r.pk) for r in registrations.values()}


def test_a_provincial_inspector_reads_only_their_provinces(client, users, registrations):
    sign_in(client, users["inspector_gd"])
    response = client.get("/audit/?object_type=registration")
    assert listed_object_ids(response) == {str(registrations["gd"].pk),
                                           str(registrations["cucc"].pk)}  # fmt: skip


def test_a_carrier_admin_reads_only_their_operator(client, users, registrations):
    sign_in(client, users["carrier_admin_cucc"])
    response = client.get("/audit/")
    operators = {event.operator_id for event in response.context["page"]}
    assert operators == {registrations["cucc"].operator_id}


def test_it_filters_by_actor_action_and_date(client, users, registrations):
    sign_in(client, users["ministry_admin"])
    response = client.get("/audit/?actor=staff_bj&action=registration.created")
    assert listed_object_ids(response) == {str(registrations["bj"].pk)}
    response = client.get("/audit/?occurred_from=2001-01-01&occurred_to=2001-01-02")
    assert response.context["page"].count == 0


def test_a_bad_filter_shows_an_error_not_a_500(client, users, registrations):
    sign_in(client, users["inspector"])
    response = client.get("/audit/?action=teleport&page=-3&occurred_to=yesterday")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Enter a valid date" in response.content.decode()


def test_the_registration_page_shows_its_timeline(client, users, registrations):
    sign_in(client, users["carrier_admin"])
    response = client.get(f"/registrations/{registrations['gd'].pk}/")
    actions = [e.action for e in response.context["timeline"]]
    assert actions == ["registration.created", "registration.submitted",
                       "registration.verifying", "registration.decided"]  # fmt: skip
    assert "Timeline" in response.content.decode()


def test_outlet_staff_see_no_timeline(client, users, registrations):
    sign_in(client, users["staff"])
    response = client.get(f"/registrations/{registrations['gd'].pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert registrations["gd"].iccid in page, "the page shows the registration itself"
    assert "Timeline" not in page


def test_the_export_is_a_csv_of_the_scope_and_is_itself_audited(client, users, registrations):
    sign_in(client, users["inspector_gd"])
    response = client.get("/audit/export.csv?object_type=registration")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["object_id"] for row in rows} == {str(registrations["gd"].pk),
                                                   str(registrations["cucc"].pk)}  # fmt: skip
    export = AuditEvent.objects.get(action="data.exported")
    assert export.actor_label == "inspector_gd"
    assert export.changes["filters"] == [None, "object_type=registration"]
    assert export.changes["rows"] == [None, len(rows)]


# -- paging by sequence ---------------------------------------------------------------------------


@pytest.fixture
def many_events(client, users):
    """The ministry admin signed in, and sign-in events enough for 3 pages of 50, newest
    first."""
    from portal.audit.actions import Action
    from portal.audit.services import audit_in_transaction

    sign_in(client, users["ministry_admin"])
    for _ in range(119):
        audit_in_transaction(action=Action.LOGIN, actor=users["staff"])
    return list(AuditEvent.objects.filter(action="auth.login").order_by("-sequence"))


def sequences(response) -> list[int]:
    return [event.sequence for event in response.context["page"]]


def test_the_trail_pages_by_sequence_older_and_newer(client, users, many_events):
    newest = [e.sequence for e in many_events]
    first = client.get("/audit/?action=auth.login")
    assert sequences(first) == newest[:50]
    page = first.context["page"]
    assert page.newer_than is None and page.older_than == str(newest[49])
    html = first.content.decode()
    assert f'href="?action=auth.login&amp;before={newest[49]}"' in html
    assert "Newer" not in html

    second = client.get(f"/audit/?action=auth.login&before={newest[49]}")
    assert sequences(second) == newest[50:100]
    assert second.context["page"].newer_than == str(newest[50])
    third = client.get(f"/audit/?action=auth.login&before={newest[99]}")
    assert sequences(third) == newest[100:120]
    assert third.context["page"].older_than is None

    back = client.get(f"/audit/?action=auth.login&after={newest[100]}")
    assert sequences(back) == newest[50:100], "newer: the 50 just above, still newest first"
    assert (
        client.get(f"/audit/?action=auth.login&after={newest[50]}").context["page"].newer_than
        is None
    )


def test_a_new_event_does_not_shift_the_page_being_read(client, users, many_events):
    """With OFFSET a new event would push one row onto the next page twice; a cursor not."""
    from portal.audit.actions import Action
    from portal.audit.services import audit_in_transaction

    cursor = many_events[49].sequence
    audit_in_transaction(action=Action.LOGIN, actor=users["staff"])
    response = client.get(f"/audit/?action=auth.login&before={cursor}")
    assert sequences(response) == [e.sequence for e in many_events[50:100]]


@pytest.mark.parametrize("cursor", ["before=abc", "before=-5", f"before={2**70}", "after=x"])
def test_a_bad_cursor_gives_the_newest_page(client, users, many_events, cursor):
    response = client.get(f"/audit/?action=auth.login&{cursor}")
    assert response.status_code == 200
    assert sequences(response) == [e.sequence for e in many_events[:50]]


def test_a_cursor_past_the_end_gives_the_newest_page(client, users, many_events):
    response = client.get(f"/audit/?action=auth.login&after={many_events[0].sequence}")
    assert sequences(response) == [e.sequence for e in many_events[:50]]
    assert response.context["page"].newer_than is None


def test_past_the_cap_the_count_says_more_than(client, users, many_events, monkeypatch):
    from portal.supervision.views import audit

    total = len(many_events)
    monkeypatch.setattr(audit, "COUNT_CAP", total - 1)
    capped = client.get("/audit/?action=auth.login")
    assert capped.context["page"].capped
    assert f"More than {total - 1} events" in capped.content.decode()
    monkeypatch.setattr(audit, "COUNT_CAP", total)
    exact = client.get("/audit/?action=auth.login")
    assert not exact.context["page"].capped
    assert f"{total} events" in exact.content.decode()


def test_the_export_link_keeps_the_filters_but_not_the_cursor(client, users, many_events):
    response = client.get(f"/audit/?action=auth.login&before={many_events[49].sequence}")
    assert 'href="/audit/export.csv?action=auth.login"' in response.content.decode()
