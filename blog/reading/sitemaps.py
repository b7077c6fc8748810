"""The sitemap: an index (/sitemap.xml) of paginated sections, every URL on the request's host.

Only published posts appear, and tags, authors and archive months only when a published post gives
them a page. Each URL lists its language versions as hreflang alternates.
"""

from datetime import datetime
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sites.requests import RequestSite
from django.db.models import Max, Value
from django.db.models.functions import ExtractMonth, ExtractYear, Greatest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language

from blog.caching import content_cached, public_page
from blog.models import CONVERTED_LANGUAGE, Author, Post, Tag
from blog.reading.links import post_path, slug_url, traditional_path, version_paths
from blog.reading.queries import published_versions, slugs_in_languages, with_slugs_in_languages

# The newest change a reader can see: a scheduled post appears at publish_at, after its last edit.
POST_CHANGED_FIELDS = ("updated_at", "publish_at")
POST_CHANGED = Greatest(*POST_CHANGED_FIELDS)


class RequestHostSitemap(Sitemap):
    """Builds URLs on the host the request came to; contrib would use Site 1 ("example.com").

    A page holds at most 1,000 URLs (the protocol allows 50,000): building each URL and its alternates
    is Python work, so a smaller page keeps one request's cost the same at 1,000 or 100,000 posts.
    """

    limit = 1000

    def __init__(self, request):
        self.request = request
        self.site = RequestSite(request)

    def get_domain(self, site=None):
        return self.site.domain

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["lastmod_text"] = w3c_date(url["lastmod"])
        return urls


def w3c_date(moment):
    """The day of `moment` in the site's time zone, as contrib's sitemap.xml prints it (`date:"Y-m-d"`)."""
    if moment is None:
        return None
    return (timezone.localtime(moment) if isinstance(moment, datetime) else moment).strftime("%Y-%m-%d")


class LocalizedSitemap(RequestHostSitemap):
    """A page that exists under every language prefix: one URL per language, each naming the others.

    Its pages (tags, authors, months) are listed whole in Python anyway, to pair each with every language.
    Finding them groups every published post, so the list is kept until the content changes
    (blog.caching.content_cached), and found once per request, not again for the index's page count.
    """

    i18n = True
    alternates = True

    def find_items(self):
        raise NotImplementedError

    @cached_property
    def found_items(self):
        return content_cached(f"sitemap:{type(self).__name__}", lambda: list(self.find_items()))

    def items(self):
        return self.found_items


class HomeSitemap(LocalizedSitemap):
    changefreq = "daily"

    def find_items(self):
        return ["blog:post-list"]

    def location(self, name):
        return reverse(name)


class PostSitemap(RequestHostSitemap):
    """Every published version of every essay, with its published versions as hreflang alternates.

    Not contrib's i18n=True: that builds an (item, language) pair for every post in Python before
    paginating. Here a page reads only its own rows, plus one query for their versions.
    """

    count_key = "sitemap:post-count"

    def items(self):
        # Oldest first, so adding posts only ever changes the last page. Rows, not model instances: a page
        # holds a thousand.
        return (
            Post.objects.published()
            .order_by("publish_at", "pk")
            .values_list("slug", "language", "translation_key", "updated_at", "publish_at", named=True)
        )

    def location(self, post):
        return post_path(post.language, post.slug)

    def lastmod(self, post):
        return max(post.updated_at, post.publish_at)

    @property
    def paginator(self):
        # The index's page count would otherwise count every published post on each request.
        paginator = super().paginator
        paginator.count = content_cached(self.count_key, paginator.object_list.count)
        return paginator

    def get_latest_lastmod(self):
        # max(GREATEST(...)) over every post would scan the table; each column's newest is one index lookup.
        published = Post.objects.published()
        newest = [
            published.order_by(f"-{field}").values_list(field, flat=True).first() for field in POST_CHANGED_FIELDS
        ]
        return None if None in newest else max(newest)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        versions = published_versions([url["item"] for url in urls])
        for url in urls:
            url["alternates"] = [
                {"location": origin + path, "lang_code": language}
                for version in sorted(versions[url["item"].translation_key], key=lambda version: version.language)
                for language, path in version_paths(version)
            ]
        return urls


class TraditionalPostSitemap(PostSitemap):
    """The Traditional pages of Simplified Chinese essays (blog.reading.traditional), with the same alternates."""

    def items(self):
        return super().items().filter(language=CONVERTED_LANGUAGE)

    def location(self, post):
        return traditional_path(post.slug)

    count_key = "sitemap:traditional-count"


