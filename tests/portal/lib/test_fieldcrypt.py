"""portal.lib.fieldcrypt: sealed values that open only with their key and column."""

import base64
import os

import pytest

from portal.lib.fieldcrypt import FieldDecryptionError, blind_index, decrypt, encrypt


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def keys(settings):
    settings.SUBSCRIBER_DATA_KEYS = [new_key()]
    settings.SUBSCRIBER_INDEX_KEY = "index-key-for-tests"
    return settings


def test_it_opens_what_it_sealed_and_never_seals_twice_alike():
    first = encrypt("王小明", context="name")
    second = encrypt("王小明", context="name")
    assert first != second  # a fresh nonce each time: equal names do not show
    assert "王小明" not in first
    assert decrypt(first, context="name") == decrypt(second, context="name") == "王小明"


def test_it_refuses_another_column_a_tampered_value_or_plain_text():
    sealed = encrypt("440103199001010011", context="id_number")
    with pytest.raises(FieldDecryptionError):
        decrypt(sealed, context="name")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(FieldDecryptionError):
        decrypt(flipped, context="id_number")
    with pytest.raises(FieldDecryptionError):
        decrypt("440103199001010011", context="id_number")


def test_older_keys_open_older_values(keys):
    old = encrypt("Wang Fang", context="name")
    keys.SUBSCRIBER_DATA_KEYS = [new_key(), *keys.SUBSCRIBER_DATA_KEYS]
    assert decrypt(old, context="name") == "Wang Fang"
    keys.SUBSCRIBER_DATA_KEYS = keys.SUBSCRIBER_DATA_KEYS[:1]
    with pytest.raises(FieldDecryptionError):
        decrypt(old, context="name")


def test_the_blind_index_is_keyed_normalised_and_per_purpose(keys):
    index = blind_index("44010319900101001x", purpose="id")
    assert index == blind_index(" 44010319900101001X ", purpose="id")
    assert len(index) == 64 and "440103" not in index
    assert index != blind_index("44010319900101001X", purpose="other column")
    keys.SUBSCRIBER_INDEX_KEY = "another key"
    assert index != blind_index("44010319900101001X", purpose="id")
