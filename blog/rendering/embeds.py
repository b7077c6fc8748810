"""YouTube, Vimeo, X/Twitter, Instagram and Gist embeds that cost the reader nothing until they ask.

Recognition is offline (URL shapes and the HTML a provider gives for pasting). A video becomes a
link to the provider that embeds.js swaps for a privacy-enhanced player on click; a tweet becomes a
static quotation from its pasted text; an Instagram post and a Gist become links. No third party hears
of a page view.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from blog.content.languages import CJK_CHARACTERS

# Player URLs that embeds.js may load and the sanitiser lets through (https only, fixed hosts).
PLAYER_SRC = re.compile(
    r"^https://(?:www\.youtube-nocookie\.com/embed/|www\.youtube\.com/embed/|player\.vimeo\.com/video/)"
    r"[\w-]+(?:\?[\w=&%.-]*)?$"
)
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com",
                 "www.youtube-nocookie.com"}  # fmt: skip
YOUTUBE_ID = re.compile(r"^[\w-]{11}$")
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
TWEET_PATH = re.compile(r"^/(\w{1,15})/status(?:es)?/(\d{1,25})/?$")
TWEET_HOSTS = {"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"}
GIST_PATH = re.compile(r"^/([\w-]{1,39})/([0-9a-f]{5,40})/?$")
INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"}
# /p/CODE/, /reel/CODE/, /tv/CODE/, with the author's name in front (newer share links) or /embed/ behind.
INSTAGRAM_PATH = re.compile(r"^/(?:[\w.]{1,30}/)?(p|reels?|tv)/([\w-]{5,40})/?(?:embed(?:/captioned)?/?)?$")
# The words of a pasted Instagram post kept on its card (caption and author line); a long caption is cut.
INSTAGRAM_TITLE_CHARS = 200
# Titles providers put on every pasted iframe: they say nothing about the video.
GENERIC_TITLES = {"", "youtube video player", "vimeo-player", "vimeo video player"}

# Paste-in snippets in the rendered HTML. Bodies stop at the next tag of their kind, so a stray
# opening tag cannot make matching quadratic.
PASTED_TWEET = re.compile(
    r"<blockquote\b[^<>]*\bclass\s*=\s*[\"'][^\"'<>]*\btwitter-tweet\b[^<>]*>"
    r"(?:[^<]|<(?!/?blockquote\b))*</blockquote>",
    re.I,
)
PASTED_INSTAGRAM = re.compile(
    r"<blockquote\b[^<>]*\bclass\s*=\s*[\"'][^\"'<>]*\binstagram-media\b[^<>]*>"
    r"(?:[^<]|<(?!/?blockquote\b))*</blockquote>",
    re.I,
)
PASTED_IFRAME = re.compile(r"<iframe\b[^<>]*>(?:\s*</iframe>)?", re.I)
PASTED_SCRIPT = re.compile(r"<script\b[^<>]*>(?:[^<]|<(?!/?script\b))*</script>", re.I)
BARE_URL = re.compile(r"^<?(https?://[^\s<>]+)>?$")
# A URL in running text; it ends at whitespace, quotes, brackets or CJK text (Japanese writes no space
# after a URL). Not after `="` or `/`, so URLs inside inline HTML attributes are left alone.
URL_IN_TEXT = rf"(?<![A-Za-z0-9_\"'=/])https?://[^\s<>\"'{CJK_CHARACTERS}]+"
TRAILING_PUNCTUATION = ".,:;!?*_~'\""


@dataclass(frozen=True)
class Video:
    provider: str
    watch_url: str
    player_src: str


def video_from_url(url):
    """The video a YouTube or Vimeo URL (page, short link, shorts or player) points at, or None."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    host, query = (parts.hostname or "").lower(), parse_qs(parts.query)
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in YOUTUBE_HOSTS or host == "youtu.be":
        if host == "youtu.be":
            video_id = segments[0] if segments else ""
        elif segments[:1] == ["watch"]:
            video_id = query.get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video_id = segments[1]
        else:
            return None
        if not YOUTUBE_ID.match(video_id):
            return None
        # Only the start time survives: `si`, `feature`, `pp` and friends track who shared the link.
        start = _seconds(query.get("t", query.get("start", [""]))[0])
        player_query = {"autoplay": 1, **({"start": start} if start else {})}
        return Video(
            "YouTube",
            f"https://www.youtube.com/watch?v={video_id}" + (f"&t={start}s" if start else ""),
            f"https://www.youtube-nocookie.com/embed/{video_id}?{urlencode(player_query)}",
        )
    if host in VIMEO_HOSTS:
        numbers = [segment for segment in segments if segment.isdigit()]
        if not numbers or len(numbers[-1]) > 12:
            return None
        video_id = numbers[-1]
        # Unlisted videos need their hash: vimeo.com/ID/HASH or player.vimeo.com/video/ID?h=HASH.
        after = segments[segments.index(video_id) + 1 :]
        unlisted = query.get("h", [after[0] if after else ""])[0]
        unlisted = unlisted if re.fullmatch(r"[0-9a-f]{6,20}", unlisted) else ""
        player_query = {"dnt": 1, "autoplay": 1, **({"h": unlisted} if unlisted else {})}
        return Video(
            "Vimeo",
            f"https://vimeo.com/{video_id}" + (f"/{unlisted}" if unlisted else ""),
            f"https://player.vimeo.com/video/{video_id}?{urlencode(player_query)}",
        )
    return None


