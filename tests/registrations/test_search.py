"""The registration list's search box: a mobile number, an ICCID or an ID number, recognised
and normalised, matched within the user's scope, audited with the term masked, and never in
a URL, a log line or the audit trail in clear."""

import json
import logging
import re
from datetime import date

import pytest

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from registrations import rules
from registrations.errors import RegistrationCode, RegistrationError
from registrations.models import Subscriber
from registrations.search import SearchKind, UnrecognisedTerm, search_term
from tests.factories import create_registration, sign_in, subscriber_details

SEARCH_URL = "/registrations/search/"
LIST_URL = "/registrations/"
BIRTH = date(1990, 1, 1)


def _sequence_with_check_x() -> int:
    """A sequence number whose resident ID (as ``subscriber_details`` builds it) ends in X."""
    return next(
        n
        for n in range(1000)
        if rules.make_resident_id(area_code="440103", birth_date=BIRTH, sequence=n).endswith("X")
    )


def _id_number(sequence: int) -> str:
    return rules.make_resident_id(area_code="440103", birth_date=BIRTH, sequence=sequence)


# --- Recognising the term ---------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 138 0013 8000",
        "86 13800138000",
        "１３８ ００１３ ８０００",  # full-width digits, as a Chinese input method types them
    ],
)
def test_it_recognises_a_mobile_number_however_it_is_typed(typed):
    term = search_term(typed)
    assert term.kind == SearchKind.MSISDN
    assert term.match == ("+8613800138000",)
    assert term.masked == "138****8000"


@pytest.mark.parametrize("typed", ["8986 0012 3456 7890 1234", "89860012345678901234"])
def test_it_recognises_an_iccid_with_or_without_spaces(typed):
    iccid = rules.make_iccid(body="8986001234567890123")
    typed = typed[:-1] + iccid[-1]  # the right check digit
    term = search_term(typed)
    assert term.kind == SearchKind.ICCID
    assert term.match == (iccid,)
    assert term.masked == "*" * 16 + iccid[-4:]


def test_it_recognises_an_id_number_by_its_blind_index_with_a_lower_case_x():
    number = _id_number(_sequence_with_check_x())
    typed = f"{number[:6]} {number[6:14]} {number[14:-1]}x"
    term = search_term(typed)
    assert term.kind == SearchKind.ID_NUMBER
    assert term.match == (Subscriber.id_number_index_for(number),)
    assert term.masked == number[:6] + "********" + number[-4:]
    # The term holds the number nowhere: only its index and its masked form.
    assert number not in json.dumps(term.as_dict())


def test_a_first_generation_id_number_also_finds_its_eighteen_character_successor():
    number = rules.make_resident_id(area_code="440103", birth_date=date(1975, 6, 1), sequence=12)
    old = number[:6] + number[8:17]  # no "19", no check character
    term = search_term(old)
    assert term.kind == SearchKind.ID_NUMBER
    assert Subscriber.id_number_index_for(number) in term.match
    assert Subscriber.id_number_index_for(old) in term.match


@pytest.mark.parametrize("typed", ["", "hello", "12345", "E12345678", "138001380001234567890123"])
def test_a_term_of_no_known_shape_is_unrecognised(typed):
    with pytest.raises(UnrecognisedTerm):
        search_term(typed)


def test_a_term_of_a_known_shape_that_cannot_exist_says_why():
    number = _id_number(7)
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(RegistrationError) as refused:
        search_term(wrong_check)
    assert refused.value.code == RegistrationCode.ID_CHECKSUM
    with pytest.raises(RegistrationError) as refused:
        search_term("12800138000")  # 12x is no mobile number range
    assert refused.value.code == RegistrationCode.INVALID_MSISDN


# --- Searching the list ---------------------------------------------------------------------


def _search(client, typed: str):
    return client.post(SEARCH_URL, {"term": typed})


def _results(client, response):
    assert response.status_code == 302, response.content[:500]
    return client.get(response["Location"])


def _listed(response) -> set[str]:
    return {str(registration.pk) for registration in response.context["page"]}


@pytest.fixture
def world(db, users, outlet_gd, outlet_bj):
    staff, staff_bj = users["staff"], users["staff_bj"]
    person = subscriber_details(number=_sequence_with_check_x())
    return {
        "person": person,
        "gd": create_registration(
            actor=staff, outlet=outlet_gd, subscriber=person, msisdn="13800138000"
        ),
        "gd_other": create_registration(actor=staff, outlet=outlet_gd),
        "bj": create_registration(actor=staff_bj, outlet=outlet_bj, subscriber=person),
    }


def test_a_search_by_mobile_number_finds_its_registrations(client, users, world):
    sign_in(client, users["carrier_admin"])
    page = _results(client, _search(client, "+86 138-0013-8000"))
    assert page.status_code == 200
    assert _listed(page) == {str(world["gd"].pk)}
    assert "138****8000" in page.content.decode()


