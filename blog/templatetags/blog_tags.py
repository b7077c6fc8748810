"""Small template helpers for the public pages: switcher, cards, archive links and search-engine data."""

import functools
import itertools
import json
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.template import Context
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog.models import Post
from blog.pagination import months_holding
from blog.translations import one_per_essay

register = template.Library()

# `<`, `>` and `&` written as JSON escapes cannot close the <script> element that carries the data.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# OpenGraph wants a territory with each language.
OPENGRAPH_LOCALES = {"ja": "ja_JP", "zh-hans": "zh_CN", "en": "en_US"}


def language_home(language):
    with translation.override(language):
        return reverse("blog:post-list")


def home_label(language):
    """The words "Go to the home page" in the language of the home page they lead to."""
    with translation.override(language):
        return translation.gettext("Go to the home page")


def language_name(code):
    return translation.get_language_info(code)["name_local"]


# URLs made by permalink, by what they depend on; cleared when full rather than grown without end.
PERMALINKS = {}
PERMALINKS_MAX = 4096


@register.filter
def permalink(obj):
    """`obj.get_absolute_url()`, remembered: reverse() costs more than the rest of a post card.

    A post's, tag's or author's URL follows from its slug (and a post's language), the active language and
    the script prefix, so those name it; nothing about an object's content can make a remembered URL stale.
    """
    key = (type(obj), obj.slug, getattr(obj, "language", None), translation.get_language(), get_script_prefix())
    url = PERMALINKS.get(key)
    if url is None:
        if len(PERMALINKS) >= PERMALINKS_MAX:
            PERMALINKS.clear()
        url = PERMALINKS[key] = obj.get_absolute_url()
    return url


@register.filter
def written_in_another_language(post):
    """Whether `post` is not in the reader's language, so its card marks its language."""
    return post.language != translation.get_language()


@register.filter
def iso_datetime(value):
    """A machine-readable time to the second (HTML's datetime attribute refuses microseconds)."""
    return value.isoformat(timespec="seconds") if value else ""


@register.filter
def http_url(url):
    """`url` when it is http(s), else "": a stored javascript: link must never become an href."""
    return url if urlsplit(url or "").scheme in {"http", "https"} else ""


@register.filter
def opengraph_locale(language):
    return OPENGRAPH_LOCALES.get(language, translation.to_locale(language))


def page_in_each_language(request):
    """{language: this page's address in it}: the switcher and the hreflang links both print them, found once."""
    if not hasattr(request, "page_in_each_language"):
        path = request.get_full_path()
        request.page_in_each_language = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
    return request.page_in_each_language


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context, homes_only=False):
    """Links to this page in each UI language; on a post, to its published versions, saying which are missing."""
    current = translation.get_language()
    request = context["request"]
    path = request.get_full_path()
    versions = context.get("versions")
    links = []
    for code, _name in settings.LANGUAGES:
        if versions is not None:
            version = versions.get(code)
            url = permalink(version) if version else language_home(code)
            available = version is not None
        elif homes_only:
            url, available = language_home(code), True
        else:
            url = page_in_each_language(request)[code] if code != current else path
            if url == path and code != current:
                url = language_home(code)
            available = True
        links.append(
            {
                "code": code,
                "name": language_name(code),
                "url": url,
                "current": code == current,
                "available": available,
                # Only the link standing in for a missing version shows it.
                "home_label": None if available else home_label(code),
            }
        )
    return {"links": links}


@register.inclusion_tag("includes/alternates.html", takes_context=True)
def alternate_links(context):
    """<link rel=alternate hreflang> for each existing version of the page, plus x-default."""
    request = context["request"]
    versions = context.get("versions")
    if versions is not None:
        pairs = [(code, permalink(version)) for code, version in versions.items()]
        default = permalink(context["original"])
    else:
        pairs = list(page_in_each_language(request).items())
        default = dict(pairs)[settings.LANGUAGE_CODE]
    links = [(code, request.build_absolute_uri(url)) for code, url in pairs]
    return {"links": links, "default": request.build_absolute_uri(default)}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without parameters that do not change its content (only page and lang do)."""
    request = context["request"]
    try:
        params = {key: request.GET[key] for key in ("lang", "page") if request.GET.get(key)}
    except TooManyFieldsSent:
        # The 404 page of a request whose query Django refuses to parse: reading it again here would make a 500.
        params = {}
    if params.get("page") == "1":
        del params["page"]
    query = f"?{urlencode(params)}" if params else ""
    return request.build_absolute_uri(f"{request.path}{query}")


@register.simple_tag(takes_context=True)
def absolute_uri(context, url):
    """`url` with scheme and host, as OpenGraph and JSON-LD require (an absolute MEDIA_URL is kept)."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def month_links(context):
    """Months that hold an essay in this language's lists, grouped by year, newest first.

    Pages served through blog.conditional.public_page read them from the content generation, which finds
    them whenever the lists change (blog.models.months_by_language); others, and a database upgraded
    before its lists next change, find them with one index hop per month (blog.pagination.months_holding).
    """
    language = translation.get_language()
    generation = getattr(context.get("request"), "content_generation", None)
    if generation is not None and language in generation.months:
        local = timezone.get_current_timezone()
        months = [datetime(int(month[:4]), int(month[5:]), 1, tzinfo=local) for month in generation.months[language]]
    else:
        months = months_holding(one_per_essay(Post.objects.published(), language))
    template = get_template("includes/month_links.html").template
    zone = timezone.get_current_timezone_name()
    return render_month_links(template, language, zone, get_script_prefix(), tuple(months))


@functools.lru_cache(maxsize=16)
def render_month_links(template, language, zone, script_prefix, months):
    """The archive's links for `months`: the same arguments make the same HTML, so it is kept for the next page.

    Over a hundred links with a localised date each cost more than the rest of a list page, and every page
    of a language shows the same months. The template is part of the key, so one edited and reloaded during
    development is rendered afresh.
    """
    years = [(year, list(group)) for year, group in itertools.groupby(months, key=lambda month: month.year)]
    return template.render(Context({"years": years}, autoescape=True))


@register.simple_tag(takes_context=True)
def post_json_ld(context, post):
    """schema.org BlogPosting for search engines, as a JSON script element that no title can break out of."""
    request = context["request"]
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
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(permalink(author)),
            }
            for author in context["authors"]
        ],
        "keywords": [tag.name for tag in context["tags"]],
    }
    if post.cover_image:
        data["image"] = request.build_absolute_uri(post.cover_image.url)
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
