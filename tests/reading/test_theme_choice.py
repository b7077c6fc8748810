"""The light/dark/auto choice in the header: named in the reader's language, remembered by a script that runs
before the first paint, and absent without JavaScript, when the page follows the system's colour scheme."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import make_post, url_in
from tests.paths import ROOT

pytestmark = pytest.mark.django_db

SITE_CSS = (ROOT / "static" / "css" / "site.css").read_text()


class Head(HTMLParser):
    """The <html> element's attributes, the <head>'s scripts and stylesheets in order, and the scheme choice."""

    def __init__(self):
        super().__init__()
        self.html, self.head, self.choice, self.label = {}, [], [], None
        self._where = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html = attributes
        elif tag == "body":
            self._where = "body"
        elif self._where != "body" and (tag == "script" or attributes.get("rel") == "stylesheet"):
            self.head.append((tag, attributes.get("src") or attributes.get("href") or "inline"))
        if tag == "label" and attributes.get("for") == "theme-choice":
            self.label = ""
            self._where = "label"
        elif tag == "option" and self._where == "select":
            self.choice.append([attributes["value"], ""])
            self._where = "option"
        elif tag == "select" and attributes.get("id") == "theme-choice":
            self._where = "select"

    def handle_endtag(self, tag):
        if tag == "label" and self._where == "label" or tag == "option" and self._where == "option":
            self._where = "select" if tag == "option" else None
        elif tag == "select":
            self._where = None

    def handle_data(self, data):
        if self._where == "label":
            self.label += data
        elif self._where == "option":
            self.choice[-1][1] += data.strip()


def page_head(response):
    parser = Head()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize(
    ("language", "label", "names"),
    [
        ("en", "Colour scheme", ["Auto", "Light", "Dark"]),
        ("ja", "配色", ["自動", "ライト", "ダーク"]),
        ("zh-hans", "配色", ["自动", "浅色", "深色"]),
    ],
)
def test_every_page_offers_light_dark_and_automatic_in_its_language(client, language, label, names):
    post = make_post(language=language, title="Scheme", body="Text.")
    for address in (url_in(language, "blog:post-list"), post.get_absolute_url()):
        head = page_head(client.get(address))
        assert head.label == label, address
        assert head.choice == [list(pair) for pair in zip(["auto", "light", "dark"], names, strict=True)], address


def test_the_choice_is_applied_by_the_first_script_of_the_head_before_any_stylesheet(client):
    response = client.get(url_in("en", "blog:post-list"))
    head = page_head(response)
    assert head.head[0] == ("script", "inline")
    assert [kind for kind, _source in head.head].count("link") >= 2  # the stylesheets come after it
    # The site's own script files wait (defer), so the first paint waits only for the stylesheets and this.
    scripts = re.findall(r"<script src=\"[^\"]+\"( defer)?>", response.content.decode())
    assert scripts and all(scripts), "a parser-blocking script would delay the first paint"


def test_without_javascript_the_page_follows_the_system_and_shows_no_inert_choice(client):
    """The server sends no scheme: only the script sets data-theme, so without it the @media decides, and the
    select that could do nothing is not shown."""
    response = client.get(make_post(language="en", title="Readable", body="Every word.").get_absolute_url())
    assert "data-theme" not in page_head(response).html
    assert "Every word." in response.content.decode()
    assert re.search(r"\.theme-choice \{[^}]*display: none", SITE_CSS)
    assert re.search(r":root\[data-theme\] \.theme-choice \{[^}]*display: block", SITE_CSS)
    dark = SITE_CSS.index("@media (prefers-color-scheme: dark)")
    assert SITE_CSS.index("--background: #181a1b", dark) > dark
