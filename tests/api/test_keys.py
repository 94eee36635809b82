"""API keys: their format (checkable without the database), how they are kept, the command."""

import hashlib
import io
import re
import zlib

import pytest
from django.core.management import CommandError, call_command

from portal.api import keys
from portal.api.models import ApiKey
from portal.api.services import api_key_create
from portal.lib.errors import PortalError

# The pattern published in the API docs for secret scanners.
PUBLISHED_PATTERN = re.compile(r"simk_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}")


def test_a_new_key_has_the_published_shape_and_a_crc32_checksum():
    key = keys.new_key(keys.new_public_id())
    assert PUBLISHED_PATTERN.fullmatch(key)
    body, checksum = key[:-6], key[-6:]
    value = 0
    for char in checksum:
        value = value * 62 + keys.BASE62.index(char)
    assert value == zlib.crc32(body.encode())


def test_a_scanner_tells_a_real_key_from_a_look_alike():
    key = keys.new_key(keys.new_public_id())
    assert keys.parse(key).public_id == key[5:17]
    one_typo = key[:20] + ("a" if key[20] != "a" else "b") + key[21:]
    assert keys.parse(one_typo) is None
    assert keys.parse(key + "x") is None
    assert keys.parse("simk_" + "A" * 12 + "_" + "B" * 38) is None


def test_two_keys_differ():
    public_id = keys.new_public_id()
    assert keys.new_key(public_id) != keys.new_key(public_id)


@pytest.mark.django_db
def test_only_the_sha256_of_the_key_is_stored(api_key_cmcc):
    api_key, plaintext = api_key_cmcc
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert row["secret_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.split("_")[2][:32]
    assert all(secret not in str(value) for value in row.values())


@pytest.mark.django_db
def test_keys_of_one_operator_share_its_one_partner_account(cmcc, users):
    first, _ = api_key_create(operator=cmcc, name="a", actor=users["carrier_admin"])
    second, _ = api_key_create(operator=cmcc, name="b", actor=users["carrier_admin"])
    assert first.account == second.account == users["partner"]


@pytest.mark.django_db
def test_an_operator_without_a_partner_account_gets_one(cucc, users):
    from portal.accounts.roles import Role

    api_key, _ = api_key_create(operator=cucc, name="app", actor=users["carrier_admin_cucc"])
    assert api_key.account.role == Role.API_PARTNER
    assert api_key.account.operator == cucc
    assert not api_key.account.has_usable_password()


@pytest.mark.django_db
def test_a_wrong_network_is_refused(cmcc, users):
    with pytest.raises(PortalError) as refused:
        api_key_create(
            operator=cmcc, name="x", actor=users["carrier_admin"], allowed_networks=["10.0.0.0/33"]
        )
    assert refused.value.reasons == ["invalid_network"]
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_a_working_key_once(cmcc, api_client_for):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "apikey_create",
        "--operator",
        "cmcc",
        "--name",
        "ops",
        "--expires-days",
        "30",
        "--allow",
        "127.0.0.1",
        stdout=out,
        stderr=err,
    )
    plaintext = out.getvalue().strip()
    assert PUBLISHED_PATTERN.fullmatch(plaintext)
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.allowed_networks) == ("ops", ["127.0.0.1/32"])
    assert api_key.expires_at is not None
    assert api_key.public_id in err.getvalue()
    assert api_client_for(plaintext).get("/api/v1/api-key").status_code == 200


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_operator(cmcc):
    with pytest.raises(CommandError):
        call_command("apikey_create", "--operator", "NOPE", "--name", "x", stdout=io.StringIO())
