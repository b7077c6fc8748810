"""RSS 2.0 and Atom 1.0 feeds: the whole site, one language, one tag, one author.

Django's feed generators know one author and one link per entry and no per-entry language; Bunko's
entries have several authors, a language of their own and translations, so two small generator
subclasses add those elements. Every URL is built on the host the request came to (contrib's Feed
would use Site 1, "example.com"), which is why items are FeedEntry objects carrying absolute URLs.
"""

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import get_language, get_language_info, gettext

from blog import rendering
from blog.conditional import public_page
from blog.models import Author, Post, Tag
from blog.text import excerpt
from blog.translations import one_per_essay
from blog.views import with_card_data

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# Control characters XML 1.0 cannot carry; Django's feed writer answers 500 rather than write one.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")


def published_versions(posts):
    """The published versions of the essays `posts` belong to, by translation key, in one query."""
    versions = {}
    keys = {post.translation_key for post in posts}
    published = Post.objects.published().filter(translation_key__in=keys)
    for version in published.only("translation_key", "language", "slug"):
        versions.setdefault(version.translation_key, []).append(version)
    return versions


def xml_safe(value):
    """`value` (a string, or lists, tuples and dicts of them) without the characters XML cannot carry."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    if isinstance(value, tuple):
        return tuple(xml_safe(item) for item in value)
    return value


def entry_id(post):
    """A URN that survives slug and domain changes: one per essay and language."""
    return uuid.uuid5(post.translation_key, post.language).urn


class BunkoRssFeed(Rss201rev2Feed):
    """RSS 2.0 plus full content (content:encoded), every author (dc:creator), language, last edit, translations."""

    def __init__(self, *args, description, **kwargs):
        # Readers show the channel description as HTML, as they do an item's (Atom's subtitle is plain text),
        # so a tag description or author name in it is escaped like item descriptions are.
        super().__init__(*args, description=escape(description), **kwargs)

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("dc:language", item["language"])
        # RSS 2.0 has no element for the last edit; Atom's, in its namespace, is what readers understand.
        handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content"])
        for language, url in item["versions"]:
            handler.addQuickElement("atom:link", "", {"rel": "alternate", "hreflang": language, "href": url})


class BunkoAtomFeed(Atom1Feed):
    """Atom 1.0 plus full content, every author, the entry's xml:lang and an hreflang link per version."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})
        for language, url in item["versions"]:
            handler.addQuickElement("link", "", {"rel": "alternate", "hreflang": language, "href": url})


@dataclass(frozen=True)
class FeedSource:
    """What one request asked for; Feed methods get it instead of reading state off the shared Feed."""

    base_url: str
    feed_url: str
    language: str
    posts: QuerySet
    subject: Tag | Author | None = None


@dataclass(frozen=True)
class FeedEntry:
    post: Post
    url: str
    # (language, absolute URL) of every published version, this entry's own last: feed readers take
    # the last rel="alternate" link as the entry's link, so it must be the entry itself.
    versions: list
    base_url: str


