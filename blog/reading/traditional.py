"""Simplified Chinese essays in Traditional characters, at /zh-hant/ (converted on save: blog.rendering.traditional).

A reader-only variant, not a fourth language: nobody writes in it, so editors, lists, tags and authors keep
three languages, and /zh-hant/ serves the converted essay pages. Those pages are rendered with the zh-hant
interface active; every other page they link to is the Simplified site's (SimplifiedPrefixForTraditional).
"""

import copy
from dataclasses import replace

from django.conf import settings
from django.http import Http404
from django.urls import LocalePrefixPattern, URLResolver, reverse
from django.utils import translation

from blog.models import CONVERTED_LANGUAGE
from blog.reading import queries
from blog.reading.feed_xml import BunkoAtomFeed
from blog.reading.feeds import LanguageFeed
from blog.reading.links import permalink, traditional_path
from blog.reading.views import PostDetailView
from blog.rendering.traditional import LANGUAGE as TRADITIONAL
from blog.rendering.traditional import LANGUAGE_TAG as TRADITIONAL_TAG


class SimplifiedPrefixForTraditional(LocalePrefixPattern):
    """i18n_patterns' prefix, but while a Traditional page renders, links to the site go to the Simplified pages."""

    @property
    def language_prefix(self):
        if translation.get_language() == TRADITIONAL:
            return f"{CONVERTED_LANGUAGE}/"
        return super().language_prefix


def site_patterns(*urls):
    """i18n_patterns(*urls) with SimplifiedPrefixForTraditional as its prefix."""
    return [URLResolver(SimplifiedPrefixForTraditional(), list(urls))]


class TraditionalPostDetailView(PostDetailView):
    """A published Simplified Chinese essay as stored in Traditional characters, with a link to the original."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override(TRADITIONAL):
            response = super().dispatch(request, *args, **kwargs)
            # Rendered now: a TemplateResponse renders after the view returns, outside this language.
            if hasattr(response, "render"):
                response = response.render()
        response.headers["Content-Language"] = TRADITIONAL_TAG
        return response

    def get_object(self, queryset=None):
        versions = queries.essay_versions(CONVERTED_LANGUAGE, self.kwargs["slug"])
        simplified = next((version for version in versions if version.language == CONVERTED_LANGUAGE), None)
        if simplified is None:
            raise Http404("No published Simplified Chinese essay with this slug.")
        # A copy: the versions (the switcher, hreflang) keep the Simplified text.
        post = copy.copy(simplified)
        post.versions = versions
        post.simplified = simplified
        post.title = post.traditional_title
        post.title_html = post.traditional_title_html
        post.body_html = post.traditional_body_html
        post.toc_html = post.traditional_toc_html
        post.excerpt = post.traditional_excerpt
        return post

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_language=TRADITIONAL_TAG,
            # Forms and lists are the Simplified site's (a subscription is to essays in a written language).
            site_language=CONVERTED_LANGUAGE,
            converted_from=permalink(self.object.simplified),
            **kwargs,
        )


class TraditionalFeed(LanguageFeed):
    """The Simplified Chinese essays in Traditional characters, as /zh-hant/feeds/posts.rss and .atom."""

    def respond(self, request, *args, **kwargs):
        with translation.override(TRADITIONAL):
            return super().respond(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        return replace(super().get_object(request, slug), language=TRADITIONAL)

    def link(self, source):
        return f"{source.origin}{reverse('blog:post-list')}?lang={CONVERTED_LANGUAGE}"

    def posts(self, source):
        return queries.traditional_feed_entries(settings.BUNKO_FEED_ITEMS)

    def entry_text(self, post):
        return (
            TRADITIONAL_TAG,
            traditional_path(post.slug),
            post.traditional_title,
            post.traditional_excerpt,
            post.traditional_feed_html,
        )


class TraditionalAtomFeed(TraditionalFeed):
    feed_type = BunkoAtomFeed