def test_a_search_by_iccid_finds_its_registration(client, users, world):
    sign_in(client, users["carrier_admin"])
    iccid = world["bj"].iccid
    spaced = " ".join(iccid[i : i + 4] for i in range(0, len(iccid), 4))
    assert _listed(_results(client, _search(client, spaced))) == {str(world["bj"].pk)}


def test_a_search_by_id_number_finds_every_registration_of_the_person(client, users, world):
    sign_in(client, users["carrier_admin"])
    number = world["person"].id_number
    typed = number[:-1].lower() + "x"
    page = _results(client, _search(client, typed))
    assert _listed(page) == {str(world["gd"].pk), str(world["bj"].pk)}


def test_registrations_out_of_scope_are_not_found(client, users, world):
    number = world["person"].id_number
    # The Guangdong outlet's staff: the person's Beijing registration is not theirs to see.
    sign_in(client, users["staff"])
    assert _listed(_results(client, _search(client, number))) == {str(world["gd"].pk)}
    # Guangdong's inspector: nor is it theirs; another operator's admin sees neither.
    sign_in(client, users["inspector_gd"])
    assert _listed(_results(client, _search(client, number))) == {str(world["gd"].pk)}
    assert _listed(_results(client, _search(client, world["bj"].iccid))) == set()
    sign_in(client, users["carrier_admin_cucc"])
    assert _listed(_results(client, _search(client, number))) == set()


def test_each_search_is_audited_once_with_the_term_masked(client, users, world):
    sign_in(client, users["inspector_gd"])
    page = _results(client, _search(client, "138 0013 8000"))
    client.get(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"] + "&page=1")
    events = AuditEvent.objects.filter(action=Action.REGISTRATIONS_SEARCHED)
    assert events.count() == 1  # the search, not each page of its results
    event = events.get()
    assert event.actor_label == "inspector_gd"
    assert event.changes["kind"] == [None, "msisdn"]
    assert event.changes["term"] == [None, "138****8000"]
    assert event.changes["found"] == [None, 1]


def test_an_unrecognised_term_is_refused_with_a_message_and_not_audited(client, users, world):
    sign_in(client, users["staff"])
    response = _search(client, "Wang Fang")
    assert response.status_code == 400
    assert "is not a number the list can search for" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.REGISTRATIONS_SEARCHED).exists()
    empty = _search(client, "")
    assert empty.status_code == 400
    assert "Enter a number to search for." in empty.content.decode()


def test_the_filters_and_pages_keep_the_search(client, users, world):
    sign_in(client, users["carrier_admin"])
    page = _results(client, _search(client, world["person"].id_number))
    search_id = re.search(r"search=([\w-]+)", page.request["QUERY_STRING"]).group(1)
    html = page.content.decode()
    assert f'name="search" value="{search_id}"' in html  # the filter form carries it
    filtered = client.get(LIST_URL, {"search": search_id, "status": "draft"})
    assert _listed(filtered) == {str(world["gd"].pk), str(world["bj"].pk)}
    filtered = client.get(LIST_URL, {"search": search_id, "outlet": world["bj"].outlet_id})
    assert _listed(filtered) == {str(world["bj"].pk)}


def test_a_search_id_of_another_session_finds_nothing_and_says_so(client, users, world):
    sign_in(client, users["carrier_admin"])
    page = _results(client, _search(client, "13800138000"))
    location = page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"]
    client.logout()
    sign_in(client, users["carrier_admin"])  # a new session
    response = client.get(location)
    assert response.status_code == 200
    assert "This search is no longer kept" in response.content.decode()
    assert response.context["search"] is None
    # The unfiltered list, as for any filter value it cannot use.
    assert str(world["gd_other"].pk) in _listed(response)


def test_a_get_of_the_search_address_leads_back_to_the_list(client, users, world):
    sign_in(client, users["staff"])
    response = client.get(SEARCH_URL, {"term": "13800138000", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?page=2"


def test_the_id_number_is_never_in_a_url_a_log_line_or_an_audit_event(client, users, world, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    number = world["person"].id_number
    forms_of_it = {number, number.lower(), number[:17], number[6:14] + number[14:17]}
    sign_in(client, users["carrier_admin"])
    before = AuditEvent.objects.count()

    response = _search(client, f"{number[:6]} {number[6:14]} {number[14:-1]}x")
    urls = [response["Location"]]
    page = client.get(response["Location"])
    html = page.content.decode()
    urls += re.findall(r'(?:href|action|src)="([^"]*)"', html)
    refused = _search(client, number[:17] + "0" if number[17] != "0" else number[:17] + "1")

    for url in urls:
        assert not any(form in url for form in forms_of_it), url
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(form in logged for form in forms_of_it)
    events = AuditEvent.objects.order_by("sequence")[before:]
    assert events
    for event in events:
        text = json.dumps(
            {field.name: str(getattr(event, field.name)) for field in event._meta.fields}
        )
        assert not any(form in text for form in forms_of_it)
    # Nor does the session keep it: the search is kept as the number's blind index.
    assert number not in json.dumps(dict(client.session.items()), default=str)
    # The results show it masked, as every page does.
    assert number[:6] + "********" + number[-4:] in html
    assert number not in html
    assert refused.status_code == 400
