"""The emails: a confirmation, and each essay as it reads on the site, made for mail.

An essay's email starts from the HTML stored on save (never rendering Markdown again): links and images made
absolute, video facades turned into linked thumbnails, footnotes into endnotes, formulas given their TeX as
MathML's own `alttext` and in the plain-text part, then styles inlined by css-inline. One Letter is composed per
(version, interface language, note) and reused for every subscriber who gets it; only the token of the signed
links in its footer differs, put in by `for_subscriber`. Nothing tracks the reader: no pixel, no rewritten link.
"""

import binascii
import re
from dataclasses import dataclass
from email.charset import BASE64, Charset
from email.utils import formatdate
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import lxml.html
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.message import forbid_multi_line_headers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

from blog.content.plain_text import TEX_ENCODING
from blog.mail import tokens
from blog.rendering.embeds import video_from_url

# A light-dark(light, dark) pair whose light half is the text's own colour, or no background, changes nothing in
# the light scheme: the email, light only, gets no declaration for it.
LIGHT_DEFAULT_PAIR = re.compile(r"\s*[\w-]+:\s*light-dark\(\s*(?:currentColor|transparent)\s*,[^()]*\);?", re.I)
LIGHT_DARK_PAIR = re.compile(r"light-dark\(\s*([^,()]+?)\s*,[^()]*\)")


def light_scheme(css):
    """`css` with each light-dark() pair as its light half: mail clients know neither the function nor a scheme."""
    return LIGHT_DARK_PAIR.sub(r"\1", LIGHT_DEFAULT_PAIR.sub("", css))


# The code token rules: code.css before its first media query (the dark scheme's bold and italic), light only.
CODE_CSS = light_scheme(
    re.split(r"^@media", (settings.BASE_DIR / "static" / "css" / "code.css").read_text(), maxsplit=1, flags=re.M)[0]
)
INLINER = css_inline.CSSInliner(
    load_remote_stylesheets=False, extra_css=(Path(__file__).with_name("letter.css")).read_text() + CODE_CSS
)
TEXT_CONFIG = ParserConfig(display_links=True, display_images=True, css=CSS_PROFILES["strict"])
# Parts and headers in base64: for long lines Django would pick quoted-printable, which Python encodes a character
# at a time and which made up most of the time spent on each email.
BASE64_UTF8 = Charset("utf-8")
BASE64_UTF8.header_encoding = BASE64_UTF8.body_encoding = BASE64
# Stand-in for the token in each subscriber's signed links: the composed letter is shared, the token is not.
SLOT_TOKEN = "bunko-token-slot"
# Stand-ins for what differs per reader in the serialised email (see Letter.mime_template).
SLOT_TO = "to.slot@slot.invalid"
SLOT_DATE = "date-slot"
SLOT_MESSAGE_ID = "<message-id.slot@slot.invalid>"
SLOT_LIST_UNSUBSCRIBE = "<list-unsubscribe-slot>"
SLOT_TEXT = "text-part-slot"
SLOT_HTML = "html-part-slot"
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
    unsubscribe_url: str  # with SLOT_TOKEN, as are the links in `html` and `text`

    def for_subscriber(self, subscriber, *, message_id):
        """The email to `subscriber`, with their signed manage and unsubscribe links and the List-* headers."""
        token = tokens.manage_token(subscriber)
        list_unsubscribe = f"<{self.unsubscribe_url.replace(SLOT_TOKEN, token)}>"
        if settings.BUNKO_MAIL_UNSUBSCRIBE_ADDRESS:
            list_unsubscribe += f", <mailto:{settings.BUNKO_MAIL_UNSUBSCRIBE_ADDRESS}?subject=unsubscribe-{token}>"
        text = self.text.replace(SLOT_TOKEN, token)
        html = self.html.replace(SLOT_TOKEN, token)
        email = self.email(subscriber.email, message_id, list_unsubscribe, text, html, email_class=LetterEmail)
        email.letter = self
        return email

    def email(self, to, message_id, list_unsubscribe, text, html, email_class=EmailMultiAlternatives):
        """An email of this letter's subject and headers with these values."""
        email = email_class(
            subject=self.subject,
            body=text,
            to=[to],
            headers={
                "List-Unsubscribe": list_unsubscribe,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"Bunko <essays.{urlsplit(settings.BUNKO_SITE_URL).hostname}>",
                "Message-ID": message_id,
                "Content-Language": self.language,
            },
        )
        email.encoding = BASE64_UTF8
        email.attach_alternative(html, "text/html")
        return email

    @cached_property
    def mime_template(self):
        """This letter serialised once by Django and Python's email package, with slots for what differs per reader.

        Folding every header of every MIME part again for each reader was most of the CPU an email cost.
        """
        email = self.email(SLOT_TO, SLOT_MESSAGE_ID, SLOT_LIST_UNSUBSCRIBE, SLOT_TEXT, SLOT_HTML)
        email.extra_headers["Date"] = SLOT_DATE
        template = email.message().as_bytes(linesep="\r\n")
        if any(template.count(slot) != 1 for slot in SLOTS):
            raise ValueError("A slot of the letter's MIME template was changed on serialising.")
        return template


