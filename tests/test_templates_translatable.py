"""Every string a user can see in a template is marked for translation.

The check reads the template source: it stands a placeholder in for translated segments and
template output, drops the other template tags, comments, scripts and styles, and then looks
for letters (any script, Chinese too) in the text between tags and in the visible attributes.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAMES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))

PLACEHOLDER = "_"  # not a letter: stands for marked text and template output
NOT_SHOWN = re.compile(
    r"{#.*?#}|{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}|<(script|style)\b.*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
MARKED_OR_OUTPUT = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%\s*trans(?:late)?\s.*?%}"
    r"|{{.*?}}",
    re.DOTALL,
)
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        visible = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and (attrs.get("type") or "").lower() in {"submit", "button"}:
            visible.add("value")
        self.found += [value for name, value in attrs.items() if name in visible and value]

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.found.append(data)


def unmarked_strings(source: str) -> list[str]:
    """The visible texts in a template's source that contain a letter outside a translation tag."""
    source = NOT_SHOWN.sub("", source)
    source = MARKED_OR_OUTPUT.sub(PLACEHOLDER, source)
    source = TEMPLATE_TAG.sub("", source)
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    return [text.strip() for text in parser.found if any(char.isalpha() for char in text)]


UNMARKED = {  # snippet: the texts the checker must report
    "<p>Hello</p>": ["Hello"],
    "<p>你好</p>": ["你好"],
    "<p>{% if x %}Hello {{ name }}{% endif %}</p>": ["Hello _"],
    '<img src="a.png" alt="A photo"><input title="Hint">': ["A photo", "Hint"],
    '<nav aria-label="Main"></nav><input type="submit" value="Send">': ["Main", "Send"],
}
MARKED = [  # snippets with nothing to report
    '<p>{% translate "Hello" %}</p>',
    "<p>{% blocktranslate trimmed %}\n Hi {{ name }}\n{% endblocktranslate %}</p>",
    '{% translate "Main" as label %}<nav aria-label="{{ label }}"></nav>',
    '<input type="hidden" name="next" value="home"><a class="button" href="/x">·</a>',
    "<p>{{ count }} · {% if x %}—{% endif %}</p>{# a note #}<!-- a comment -->",
    '<script>alert("Hi")</script><style>p::after { content: "Hi" }</style>',
]


def test_the_checker_catches_unmarked_text_and_accepts_marked_text():
    assert TEMPLATE_NAMES, "no template found: the check below would pass vacuously"
    assert {snippet: unmarked_strings(snippet) for snippet in UNMARKED} == UNMARKED
    assert {snippet: unmarked_strings(snippet) for snippet in MARKED} == dict.fromkeys(MARKED, [])


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_it_marks_every_visible_string_for_translation(template):
    unmarked = unmarked_strings((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not unmarked, f"{template} shows text not marked for translation: {unmarked}"
