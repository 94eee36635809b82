"""Every page of the navigation, as each role, at 1366 px and at 390 px, in Chinese.

Each role signs in once (the second factor marked, ``tests.factories.sign_in``); its session
cookie goes to one browser context per width. On every page of the header's navigation, and
on one detail page or form per list, the test checks that:

- the page does not scroll sideways (``scrollWidth`` <= the viewport); a failure names the
  elements sticking out on the right, outside any box of their own that scrolls;
- no English is left on the Chinese page (see ``english_in``; codes in ``.mono`` and
  ``<code>`` are left out);
- axe-core (vendored in ``vendor/axe-core``) finds no violation of impact "serious" or
  "critical";

and saves a screenshot as ``test-artifacts/pages/<role>/<width>/<page>.png``. Problems are
collected over all the pages of a role and reported together, page by page.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import create_registration, ready_for_capture, sign_in, subscriber_details

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.chinese]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
ROLES = ["staff", "carrier_admin", "inspector", "inspector_gd", "ministry_admin"]

# --- Untranslated English -------------------------------------------------------------------

# Words that stay in Latin letters on a Chinese page: codes, units, formats, product names and
# the language switch's "English" (named in itself).
ALLOWED_WORDS = {
    "API", "CSV", "XLSX", "JSON", "ICCID", "MSISDN", "SIM", "ID", "IP", "URL", "HTTP", "HTTPS",
    "QR", "OTP", "TOTP", "MB", "KB", "UTC", "WebM", "MP", "MOV", "CMCC", "CUCC", "CTCC",
    "Webhook", "Webhooks", "webhook", "OpenAPI", "ReDoc", "Swagger", "Django", "English",
    "WebAuthn", "Passkey", "passkey", "HMAC", "SHA", "POST", "GET", "Bearer", "CIDR", "IPv",
}  # fmt: skip
# Interface words that give away an untranslated label even alone (compared in lower case).
INTERFACE_WORDS = {
    "status", "save", "cancel", "search", "filter", "submit", "next", "previous", "back",
    "edit", "delete", "remove", "yes", "no", "name", "date", "time", "actions", "action",
    "details", "review", "approved", "rejected", "draft", "page", "none", "all", "open",
    "closed", "add", "new", "export", "download", "help", "change", "view", "total", "today",
    "outlet", "outlets", "staff", "operator", "province", "reason", "reasons", "notes", "note",
    "created", "updated", "language", "registration", "registrations", "overview", "findings",
    "notices", "security", "audit", "score", "role", "menu", "unknown", "active", "inactive",
    "pending", "expired", "revoked", "severity", "deadline", "low", "medium", "high", "keys",
    "key", "description", "event", "events", "from", "to", "by", "who", "when", "what",
    "cancelled", "submitted", "verifying", "accepted", "issued", "answered", "enabled",
}  # fmt: skip
# Django's own strings its Chinese catalogue lacks (the admin index's hidden table headers):
# not the portal's to translate.
DJANGO_UNTRANSLATED = ["Model name", "Add link", "Change or view list link"]
# Removed before looking for words: e-mail addresses, web addresses, and any token with a
# digit, an underscore or a dot inside (codes, usernames, file names, numbers with units).
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b\w*[\d_]\w*\b|\b\w+\.\w+\b")
_ALLOWED = re.compile(r"\b(?:" + "|".join(sorted(ALLOWED_WORDS, key=len, reverse=True)) + r")\b")
# A run: Latin words joined only by spaces and light punctuation (a tab or a new line, between
# table cells or elements, ends it).
_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ ,.:;/&()“”\"!?–-]+[A-Za-z][A-Za-z'’]*)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def english_in(text: str) -> list[str]:
    """The runs of English left in ``text``, a Chinese page's visible text.

    Deliberately simple: after removing what may stay in Latin letters (``ALLOWED_WORDS``,
    e-mail and web addresses, tokens with a digit, an underscore or a dot), a run of Latin
    words is English if it has two or more words of three letters or more ("Save
    registration"), or if it is a single word of ``INTERFACE_WORDS`` ("Status"). A lone
    other word (a username such as "inspector", a name) passes.
    """
    for phrase in DJANGO_UNTRANSLATED:
        text = text.replace(phrase, "·")
    cleaned = _ALLOWED.sub("·", _NOT_WORDS.sub("·", text))
    found = []
    for run in _RUN.findall(cleaned):
        words = _WORD.findall(run)
        long_words = [word for word in words if len(word) >= 3]
        if len(long_words) >= 2 or (len(words) == 1 and words[0].lower() in INTERFACE_WORDS):
            found.append(run.strip())
    return sorted(set(found))


def test_the_english_detector_flags_labels_and_passes_codes():
    page = (
        "新登记\tStatus\nSave registration\nICCID 89860012345678901234\n"
        "staff_gd · 营业厅员工\nAPI 密钥\tCSV\nwang.fang@example.cn\ninspector\nEnglish"
    )
    assert english_in(page) == ["Save registration", "Status"]


# --- In the page ------------------------------------------------------------------------

# The elements sticking out on the right of the viewport, outside any box that scrolls or
# clips: the innermost ones (the cause) and the outermost (where it shows), widest first.
OVERFLOW_JS = """() => {
  const limit = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const past = [...document.body.querySelectorAll("*")].filter(
    (el) => el.getBoundingClientRect().right > limit + 0.5);
  // An absolute element escapes a scrolling ancestor that is not positioned: if none sticks
  // out unclipped, name every one that sticks out.
  const unclipped = past.filter((el) => !clipped(el));
  const out = unclipped.length ? unclipped : past;
  const describe = (el) => {
    const classes = [...el.classList].map((c) => "." + c).join("");
    const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const right = Math.round(el.getBoundingClientRect().right);
    const tag = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes;
    return `<${tag}> right=${right}px "${text}"`;
  };
  const byRight = (a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right;
  const inner = out.filter((el) => !out.some((other) => other !== el && el.contains(other)));
  const outer = out.filter((el) => !out.some((other) => other !== el && other.contains(el)));
  return {width, inner: inner.sort(byRight).slice(0, 3).map(describe),
          outer: outer.sort(byRight).slice(0, 2).map(describe)};
}"""

# The text shown or read out (visually hidden text included), one text node a line, but for
# codes (.mono, code: numbers, IDs, an audit event's raw changes); and the text announced
# without being shown (labels, placeholders, titles).
TEXT_JS = """() => [
  ...(() => {
    const codes = "code, kbd, samp, .mono, script, style, noscript, template";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !parent.closest(codes) && parent.checkVisibility()) texts.push(node.data);
    }
    return texts;
  })(),
  ...[...document.querySelectorAll("[aria-label], [placeholder], [title], img[alt]")].map(
    (el) => [el.getAttribute("aria-label"), el.getAttribute("placeholder"),
             el.getAttribute("title"), el.getAttribute("alt")].filter(Boolean).join("\\n")),
].join("\\n")"""

# Django's admin marks its breadcrumb links by colour only (its stylesheet, not the portal's).
AXE_JS = """async () => {
  const inAdmin = location.pathname.startsWith("/admin/");
  const rules = inAdmin ? {"link-in-text-block": {enabled: false}} : {};
  const result = await axe.run(document, {resultTypes: ["violations"], rules});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.nodes.length}×): ${v.help}; ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""


