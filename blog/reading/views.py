"""Public pages. Every query starts from Post.objects.published(); each essay shows once per list.

What the pages read on every request is in blog.reading.queries, prepared; the views say which page shows what.
"""

from typing import NamedTuple

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import generic

from blog.caching import Shown, ShowsContent, months_kept
from blog.compiled_sql import months_holding
from blog.models import Post
from blog.reading import queries
from blog.reading import search as site_search
from blog.reading.citation.page import page_citation
from blog.reading.links import slug_url
from blog.reading.pagination import OpenEndedPaginator

# A table of contents helps find one's way in a long essay and is clutter above a short one.
TOC_MIN_READING_MINUTES = 5


def written_in(request):
    """The language a reader narrowed the list to with ?lang=, or None (unknown codes are ignored)."""
    code = request.GET.get("lang")
    return code if code in dict(settings.LANGUAGES) else None


# Longer Accept-Language headers are cut here, as Django cuts them, so a huge one costs no more than this.
ACCEPT_LANGUAGE_MAX_LENGTH = 500


def accepted_languages(header):
    """The language tags an Accept-Language header asks for, most wanted first; `*`, q=0 and malformed parts are
    dropped. Django's parser is private, and its public get_language_from_request() puts the cookie first."""
    ranked = []
    for position, part in enumerate(header[:ACCEPT_LANGUAGE_MAX_LENGTH].split(",")):
        tag, _, parameters = part.partition(";")
        tag, parameters = tag.strip().lower(), parameters.strip()
        try:
            quality = float(parameters.removeprefix("q=")) if parameters else 1.0
        except ValueError:
            continue
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((-quality, position, tag))
    return [tag for _quality, _position, tag in sorted(ranked)]


def home_redirect(request):
    """Send `/` to a language home: the browser's languages first, then a remembered choice, then the default."""
    language = settings.LANGUAGE_CODE
    accepted = accepted_languages(request.headers.get("Accept-Language", ""))
    remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    for code in [*accepted, remembered]:
        try:
            language = translation.get_supported_language_variant(code or "")
            break
        except LookupError:
            continue
    with translation.override(language):
        response = redirect("blog:post-list")
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


