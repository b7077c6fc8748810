"""RSS 2.0 and Atom 1.0 feeds: the whole site, one language, one tag, one author.

Entries have several authors, a language of their own and translations, which the generators in
blog.reading.feed_xml write. Every URL is built on the host the request came to (contrib's Feed
would use Site 1, "example.com"), which is why items are FeedEntry objects carrying absolute URLs.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language, get_language_info, gettext

from blog import rendering
from blog.caching import Shown, public_page
from blog.models import Author, Tag
from blog.reading import queries
from blog.reading.feed_xml import BunkoAtomFeed, BunkoRssFeed, xml_safe
from blog.reading.links import post_path, slug_url, version_paths


def entry_id(translation_key, language):
    """A URN that survives slug and domain changes: one per essay and language."""
    return uuid.uuid5(translation_key, language).urn


def entry_field(name):
    """A Feed item_* method answering with a FeedEntry's field: entries carry everything already built."""
    return lambda feed, entry: getattr(entry, name)


@dataclass
class FeedSource:
    """What one request asked for; Feed methods get it instead of reading state off the shared Feed.

    items() adds what the entries show (`shown`), which respond() hands to the page cache with the response.
    """

    request: HttpRequest
    origin: str  # scheme://host the request came to
    feed_url: str
    language: str
    subject: Tag | Author | None = None
    shown: Shown | None = None


@dataclass(frozen=True)
class FeedEntry:
    """Everything one entry prints, with absolute URLs."""

    title: str
    url: str
    guid: str
    language: str
    published: datetime
    updated: datetime
    description: str
    content: str
    authors: list  # (name, URL) in byline order
    categories: list
    # (language, URL) of every published version, this entry's own last: feed readers take the last
    # rel="alternate" link as the entry's link, so it must be the entry itself.
    versions: list


class LatestPostsFeed(Feed):
    """Every essay once, in the URL's language when a version exists, as the home page lists them."""

    feed_type = BunkoRssFeed
    item_guid_is_permalink = False
    # Which posts, as blog.reading.queries.reader_essays chooses them: of a subject (through this Post relation), and
    # only those written in the URL's language rather than one version of every essay.
    relation = None
    written_in_only = False

    def __call__(self, request, *args, **kwargs):
        # A client repeating the validators gets 304 from one query, before any entry is built; others may get
        # the stored feed.
        return public_page(self.respond)(request, *args, **kwargs)

    def respond(self, request, *args, **kwargs):
        """contrib's Feed response, but one body: contrib writes every XML element into it as a chunk of its own.

        public_page sets Last-Modified.
        """
        return self.response(self.get_object(request, *args, **kwargs))

    def response(self, source):
        feed = self.get_feed(source, source.request)
        response = HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
        response.shown = source.shown
        return response

    def get_feed(self, obj, request):
        # An editor may paste a control character into a tag description; the feed drops it instead of failing.
        feed = super().get_feed(obj, request)
        feed.feed = xml_safe(feed.feed)
        return feed

    def get_object(self, request, slug=None):
        language = get_language()
        subject = self.get_subject(slug, language)
        return FeedSource(
            request=request,
            origin=f"{request.scheme}://{request.get_host()}",
            feed_url=request.build_absolute_uri(request.path),
            language=language,
            subject=subject,
        )

    def get_subject(self, slug, language):
        return queries.subject_or_404(self.relation, slug, language) if self.relation else None

    def title(self, source):
        return gettext("Bunko: all essays")

    def description(self, source):
        return gettext("Long personal essays by researchers and engineers, in Japanese, Chinese and English.")

    def subtitle(self, source):
        # Atom's name for the description; RSS ignores it.
        return self.description(source)

    def link(self, source):
        return source.origin + reverse("blog:post-list")

    def feed_url(self, source):
        return source.feed_url

    def feed_guid(self, source):
        # Not the page link (Atom's default id): the site and language feeds link the same home page.
        return source.feed_url

    def items(self, source):
        """The newest entries with their authors, tags and versions: three queries, only of the columns printed.

        Editors' text goes through xml_safe here; stored feed HTML has no character XML forbids.
        """
        posts = self.posts(source)
        author_url = slug_url("blog:author-detail")
        bylines, tags = queries.bylines_and_tags(posts, source.language)
        authors = {
            pk: [(xml_safe(byline.name), source.origin + author_url(byline.slug)) for byline in group]
            for pk, group in bylines.items()
        }
        categories = {pk: [xml_safe(link.name) for link in group] for pk, group in tags.items()}
        shown_authors = [byline.subject for group in bylines.values() for byline in group]
        shown_tags = [link.subject for group in tags.values() for link in group]
        if isinstance(source.subject, Tag):
            shown_tags.append(source.subject.pk)
        elif isinstance(source.subject, Author):
            shown_authors.append(source.subject.pk)
        source.shown = Shown(essays=[post.translation_key for post in posts], tags=shown_tags, authors=shown_authors)
        # (language, URL) of each published version of an essay (a Simplified Chinese one in Traditional too).
        versions = {
            key: sorted(
                (language, source.origin + path) for version in group for language, path in version_paths(version)
            )
            for key, group in queries.published_versions(posts).items()
        }
        entries = []
        for post in posts:
            language, path, title, excerpt, feed_html = self.entry_text(post)
            url = source.origin + path
            others = [version for version in versions[post.translation_key] if version[0] != language]
            entries.append(
                FeedEntry(
                    title=xml_safe(title),
                    url=url,
                    guid=entry_id(post.translation_key, language.lower()),
                    language=language,
                    published=post.publish_at,
                    # A scheduled post was last edited before it appeared; readers should not see updated < published.
                    updated=max(post.updated_at, post.publish_at),
                    # Atom's summary is type="html" and RSS readers read description as HTML: escape the plain text.
                    description=escape(xml_safe(excerpt)),
                    content=rendering.feed_html(feed_html, source.origin),
                    authors=authors.get(post.pk, []),
                    categories=categories.get(post.pk, []),
                    versions=[*others, (language, url)],
                )
            )
        return entries

    def posts(self, source):
        return queries.feed_entries(
            self.relation, self.written_in_only, settings.BUNKO_FEED_ITEMS, source.language, source.subject
        )

    def entry_text(self, post):
        """(language, path, title, excerpt, feed HTML) of the entry for `post`."""
        return post.language, post_path(post.language, post.slug), post.title, post.excerpt, post.feed_html

    item_title = entry_field("title")
    item_link = entry_field("url")
    item_description = entry_field("description")
    item_guid = entry_field("guid")
    item_pubdate = entry_field("published")
    item_updateddate = entry_field("updated")
    item_categories = entry_field("categories")

    def item_extra_kwargs(self, entry):
        return {
            "language": entry.language,
            "authors": entry.authors,
            "content": entry.content,
            "versions": entry.versions,
        }


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = BunkoAtomFeed