def problems_of(page, *, with_axe: bool = True) -> list[str]:
    problems = []
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        problems.append(
            f"scrolls sideways (scrollWidth {overflow['width']}px): "
            f"caused by {overflow['inner']}, in {overflow['outer']}"
        )
    english = english_in(page.evaluate(TEXT_JS))
    if english:
        problems.append(f"English on the Chinese page: {english}")
    if with_axe:
        problems.extend(f"axe: {violation}" for violation in page.evaluate(AXE_JS))
    return problems


# --- The pages --------------------------------------------------------------------------


def chinese_world(users, cmcc, cucc, outlet_gd, outlet_bj, outlet_cucc_gd, guangdong) -> dict:
    """Rows for a detail page of each list, with Chinese data (the detector would flag English
    names as untranslated); returns the extra pages of each role: {role: {name: path}}."""
    from portal.api.services import api_key_create
    from portal.api.webhooks import webhook_endpoint_create
    from portal.supervision.risk.base import Hit, Subject
    from portal.supervision.selectors.spot_checks import Population
    from portal.supervision.services.alerts import risk_alert_upsert
    from portal.supervision.services.notices import finding_record, notice_issue
    from portal.supervision.services.spot_checks import spot_check_create
    from registrations.models import Operator, Outlet
    from tests.factories import store_stand_in_portrait
    from tests.verification.engine.makers import CLIP_PORTRAIT

    Operator.objects.filter(pk=cmcc.pk).update(name="中国移动")
    Operator.objects.filter(pk=cucc.pk).update(name="中国联通")
    outlet_names = {outlet_gd: "天河营业厅", outlet_bj: "朝阳营业厅", outlet_cucc_gd: "越秀营业厅"}
    for outlet, name in outlet_names.items():
        Outlet.objects.filter(pk=outlet.pk).update(name=name, address="体育西路 1 号")

    staff, inspector = users["staff"], users["inspector"]

    def registration(status, name, outlet=outlet_gd, actor=staff):
        subscriber = subscriber_details(name=name)
        return create_registration(actor=actor, outlet=outlet, subscriber=subscriber, status=status)

    draft = registration("draft", "王芳")
    capture = ready_for_capture(registration("draft", "李娜"), staff, CLIP_PORTRAIT.read_bytes())
    approved = registration("approved", "张伟")
    registration("rejected", "刘洋")
    in_review = registration("review", "陈静")
    store_stand_in_portrait(in_review)

    finding = finding_record(
        actor=inspector, operator=cmcc, province=guangdong, severity="low",
        description="抽查发现两笔登记缺少人像比对记录。",
    )  # fmt: skip
    notice = notice_issue(
        actor=inspector, finding=finding, deadline=timezone.localdate() + timedelta(days=7),
        required_actions="补做人像比对并培训营业员。",
    )  # fmt: skip
    today = timezone.localdate()
    spot_check = spot_check_create(
        actor=inspector, name="广东抽查",
        population=Population(decided_from=today, decided_to=today, province=guangdong),
    )  # fmt: skip
    subject = Subject("outlet", outlet_gd.pk, cmcc.pk, outlet_gd.province_id)
    alert = risk_alert_upsert(hit=Hit("failure_rate", subject, 3.0, {}))[1]
    api_key_create(operator=cmcc, name="网上营业厅", actor=users["carrier_admin"])
    endpoint, _secret = webhook_endpoint_create(
        owner=users["partner"], operator=cmcc, url="https://8.8.8.8/hooks",
        events=["registration.decided"], description="登记结果通知",
    )  # fmt: skip

    supervision = {
        "registration-detail": f"/registrations/{approved.pk}/",
        "finding-detail": f"/supervision/findings/{finding.pk}/",
        "finding-new": "/supervision/findings/new/",
        "notice-detail": f"/supervision/notices/{notice.pk}/",
        "spot-check-detail": f"/supervision/spot-checks/{spot_check.pk}/",
        "spot-check-new": "/supervision/spot-checks/new/",
        "risk-detail": f"/supervision/risk/{alert.pk}/",
    }
    return {
        "staff": {
            "registration-detail": f"/registrations/{draft.pk}/",
            "portrait": f"/registrations/{draft.pk}/portrait/",
            "consent": f"/registrations/{draft.pk}/consent/",
            "capture": f"/registrations/{capture.pk}/capture/",
        },
        "carrier_admin": {
            "registration-detail": f"/registrations/{approved.pk}/",
            "review-case": f"/review/{in_review.pk}/",
            "outlet-detail": f"/operator/outlets/{outlet_gd.pk}/",
            "outlet-new": "/operator/outlets/new/",
            "staff-detail": f"/operator/staff/{staff.pk}/",
            "staff-new": "/operator/staff/new/",
            "api-key-new": "/operator/api-keys/new/",
            "webhook-detail": f"/operator/webhooks/{endpoint.pk}/",
            "ministry-notice-detail": f"/operator/notices/{notice.pk}/",
        },
        "inspector": supervision,
        "inspector_gd": supervision,
        "ministry_admin": {
            "registration-detail": f"/registrations/{approved.pk}/",
            "admin-registrations": "/admin/registrations/registration/",
        },
    }


