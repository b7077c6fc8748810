"""Hostile input for tests: the XSS payload corpus, and a checker that reads HTML the way a browser does.

The payloads are ../shared/xss (public corpora and Markdown attack shapes), loaded at test time and never
copied into the repo, plus Bunko-specific shapes in tests/data/xss_extra.jsonl.
"""

import json
import re
from html.parser import HTMLParser

from django.conf import settings

from tests.paths import DATA, SHARED

XSS = SHARED / "xss"
EXTRA = DATA / "xss_extra.jsonl"


def _jsonl(path):
    # split("\n"), not splitlines(): payloads may hold U+2028, which splitlines() treats as a line end.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


PAYLOADS = list(
    dict.fromkeys(
        [case["payload"] for case in _jsonl(XSS / "payloads.jsonl")]
        + [case["markdown"] for case in _jsonl(XSS / "local_cases.jsonl") if case["expect"] == "attack"]
        + [case["payload"] for case in _jsonl(EXTRA)]
    )
)

# What counts as dangerous, read as a browser's tokenizer reads it.

PLAYER = re.compile(r"^https://(?:www\.youtube-nocookie\.com/embed/|player\.vimeo\.com/video/)[\w-]+(?:\?[^\"'<>]*)?$")
SAFE_DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|webp);base64,")
SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|livescript|data):")
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster", "background", "cite",
    "data-embed-src", "ping", "lowsrc", "dynsrc",
}  # fmt: skip
NEVER = {"object", "embed", "base", "applet", "frame", "frameset", "noscript", "template", "plaintext", "xmp",
         "isindex", "portal"}  # fmt: skip
HEAD_ONLY = {"meta", "link", "style", "title"}
# Browsers read these elements' content as text, never as tags; html.parser must be told so.
RAW_TEXT = {"iframe", "noembed", "noframes", "xmp", "textarea", "title", "style", "script"}
INVISIBLE = RAW_TEXT - {"textarea"}
# The forms the site's own templates and the admin print (by class or id); any other form was injected.
OWN_FORMS = {"site-search", "search-form", "changelist-search", "changelist-form", "logout-form", "subscribe-short"}
OWN_SCRIPT_PREFIXES = ("/" + settings.STATIC_URL.strip("/") + "/", "/admin/jsi18n/")


def _browser_url(value):
    """A URL attribute as a browser resolves its scheme: outer controls and spaces trimmed, tabs and newlines gone."""
    return re.sub(r"[\t\n\r]", "", (value or "").strip("".join(map(chr, range(0x21))))).lower()


class _Scan(HTMLParser):
    """Records every dangerous element or attribute in a page (or, with fragment=True, in an HTML fragment)."""

    def __init__(self, fragment):
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.in_body = fragment
        self.found, self.text = [], []
        self.script = None  # [attributes, content] of the script element being read
        self.invisible = False

    def flag(self, what):
        self.found.append(what)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.in_body = True
        if tag in NEVER:
            self.flag(f"<{tag}>")
        if tag in HEAD_ONLY and self.in_body:
            self.flag(f"<{tag}> in the body")
        if tag == "meta" and attributes.get("http-equiv") is not None:
            self.flag(f"<meta http-equiv={attributes['http-equiv']}>")
        # An iframe without src or srcdoc loads nothing (about:blank); any other must be an allowed player.
        if tag == "iframe" and attributes.get("src") is not None and not PLAYER.match(attributes["src"]):
            self.flag(f"<iframe src={attributes['src']!r}>")
        if tag == "form":
            self._check_form(attributes)
        for name, value in attrs:
            self._check_attribute(tag, name, value)
        if tag == "script":
            self.script = [attributes, []]
        if tag in RAW_TEXT:
            self.set_cdata_mode(tag)
            self.invisible = tag in INVISIBLE

    def handle_endtag(self, tag):
        if tag in RAW_TEXT:
            self.invisible = False
        if tag == "script" and self.script is not None:
            self._check_script(*self.script)
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script[1].append(data)
        elif not self.invisible:
            self.text.append(data)

    def _check_attribute(self, tag, name, value):
        value = value or ""
        if name.startswith("on"):
            self.flag(f"<{tag} {name}>")
        elif name in ("srcdoc", "formaction") or (name == "href" and tag not in ("a", "link", "area")):
            self.flag(f"<{tag} {name}={value!r}>")
        elif name == "style" and re.search(r"expression|javascript:|url\(|behavior|binding", value, re.I):
            self.flag(f"<{tag} style={value!r}>")
        elif name == "data-embed-src" and not PLAYER.match(value):
            self.flag(f"<{tag} data-embed-src={value!r}>")
        if name in URL_ATTRIBUTES:
            candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            for url in map(_browser_url, candidates):
                if SCRIPT_URL.match(url) and not (tag == "img" and name == "src" and SAFE_DATA_IMAGE.match(url)):
                    self.flag(f"<{tag} {name}={value!r}>")

    def _check_form(self, attributes):
        names = {attributes.get("id"), *(attributes.get("class") or "").split()}
        action = attributes.get("action")
        own_action = action is None or (action.startswith("/") and not action.startswith("//"))
        if self.fragment or not names & OWN_FORMS or not own_action:
            self.flag(f"<form {attributes}>")

    def _check_script(self, attributes, parts):
        content = "".join(parts)
        kind = (attributes.get("type") or "").lower()
        if self.fragment:
            self.flag("<script> in a fragment")
        elif kind in ("application/ld+json", "application/json"):
            if re.search(r"</script|<!--", content, re.I):
                self.flag("script data that can close its element")
            try:
                json.loads(content)
            except ValueError:
                self.flag(f"<script type={kind}> that is not JSON: {content[:80]!r}")
        elif not attributes and content == settings.BUNKO_THEME_SCRIPT:
            pass  # the colour scheme's, in every page's head: the one inline script the CSP allows (by its hash)
        elif not (attributes.get("src") or "").startswith(OWN_SCRIPT_PREFIXES) or content.strip():
            self.flag(f"<script {attributes}>{content[:80]}")


def scan(html, *, fragment=False):
    """(dangers, visible text) of a page, or of an HTML fragment that must hold no script or form at all."""
    scanner = _Scan(fragment)
    scanner.feed(html)
    scanner.close()
    return scanner.found, "".join(scanner.text)