class LanguageFeed(LatestPostsFeed):
    """Only the essays written in (or translated into) the URL's language."""

    written_in_only = True

    def title(self, source):
        return gettext("Bunko: essays in %(language)s") % {"language": language_name(source.language)}

    def description(self, source):
        return gettext("Every essay published in %(language)s.") % {"language": language_name(source.language)}

    def link(self, source):
        return f"{source.origin}{reverse('blog:post-list')}?lang={source.language}"


class LanguageAtomFeed(LanguageFeed):
    feed_type = BunkoAtomFeed


class SubjectFeed(LatestPostsFeed):
    """A tag's or author's page as a feed: its essays each once, in the URL's language when a version exists."""

    def link(self, source):
        return source.origin + source.subject.get_absolute_url()


class TagFeed(SubjectFeed):
    """A tag's feed at its slug in the URL's language; its own slug or another language's answers 301 there, so
    a feed reader subscribed before the tag had a slug in this language moves."""

    relation = "tags"
    route = "blog:tag-feed-rss"

    def respond(self, request, slug):
        source = self.get_object(request, slug)
        if source.subject.local_slug != slug:
            return HttpResponsePermanentRedirect(slug_url(self.route)(source.subject.local_slug))
        return self.response(source)

    def link(self, source):
        return source.origin + slug_url("blog:tag-detail")(source.subject.local_slug)

    def title(self, source):
        return gettext("Bunko: essays tagged “%(tag)s”") % {"tag": source.subject.local_name}

    def description(self, source):
        return source.subject.local_description or self.title(source)


class TagAtomFeed(TagFeed):
    feed_type = BunkoAtomFeed
    route = "blog:tag-feed-atom"


class AuthorFeed(SubjectFeed):
    relation = "authors"

    def title(self, source):
        return gettext("Bunko: essays by %(author)s") % {"author": source.subject.name}

    def description(self, source):
        return self.title(source)


class AuthorAtomFeed(AuthorFeed):
    feed_type = BunkoAtomFeed


def language_name(code):
    return get_language_info(code)["name_local"]
