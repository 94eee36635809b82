"""The partner API's hot path stays cheap: a warm GET of one registration asks the database
once, for the registration with its verification flags (the key, its account and its grants
come from the cache)."""

import pytest

from tests.api.conftest import online_registration_for

pytestmark = pytest.mark.django_db

# The registration in scope with the verification flow's flags: one query.
DETAIL_GET_QUERY_BUDGET = 1


def test_a_warm_registration_detail_get_makes_one_query(
    api, partner_cmcc, django_assert_max_num_queries
):
    draft = online_registration_for(partner_cmcc)
    detail = f"/api/v1/registrations/{draft.pk}"
    assert api.get(detail).status_code == 200  # fills the key's cache entries

    with django_assert_max_num_queries(DETAIL_GET_QUERY_BUDGET):
        answer = api.get(detail)

    assert answer.status_code == 200
    assert answer.json()["next_actions"] == ["upload_portrait", "record_consent"]