def _seconds(value):
    """`90`, `90s` or `1m30s` (YouTube's `t`) as whole seconds; 0 when absent or unreadable."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", value or "")
    if not match:
        return 0
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def video_facade(video, title=""):
    """A link to the video that embeds.js turns into the player on click; no request before that.

    A video without a title of its own gets the label "Play video", marked `embed-label` so search leaves it out.
    """
    title_class = "embed-title"
    if title.strip().lower() in GENERIC_TITLES:
        title, title_class = _("Play video"), "embed-title embed-label"
    return format_html(
        '<figure class="embed embed-video"><a class="embed-video" href="{}" data-embed-src="{}">'
        '<span class="embed-play" aria-hidden="true">▶</span> <span class="{}">{}</span> '
        '<span class="embed-provider">{}</span></a></figure>',
        video.watch_url,
        video.player_src,
        title_class,
        " ".join(title.split()),
        video.provider,
    )


def tweet_from_url(url):
    """(handle, canonical status URL) for an X/Twitter status link, or None."""
    parts = urlsplit(url.strip())
    match = TWEET_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in TWEET_HOSTS or not match:
        return None
    handle, status = match.groups()
    return handle, f"https://{parts.hostname.lower()}/{handle}/status/{status}"


def tweet_card(paragraphs, author, date, status_url):
    """A static quotation of a post on X: its text, who wrote it and when, and a link to it."""
    body = format_html_join("", "<p{}>{}</p>", ((_lang_attribute(lang), content) for lang, content in paragraphs))
    link = format_html('<a href="{}">{}</a>', status_url, date or status_url) if status_url else date
    return format_html(
        '<blockquote class="tweet-card">{}<p class="tweet-card-meta">— <span class="tweet-card-author">{}</span> {}</p>'
        "</blockquote>",
        body,
        author,
        link,
    )


def _lang_attribute(lang):
    return format_html(' lang="{}"', lang) if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", lang or "") else ""


def gist_from_url(url):
    """(user, id, file) for a Gist page or its embed script URL, or None."""
    url = url.strip()
    parts = urlsplit("https:" + url if url.startswith("//") else url)
    path = parts.path[:-3] if parts.path.endswith(".js") else parts.path
    match = GIST_PATH.match(path)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != "gist.github.com" or not match:
        return None
    file = parse_qs(parts.query).get("file", [""])[0]
    return match.group(1), match.group(2), file if re.fullmatch(r"[\w.-]{1,100}", file) else ""


def gist_card(user, gist_id, file=""):
    """A link to the Gist: its embed script would load GitHub's code and styles on every page view."""
    name = f"{user}/{gist_id[:7]}" + (f" · {file}" if file else "")
    return format_html(
        '<figure class="embed embed-gist"><a class="embed-link" href="{}">'
        '<span class="embed-provider">GitHub Gist</span> <span class="embed-title">{}</span></a></figure>',
        f"https://gist.github.com/{user}/{gist_id}",
        name,
    )


