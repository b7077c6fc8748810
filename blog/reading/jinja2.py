"""The public site's Jinja2 environment: what its templates call, from URLs to the language switcher.

Public pages are Jinja2 templates (through Django's own backend) because Django's engine spent more than
half of a list page's time walking some 370 template nodes; Jinja2 compiles templates to Python and renders
the same pages several times faster. The admin keeps Django's engine.

Templates translate with `_("…")`, which makemessages reads from them; strings with a context or a
plural are made here, where it reads Python.
"""

import functools
import itertools
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from jinja2 import Environment

from blog.caching import months_kept
from blog.compiled_sql import months_holding
from blog.content.identifiers import doi_url, orcid_url
from blog.content.languages import language_info
from blog.content.plain_text import first_image
from blog.models import CONVERTED_LANGUAGE, Post, PostAuthor
from blog.reading.links import in_language, permalink, url
from blog.rendering.traditional import LANGUAGE_TAG as TRADITIONAL_TAG

# `<`, `>` and `&` written as JSON escapes cannot close the <script> element that carries the data.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def environment(**options):
    env = Environment(keep_trailing_newline=True, **options)
    env.globals.update(
        by_name(
            url,
            static,
            language_info,
            language_name,
            reading_time,
            canonical_url,
            alternate_links,
            language_links,
            month_links,
            post_json_ld,
            querystring,
            social_image,
        ),
        _=gettext,
        current_language=translation.get_language,
        theme_script=lambda: mark_safe(settings.BUNKO_THEME_SCRIPT),  # our own file, which the CSP allows by its hash
        published_label=lambda: pgettext("date of publication", "Published"),
        updated_label=lambda: pgettext("date of last change", "Updated"),
    )
    env.filters.update(by_name(date, permalink, iso_datetime, http_url, opengraph_locale, language_name_translated))
    return env


def by_name(*functions):
    """Templates call these helpers by their Python names."""
    return {function.__name__: function for function in functions}


def date(value, format_name=None):
    """Django's `date` filter: the time in the current time zone, in the active language's format."""
    if value in (None, ""):
        return ""
    return formats.date_format(timezone.template_localtime(value), format_name)


def iso_datetime(value):
    """A machine-readable time to the second (HTML's datetime attribute refuses microseconds)."""
    return value.isoformat(timespec="seconds") if value else ""


def http_url(address):
    """`address` when it is http(s), else "": a stored javascript: link must never become an href."""
    return address if urlsplit(address or "").scheme in {"http", "https"} else ""


def opengraph_locale(language):
    """OpenGraph wants a territory with each language (ja_JP), which the table of languages names."""
    return language_info(language)["opengraph_locale"] or translation.to_locale(language)


def language_name(code):
    return translation.get_language_info(code)["name_local"]


def language_name_translated(code):
    """The language's name in the reader's language, as Django's filter of that name gives it."""
    return gettext(translation.get_language_info(code)["name"])


def reading_time(minutes):
    return ngettext("%(minutes)s minute read", "%(minutes)s minutes read", minutes) % {"minutes": minutes}


def page_in_each_language(request):
    """{language: this page's address in it}: the switcher and the hreflang links both print them, found once."""
    if not hasattr(request, "page_in_each_language"):
        path = request.get_full_path()
        request.page_in_each_language = {code: in_language(path, code) for code, _name in settings.LANGUAGES}
    return request.page_in_each_language


def language_links(request, versions=None, homes_only=False, page_languages=None):
    """Links to this page in each UI language; on a post (`versions`), to its published versions, naming the missing.

    `page_languages`: the languages this page exists in, when not all (an archive period); the others are named
    missing, as a post's are, in the page's language (`missing_label`) and without a link.
    """
    current = translation.get_language()
    path = request.get_full_path()
    page_languages = page_languages or None  # templates that set none pass Jinja2's Undefined
    links = []
    for code, _name in settings.LANGUAGES:
        if versions:
            version = versions.get(code)
            address = permalink(version) if version else None
        elif homes_only:
            address = url("blog:post-list", language=code)
        else:
            address = page_in_each_language(request)[code] if code != current else path
            if address == path and code != current:  # a page with no address per language: the homes stand in
                address = url("blog:post-list", language=code)
            if page_languages is not None and code not in page_languages:
                address = None
        links.append(
            {
                "code": code,
                "name": language_name(code),
                "url": address,
                "current": code == current,
                "available": address is not None,
                "missing_label": None
                if address
                else gettext("Not available in %(language)s") % {"language": language_name_translated(code)},
            }
        )
    return links


def alternate_links(request, versions=None, original=None, page_languages=None):
    """(language, absolute URL) for each existing version of the page, and the x-default URL.

    `page_languages` as in language_links: an archive period's versions exist only where its lists hold an essay.
    """
    if versions:
        pairs = [(code, permalink(version)) for code, version in versions.items()]
        # A Simplified Chinese essay is also served in Traditional characters (blog.reading.traditional).
        simplified = versions.get(CONVERTED_LANGUAGE)
        if simplified is not None:
            pairs.append((TRADITIONAL_TAG, simplified.get_traditional_url()))
        default = permalink(original)
    else:
        pairs = [
            (code, address)
            for code, address in page_in_each_language(request).items()
            if not page_languages or code in page_languages
        ]
        # The same for every version, so each names the same cluster: the default language's, else the first.
        default = dict(pairs).get(settings.LANGUAGE_CODE, pairs[0][1])
    return [(code, request.build_absolute_uri(address)) for code, address in pairs], request.build_absolute_uri(default)


