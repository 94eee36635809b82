"""The partner API's one-query read of a registration (``selectors.registration_read``)
answers what the ORM's scoped read and the serializer answer, in one query, for the same
scope."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.http import Http404
from django.utils import timezone

from registrations import selectors, services
from registrations.views.api import RegistrationOutput, registration_body
from tests.api.conftest import online_registration_for
from tests.factories import create_registration, store_stand_in_portrait
from verification import services as verification_services
from verification.models import Challenge, Consent, VerificationJob
from verification.selectors import flow_state

pytestmark = pytest.mark.django_db

FLAGS = ("has_consent", "has_portrait")


class _Request:
    """What registration_body reads of a request: its user."""

    def __init__(self, user):
        self.user = user


def _assert_same_row(read, expected) -> None:
    for field in type(expected)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name


@pytest.mark.parametrize("status", ["draft", "submitted", "verifying", "approved"])
def test_one_query_reads_the_registration_its_subscriber_and_operator(
    partner_cmcc, status, django_assert_num_queries
):
    registration = online_registration_for(partner_cmcc, status=status)
    expected = selectors.registration_get(user=partner_cmcc, pk=registration.pk)
    selectors.registration_read(user=partner_cmcc, pk=registration.pk)  # prepares it

    with django_assert_num_queries(1):
        read = selectors.registration_read(user=partner_cmcc, pk=registration.pk)
        names = (read.subscriber.full_name, read.operator.code)  # no lazy query behind them

    _assert_same_row(read, expected)
    _assert_same_row(read.subscriber, expected.subscriber)
    _assert_same_row(read.operator, expected.operator)
    assert names == (expected.subscriber.full_name, expected.operator.code)  # opened, not sealed


def _read_flags(partner, registration) -> dict:
    """The one-query read's flags, checked against flow_state's own query."""
    read = selectors.registration_read(user=partner, pk=registration.pk)
    orm = flow_state(selectors.registration_get(user=partner, pk=registration.pk))
    assert {name: read.read_flags[name] for name in FLAGS} == {
        name: getattr(orm, name) for name in FLAGS
    }
    assert read.read_flags["has_jobs"] is bool(orm.jobs)
    return read.read_flags


def test_the_flags_follow_the_verification_flow(partner_cmcc):
    draft = online_registration_for(partner_cmcc)
    assert _read_flags(partner_cmcc, draft) == dict.fromkeys([*FLAGS, "has_jobs"], False)

    store_stand_in_portrait(draft)
    assert _read_flags(partner_cmcc, draft)["has_portrait"] is True

    verification_services.consent_record(
        registration=draft,
        actor=partner_cmcc,
        text_version=settings.BIOMETRIC_CONSENT_VERSION,
        method=Consent.Method.IN_APP_CHECKBOX,
    )
    assert _read_flags(partner_cmcc, draft)["has_consent"] is True

    challenge = Challenge.objects.create(
        nonce="r" * 32,
        registration=draft,
        actions=["blink"],
        issued_to=partner_cmcc,
        expires_at=timezone.now() + timedelta(minutes=2),
    )
    VerificationJob.objects.create(
        registration=draft, challenge=challenge, attempt=1, created_by=partner_cmcc
    )
    assert _read_flags(partner_cmcc, draft) == dict.fromkeys([*FLAGS, "has_jobs"], True)


def test_the_flags_come_with_the_read_and_flow_state_asks_nothing_more(
    partner_cmcc, django_assert_num_queries
):
    draft = online_registration_for(partner_cmcc)
    read = selectors.registration_read(user=partner_cmcc, pk=draft.pk)
    with django_assert_num_queries(0):
        state = flow_state(read)
    assert (state.has_consent, state.has_portrait, state.jobs) == (False, False, ())


def test_what_is_not_the_partners_is_a_404(partner_cmcc, api_key_cucc, users, outlet_gd):
    theirs = online_registration_for(api_key_cucc[0].account)
    at_an_outlet = create_registration(actor=users["staff"], outlet=outlet_gd)
    for registration in (theirs, at_an_outlet):
        with pytest.raises(Http404):
            selectors.registration_read(user=partner_cmcc, pk=registration.pk)
    with pytest.raises(Http404):
        selectors.registration_read(user=partner_cmcc, pk="00000000-0000-4000-8000-000000000000")


def test_a_partner_with_no_grant_left_reads_nothing(partner_cmcc, cmcc):
    from guardian.shortcuts import remove_perm

    from portal.accounts.permissions import Grant

    mine = online_registration_for(partner_cmcc)
    remove_perm(Grant.USE_PARTNER_API, partner_cmcc, cmcc)
    partner_cmcc.__dict__.pop("_granted_pks_memo", None)
    with pytest.raises(Http404):
        selectors.registration_read(user=partner_cmcc, pk=mine.pk)


def test_other_accounts_read_through_the_orm_with_their_own_scope(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    read = selectors.registration_read(user=users["carrier_admin"], pk=registration.pk)
    assert read == registration
    assert not hasattr(read, "read_flags")
    with pytest.raises(Http404):
        selectors.registration_read(user=users["carrier_admin_cucc"], pk=registration.pk)


@pytest.mark.parametrize("status", ["draft", "verifying", "approved", "rejected", "cancelled"])
def test_the_hand_built_body_is_the_serializers(partner_cmcc, status):
    """RegistrationOutput documents the body (the schema); registration_body builds it."""
    built_to = {"rejected": "verifying", "cancelled": "approved"}.get(status, status)
    registration = online_registration_for(partner_cmcc, status=built_to)
    if status == "rejected":
        registration = services.registration_decide(
            registration=registration, decision="rejected", reasons=["no_blink", "not_live"]
        )
    if status == "cancelled":
        registration = services.registration_cancel(
            registration=registration, actor=partner_cmcc, note="Customer changed their mind"
        )
    request = _Request(partner_cmcc)
    for read in (
        selectors.registration_read(user=partner_cmcc, pk=registration.pk),
        selectors.registration_get(user=partner_cmcc, pk=registration.pk),
    ):
        body = registration_body(request, read)
        assert body == RegistrationOutput(read, context={"user": partner_cmcc}).data
        assert list(body) == list(RegistrationOutput().fields)
    assert body["status"] == status
