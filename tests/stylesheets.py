"""The site's stylesheets as tests read them: rules as {selector: {property: value}}, media queries apart, and each
light-dark(light, dark) pair as the half one colour scheme shows."""

import re

from tests.paths import ROOT

CSS = ROOT / "static" / "css"
DARK_QUERY = "(prefers-color-scheme: dark)"
# The dark media query's rules are scoped to this: a reader who chose light turns them off.
SYSTEM_DARK = ':root:not([data-theme="light"])'
CHOSEN_DARK = ':root[data-theme="dark"]'
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
MEDIA = re.compile(r"@media\s*([^{]+?)\s*\{")
LIGHT_DARK = re.compile(r"light-dark\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)")


def stylesheet(name):
    """The text of static/css/`name`, without its comments."""
    return re.sub(r"/\*.*?\*/", "", (CSS / name).read_text(), flags=re.S)


def media_blocks(css):
    """(the CSS outside any media query, {query: the CSS inside it})."""
    outside, inside, position = [], {}, 0
    while match := MEDIA.search(css, position):
        depth = 0
        for end in range(match.end() - 1, len(css)):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            if depth == 0:
                break
        outside.append(css[position : match.start()])
        inside[match.group(1)] = inside.get(match.group(1), "") + css[match.end() : end]
        position = end + 1
    outside.append(css[position:])
    return "".join(outside), inside


def declarations(css):
    """{selector: {property: value}} for the plain rules in `css`, later rules overriding earlier ones."""
    rules = {}
    for selectors, body in RULE.findall(css):
        pairs = (part.partition(":") for part in body.split(";"))
        properties = {name.strip(): value.strip() for name, _, value in pairs if value.strip()}
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


def in_scheme(value, scheme):
    """`value` as the `scheme` ("light" or "dark") shows it: each light-dark() pair replaced by its half."""
    return LIGHT_DARK.sub(lambda pair: pair.group(1 if scheme == "light" else 2), value)
