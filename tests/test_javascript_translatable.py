"""Every text the capture page's script shows goes through Django's JavaScript catalog.

The check reads ``static/js/capture.js``: a small lexer finds its string literals (it skips
comments and regular expressions, and reads the code inside a template literal's ``${...}``),
keeps those that look like prose, and fails, naming the line, on any that is not the text of
a ``gettext(...)`` or ``ngettext(...)`` call (``interpolate(gettext(...), ...)`` included).
Codes, ids, CSS classes, URLs and event names are single lower-case words: the heuristic
leaves them alone. A marked text must be a plain quoted literal: the catalog holds fixed
texts, so a template literal (with its ``${...}``) could never be translated.

No database: the page's template is read as text and the URL only reversed.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "static" / "js" / "capture.js"
PAGE = ROOT / "templates" / "verification" / "capture.html"

MARKING_FUNCTIONS = {"gettext", "ngettext"}
PLACEHOLDER = "_"  # not a letter: stands for a template literal's ${...}

# Literals the prose heuristic takes for text, but that nobody reads; each says why.
NOT_PROSE = {
    "use strict": "a directive to the JavaScript engine",
    "POST": "an HTTP method, sent to the server",
    "X-CSRFToken": "an HTTP header name, sent to the server",
}

KEYWORDS_BEFORE_AN_EXPRESSION = {
    "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw",
    "yield", "await", "instanceof",
}  # fmt: skip
ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
NAME = re.compile(r"[\w$]+")


@dataclass
class Token:
    kind: str  # "string", "template", "name" or "op"
    text: str
    line: int
    pieces: list[str] = field(default_factory=list)  # a template literal's parts, as read


class _Lexer:
    """Just enough of JavaScript's lexical grammar to tell strings from everything else."""

    def __init__(self, source: str):
        self.source = source
        self.i = 0
        self.tokens: list[Token] = []

    def line(self, index: int) -> int:
        return self.source.count("\n", 0, index) + 1

    def code(self, *, in_template: bool = False) -> None:
        """Read code up to the end (or, inside ``${``, up to its closing brace)."""
        source, depth = self.source, 0
        while self.i < len(source):
            char = source[self.i]
            if char.isspace():
                self.i += 1
            elif source.startswith("//", self.i):
                end = source.find("\n", self.i)
                self.i = len(source) if end < 0 else end
            elif source.startswith("/*", self.i):
                end = source.find("*/", self.i + 2)
                self.i = len(source) if end < 0 else end + 2
            elif char in "\"'":
                self.quoted(char)
            elif char == "`":
                self.template()
            elif char == "/" and self.regex_may_start():
                self.regex()
            elif NAME.match(char):
                word = NAME.match(source, self.i).group()
                self.tokens.append(Token("name", word, self.line(self.i)))
                self.i += len(word)
            else:
                if in_template and char == "}" and depth == 0:
                    self.i += 1
                    return
                depth += {"{": 1, "}": -1}.get(char, 0)
                self.tokens.append(Token("op", char, self.line(self.i)))
                self.i += 1

    def regex_may_start(self) -> bool:
        """A slash starts a regular expression where a value is expected, else it divides."""
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind == "op":
            return last.text not in ")]}"
        return last.kind == "name" and last.text in KEYWORDS_BEFORE_AN_EXPRESSION

    def regex(self) -> None:
        source, self.i, in_class = self.source, self.i + 1, False
        while self.i < len(source) and (in_class or source[self.i] != "/"):
            if source[self.i] == "\\":
                self.i += 1
            elif source[self.i] in "[]":
                in_class = source[self.i] == "["
            self.i += 1
        self.i += 1
        while self.i < len(source) and source[self.i].isalpha():  # the flags
            self.i += 1

    def quoted(self, quote: str) -> None:
        source, start, text = self.source, self.i, []
        self.i += 1
        while self.i < len(source) and source[self.i] != quote:
            if source[self.i] == "\\":
                self.i += 1
                text.append(ESCAPES.get(source[self.i], source[self.i]))
            else:
                text.append(source[self.i])
            self.i += 1
        self.i += 1
        self.tokens.append(Token("string", "".join(text), self.line(start)))

    def template(self) -> None:
        source, token = self.source, Token("template", "", self.line(self.i))
        self.tokens.append(token)  # before the tokens of its ${...}: it comes first
        self.i += 1
        while self.i < len(source) and source[self.i] != "`":
            if source.startswith("${", self.i):
                token.pieces.append(PLACEHOLDER)
                self.i += 2
                self.code(in_template=True)
            elif source[self.i] == "\\":
                token.pieces.append(ESCAPES.get(source[self.i + 1], source[self.i + 1]))
                self.i += 2
            else:
                token.pieces.append(source[self.i])
                self.i += 1
        self.i += 1
        token.text = "".join(token.pieces)


