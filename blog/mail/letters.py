"""The emails: a confirmation, and each essay as it reads on the site, made for mail.

An essay's email starts from the HTML stored on save (never rendering Markdown again): links and images made
absolute, video facades turned into linked thumbnails, footnotes into endnotes, formulas given their TeX as
MathML's own `alttext` and in the plain-text part, then styles inlined by css-inline. One Letter is composed per
(version, interface language, note) and reused for every subscriber who gets it; only the signed links in its
footer differ, put in by `for_subscriber`. Nothing tracks the reader: no pixel, no rewritten link.
"""

import re
from dataclasses import dataclass
from email.charset import BASE64, Charset
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import lxml.html
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

from blog.mail import tokens
from blog.rendering.embeds import video_from_url

CODE_CSS = (settings.BASE_DIR / "static" / "css" / "code.css").read_text().split("@media")[0]
INLINER = css_inline.CSSInliner(
    load_remote_stylesheets=False, extra_css=(Path(__file__).with_name("letter.css")).read_text() + CODE_CSS
)
TEXT_CONFIG = ParserConfig(display_links=True, display_images=True, css=CSS_PROFILES["strict"])
# Parts and headers in base64: for long lines Django would pick quoted-printable, which Python encodes a character
# at a time and which made up most of the time spent on each email.
BASE64_UTF8 = Charset("utf-8")
BASE64_UTF8.header_encoding = BASE64_UTF8.body_encoding = BASE64
# Stand-ins for each subscriber's signed links: the composed letter is shared, the links are not.
MANAGE_LINK = "https://manage.invalid/"
UNSUBSCRIBE_LINK = "https://unsubscribe.invalid/"
YOUTUBE_THUMBNAIL = "https://i.ytimg.com/vi/{}/hqdefault.jpg"
# Attributes for the site's script and lazy loading: noise (or worse, relative renditions) in a mail client.
PAGE_ONLY_ATTRIBUTES = ("data-embed-src", "srcset", "sizes", "loading", "decoding", "tabindex")
FORMULA = re.compile(r'<math\b[^>]*?\balttext="([^"]*)"[^>]*>.*?</math>', re.DOTALL)
ORIGINAL, OUTDATED, FALLBACK = "original", "outdated", "fallback"


def absolute(path):
    return settings.BUNKO_SITE_URL + path


def send_confirmation(subscriber, build_absolute_uri):
    """The double opt-in email (or, to an address already confirmed, its manage link), in the reader's language."""
    with translation.override(subscriber.interface_language):
        if subscriber.state == subscriber.State.CONFIRMED:
            subject = _("Your subscription to Bunko")
            link = build_absolute_uri(reverse("mail:manage", kwargs={"token": tokens.manage_token(subscriber)}))
            lead = _(
                "Someone, probably you, asked to subscribe this address to Bunko. It is subscribed already; "
                "to change its languages or topics, or to unsubscribe, open this link:"
            )
        else:
            subject = _("Confirm your subscription to Bunko")
            link = build_absolute_uri(reverse("mail:confirm", kwargs={"token": tokens.confirm_token(subscriber)}))
            lead = _(
                "Someone, probably you, asked to receive Bunko's new essays at this address. To confirm, open "
                "this link and press Confirm (it works for seven days):"
            )
        ignore = _("If it was not you, ignore this email: without confirmation the address is forgotten in seven days.")
        send_mail(subject, f"{lead}\n\n{link}\n\n{ignore}\n", None, [subscriber.email])


@dataclass(frozen=True)
class Letter:
    """One essay's email for one interface language and note, with stand-in links for the subscriber's own."""

    subject: str
    html: str
    text: str
    language: str  # of the version sent

    def for_subscriber(self, subscriber, *, message_id):
        """The email to `subscriber`, with their signed manage and unsubscribe links and the List-* headers."""
        token = tokens.manage_token(subscriber)
        with translation.override(subscriber.interface_language):
            manage = absolute(reverse("mail:manage", kwargs={"token": token}))
            unsubscribe = absolute(reverse("mail:unsubscribe", kwargs={"token": token}))
        links = {MANAGE_LINK: manage, UNSUBSCRIBE_LINK: unsubscribe}
        pattern = re.compile("|".join(map(re.escape, links)))
        list_unsubscribe = f"<{unsubscribe}>"
        if settings.BUNKO_MAIL_UNSUBSCRIBE_ADDRESS:
            list_unsubscribe += f", <mailto:{settings.BUNKO_MAIL_UNSUBSCRIBE_ADDRESS}?subject=unsubscribe-{token}>"
        email = EmailMultiAlternatives(
            subject=self.subject,
            body=pattern.sub(lambda match: links[match.group()], self.text),
            to=[subscriber.email],
            headers={
                "List-Unsubscribe": list_unsubscribe,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"Bunko <essays.{urlsplit(settings.BUNKO_SITE_URL).hostname}>",
                "Message-ID": message_id,
                "Content-Language": self.language,
            },
        )
        email.encoding = BASE64_UTF8
        email.attach_alternative(pattern.sub(lambda match: links[match.group()], self.html), "text/html")
        return email


