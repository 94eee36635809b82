"""Every message id has its Simplified Chinese translation.

The strings are gathered afresh from the sources (``makemessages``, as ``make messages`` does,
on a copy of them), then merged with the committed ``zh_Hans`` catalogues: a string added to
a page or a module without its translation fails here, as does a translation left fuzzy (a
changed English source) or one that drops a placeholder.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ("portal", "registrations", "verification", "templates", "static")
IGNORED = ("static/vendor/*", "static/staticfiles/*", "*/migrations/*")
DOMAINS = ("django", "djangojs")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sd]|\{[a-z_0-9]*\}")


@pytest.fixture(scope="module")
def gathered(tmp_path_factory) -> dict[str, polib.POFile]:
    """The zh_Hans catalogues as ``make messages`` would leave them for today's sources."""
    work = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    target = work / "locale" / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    for domain in DOMAINS:
        shutil.copy(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po", target)
    here = os.getcwd()
    os.chdir(work)
    try:
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                domain=domain,
                ignore_patterns=list(IGNORED),
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return {domain: polib.pofile(str(target / f"{domain}.po")) for domain in DOMAINS}


def _label(entry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


def _translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_id_has_a_chinese_translation(gathered, domain):
    missing = [
        _label(entry)
        for entry in gathered[domain]
        if "fuzzy" in entry.flags or not all(text.strip() for text in _translations(entry))
    ]
    assert not missing, f"{len(missing)} without a translation: run make messages, then " + (
        "translate in locale/zh_Hans: " + "; ".join(missing[:20])
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_translations_keep_every_placeholder(gathered, domain):
    broken = [
        _label(entry)
        for entry in gathered[domain]
        for text in _translations(entry)
        if text
        and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(text))
        and not entry.msgid_plural
    ]
    assert not broken, "placeholders differ: " + "; ".join(broken[:20])


def test_the_committed_catalogue_is_the_gathered_one(gathered):
    """``make messages`` was run: nothing gathered is missing from the committed files."""
    for domain in DOMAINS:
        committed = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
        have = {(entry.msgctxt, entry.msgid) for entry in committed if not entry.obsolete}
        new = [e.msgid for e in gathered[domain] if (e.msgctxt, e.msgid) not in have]
        assert not new, f"{domain}: not in locale/zh_Hans yet (run make messages): {new[:10]}"


def test_the_catalogues_compile_cleanly():
    for domain in DOMAINS:
        po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], check=True)


def test_the_chinese_is_chinese(gathered):
    """A translation that is the English copied over reads as untranslated on the page."""
    latin_only = [
        _label(entry)
        for entry in gathered["django"]
        if entry.msgstr
        and not CHINESE.search(entry.msgstr)
        and re.search("[a-z]{3}", entry.msgid)
        and entry.msgstr == entry.msgid
        and " " in entry.msgid
    ]
    assert not latin_only, "the English kept as the translation: " + "; ".join(latin_only[:20])