def tokenize(source: str) -> list[Token]:
    lexer = _Lexer(source)
    lexer.code()
    return lexer.tokens


def looks_like_prose(text: str) -> bool:
    """Two words with letters in them, or a capitalised word: "Blink", "Recording done.",
    "OK". Not codes, ids, classes, URLs, MIME types or event names ("turn_left",
    "capture-outcome", "video/webm;codecs=vp8", "click")."""
    words = [word for word in text.split() if any(char.isalpha() for char in word)]
    if len(words) >= 2:
        return True
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and text[:1].isupper()


def is_marked(tokens: list[Token], index: int) -> bool:
    """The literal at ``index`` is gettext's or ngettext's text (ngettext's plural too)."""

    def at(offset: int, kind: str, texts=None) -> bool:
        position = index - offset
        if position < 0 or tokens[position].kind != kind:
            return False
        return texts is None or tokens[position].text in texts

    first = at(1, "op", {"("}) and at(2, "name", MARKING_FUNCTIONS)
    plural = (
        at(1, "op", {","})
        and at(2, "string")
        and at(3, "op", {"("})
        and at(4, "name", {"ngettext"})
    )
    return first or plural


HOW = 'use interpolate(gettext("... %(name)s ..."), {name: value}, true)'


def problems(source: str) -> list[str]:
    """Each prose literal not marked for translation, and each marked template literal."""
    tokens = tokenize(source)
    found = []
    for index, token in enumerate(tokens):
        if token.kind not in {"string", "template"}:
            continue
        marked = is_marked(tokens, index)
        if marked and token.kind == "template":
            found.append(f"line {token.line}: a template literal cannot be translated, {HOW}")
        elif not marked and looks_like_prose(token.text) and token.text not in NOT_PROSE:
            found.append(f"line {token.line}: not marked for translation: {token.text!r}")
    return found


UNMARKED = {  # snippet: what the checker must report
    'el.action.textContent = "Recording done.";': [
        "line 1: not marked for translation: 'Recording done.'"
    ],
    "const words = {\n  blink: 'Blink',\n};": ["line 2: not marked for translation: 'Blink'"],
    "x.textContent = `${n} attempts left.`;": [
        "line 1: not marked for translation: '_ attempts left.'"
    ],
    'f(/"/g, "OK")': ["line 1: not marked for translation: 'OK'"],  # a quote in a regex
    'n = total / 2; label = "Hi there"; m = n / 4;': [  # divisions, not a regex
        "line 1: not marked for translation: 'Hi there'"
    ],
    "t = gettext(`Upload within ${s} s.`);": [
        f"line 1: a template literal cannot be translated, {HOW}"
    ],
}
MARKED = [  # snippets with nothing to report
    'el.action.textContent = gettext("Recording done.");',
    'interpolate(gettext("Registration status: %(status)s."), { status }, true)',
    'ngettext("%(count)s attempt left.", "%(count)s attempts left.", n)',
    'ngettext(\n  // Translators: a note\n  "One s.",\n  "Two s.",\n  n,\n)',
    'byId("capture-alert"); item.classList.toggle("current"); fetch(url, { method: "POST" });',
    "x.className = `capture-outcome ${summary.outcome}`; // Not shown. /* Nor this. */",
    'x = 1; // say "Hi there"\n/* or "Hello you" */ y = 2;',
    'const types = ["video/webm;codecs=vp8", "video/webm"]; s.replace(/_/g, " ");',
]


def test_the_checker_reports_unmarked_prose_and_accepts_marked_text():
    assert {snippet: problems(snippet) for snippet in UNMARKED} == UNMARKED
    assert {snippet: problems(snippet) for snippet in MARKED} == dict.fromkeys(MARKED, [])


def test_the_capture_script_marks_every_visible_string_for_translation():
    source = SCRIPT.read_text(encoding="utf-8")
    tokens = tokenize(source)
    marked = [i for i, token in enumerate(tokens) if is_marked(tokens, i)]
    assert len(marked) >= 30, "hardly any marked text: has the script or the lexer changed?"
    found = problems(source)
    assert not found, f"{SCRIPT.relative_to(ROOT)}:\n" + "\n".join(found)


def test_every_exception_is_still_in_the_script():
    literals = {token.text for token in tokenize(SCRIPT.read_text(encoding="utf-8"))}
    assert set(NOT_PROSE) <= literals, f"stale exceptions: {set(NOT_PROSE) - literals}"


def test_the_page_loads_the_catalog_from_the_portal_before_the_script():
    assert reverse("javascript-catalog") == "/jsi18n/"
    page = PAGE.read_text(encoding="utf-8")
    catalog = page.find("<script src=\"{% url 'javascript-catalog' %}\"")
    script = page.find("<script src=\"{% static 'js/capture.js' %}\"")
    assert 0 <= catalog < script, "the catalog must be loaded, and before capture.js"
    assert page.count("<script") == 2, "no other script, and none inline"