class LatestPostsFeed(Feed):
    """Every essay once, in the URL's language when a version exists, as the home page lists them."""

    feed_type = BunkoRssFeed
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        # A client repeating the validators gets 304 from one query, before any entry is built; others may get
        # the stored feed.
        return public_page(super().__call__)(request, *args, **kwargs)

    def get_feed(self, obj, request):
        # An editor may paste a control character into a title or body; the feed drops it instead of failing.
        feed = super().get_feed(obj, request)
        feed.feed, feed.items = xml_safe(feed.feed), xml_safe(feed.items)
        return feed

    def get_object(self, request, slug=None):
        subject = self.get_subject(slug)
        language = get_language()
        return FeedSource(
            base_url=f"{request.scheme}://{request.get_host()}",
            feed_url=request.build_absolute_uri(request.path),
            language=language,
            posts=self.get_posts(subject, language),
            subject=subject,
        )

    def get_subject(self, slug):
        return None

    def get_posts(self, subject, language):
        return one_per_essay(Post.objects.published(), language)

    def title(self, source):
        return gettext("Bunko: all essays")

    def description(self, source):
        return gettext("Long personal essays by researchers and engineers, in Japanese, Chinese and English.")

    def subtitle(self, source):
        # Atom's name for the description; RSS ignores it.
        return self.description(source)

    def link(self, source):
        return source.base_url + reverse("blog:post-list")

    def feed_url(self, source):
        return source.feed_url

    def feed_guid(self, source):
        # Not the page link (Atom's default id): the site and language feeds link the same home page.
        return source.feed_url

    def items(self, source):
        posts = list(with_card_data(source.posts)[: settings.BUNKO_FEED_ITEMS])
        versions = published_versions(posts)
        entries = []
        for post in posts:
            url = source.base_url + post.get_absolute_url()
            others = [
                (version.language, source.base_url + version.get_absolute_url())
                for version in sorted(versions[post.translation_key], key=lambda version: version.language)
                if version.pk != post.pk
            ]
            entries.append(FeedEntry(post, url, [*others, (post.language, url)], source.base_url))
        return entries

    def item_title(self, entry):
        return entry.post.title

    def item_link(self, entry):
        return entry.url

    def item_description(self, entry):
        # Atom's summary is type="html" and RSS readers read description as HTML: escape the plain text.
        return escape(excerpt(entry.post))

    def item_guid(self, entry):
        return entry_id(entry.post)

    def item_pubdate(self, entry):
        return entry.post.publish_at

    def item_updateddate(self, entry):
        # A scheduled post was last edited before it appeared; readers should not see "updated" < "published".
        return max(entry.post.updated_at, entry.post.publish_at)

    def item_categories(self, entry):
        return [tag.name for tag in entry.post.tags.all()]

    def item_extra_kwargs(self, entry):
        return {
            "language": entry.post.language,
            "authors": [
                (byline.author.name, entry.base_url + byline.author.get_absolute_url())
                for byline in entry.post.bylines.all()
            ],
            "content": rendering.feed_html(entry.post.body_html, entry.base_url),
            "versions": entry.versions,
        }


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = BunkoAtomFeed


class LanguageFeed(LatestPostsFeed):
    """Only the essays written in (or translated into) the URL's language."""

    def get_posts(self, subject, language):
        return Post.objects.published().in_language(language)

    def title(self, source):
        return gettext("Bunko: essays in %(language)s") % {"language": language_name(source.language)}

    def description(self, source):
        return gettext("Every essay published in %(language)s.") % {"language": language_name(source.language)}

    def link(self, source):
        return f"{source.base_url}{reverse('blog:post-list')}?lang={source.language}"


class LanguageAtomFeed(LanguageFeed):
    feed_type = BunkoAtomFeed


class SubjectFeed(LatestPostsFeed):
    """A tag's or author's page as a feed: its essays each once, in the URL's language when a version exists."""

    subject_model = None  # Tag or Author, found by the URL's slug
    posts_relation = None  # the Post field that links posts to it

    def get_subject(self, slug):
        return get_object_or_404(self.subject_model, slug=slug)

    def get_posts(self, subject, language):
        return one_per_essay(Post.objects.published().filter(**{self.posts_relation: subject}), language)

    def link(self, source):
        return source.base_url + source.subject.get_absolute_url()


class TagFeed(SubjectFeed):
    subject_model = Tag
    posts_relation = "tags"

    def title(self, source):
        return gettext("Bunko: essays tagged “%(tag)s”") % {"tag": source.subject.name}

    def description(self, source):
        return source.subject.description or self.title(source)


class TagAtomFeed(TagFeed):
    feed_type = BunkoAtomFeed


class AuthorFeed(SubjectFeed):
    subject_model = Author
    posts_relation = "authors"

    def title(self, source):
        return gettext("Bunko: essays by %(author)s") % {"author": source.subject.name}

    def description(self, source):
        return self.title(source)


class AuthorAtomFeed(AuthorFeed):
    feed_type = BunkoAtomFeed


def language_name(code):
    return get_language_info(code)["name_local"]