def page_name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def signed_in_cookie(user, live_server) -> dict:
    """The session cookie of ``user`` signed in with the second factor checked; the
    authenticator app is named in Chinese (the security page lists it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)
    client = Client()
    sign_in(client, user)
    session = client.cookies["sessionid"]
    return {"name": "sessionid", "value": session.value, "url": live_server.url}


def walk(browser, live_server, cookie: dict, role: str, pages: dict | None) -> list[str]:
    """Every page at each width: its problems. ``pages`` None: the navigation's, found on
    the first page."""
    problems = []
    for width, viewport in WIDTHS.items():
        # bypass_csp: the portal's CSP (rightly) refuses the inline axe script the test adds
        # to every page (sent to the browser once, run at each page load).
        context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
        context.add_init_script(path=str(AXE))
        context.add_cookies([cookie])
        page = context.new_page()
        page.set_default_timeout(15_000)
        if pages is None:
            page.goto(f"{live_server.url}/registrations/")
            links = page.eval_on_selector_all(
                ".mainnav a", "links => links.map(link => link.getAttribute('href'))"
            )
            assert links, f"{role}: no navigation"
            pages = {page_name(path): path for path in links}
        folder = ARTIFACTS / role / str(width)
        folder.mkdir(parents=True, exist_ok=True)
        for number, (name, path) in enumerate(pages.items()):
            response = page.goto(f"{live_server.url}{path}")
            where = f"{role} {width}px {name} ({path})"
            if response is None or response.status >= 400:
                problems.append(f"{where}: HTTP {response and response.status}")
                continue
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            # axe on every page at 1366 px; at 390 px only what changes, the collapsed header
            # (on the first page): the rest of a page is the same markup (keeps it fast).
            with_axe = width == 1366 or number == 0
            problems.extend(f"{where}: {p}" for p in problems_of(page, with_axe=with_axe))
        context.close()
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_speaks_chinese_and_passes_axe(
    role, browser, live_server, users, cmcc, cucc, outlet_gd, outlet_bj, outlet_cucc_gd, guangdong
):
    extra_pages = chinese_world(users, cmcc, cucc, outlet_gd, outlet_bj, outlet_cucc_gd, guangdong)
    cookie = signed_in_cookie(users[role], live_server)
    context = browser.new_context(viewport=WIDTHS[1366], locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{live_server.url}/registrations/")
    links = page.eval_on_selector_all(
        ".mainnav a", "links => links.map(link => link.getAttribute('href'))"
    )
    context.close()
    assert links, f"{role}: no navigation"
    pages = {page_name(path): path for path in links} | extra_pages[role]
    problems = walk(browser, live_server, cookie, role, pages)
    assert not problems, "\n".join(problems)


def test_the_subscribers_pages_fit_a_phone_speak_chinese_and_pass_axe(
    browser, live_server, users, outlet_gd, outlet_cucc_gd, settings, tmp_path
):
    """The person's side: sign-in, their numbers, a dispute form, who looked at their data."""
    import re as regex

    from portal.lib.sms import sms_file_messages
    from portal.selfservice.services.sms import sms_drain
    from registrations.models import Operator, Outlet
    from verification.services import viewing_grant_open

    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms.jsonl")
    Operator.objects.filter(pk=outlet_gd.operator_id).update(name="中国移动")
    Outlet.objects.filter(pk=outlet_gd.pk).update(name="天河营业厅")
    person = subscriber_details(name="周晓梅")
    approved = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=person, msisdn="13800138321",
        status="approved",
    )  # fmt: skip
    viewing_grant_open(registration=approved, viewer=users["inspector"], reason="核查举报线索")
    client = Client()
    start = {"id_type": person.id_type, "id_number": person.id_number, "full_name": "周晓梅"}
    client.post("/me/", start)
    token = client.get("/me/number/").context["form"].fields["number"].choices[0][0]
    client.post("/me/number/", {"number": token})
    sms_drain()
    code = regex.search(r"\d{6}", sms_file_messages()[-1]["text"]).group(0)
    assert client.post("/me/code/", {"code": code}).status_code == 302
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value,
              "url": live_server.url}  # fmt: skip
    pages = {
        "me-start": "/me/",
        "me-numbers": "/me/numbers/",
        "me-dispute": f"/me/numbers/{approved.pk}/dispute/",
        "me-access": "/me/access/",
    }
    problems = walk(browser, live_server, cookie, "subscriber", pages)
    assert not problems, "\n".join(problems)
