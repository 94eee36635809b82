"""/supervision/fairness/: decisions by age band, sex and province from the rollups, in the
user's scope, with a warning where a group's approval rate is clearly under 0.8 of the best."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.supervision.models import DecisionRollup
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

URL = "/supervision/fairness/"


def decisions(*, operator, province, age_band, sex, approved, rejected, retaken=0, days_ago=1):
    """Rollup rows as the services write them: one row per outcome."""
    day = timezone.localdate() - timedelta(days=days_ago)
    common = {
        "day": day, "operator_id": operator.pk, "province_code": province, "outlet_id": 1,
        "staff_id": 1, "channel": "outlet", "reviewer_id": 0, "override": False,
        "age_band": age_band, "sex": sex, "source": "camera",
    }  # fmt: skip
    DecisionRollup.objects.create(**common, outcome="approved", attempts=1, n=approved)
    DecisionRollup.objects.create(**common, outcome="rejected", attempts=1, n=rejected - retaken)
    if retaken:
        DecisionRollup.objects.create(**common, outcome="rejected", attempts=2, n=retaken)


@pytest.fixture
def decided(cmcc):
    # Guangdong rejects over-60s far more often; Beijing treats every age alike.
    decisions(
        operator=cmcc, province="440000", age_band="30-39", sex="female", approved=450, rejected=50
    )
    decisions(
        operator=cmcc,
        province="440000",
        age_band="60-69",
        sex="male",
        approved=250,
        rejected=250,
        retaken=40,
    )
    decisions(
        operator=cmcc, province="110000", age_band="30-39", sex="male", approved=270, rejected=30
    )
    decisions(
        operator=cmcc, province="110000", age_band="60-69", sex="female", approved=265, rejected=35
    )


def page(client, user, query=""):
    sign_in(client, user)
    return client.get(URL + query)


def table(response, dimension):
    comparison = next(c for c in response.context["comparisons"] if c["dimension"] == dimension)
    return {row["label"]: row for row in comparison["rows"]}, comparison["warnings"]


def test_the_over_sixties_of_guangdong_are_flagged_nation_wide(client, users, decided):
    response = page(client, users["inspector"])
    assert response.status_code == 200
    ages, warnings = table(response, "age_band")
    assert ages["30-39"]["verdict"] == "reference"
    assert ages["60-69"]["verdict"] == "below" and warnings == 1
    assert ages["30-39"]["decided"] == 800 and ages["60-69"]["decided"] == 800
    provinces, _ = table(response, "province_code")
    assert len(provinces) == 2
    assert "Warning: under the threshold" in response.content.decode()


def test_an_inspector_for_guangdong_sees_guangdong_only(client, users, decided):
    response = page(client, users["inspector_gd"])
    ages, _ = table(response, "age_band")
    assert ages["60-69"]["decided"] == 500  # Beijing's 300 are not counted
    provinces, _ = table(response, "province_code")
    assert len(provinces) == 1
    assert page(client, users["inspector_gd"], "?province=110000").status_code == 404


def test_filtered_to_beijing_no_group_is_flagged(client, users, decided):
    response = page(client, users["inspector"], "?province=110000")
    ages, warnings = table(response, "age_band")
    assert warnings == 0 and ages["60-69"]["verdict"] == "fair"


def test_the_period_counts_and_rates_are_shown_with_their_intervals(client, users, cmcc):
    decisions(
        operator=cmcc,
        province="440000",
        age_band="18-29",
        sex="female",
        approved=150,
        rejected=50,
        retaken=20,
    )
    decisions(
        operator=cmcc,
        province="440000",
        age_band="18-29",
        sex="female",
        approved=999,
        rejected=1,
        days_ago=90,
    )
    response = page(client, users["inspector"], "?period=7d")
    ages, _ = table(response, "age_band")
    row = ages["18-29"]
    assert row["decided"] == 200  # the decisions of 90 days ago are outside the period
    assert row["approval"].startswith("75.0 % (")
    assert row["retake"].startswith("10.0 % (")


def test_a_carrier_admin_sees_their_operator_only(client, users, decided, cucc):
    decisions(
        operator=cucc, province="440000", age_band="40-49", sex="male", approved=10, rejected=90
    )
    ages, _ = table(page(client, users["carrier_admin"]), "age_band")
    assert "40-49" not in ages
    ages, _ = table(page(client, users["carrier_admin_cucc"]), "age_band")
    assert set(ages) == {"40-49"}


def test_a_bad_period_is_a_400_with_the_form(client, users):
    response = page(client, users["inspector"], "?period=custom&from=2026-05-01&to=2026-04-01")
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