def with_last_change(rows, relation):
    """The `rows` (a Tag or Author queryset) that a published post links to, each with `changed`: that post set's
    newest visible change.

    Grouped from the posts' side, so the visibility rule stays Post.objects.published() and the database
    aggregates one join instead of matching every link against a subquery of published posts.
    """
    changed = dict(
        Post.objects.published()
        .filter(**{f"{relation}__isnull": False})
        .values_list(relation)
        .annotate(changed=Max(POST_CHANGED))
        .order_by()
    )
    rows = [row for row in rows.order_by("name") if row.pk in changed]
    for row in rows:
        row.changed = changed[row.pk]
    return rows


class TagSitemap(LocalizedSitemap):
    """Each tag's page in every language, at its slug in that language."""

    def find_items(self):
        return with_last_change(with_slugs_in_languages(Tag.objects.all()), "tags")

    def location(self, tag):
        return slug_url("blog:tag-detail")(slugs_in_languages(tag)[get_language()])

    def lastmod(self, tag):
        return tag.changed


class AuthorSitemap(LocalizedSitemap):
    def find_items(self):
        return with_last_change(Author.objects.all(), "authors")

    def lastmod(self, author):
        # The page shows the author's profile too.
        return max(author.changed, author.updated_at)


class ArchivePage(NamedTuple):
    year: int
    month: int | None
    changed: datetime
    # The languages whose lists hold an essay in this period, in settings.LANGUAGES order.
    languages: tuple


class ArchiveSitemap(LocalizedSitemap):
    """Year and month archive pages, each in the languages whose lists hold a published post then.

    A month is listed in a language exactly when that language's archive links
    (blog.caching.generation.months_by_language) show it: lists hold one version per essay
    (PostQuerySet.one_per_essay), so a translation published weeks after its original moves the essay to another
    month in its language only, and the original's month may hold nothing there (a 404, which a sitemap must not
    send a crawler to).
    """

    def find_items(self):
        languages = [code for code, _name in settings.LANGUAGES]
        shown = [
            Post.objects.published()
            .one_per_essay(language)
            .annotate(year=ExtractYear("publish_at"), month=ExtractMonth("publish_at"))
            .order_by()
            .values("year", "month")
            .annotate(changed=Max(POST_CHANGED), shown_in=Value(language))
            for language in languages
        ]
        # One query: each language's months, grouped from the versions its lists show. The UNION says it wants no
        # order: Django 6.1 gives a combined query its model's default ordering (Post's -publish_at), columns it
        # does not select, and rejects it ("ORDER BY term does not match any column").
        periods = {}
        for row in shown[0].union(*shown[1:], all=True).order_by():
            for period in [(row["year"], None), (row["year"], row["month"])]:
                changed, found_in = periods.get(period, (row["changed"], set()))
                periods[period] = (max(changed, row["changed"]), found_in | {row["shown_in"]})
        pages = [
            ArchivePage(year, month, changed, tuple(code for code in languages if code in found_in))
            for (year, month), (changed, found_in) in periods.items()
        ]
        # Years first, then months, each oldest first.
        return sorted(pages, key=lambda page: (page.month is not None, page.year, page.month or 0))

    def get_languages_for_item(self, page):
        return page.languages

    def location(self, page):
        if page.month is None:
            return reverse("blog:archive-year", kwargs={"year": page.year})
        return reverse("blog:archive-month", kwargs={"year": page.year, "month": page.month})

    def lastmod(self, page):
        return page.changed


SITEMAPS = {
    "pages": HomeSitemap,
    "posts": PostSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "archives": ArchiveSitemap,
    "traditional": TraditionalPostSitemap,
}


def request_sitemaps(request):
    return {section: sitemap_class(request) for section, sitemap_class in SITEMAPS.items()}


@public_page
@x_robots_tag
def index(request):
    """contrib's index view, but on the request's host: one entry per page of every section.

    Each section's page count and latest change are kept until the content changes, so the index does not
    unpickle every tag, author and month to count them.
    """
    entries = []
    for section, sitemap in request_sitemaps(request).items():
        location = request.build_absolute_uri(reverse("sitemap-section", kwargs={"section": section}))
        pages, lastmod = content_cached(f"sitemap-index:{section}", partial(pages_and_latest_change, sitemap))
        # Printed as contrib's sitemap_index.xml does (`date:"c"`), once per section rather than once per page.
        lastmod = lastmod and timezone.localtime(lastmod).isoformat()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [SitemapIndexItem(f"{location}?p={page}", lastmod) for page in range(2, pages + 1)]
    return TemplateResponse(request, "blog/sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


def pages_and_latest_change(sitemap):
    return sitemap.paginator.num_pages, sitemap.get_latest_lastmod()


@partial(public_page, reads=("p",))  # contrib's sitemap view reads the page as ?p=
def section(request, section):
    return sitemap_views.sitemap(
        request, sitemaps=request_sitemaps(request), section=section, template_name="blog/sitemap.xml"
    )
