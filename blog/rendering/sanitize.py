"""The last step of rendering: an nh3 allowlist, because every author is treated as untrusted.

Whatever Markdown, raw HTML or an extension produced, only the tags, attributes, classes and URLs
listed here reach a reader: no script, no event handler, no style, no javascript:/data: link, and
no iframe at all: the embed extension has already turned every player into a click-to-load link,
and only embeds.js, on the reader's click, puts a player iframe (from PLAYER_SRC hosts) in the page.
"""

import re
from urllib.parse import urljoin

import nh3
from django.conf import settings
from pygments.token import STANDARD_TYPES

from blog.rendering.embeds import PLAYER_SRC

HTML_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
    "ul", "var", "wbr",
}  # fmt: skip
# MathML Core presentation elements: what latex2mathml emits. No `href` on any of them (MathML links run script).
MATHML_TAGS = {
    "math", "annotation", "semantics", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup",
    "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none",
}  # fmt: skip
MATH_LAYOUT = {"columnalign", "columnlines", "columnspacing", "rowalign", "rowlines", "rowspacing", "displaystyle",
               "frame", "framespacing", "width"}  # fmt: skip
ATTRIBUTES = {
    "*": {"id", "lang", "dir", "title"},
    "a": {"href", "data-embed-src"},
    "img": {"src", "alt", "width", "height", "decoding", "srcset", "sizes", "referrerpolicy"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "details": {"open"}, "ol": {"start", "reversed", "type"}, "li": {"value"},
    "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan", "scope"}, "col": {"span"},
    "math": {"display"}, "annotation": {"encoding"},
    "mi": {"mathvariant"}, "mn": {"mathvariant"}, "mtext": {"mathvariant"}, "ms": {"mathvariant"},
    "mo": {"mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "minsize", "maxsize", "accent",
           "form", "largeop", "movablelimits", "symmetric"},
    "mstyle": {"displaystyle", "scriptlevel", "mathcolor", "mathbackground", "mathsize", "mathvariant"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mfrac": {"linethickness", "bevelled"}, "menclose": {"notation"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mtable": MATH_LAYOUT, "mtr": {"columnalign", "rowalign"}, "mtd": {"columnalign", "rowalign", "columnspan",
                                                                        "rowspan"},
}  # fmt: skip
CLASSES = {
    "a": {"footnote-ref", "footnote-backref", "embed-video", "embed-link"},
    "div": {"footnote", "highlight", "toc"},
    "span": {
        "embed-play",
        "embed-title",
        "embed-label",
        "embed-provider",
        "tweet-card-author",
        *filter(None, STANDARD_TYPES.values()),
    },  # Pygments token classes
    "figure": {"embed", "embed-video", "embed-gist", "embed-instagram"},
    "blockquote": {"tweet-card"},
    "p": {"tweet-card-meta"},
    "code": {"math-error"},
    "pre": {"unrendered"},  # a body too large or too nested to render, shown as its text (blog.rendering)
}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: is narrowed to raster images in _checked_attribute
DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=]*$", re.I)
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
C0_CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))
DIMENSION = re.compile(r"^(\d{1,5})(?:px)?$")
# Control characters XML 1.0 cannot carry: a feed writer fails on them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")
STAND_IN_ORIGIN = "https://origin.invalid"
ROOT_RELATIVE_URL = re.compile(r'(<[a-z][^>]*?\s(?:href|src)=")(?=/)')


def _checked_attribute(tag, attribute, value):
    """nh3 keeps an attribute only when this returns a value: URLs, sizes and player sources are checked."""
    if attribute in ("href", "src", "cite"):
        # Read the scheme as a browser does: outer spaces and controls trimmed, tabs and newlines removed
        # anywhere (`jav&#9;ascript:` is javascript:).
        url = re.sub(r"[\t\n\r]", "", value.strip(C0_CONTROLS_AND_SPACE))
        scheme = SCHEME.match(url.lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
        if scheme and scheme.group(1) == "data":
            return value if tag == "img" and attribute == "src" and DATA_IMAGE.match(url) else None
        return value
    if attribute == "data-embed-src":
        return value if PLAYER_SRC.match(value) else None
    if attribute == "srcset":  # only the renditions blog.rendering.images makes: no scheme check covers srcset
        candidates = [candidate.strip().split(" ")[0] for candidate in value.split(",")]
        return value if all(url.startswith(settings.MEDIA_URL) and "//" not in url for url in candidates) else None
    if attribute in ("width", "height") and tag == "img":
        size = DIMENSION.match(value.strip())
        return size.group(1) if size else None
    return value


# What pages and feeds both allow; each adds its own attributes and classes.
COMMON_RULES = {
    "tags": HTML_TAGS | MATHML_TAGS,
    "clean_content_tags": {"script", "style"},
    "attribute_filter": _checked_attribute,
    "url_schemes": URL_SCHEMES,
    "link_rel": "noopener noreferrer",
}


# Feed readers run no script and load no stylesheet: facade data, renditions and classes are noise there.
FEED_ATTRIBUTES = {tag: names - {"data-embed-src", "srcset", "sizes", "decoding"} for tag, names in ATTRIBUTES.items()}


def clean(html):
    """Sanitised HTML for a post page."""
    return nh3.clean(
        html,
        **COMMON_RULES,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        tag_attribute_values={"span": {"aria-hidden": {"true"}}},
        # A code block with a long line scrolls sideways: tabindex lets a keyboard reach and scroll it (WCAG 2.1.1,
        # axe's scrollable-region-focusable). Set on every <pre>, since only the reader's screen decides which scroll.
        set_tag_attribute_values={"img": {"loading": "lazy"}, "pre": {"tabindex": "0"}},
    )


def clean_for_feed(html):
    """Page HTML as a feed reader needs it: no iframe, no classes or data attributes, no character XML forbids.

    Stored on save. Relative URLs become root-relative; `with_origin` prefixes the host per request, because a
    site may answer on several hosts and a feed reader has no page to resolve them against.
    """
    return XML_ILLEGAL.sub(
        "", nh3.clean(html, **COMMON_RULES, attributes=FEED_ATTRIBUTES, allowed_classes={}, url_relative=_root_relative)
    )


def _root_relative(url):
    """`url` resolved against the site's root as a reader would, less the host, which with_origin adds per request."""
    if url.startswith("#"):  # `#fn:1` points into the entry itself; readers resolve it against the entry's link
        return url
    # A reserved host (RFC 2606) stands in for the request's: urljoin("/", "../x") would give "x", not "/x".
    resolved = urljoin(STAND_IN_ORIGIN + "/", url)
    return resolved.removeprefix(STAND_IN_ORIGIN) if resolved.startswith(STAND_IN_ORIGIN + "/") else resolved


def with_origin(feed_html, origin):
    """`clean_for_feed`'s output with `origin` (scheme://host, validated by ALLOWED_HOSTS) before root-relative URLs.

    nh3 writes every attribute as name="value" and escapes `<` and `>` everywhere but in tags and `"` inside
    values, so the pattern finds only href and src attributes, never text such as a code sample.
    """
    return ROOT_RELATIVE_URL.sub(lambda match: match.group(1) + origin, feed_html)
