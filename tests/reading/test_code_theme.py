"""Highlighted code stays readable: every Pygments token colour reaches WCAG AA (4.5:1) in both colour schemes.

The browser test (tests/browser/test_accessibility.py) runs axe on a few code samples; this reads the whole
theme, so a token class no sample happens to produce cannot fall below the line unseen.
"""

import re

import pytest

from blog.rendering.sanitize import CLASSES
from tests.paths import ROOT

CSS = ROOT / "static" / "css"
AA_NORMAL_TEXT = 4.5
DARK = "@media (prefers-color-scheme: dark)"
SYSTEM_DARK = ':root:not([data-theme="light"])'
CHOSEN_DARK = ':root[data-theme="dark"]'
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def without_comments(css):
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def split_schemes(css):
    """(rules outside any @media, rules inside the dark-scheme @media), as CSS text."""
    start = css.index(DARK)
    opening = css.index("{", start)
    depth, end = 0, opening
    for end in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0:
            break
    return css[:start] + css[end + 1 :], css[opening + 1 : end]


def declarations(css):
    """{selector: {property: value}} for the plain rules in `css`, later rules overriding earlier ones."""
    rules = {}
    for selectors, body in RULE.findall(css):
        pairs = (part.partition(":") for part in body.split(";"))
        properties = {name.strip(): value.strip() for name, _, value in pairs if value}
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(properties)
    return rules


def scoped(rules, scope):
    """The rules whose selectors start with `scope`, keyed by the rest (`:root` for the scope alone)."""
    return {
        selector.removeprefix(scope).strip() or ":root": properties
        for selector, properties in rules.items()
        if selector.startswith(scope)
    }


def cascade(css):
    """{"light": rules, "dark": rules, "chosen dark": rules}: the dark scheme is the light rules with the dark
    @media's on top (those the reader has not overruled by choosing light); "chosen dark" holds the rules for a
    reader who chose dark (static/js/theme.js), which must say the same."""
    light_css, dark_css = split_schemes(without_comments(css))
    everywhere = declarations(light_css)
    light = {selector: properties for selector, properties in everywhere.items() if not selector.startswith(":root[")}
    dark = {selector: dict(properties) for selector, properties in light.items()}
    for selector, properties in scoped(declarations(dark_css), SYSTEM_DARK).items():
        dark.setdefault(selector, {}).update(properties)
    return {"light": light, "dark": dark, "chosen dark": scoped(everywhere, CHOSEN_DARK), "system dark": dark_css}


def resolve(value, variables):
    match = re.fullmatch(r"var\((--[\w-]+)\)", value)
    return variables[match.group(1)] if match else value


def relative_luminance(colour):
    digits = colour.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", digits), f"not a hex colour: {colour}"
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background):
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def code_colours(scheme):
    """[(what, colour, background)]: the code block's own text and every token colour, on what they sit on."""
    site = cascade((CSS / "site.css").read_text())[scheme]
    variables = site[":root"]
    block = site["pre"]
    background = resolve(block["background"], variables)
    text = resolve(site["body"]["color"], variables)
    tokens = cascade((CSS / "code.css").read_text())[scheme]
    # Highlighted lines (.hll) get their own background, but only if the sanitiser lets the class through.
    line_backgrounds = [background]
    if "hll" in CLASSES["span"]:
        line_backgrounds.append(tokens[".highlight .hll"]["background-color"])
    found = [("pre", text, line_background) for line_background in line_backgrounds]
    for selector, properties in tokens.items():
        if selector.startswith(".highlight ") and "color" in properties:
            own = properties.get("background-color")
            found += [(selector, properties["color"], own or line_background) for line_background in line_backgrounds]
    return found


def test_the_parser_sees_the_whole_theme():
    """Guards the check below against passing vacuously: a parser that found no rules would find no failures."""
    light, dark = code_colours("light"), code_colours("dark")
    assert len(light) > 60 and len(dark) > 60
    assert (".highlight .c1", "#3B7676", "#f3f1ea") in light
    assert (".highlight .ow", "#FF7B72", "#23262a") in dark
    assert contrast("#3D7B7B", "#f3f1ea") < AA_NORMAL_TEXT  # Pygments' comment colour, as axe found it


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_token_colour_reaches_aa_contrast_on_the_code_background(scheme):
    failing = [
        f"{selector}: {colour} on {background} is {contrast(colour, background):.2f}:1"
        for selector, colour, background in code_colours(scheme)
        if contrast(colour, background) < AA_NORMAL_TEXT
    ]
    assert failing == [], "\n".join(failing)


@pytest.mark.parametrize("stylesheet", ["site.css", "code.css"])
def test_a_reader_who_chooses_dark_gets_the_dark_scheme_the_system_would_give(stylesheet):
    """The header's colour scheme choice sets data-theme="dark"; its rules repeat the dark @media's, which a
    reader's choice of light turns off."""
    css = without_comments((CSS / stylesheet).read_text())
    theme = cascade(css)
    system = scoped(declarations(theme["system dark"]), SYSTEM_DARK)
    assert len(system) == len(declarations(theme["system dark"])), "a dark rule that choosing light leaves on"
    chosen = {
        selector: {name: theme["chosen dark"].get(selector, {}).get(name) for name in properties}
        for selector, properties in system.items()
    }
    assert system and chosen == system
