"""A timeline names statuses in words, in the reader's language, not by their stored values."""

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.audit.labels import status_label
from portal.audit.models import AuditEvent

TIMELINE_EVENT = Template(
    "{% load audit_labels %}{% event_status event 0 %}→{% event_status event 1 %}"
)


def event(object_type, before, after):
    return AuditEvent(object_type=object_type, changes={"status": [before, after]})


@pytest.mark.parametrize(
    ("object_type", "value", "english", "chinese"),
    [
        ("registration", "approved", "Approved", "已通过"),
        ("registration", "verifying", "Verifying", "核验中"),
        ("notice", "issued", "Issued", "已下发"),
    ],
)
def test_each_app_s_statuses_are_named_in_the_active_language(object_type, value, english, chinese):
    with translation.override("en"):
        assert status_label(object_type, value) == english
    with translation.override("zh-hans"):
        assert status_label(object_type, value) == chinese


def test_an_unknown_value_or_type_is_shown_as_it_is():
    assert status_label("registration", "no-such-status") == "no-such-status"
    assert status_label("no-such-type", "approved") == "approved"
    assert status_label("registration", None) == ""


def test_the_timeline_event_shows_both_sides_in_words():
    with translation.override("zh-hans"):
        text = TIMELINE_EVENT.render(
            Context({"event": event("registration", "draft", "submitted")})
        )
    assert text == "草稿→已提交"
