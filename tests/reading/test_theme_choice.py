"""The light/dark/auto choice in the header: named in the reader's language, remembered by a script that runs
before the first paint, and absent without JavaScript, when the page follows the system's colour scheme. Each
colour is written once, a light-dark() pair the scheme picks from (tests/browser/test_colour_scheme.py shows the
choice in a browser)."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import make_post, url_in
from tests.stylesheets import (
    CHOSEN_DARK,
    DARK_QUERY,
    LIGHT_DARK,
    SYSTEM_DARK,
    declarations,
    media_blocks,
    scoped,
    stylesheet,
)

SITE_CSS = stylesheet("site.css")
PALETTE = {"--text", "--muted", "--background", "--surface", "--border", "--link", "--link-visited", "--accent",
           "--mark", "--focus"}  # fmt: skip
# A colour in a value: a hex code, a colour function, or a custom property (the palette's, or one standing for it).
COLOUR_VALUE = re.compile(
    r"#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|(?:ok)?lab|(?:ok)?lch|color|color-mix|light-dark)\(|var\(--", re.I
)


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
@pytest.mark.django_db
def test_every_page_offers_light_dark_and_automatic_in_its_language(client, language, label, names):
    post = make_post(language=language, title="Scheme", body="Text.")
    for address in (url_in(language, "blog:post-list"), post.get_absolute_url()):
        head = page_head(client.get(address))
        assert head.label == label, address
        assert head.choice == [list(pair) for pair in zip(["auto", "light", "dark"], names, strict=True)], address


@pytest.mark.django_db
def test_the_choice_is_applied_by_the_first_script_of_the_head_before_any_stylesheet(client):
    response = client.get(url_in("en", "blog:post-list"))
    head = page_head(response)
    assert head.head[0] == ("script", "inline")
    assert [kind for kind, _source in head.head].count("link") >= 2  # the stylesheets come after it
    # The site's own script files wait (defer), so the first paint waits only for the stylesheets and this.
    scripts = re.findall(r"<script src=\"[^\"]+\"( defer)?>", response.content.decode())
    assert scripts and all(scripts), "a parser-blocking script would delay the first paint"


@pytest.mark.django_db
def test_without_javascript_the_page_follows_the_system_and_shows_no_inert_choice(client):
    """The server sends no scheme: only the script sets data-theme, so without it :root's `color-scheme: light dark`
    lets the system pick each colour's half, and the select that could do nothing is not shown."""
    response = client.get(make_post(language="en", title="Readable", body="Every word.").get_absolute_url())
    assert "data-theme" not in page_head(response).html
    assert "Every word." in response.content.decode()
    assert re.search(r"\.theme-choice \{[^}]*display: none", SITE_CSS)
    assert re.search(r":root\[data-theme\] \.theme-choice \{[^}]*display: block", SITE_CSS)
    assert declarations(media_blocks(SITE_CSS)[0])[":root"]["color-scheme"] == "light dark"


def test_the_reader_chooses_the_scheme_every_colour_follows():
    """Light and dark fix :root's colour scheme, which every light-dark() pair follows; "auto" leaves the system's."""
    rules = declarations(media_blocks(SITE_CSS)[0])
    assert rules[':root[data-theme="light"]'] == {"color-scheme": "light"}
    assert rules[':root[data-theme="dark"]'] == {"color-scheme": "dark"}
    assert not [selector for selector in rules if 'data-theme="auto"' in selector]


def test_every_palette_colour_is_one_light_dark_pair():
    """Each of the page's colours is written once, both halves side by side, so the schemes cannot drift apart."""
    root = declarations(media_blocks(SITE_CSS)[0])[":root"]
    colours = {name: value for name, value in root.items() if name.startswith("--") and COLOUR_VALUE.search(value)}
    assert set(colours) == PALETTE
    unpaired = {
        name: value
        for name, value in colours.items()
        if not ((pair := LIGHT_DARK.fullmatch(value)) and pair.group(1) != pair.group(2))
    }
    assert unpaired == {}, "each colour needs its light and its dark half"


def sets_a_colour(name, value):
    return (
        name.startswith("--")
        or name in {"color", "background", "fill", "stroke"}
        or name.endswith("-color")
        or bool(COLOUR_VALUE.search(value))
    )


@pytest.mark.parametrize("name", ["site.css", "code.css"])
def test_no_rule_for_one_scheme_sets_a_colour(name):
    """A colour in the dark media query or under a data-theme selector would be a second copy of a light-dark()
    pair's half, free to drift from it: those rules may only set what no colour can carry (bold, opacity)."""
    outside, media = media_blocks(stylesheet(name))
    for_one_scheme = [declarations(css) for query, css in media.items() if "prefers-color-scheme" in query]
    for_one_scheme.append({selector: properties for selector, properties in declarations(outside).items()
                           if "[data-theme" in selector})  # fmt: skip
    found = [
        f"{selector} {{ {property_name}: {value} }}"
        for rules in for_one_scheme
        for selector, properties in rules.items()
        for property_name, value in properties.items()
        if sets_a_colour(property_name, value)
    ]
    assert found == [], "\n".join(found)
    assert any(for_one_scheme), "the parser found no rule for one scheme: the check above saw nothing"


@pytest.mark.parametrize("name", ["site.css", "code.css"])
def test_a_reader_who_chooses_dark_gets_what_no_colour_carries_too(name):
    """The dark scheme's bold and italic tokens and full-opacity video labels: the system's dark media query sets
    them unless the reader chose light, and the reader's choice of dark sets the same."""
    outside, media = media_blocks(stylesheet(name))
    system = declarations(media.get(DARK_QUERY, ""))
    assert len(scoped(system, SYSTEM_DARK)) == len(system), "a dark rule that choosing light leaves on"
    chosen = scoped(declarations(outside), CHOSEN_DARK)
    chosen.pop(":root", None)  # site.css: its color-scheme, which the media query leaves to the system
    assert chosen == scoped(system, SYSTEM_DARK)