def instagram_from_url(url):
    """The canonical address of an Instagram post, reel or video, or None; tracking parameters go."""
    url = url.strip()
    parts = urlsplit("https:" + url if url.startswith("//") else url)
    match = INSTAGRAM_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in INSTAGRAM_HOSTS or not match:
        return None
    kind, code = match.groups()
    return f"https://www.instagram.com/{'reel' if kind == 'reels' else kind}/{code}/"


def instagram_card(post_url, title=""):
    """A link to the post: Instagram's embed.js would load its scripts, styles and tracking on every page view.

    A post known only by its address gets the label "View this post on Instagram", marked `embed-label` so
    search leaves it out.
    """
    title_class = "embed-title"
    if not title:
        title, title_class = _("View this post on Instagram"), "embed-title embed-label"
    return format_html(
        '<figure class="embed embed-instagram"><a class="embed-link" href="{}">'
        '<span class="embed-provider">Instagram</span> <span class="{}">{}</span></a></figure>',
        post_url,
        title_class,
        title,
    )


class _PastedInstagramParser(HTMLParser):
    """The post's address and the words of its paragraphs (caption, "A post shared by …") in Instagram's paste."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses, self.paragraphs = [], []
        self._paragraph = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.addresses += [attributes[name] for name in ("data-instgrm-permalink", "href") if name in attributes]
        if tag == "p":
            self._paragraph = []

    def handle_endtag(self, tag):
        if tag == "p" and self._paragraph is not None:
            self.paragraphs.append(" ".join("".join(self._paragraph).split()))
            self._paragraph = None

    def handle_data(self, data):
        if self._paragraph is not None:
            self._paragraph.append(data)


def pasted_instagram_card(blockquote_html):
    """The card for a pasted `<blockquote class="instagram-media">`; without an Instagram address, its words."""
    parser = _PastedInstagramParser()
    parser.feed(blockquote_html)
    parser.close()
    title = " — ".join(paragraph for paragraph in parser.paragraphs if paragraph)
    if len(title) > INSTAGRAM_TITLE_CHARS:
        title = title[: INSTAGRAM_TITLE_CHARS - 1].rstrip() + "…"
    for address in parser.addresses:
        if post_url := instagram_from_url(address):
            return instagram_card(post_url, title)
    return format_html("<p>{}</p>", title) if title else ""


def embed_for_url(url):
    """Embed HTML for a URL standing alone in a paragraph, or None to leave it a plain link."""
    if video := video_from_url(url):
        return video_facade(video)
    if tweet := tweet_from_url(url):
        handle, status_url = tweet
        return tweet_card([], f"@{handle}", status_url, status_url)
    if gist := gist_from_url(url):
        return gist_card(*gist)
    if post_url := instagram_from_url(url):
        return instagram_card(post_url)
    return None


class _PastedTweetParser(HTMLParser):
    """Read the text, author line and status link out of X's paste-in blockquote."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs, self.after_text, self.links = [], [], []
        self._paragraph = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "p" and self._paragraph is None:
            self._paragraph = (attributes.get("lang") or "", [])
        elif tag == "br" and self._paragraph is not None:
            self._paragraph[1].append(("br", None))
        elif tag == "a":
            self._link = (attributes.get("href") or "", [])

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, text = self._link
            self._link = None
            if self._paragraph is not None:
                self._paragraph[1].append(("a", (href, "".join(text))))
            else:
                self.links.append((href, "".join(text)))
        elif tag == "p" and self._paragraph is not None:
            self.paragraphs.append(self._paragraph)
            self._paragraph = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1].append(data)
        elif self._paragraph is not None:
            self._paragraph[1].append(("text", data))
        else:
            self.after_text.append(data)


def pasted_tweet_card(blockquote_html):
    """The static card for a pasted `<blockquote class="twitter-tweet">`."""
    parser = _PastedTweetParser()
    parser.feed(blockquote_html)
    parser.close()
    paragraphs = [(lang, _paragraph_html(parts)) for lang, parts in parser.paragraphs]
    author = " ".join("".join(parser.after_text).replace("\u2014", " ").split())
    status_url, date = "", ""
    for href, text in reversed(parser.links):
        if tweet := tweet_from_url(href.split("?")[0]):
            status_url, date = tweet[1], " ".join(text.split())
            break
    return tweet_card(paragraphs, author, date, status_url)


