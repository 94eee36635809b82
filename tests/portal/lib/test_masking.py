"""Personal data is shown masked, the same way everywhere."""

from portal.lib.masking import (
    mask_completely,
    mask_email,
    mask_iccid,
    mask_id_number,
    mask_msisdn,
    mask_name,
)


def test_it_keeps_a_resident_ids_area_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_it_keeps_two_characters_at_each_end_of_other_documents_and_hides_short_ones():
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("E1234") == "*****"
    assert mask_id_number("") == ""


def test_it_keeps_the_first_character_of_a_name_and_hides_its_length():
    assert mask_name("王芳") == "王**"
    assert mask_name("Wang Fang") == "W**"
    assert mask_name("王") == "王**"  # one character still shows that something was hidden
    assert mask_name("欧阳娜娜") == "欧**"
    assert mask_name("") == ""


def test_it_keeps_an_emails_first_character_and_domain_with_fixed_stars():
    assert mask_email("wang.fang@example.cn") == "w*****@example.cn"
    assert mask_email("w@example.cn") == "w*****@example.cn"
    assert mask_email("a@b@example.cn") == "a*****@example.cn"
    assert mask_email("@example.cn") == "*****@example.cn"
    assert mask_email("not-an-email") == "n*****"
    assert mask_email("") == ""


def test_it_keeps_a_numbers_prefix_and_last_four():
    assert mask_msisdn("+8613800138000") == "+86138****8000"
    assert mask_msisdn("1234") == "****"
    assert mask_iccid("89860012345678901234") == "*" * 16 + "1234"
    assert mask_completely("1990-01-01") == "********"