class PublishedPostMixin(ShowsContent):
    """Lists of published posts with what their cards print, one version per essay (or ?lang= only).

    `relation` names the Post relation to the page's subject (a tag, an author), found by the URL's slug.
    """

    paginate_by = settings.BUNKO_POSTS_PER_PAGE
    paginator_class = OpenEndedPaginator
    relation = None
    subject = None

    def get_queryset(self):
        if self.relation and self.subject is None:
            self.subject = queries.subject_or_404(self.relation, self.kwargs["slug"], translation.get_language())
        return queries.EssayList(translation.get_language(), written_in(self.request), self.relation, self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(written_in=written_in(self.request), **kwargs)
        with_cards(context["object_list"])
        return context

    def shown(self, context):
        return Shown.cards(context["object_list"])


class CardLink(NamedTuple):
    """An author or tag on a post card."""

    pk: int
    name: str
    url: str


def with_cards(posts):
    """`posts` with `card_authors` (in byline order) and `card_tags` (by name): one query for the whole page."""
    bylines, tags = queries.bylines_and_tags(posts, translation.get_language())
    author_url, tag_url = slug_url("blog:author-detail"), slug_url("blog:tag-detail")
    for post in posts:
        post.card_authors = [CardLink(row.subject, row.name, author_url(row.slug)) for row in bylines[post.pk]]
        post.card_tags = [CardLink(row.subject, row.name, tag_url(row.slug)) for row in tags[post.pk]]
    return posts


class PostListView(PublishedPostMixin, generic.ListView):
    pass


class PostDetailView(ShowsContent, generic.DetailView):
    """One essay in the URL's language; its other published versions feed the switcher and hreflang."""

    model = Post

    def get(self, request, *args, **kwargs):
        """A slug the essay has in other languages only gets a 404 page, in the URL's language, linking those."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            elsewhere = {version.language: version for version in queries.versions_at_slug(self.kwargs["slug"])}
            if not elsewhere:
                raise
            # The URL's language first: the essay may have a version in it, at that version's own slug.
            language = translation.get_language()
            codes = [language, *(code for code, _name in settings.LANGUAGES if code != language)]
            context = {
                "versions_elsewhere": [elsewhere[code] for code in codes if code in elsewhere],
                "has_version_here": language in elsewhere,
            }
            return render(request, "404.html", context, status=404)

    def get_object(self, queryset=None):
        language = translation.get_language()
        versions = queries.essay_versions(language, self.kwargs["slug"])
        post = next((version for version in versions if version.language == language), None)
        if post is None:
            raise Http404("No published post with this slug in this language.")
        post.versions = versions
        return post

    def get_context_data(self, **kwargs):
        post = self.object
        page = post_page_context(
            self.request,
            post,
            previous_post=neighbour(post, post.previous_title, post.previous_slug),
            next_post=neighbour(post, post.next_title, post.next_slug),
        )
        return super().get_context_data(**page, **kwargs)

    def shown(self, context):
        post = context["object"]
        related = [other.translation_key for other in context["related"]]
        return Shown(
            essays=[post.translation_key, post.previous_key, post.next_key, *related],
            essay_pages=[post.translation_key],
            tags=[tag.pk for tag in context["tags"]],
            authors=[author.pk for author in context["authors"]],
        )


def post_page_context(request, post, previous_post=None, next_post=None, citable=True):
    """What the post page prints around `post`, which comes with `versions` and `has_picks` (from
    queries.essay_versions, or queries.unpublished_essay for the editors' preview): bylines, tags, links, the
    language versions, related essays, the neighbours given, and with `citable` the citation (meta tags, Cite box,
    downloads; blog.reading.citation)."""
    authors = queries.authors_of(post)
    tags = queries.tags_of(post)
    return {
        "description": post.excerpt,
        "authors": authors,
        "tags": tags,
        "related_links": queries.related_links_of(post),
        "versions": {version.language: version for version in post.versions},
        "original": post.versions[0],
        "outdated_source": post.outdated_source_among(post.versions),
        "related": queries.related_posts(post, tags, post.language),
        "previous_post": previous_post,
        "next_post": next_post,
        "show_toc": bool(post.toc_html) and post.reading_minutes >= TOC_MIN_READING_MINUTES,
        "citation": page_citation(request, post, authors) if citable else None,
    }


def neighbour(post, title, slug):
    """An unsaved Post standing for the previous or next essay, so templates can link to it."""
    return Post(title=title, slug=slug, language=post.language) if slug else None


class SubjectPostListView(PublishedPostMixin, generic.ListView):
    """The essays of one subject (a tag, an author): the page shows the subject too, so its edits expire it."""

    subject_name = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.subject_name: self.subject}, **kwargs)

    def shown(self, context):
        return super().shown(context) | Shown(**{self.relation: [self.subject.pk]})


class TagDetailView(SubjectPostListView):
    """A tag's essays at its slug in the URL's language; its own slug or another language's answers 301 there."""

    template_name = "blog/tag_detail.html"
    relation = "tags"
    subject_name = "tag"

    def get(self, request, *args, **kwargs):
        language = translation.get_language()
        self.subject = tag = queries.subject_or_404(self.relation, kwargs["slug"], language)
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        addresses = {
            code: slug_url("blog:tag-detail", code)(slug) + query for code, slug in tag.slug_in_languages.items()
        }
        if tag.local_slug != kwargs["slug"]:
            return HttpResponsePermanentRedirect(addresses[language])
        # What the switcher and hreflang links print (blog.reading.jinja2.page_in_each_language): the page in each
        # language is at the tag's slug in that language.
        request.page_in_each_language = addresses
        return super().get(request, *args, **kwargs)


class AuthorDetailView(SubjectPostListView):
    template_name = "blog/author_detail.html"
    relation = "authors"
    subject_name = "author"


def archive_languages(request, year, month=None):
    """The languages whose lists hold an essay in this year or month: where its archive page exists (else a 404).

    The months of the archive links beside every list, kept on the content generation
    (blog.caching.generation.months_by_language) or, before the lists next change, found by index hops. A translation
    published in a later month than its original moves the essay to that month in its language only.
    """
    period = f"{year:04d}-{month:02d}" if month else f"{year:04d}-"
    kept = months_kept()
    languages = []
    for code, _name in settings.LANGUAGES:
        months = kept.get(code)
        if months is None:
            months = [f"{start:%Y-%m}" for start in months_holding(Post.objects.published().one_per_essay(code))]
        # The page being shown exists in its own language, whatever the months say.
        if code == translation.get_language() or any(held.startswith(period) for held in months):
            languages.append(code)
    return languages


class ArchiveMixin(PublishedPostMixin):
    """Year and month archives, paginated like every other list (a busy month holds hundreds of essays).

    The switcher and hreflang links name the period only in the languages that hold it (archive_languages).
    """

    date_field = "publish_at"

    def get_queryset(self):
        # Date views also fetch single posts to find the next and previous year or month: only their dates.
        essays = Post.objects.published().reader_versions(translation.get_language(), written_in(self.request))
        return essays.only("publish_at")

    def get_dated_items(self):
        # Date views compute next/previous years and months, which overflow past year 9999.
        if not 1 <= int(self.get_year()) < 9999:
            raise Http404("No archive for this year.")
        return super().get_dated_items()

    def get_dated_queryset(self, **lookup):
        # An empty period is a 404 from the paginator's first page: skip Django's own EXISTS query.
        return self.get_queryset().filter(**lookup)

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(queryset.only(*queries.CARD_FIELDS), page_size)

    def get_context_data(self, **kwargs):
        # A list narrowed by ?lang= shows the same essays in every language, so it exists in all of them.
        if not written_in(self.request):
            month = int(self.get_month()) if isinstance(self, generic.MonthArchiveView) else None
            kwargs["page_languages"] = archive_languages(self.request, int(self.get_year()), month)
        return super().get_context_data(**kwargs)


class PostYearArchiveView(ArchiveMixin, generic.YearArchiveView):
    make_object_list = True

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The months of this year that hold essays, found without reading each essay."""
        return months_holding(queryset)[::-1]


class PostMonthArchiveView(ArchiveMixin, generic.MonthArchiveView):
    month_format = "%m"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """None: the page lists no days, so none are looked up."""
        return None


def search(request):
    """Substring search (see blog.reading.search); a blank query shows the form, long ones are cut with a notice."""
    query = site_search.parse_query(request.GET.get("q", ""))
    language = written_in(request)
    results = site_search.search(query, translation.get_language(), written_in=language)
    paginator = OpenEndedPaginator(results, settings.BUNKO_POSTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1) if query.terms else None
    except InvalidPage as error:
        raise Http404(str(error)) from error
    hits = [site_search.highlight(post, query) for post in page] if page else []
    context = {
        "query": query,
        "page_obj": page,
        "hits": hits,
        "written_in": language,
        "max_query_length": site_search.MAX_QUERY_LENGTH,
    }
    return render(request, "blog/search.html", context)
