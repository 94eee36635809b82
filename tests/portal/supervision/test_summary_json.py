"""/supervision/summary.json: the overview's figures for a period, in scope, from the rollups."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from tests.factories import create_registration, sign_in
from tests.portal.supervision.test_rollups import capture, clock, prepare_capture, run_job
from verification import services as verification_services

pytestmark = pytest.mark.django_db

MARCH_3 = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
WEEK = "from=2026-03-01&to=2026-03-07"


@pytest.fixture
def staff_cucc(outlet_cucc_gd):
    return user_create(
        username="staff_cucc",
        password="x-pass-1234-5678",
        role=Role.OUTLET_STAFF,
        operator=outlet_cucc_gd.operator,
        outlets=[outlet_cucc_gd],
    )


@pytest.fixture
def march(users, outlet_gd, outlet_bj, outlet_cucc_gd, staff_cucc):
    """In the week of 1 March: Guangdong has 3 CMCC and 1 CUCC registrations, Beijing 2.
    The week before: one Guangdong approval."""
    with clock(MARCH_3 - timedelta(days=7)):
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    with clock(MARCH_3):
        made = {
            "gd_approved": create_registration(
                actor=users["staff"], outlet=outlet_gd, status="approved"
            ),
            "gd_rejected": create_registration(
                actor=users["staff"], outlet=outlet_gd, status="rejected"
            ),
            "gd_draft": create_registration(actor=users["staff"], outlet=outlet_gd),
            "cucc_review": create_registration(
                actor=staff_cucc, outlet=outlet_cucc_gd, status="review"
            ),
            "bj_approved": create_registration(
                actor=users["staff_bj"], outlet=outlet_bj, status="approved"
            ),
            "bj_cancelled": create_registration(
                actor=users["staff_bj"], outlet=outlet_bj, status="cancelled"
            ),
        }
    return made


def get_summary(client, user, query=WEEK):
    sign_in(client, user)
    return client.get(f"/supervision/summary.json?{query}")


def test_the_ministry_sees_the_nations_figures(client, users, march):
    body = get_summary(client, users["ministry_admin"]).json()
    assert body["registrations"] == 6
    assert body["by_status"]["approved"] == 2 and body["by_status"]["cancelled"] == 1
    assert body["by_status"]["draft"] == 1 and body["by_status"]["review"] == 1
    assert body["decided"] == 4, "two approvals, a rejection, an approval later cancelled"
    assert body["rates"]["approval"] == 0.75 and body["rates"]["rejection"] == 0.25
    assert body["rates"]["review"] == 0 and body["rates"]["manual_overrides"] is None
    assert {row["code"]: row["registrations"] for row in body["by_province"]} == {
        "440000": 4,
        "110000": 2,
    }
    assert {row["code"]: row["registrations"] for row in body["by_operator"]} == {
        "CMCC": 5,
        "CUCC": 1,
    }
    march_3 = next(day for day in body["by_day"] if day["date"] == "2026-03-03")
    assert (march_3["registrations"], march_3["approved"], march_3["pending"]) == (6, 2, 1)
    assert len(body["by_day"]) == 7


def test_each_figure_comes_with_the_previous_period_of_the_same_length(client, users, march):
    body = get_summary(client, users["ministry_admin"]).json()
    assert body["previous"]["period"] == {"from": "2026-02-22", "to": "2026-02-28"}
    assert body["previous"]["registrations"] == 1
    assert body["previous"]["rates"]["approval"] == 1.0


def test_a_provincial_inspector_sees_guangdong_only(client, users, march):
    body = get_summary(client, users["inspector_gd"]).json()
    assert body["registrations"] == 4
    assert [row["code"] for row in body["by_province"]] == ["440000"]
    assert {row["code"] for row in body["by_operator"]} == {"CMCC", "CUCC"}


def test_a_provincial_inspector_gets_404_for_another_province(client, users, march):
    response = get_summary(client, users["inspector_gd"], f"{WEEK}&province=110000")
    assert response.status_code == 404
    assert response.json()["message"]


def test_a_carrier_admin_sees_their_operator_only(client, users, march):
    body = get_summary(client, users["carrier_admin_cucc"]).json()
    assert body["registrations"] == 1
    assert [row["code"] for row in body["by_operator"]] == ["CUCC"]
    other = get_summary(client, users["carrier_admin_cucc"], f"{WEEK}&operator=CMCC")
    assert other.status_code == 404


def test_filters_narrow_the_figures(client, users, march, outlet_gd):
    body = get_summary(client, users["inspector"], f"{WEEK}&operator=CMCC&province=440000").json()
    assert body["registrations"] == 3
    assert [row["outlet_id"] for row in body["by_outlet"]] == [outlet_gd.pk]
    body = get_summary(client, users["inspector"], f"{WEEK}&channel=online").json()
    assert body["registrations"] == 0


def test_drilling_to_a_staff_member_needs_their_outlet(client, users, march, outlet_gd):
    staff = users["staff"].pk
    body = get_summary(client, users["inspector"], f"{WEEK}&outlet={outlet_gd.pk}&staff={staff}")
    assert body.json()["registrations"] == 3
    assert body.json()["by_staff"][0]["staff_id"] == staff
    assert get_summary(client, users["inspector"], f"{WEEK}&staff={staff}").status_code == 400
    elsewhere = f"{WEEK}&outlet={outlet_gd.pk}&staff={users['staff_bj'].pk}"
    assert get_summary(client, users["inspector"], elsewhere).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-01",
        "from=2026-3-1&to=2026-03-07",
        "from=2026-03-07&to=2026-03-01",
        "from=2020-01-01&to=2026-01-01",
        "from=0001-01-01&to=0001-01-02",
        f"{WEEK}&channel=fax",
        f"{WEEK}&province=99",
    ],
)
def test_a_bad_query_is_a_400_with_a_message(client, users, query):
    response = get_summary(client, users["inspector"], query)
    assert response.status_code == 400
    assert response.json()["message"]


def test_durations_overrides_and_evidence_views_are_summarised(client, users, outlet_gd):
    upload = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    for minutes, approve in [(1, True), (2, True), (30, False)]:
        registration = create_registration(actor=users["staff"], outlet=outlet_gd)
        prepare_capture(registration, users["staff"])
        with clock(upload):
            registration = run_job(capture(registration, users["staff"], source="upload"), "pass")
        with clock(upload + timedelta(minutes=minutes)):
            verification_services.review_decide(
                registration=registration, reviewer=users["carrier_admin"], approve=approve,
                note="Checked",
            )  # fmt: skip
            verification_services.viewing_grant_open(
                registration=registration, viewer=users["inspector"], reason="Routine inspection"
            )
    body = get_summary(client, users["inspector"]).json()
    assert body["decided"] == 3 and body["rates"]["review"] == 1.0
    assert body["rates"]["manual_overrides"] == round(1 / 3, 4), "the rejection of a pass"
    median = body["upload_to_decision"]["median_s"]
    assert 64 <= median <= 128, "the median, 120 s, lies in the bucket [64, 128) s"
    assert 1024 <= body["upload_to_decision"]["p95_s"] <= 2048, "30 min lies in [1024, 2048) s"
    assert body["upload_to_decision"]["mean_s"] == round((60 + 120 + 1800) / 3, 1)
    assert body["evidence_views"] == 3
    assert body["reasons"] == [
        {"reason": "uploaded_file", "approved": 2, "rejected": 1, "total": 3}
    ]


def test_the_figures_never_read_the_registrations_table(client, users, march):
    sign_in(client, users["inspector_gd"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/supervision/summary.json?{WEEK}&operator=CMCC")
    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"registrations_registration"' not in tables
    assert "supervision_statusrollup" in tables


def test_outlet_staff_may_not_read_the_figures(client, users, march):
    assert get_summary(client, users["staff"]).status_code == 403
