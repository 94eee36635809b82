"""The interface language: Simplified Chinese by default, English as the second one.

A person picks it in the page header. Signed in, the choice is kept on their account (it
follows them to another browser); signed out, in the language cookie. Without either the
browser's ``Accept-Language`` decides, and failing that ``LANGUAGE_CODE`` (``zh-hans``).
"""

from django.conf import settings
from django.utils import translation

# Django's codes are lower case; HTML's ``lang`` is a BCP 47 tag with its script in title case.
_HTML_LANG = {"zh-hans": "zh-Hans"}


def is_supported(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def html_lang(code: str | None = None) -> str:
    """The ``lang`` attribute of a page in ``code`` (the active language by default)."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return _HTML_LANG.get(code, code)


def switch_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The languages a person can switch to from ``current``, each named in itself."""
    current = current or translation.get_language()
    return [(code, name) for code, name in settings.LANGUAGES if code != current]