def _paragraph_html(parts):
    pieces = []
    for kind, value in parts:
        if kind == "text":
            pieces.append(format_html("{}", value))
        elif kind == "br":
            pieces.append(mark_safe("<br>"))
        else:
            href, text = value
            pieces.append(format_html('<a href="{}">{}</a>', _untracked(href), text) if _is_web(href) else text)
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _is_web(url):
    return urlsplit(url).scheme in ("http", "https")


def _untracked(url):
    """X's links carry `?ref_src=twsrc%5Etfw`, which only tells X where the click came from."""
    parts = urlsplit(url)
    return parts._replace(query="").geturl() if (parts.hostname or "").lower() in TWEET_HOSTS else url


class _FirstTagAttributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attributes = None

    def handle_starttag(self, tag, attrs):
        if self.attributes is None:
            self.attributes = {name: value or "" for name, value in attrs}


def _attributes(tag_html):
    """The attributes of the first tag in `tag_html`."""
    parser = _FirstTagAttributes()
    parser.feed(tag_html)
    return parser.attributes or {}


def replace_pasted_embeds(html):
    """Swap the paste-in HTML of known providers for facades and cards; drop their scripts."""
    html = PASTED_TWEET.sub(lambda match: pasted_tweet_card(match.group(0)), html)
    html = PASTED_INSTAGRAM.sub(lambda match: pasted_instagram_card(match.group(0)), html)
    html = PASTED_IFRAME.sub(_iframe_facade, html)
    return PASTED_SCRIPT.sub(_script_replacement, html)


def _iframe_facade(match):
    """A player iframe becomes a facade; any other frame a link to its page, so it loads nothing by itself."""
    attributes = _attributes(match.group(0))
    src, title = attributes.get("src", ""), " ".join(attributes.get("title", "").split())
    if video := video_from_url(src):
        return video_facade(video, title)
    if post_url := instagram_from_url(src):
        return instagram_card(post_url)
    url = "https:" + src if src.startswith("//") else src
    return format_html('<a href="{}">{}</a>', url, title or urlsplit(url).netloc) if _is_web(url) else ""


def _script_replacement(match):
    """A Gist script becomes a link to the Gist; every other script (widgets.js, Instagram's embed.js) goes."""
    gist = gist_from_url(_attributes(match.group(0)).get("src", ""))
    return gist_card(*gist) if gist else ""


class BareUrlTreeprocessor(Treeprocessor):
    """A provider URL alone in its paragraph becomes that provider's embed."""

    def run(self, root):
        for paragraph in root.iter("p"):
            match = BARE_URL.match((paragraph.text or "").strip())
            if len(paragraph) or not match:
                continue
            if embed := embed_for_url(match.group(1)):
                # A block-level stash placeholder alone in <p> replaces the whole paragraph.
                paragraph.text = self.md.htmlStash.store(embed)


class UrlLinkProcessor(InlineProcessor):
    """Any other bare URL in the text is a plain link."""

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m, data):
        url = m.group(0)
        while url and (url[-1] in TRAILING_PUNCTUATION or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        link = etree.Element("a", href=url)
        link.text = AtomicString(url)
        return link, m.start(0), m.start(0) + len(url)


class PastedEmbedPostprocessor(Postprocessor):
    def run(self, text):
        return replace_pasted_embeds(text)


class EmbedExtension(Extension):
    def extendMarkdown(self, md):
        # Before inline parsing (20) so the URL is still the author's text, not a link element.
        md.treeprocessors.register(BareUrlTreeprocessor(md), "bare_url_embeds", 25)
        # After `<https://...>` autolinks (120), before emphasis (60) could take `_` out of a URL.
        md.inlinePatterns.register(UrlLinkProcessor(URL_IN_TEXT, md), "url_link", 115)
        # After raw HTML is put back (30): pasted snippets are whole again, and code is already escaped.
        md.postprocessors.register(PastedEmbedPostprocessor(md), "pasted_embeds", 25)