def choose_version(versions, original, languages):
    """(version, note, source) for a reader of `languages`: their first published language, else the original.

    `versions` maps each published language of the essay to its version. A version behind the one it was
    translated from carries that source, to link; a fallback to the original says why the language differs.
    """
    for code in languages:
        if code in versions:
            version = versions[code]
            source = next((v for v in versions.values() if v.pk == version.translated_from_id), None)
            if source is not None and version.source_fingerprint != source.content_fingerprint:
                return version, OUTDATED, source
            return version, ORIGINAL, None
    return original, FALLBACK, None


def compose(version, interface_language, note, source=None):
    """The Letter for `version` read by subscribers speaking `interface_language`, with `note` (see choose_version)."""
    post_url = absolute(version.get_absolute_url())
    with translation.override(interface_language):
        context = {
            "post": version,
            "post_url": post_url,
            "body": for_mail(version.body_html, post_url),
            "byline": ", ".join(author.name for author in version.authors.all()),
            "published": date_format(version.publish_at, "DATE_FORMAT"),
            "note": note,
            "source": source,
            "source_url": absolute(source.get_absolute_url()) if source else "",
            "source_language": _(translation.get_language_info(source.language)["name"]) if source else "",
            "version_language": _(translation.get_language_info(version.language)["name"]),
            "interface_language": interface_language,
            "manage_url": MANAGE_LINK,
            "unsubscribe_url": UNSUBSCRIBE_LINK,
        }
        html = render_to_string("mail/email/newsletter.html", context)
        subject = version.title
    inlined = INLINER.inline(html)
    # The plain-text part reads each formula as its TeX.
    text = get_text(FORMULA.sub(lambda match: f"<code>{match.group(1)}</code>", inlined), TEXT_CONFIG)
    return Letter(subject=subject, html=inlined, text=text.strip() + "\n", language=version.language)


def for_mail(body_html, post_url):
    """A post's stored page HTML made for a mail client (see the module's docstring)."""
    root = lxml.html.fragment_fromstring(body_html or "<p></p>", create_parent="div")
    for element in root.iter():
        for attribute in PAGE_ONLY_ATTRIBUTES:
            element.attrib.pop(attribute, None)
    for facade in root.find_class("embed-video"):
        if facade.tag == "a":
            thumbnail_facade(facade)
    endnotes(root)
    for formula in root.iter("math"):
        formula.set("alttext", tex_of(formula))
    root.make_links_absolute(post_url, resolve_base_href=False)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def thumbnail_facade(link):
    """A video facade (a link the site's script turns into a player) as the video's thumbnail, linked to it."""
    named = link.find_class("embed-title")
    title = " ".join((named[0] if named else link).text_content().replace("▶", "").split())
    video = video_from_url(link.get("href", ""))
    if video is None or video.provider != "YouTube":
        link.text, link[:] = f"▶ {title}", []
        return
    video_id = video.watch_url.split("v=")[1].split("&")[0]
    link[:] = []
    link.text = None
    link.append(
        lxml.html.Element("img", src=YOUTUBE_THUMBNAIL.format(video_id), alt=f"▶ {title} (YouTube)", width="480")
    )
    link.set("class", "video-thumbnail")


def endnotes(root):
    """Footnotes as endnotes: a mail client cannot jump within a message, so numbers lose their links."""
    for reference in root.find_class("footnote-ref"):
        reference.drop_tag()
    for backlink in root.find_class("footnote-backref"):
        backlink.drop_tree()
    for notes in root.find_class("footnote"):
        for rule in notes.findall("hr"):
            heading = lxml.html.Element("h2", {"class": "endnotes-title"})
            heading.text = _("Notes")
            rule.getparent().replace(rule, heading)


def tex_of(element):
    """A TeX reading of MathML (latex2mathml's output): what mail clients without MathML can show instead."""
    children = [tex_of(child) for child in element]
    text = (element.text or "").strip()
    match element.tag:
        case "msup":
            return f"{children[0]}^{{{children[1]}}}" if len(children) == 2 else "".join(children)
        case "msub":
            return f"{children[0]}_{{{children[1]}}}" if len(children) == 2 else "".join(children)
        case "msubsup":
            return f"{children[0]}_{{{children[1]}}}^{{{children[2]}}}" if len(children) == 3 else "".join(children)
        case "mfrac":
            return f"\\frac{{{children[0]}}}{{{children[1]}}}" if len(children) == 2 else "".join(children)
        case "msqrt":
            return f"\\sqrt{{{''.join(children)}}}"
        case "mroot":
            return f"\\sqrt[{children[1]}]{{{children[0]}}}" if len(children) == 2 else "".join(children)
        case "mi" | "mn" | "mo" | "mtext":
            return text
        case _:
            return text + "".join(children)