class LetterEmail(EmailMultiAlternatives):
    """A letter's email whose MIME form is the letter's template with this reader's values put in."""

    letter = None

    def message(self):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        values = {
            SLOT_TO: forbid_multi_line_headers("To", self.to[0], encoding)[1],
            SLOT_DATE: formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            SLOT_MESSAGE_ID: self.extra_headers["Message-ID"],
            SLOT_LIST_UNSUBSCRIBE: forbid_multi_line_headers(
                "List-Unsubscribe", self.extra_headers["List-Unsubscribe"], encoding
            )[1],
        }
        values = {slot.encode(): value.encode("ascii") for slot, value in values.items()}
        values[SLOT_TEXT_PART] = base64_lines(self.body)
        values[SLOT_HTML_PART] = base64_lines(self.alternatives[0].content)
        return PreparedMessage(SLOTS_PATTERN.sub(lambda match: values[match.group()], self.letter.mime_template))


@dataclass(frozen=True)
class PreparedMessage:
    """Serialised MIME (CRLF line ends), answering what Django's email backends ask of a message."""

    data: bytes

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def get_charset(self):
        return None


def base64_lines(text):
    """`text` as a base64 MIME body: 76-character lines, each ended by CRLF."""
    encoded = binascii.b2a_base64(text.encode(), newline=False)
    return b"".join([encoded[start : start + 76] + b"\r\n" for start in range(0, len(encoded), 76)])


SLOT_TEXT_PART, SLOT_HTML_PART = base64_lines(SLOT_TEXT), base64_lines(SLOT_HTML)
SLOTS = [slot.encode() for slot in (SLOT_TO, SLOT_DATE, SLOT_MESSAGE_ID, SLOT_LIST_UNSUBSCRIBE)]
SLOTS += [SLOT_TEXT_PART, SLOT_HTML_PART]
SLOTS_PATTERN = re.compile(b"|".join(map(re.escape, SLOTS)))


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
        unsubscribe = absolute(reverse("mail:unsubscribe", kwargs={"token": SLOT_TOKEN}))
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
            "manage_url": absolute(reverse("mail:manage", kwargs={"token": SLOT_TOKEN})),
            "unsubscribe_url": unsubscribe,
        }
        html = render_to_string("mail/email/newsletter.html", context)
        subject = version.title
    inlined = INLINER.inline(html)
    # The plain-text part reads each formula as its TeX.
    text = get_text(FORMULA.sub(lambda match: f"<code>{match.group(1)}</code>", inlined), TEXT_CONFIG)
    return Letter(
        subject, html=inlined, text=text.strip() + "\n", language=version.language, unsubscribe_url=unsubscribe
    )


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
        formula.set("alttext", writers_tex(formula))
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


def writers_tex(formula):
    """The TeX the writer typed, which the renderer keeps as the formula's annotation: what mail clients without
    MathML show instead (as `alttext`, and in the plain text). The annotation itself goes, so no client prints it
    beside the formula."""
    for annotation in formula.iter("annotation"):
        if annotation.get("encoding") == TEX_ENCODING:
            annotation.drop_tree()
            return " ".join((annotation.text or "").split())
    return " ".join(formula.text_content().split())
