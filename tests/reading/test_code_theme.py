"""Highlighted code stays readable: every Pygments token colour reaches WCAG AA (4.5:1) in both colour schemes.

The browser test (tests/browser/test_accessibility.py) runs axe on a few code samples; this reads the whole
theme, so a token class no sample happens to produce cannot fall below the line unseen.
"""

import re

import pytest

from blog.rendering.sanitize import CLASSES
from tests.stylesheets import DARK_QUERY, SYSTEM_DARK, declarations, in_scheme, media_blocks, scoped, stylesheet

AA_NORMAL_TEXT = 4.5


def scheme_rules(name, scheme):
    """The plain rules of stylesheet `name` as the `scheme` shows them: each light-dark() pair its half, and in the
    dark scheme the dark media query's rules on top (the bold and italic no light-dark() can carry)."""
    outside, media = media_blocks(stylesheet(name))
    rules = {
        selector: {property_name: in_scheme(value, scheme) for property_name, value in properties.items()}
        for selector, properties in declarations(outside).items()
        if not selector.startswith(":root[")
    }
    if scheme == "dark":
        for selector, properties in scoped(declarations(media.get(DARK_QUERY, "")), SYSTEM_DARK).items():
            rules.setdefault(selector, {}).update(properties)
    return rules


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
    """[(what, colour, background)]: the code block's own text and every token colour, on what they sit on. A
    token whose colour is currentColor in a scheme shows the block's text, checked as "pre"."""
    site = scheme_rules("site.css", scheme)
    variables = site[":root"]
    background = resolve(site["pre"]["background"], variables)
    text = resolve(site["body"]["color"], variables)
    tokens = scheme_rules("code.css", scheme)
    # Highlighted lines (.hll) get their own background, but only if the sanitiser lets the class through.
    line_backgrounds = [background]
    if "hll" in CLASSES["span"]:
        line_backgrounds.append(tokens[".highlight .hll"]["background-color"])
    found = [("pre", text, line_background) for line_background in line_backgrounds]
    for selector, properties in tokens.items():
        colour = properties.get("color", "currentColor")
        if selector.startswith(".highlight ") and colour.lower() != "currentcolor":
            own = properties.get("background-color", "transparent")
            found += [
                (selector, colour, line_background if own == "transparent" else own)
                for line_background in line_backgrounds
            ]
    return found


def test_the_parser_sees_the_whole_theme():
    """Guards the check below against passing vacuously: a parser that found no rules would find no failures."""
    light, dark = code_colours("light"), code_colours("dark")
    assert len(light) > 60 and len(dark) > 60
    assert (".highlight .c1", "#3B7676", "#f3f1ea") in light
    assert (".highlight .ow", "#FF7B72", "#23262a") in dark
    assert (".highlight .gd", "#FFA198", "#490202") in dark  # a token's own background, dark only
    assert contrast("#3D7B7B", "#f3f1ea") < AA_NORMAL_TEXT  # Pygments' comment colour, as axe found it


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_token_colour_reaches_aa_contrast_on_the_code_background(scheme):
    failing = [
        f"{selector}: {colour} on {background} is {contrast(colour, background):.2f}:1"
        for selector, colour, background in code_colours(scheme)
        if contrast(colour, background) < AA_NORMAL_TEXT
    ]
    assert failing == [], "\n".join(failing)
