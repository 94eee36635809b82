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
    return {event.object_id for event in response.context["page_obj"]}


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
    operators = {event.operator_id for event in response.context["page_obj"]}
    assert operators == {registrations["cucc"].operator_id}


def test_it_filters_by_actor_action_and_date(client, users, registrations):
    sign_in(client, users["ministry_admin"])
    response = client.get("/audit/?actor=staff_bj&action=registration.created")
    assert listed_object_ids(response) == {str(registrations["bj"].pk)}
    response = client.get("/audit/?occurred_from=2001-01-01&occurred_to=2001-01-02")
    assert response.context["page_obj"].paginator.count == 0


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