def canonical_url(request):
    """This page's address without parameters that do not change its content (only page and lang do)."""
    try:
        params = {key: request.GET[key] for key in ("lang", "page") if request.GET.get(key)}
    except TooManyFieldsSent:
        # The 404 page of a request whose query Django refuses to parse: reading it again here would make a 500.
        params = {}
    if params.get("page") == "1":
        del params["page"]
    query = f"?{urlencode(params)}" if params else ""
    return request.build_absolute_uri(f"{request.path}{query}")


def querystring(request, **changes):
    """Django's {% querystring %}: this page's query with `changes` made, a None removing its key."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not request.GET:
        return ""
    return f"?{params.urlencode()}"


def month_links(request):
    """Months that hold an essay in this language's lists, grouped by year, newest first.

    They are kept on the content generation, which finds them whenever the lists change
    (blog.caching.generation.months_by_language), and in the cache beside it (blog.caching.months_kept); a
    database upgraded before its lists next change finds them with one index hop per month
    (blog.compiled_sql.months_holding).
    """
    language = translation.get_language()
    kept = months_kept()
    if language in kept:
        local = timezone.get_current_timezone()
        months = [datetime(int(month[:4]), int(month[5:]), 1, tzinfo=local) for month in kept[language]]
    else:
        months = months_holding(Post.objects.published().one_per_essay(language))
    template = get_template("includes/month_links.html").template
    zone = timezone.get_current_timezone_name()
    return render_month_links(template, language, zone, get_script_prefix(), tuple(months))


@functools.lru_cache(maxsize=16)
def render_month_links(template, language, zone, script_prefix, months):
    """The archive's links for `months`: the same arguments make the same HTML, so it is kept for the next page.

    A hundred links with a localised date each cost more than the rest of a list page, and every page of a
    language shows the same months. The template is part of the key, so one edited and reloaded during
    development is rendered afresh.
    """
    years = [(year, list(group)) for year, group in itertools.groupby(months, key=lambda month: month.year)]
    return mark_safe(template.render({"years": years}))  # noqa: S308 (rendered with autoescape)


def person(request, author):
    """schema.org Person for a byline, with the author's ORCID record as `sameAs` when there is one."""
    found = {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(permalink(author))}
    if orcid := orcid_url(author.orcid):
        found["sameAs"] = orcid
    return found


def mark_translation(data, post):
    """Make `data` (a BlogPosting) a republished translation: the original author wrote it and its bylines
    translated it, as its citations say (blog.reading.citation)."""
    original = {"@type": "CreativeWork", "name": post.original_title, "url": http_url(post.original_url)}
    if post.original_author:
        original["author"] = [{"@type": "Person", "name": post.original_author}]
        data["translator"], data["author"] = data["author"] + data.get("translator", []), original["author"]
    data["translationOfWork"] = {key: value for key, value in original.items() if value}


@dataclass(frozen=True)
class SocialImage:
    url: str
    alt: str


def social_image(post):
    """The picture link previews and search engines show for `post`: its cover, else its social card (drawn on
    publishing: blog.rendering.social_card), else the first image in its text."""
    if post.cover_image:
        return SocialImage(post.cover_image.url, post.cover_alt)
    if post.social_card:
        return SocialImage(post.social_card.url, post.title)
    if found := first_image(post.body_html):
        return SocialImage(*found)
    return None


def post_json_ld(request, post, authors, tags, versions=()):
    """schema.org BlogPosting for search engines, as a JSON script element that no title can break out of.

    Among the essay's published `versions`, the one `post` was translated from is its translationOfWork, and
    those translated from `post` are its workTranslation.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.excerpt,
        "inLanguage": post.language,
        "url": request.build_absolute_uri(permalink(post)),
        "mainEntityOfPage": request.build_absolute_uri(permalink(post)),
        "datePublished": iso_datetime(post.publish_at),
        "dateModified": iso_datetime(max(post.publish_at, post.updated_at)),
        "author": [person(request, author) for author in authors if author.role != PostAuthor.Role.TRANSLATOR],
        "keywords": [tag.local_name for tag in tags],
    }
    if translators := [person(request, author) for author in authors if author.role == PostAuthor.Role.TRANSLATOR]:
        data["translator"] = translators
    if post.doi:
        doi = {"propertyID": "DOI", "value": post.doi, "url": doi_url(post.doi)}
        data["identifier"] = {"@type": "PropertyValue", **doi}
    if post.original_author or post.original_title or post.original_url:
        mark_translation(data, post)
    if image := social_image(post):
        data["image"] = request.build_absolute_uri(image.url)
    source = post.source_among(versions)
    if source is not None:
        # Beside a republished translation's original (mark_translation), the version it was translated from here.
        sibling = work_reference(request, source)
        data["translationOfWork"] = [data["translationOfWork"], sibling] if "translationOfWork" in data else sibling
    translations = [work_reference(request, version) for version in versions if version.translated_from_id == post.pk]
    if translations:
        data["workTranslation"] = translations
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def work_reference(request, version):
    """Another language version of an essay, as schema.org names a related work."""
    address = request.build_absolute_uri(permalink(version))
    return {
        "@type": "BlogPosting",
        "@id": address,
        "url": address,
        "headline": version.title,
        "inLanguage": version.language,
    }
