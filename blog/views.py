"""Public pages. Every query starts from Post.objects.published(); each essay shows once per list."""

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real
from django.views import generic

from blog import search as site_search
from blog.conditional import shows, shows_cards
from blog.models import Author, Post, PostAuthor, RelatedPost, Tag
from blog.pagination import OpenEndedPaginator, months_holding
from blog.translations import one_per_essay, reader_versions

RELATED_BY_TAGS_LIMIT = 4
# A table of contents helps find one's way in a long essay and is clutter above a short one.
TOC_MIN_READING_MINUTES = 5


def byline_prefetch():
    return Prefetch("bylines", queryset=PostAuthor.objects.select_related("author").order_by("position", "pk"))


# The columns a post card prints (the excerpt is stored on save: the summary, else the start of the text).
CARD_FIELDS = ["title", "slug", "language", "translation_key", "excerpt", "publish_at"]


def with_card_data(queryset):
    """Only what a post card prints, with `card_bylines` (in order, with authors) and `card_tags` in two queries.

    Plain lists rather than `post.bylines.all`: a related manager made for each card costs more than its tags;
    and only the columns printed, since building the page's sixty-odd model instances is much of its cost.
    """
    bylines = PostAuthor.objects.select_related("author").only("post", "author__name", "author__slug")
    tags = Tag.objects.only("name", "slug")
    return queryset.only(*CARD_FIELDS).prefetch_related(
        Prefetch("bylines", queryset=bylines.order_by("position", "pk"), to_attr="card_bylines"),
        Prefetch("tags", queryset=tags, to_attr="card_tags"),
    )


def written_in(request):
    """The language a reader narrowed the list to with ?lang=, or None (unknown codes are ignored)."""
    code = request.GET.get("lang")
    return code if code in dict(settings.LANGUAGES) else None


def reader_essays(request, queryset):
    """Posts written in ?lang= when asked; otherwise one version per essay in the reader's language."""
    return reader_versions(queryset, translation.get_language(), written_in(request))


def home_redirect(request):
    """Send `/` to a language home: the browser's languages first, then a remembered choice, then the default."""
    language = settings.LANGUAGE_CODE
    accepted = [code for code, _ in trans_real.parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
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


class PublishedPostMixin:
    """Lists of published posts with what their cards print, one version per essay (or ?lang= only)."""

    paginate_by = settings.BUNKO_POSTS_PER_PAGE
    paginator_class = OpenEndedPaginator

    def get_queryset(self):
        return with_card_data(self.get_essays())

    def get_essays(self):
        return reader_essays(self.request, self.get_posts())

    def get_posts(self):
        return Post.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(written_in=written_in(self.request), **kwargs)
        for post in context["object_list"]:
            post.card_authors = [byline.author for byline in post.card_bylines]
        shows_cards(self.request, context["object_list"])
        return context


class PostListView(PublishedPostMixin, generic.ListView):
    pass


class PostDetailView(generic.DetailView):
    """One essay in the URL's language; its other published versions feed the switcher and hreflang."""

    model = Post

    def get_object(self, queryset=None):
        language = translation.get_language()
        published = Post.objects.published()
        key = published.filter(language=language, slug=self.kwargs["slug"]).values("translation_key")[:1]
        same_language = published.filter(language=OuterRef("language"))
        # A range on publish_at (ties broken by pk within it) lets the database walk the (language, status,
        # publish_at) index.
        older = same_language.filter(
            Q(publish_at__lt=OuterRef("publish_at")) | Q(pk__lt=OuterRef("pk")), publish_at__lte=OuterRef("publish_at")
        ).order_by("-publish_at", "-pk")
        newer = same_language.filter(
            Q(publish_at__gt=OuterRef("publish_at")) | Q(pk__gt=OuterRef("pk")), publish_at__gte=OuterRef("publish_at")
        ).order_by("publish_at", "pk")
        # One query returns the post with its sibling versions, neighbours and whether an editor picked related posts.
        versions = list(
            published.filter(translation_key=Subquery(key))
            .annotate(
                has_picks=Exists(RelatedPost.objects.filter(from_post=OuterRef("pk"))),
                previous_title=Subquery(older.values("title")[:1]),
                previous_slug=Subquery(older.values("slug")[:1]),
                next_title=Subquery(newer.values("title")[:1]),
                next_slug=Subquery(newer.values("slug")[:1]),
                next_key=Subquery(newer.values("translation_key")[:1]),
                previous_key=Subquery(older.values("translation_key")[:1]),
            )
            .order_by("created_at", "pk")
        )
        post = next((version for version in versions if version.language == language), None)
        if post is None:
            raise Http404("No published post with this slug in this language.")
        post.versions = versions
        prefetch_related_objects([post], byline_prefetch(), "tags", "related_links")
        return post

    def get_context_data(self, **kwargs):
        post = self.object
        related = list(related_posts(post, post.language))
        authors = [byline.author for byline in post.bylines.all()]
        tags = list(post.tags.all())
        shows(
            self.request,
            essays=[post.translation_key, post.previous_key, post.next_key, *(other.translation_key for other in related)],
            essay_pages=[post.translation_key],
            tags=[tag.pk for tag in tags],
            authors=[author.pk for author in authors],
        )
        return super().get_context_data(
            description=post.excerpt,
            authors=authors,
            tags=tags,
            related_links=list(post.related_links.all()),
            versions={version.language: version for version in post.versions},
            original=post.versions[0],
            related=related,
            previous_post=neighbour(post, post.previous_title, post.previous_slug),
            next_post=neighbour(post, post.next_title, post.next_slug),
            show_toc=bool(post.toc_html) and post.reading_minutes >= TOC_MIN_READING_MINUTES,
            **kwargs,
        )


def neighbour(post, title, slug):
    """An unsaved Post standing for the previous or next essay, so templates can link to it."""
    return Post(title=title, slug=slug, language=post.language) if slug else None


def related_posts(post, language):
    """The editor's picks in their order, else the posts sharing most tags; each in `language` when possible.

    Only the columns the links print are read, not whole essays.
    """
    others = Post.objects.published().exclude(translation_key=post.translation_key)
    others = others.only("title", "slug", "language", "translation_key")
    if post.has_picks:
        picks = RelatedPost.objects.filter(from_post=post)
        position = picks.filter(to_post__translation_key=OuterRef("translation_key")).order_by("position")
        candidates = others.filter(translation_key__in=picks.values("to_post__translation_key"))
        return one_per_essay(candidates, language).annotate(
            pick_position=Subquery(position.values("position")[:1])
        ).order_by("pick_position", "-publish_at")
    tag_ids = [tag.pk for tag in post.tags.all()]
    if not tag_ids:
        return Post.objects.none()
    # Candidates found from the tags' side (an IN list), so the database reads the posts carrying these tags
    # rather than checking every published post for them.
    tagged = Post.tags.through.objects.filter(tag__in=tag_ids)
    shared = tagged.filter(post=OuterRef("pk")).order_by().values("post").annotate(count=Count("pk")).values("count")
    candidates = others.filter(pk__in=tagged.values("post"))
    return (
        one_per_essay(candidates, language)
        .annotate(shared_tags=Subquery(shared))
        .order_by("-shared_tags", "-publish_at", "-pk")[:RELATED_BY_TAGS_LIMIT]
    )


class TagDetailView(PublishedPostMixin, generic.ListView):
    template_name = "blog/tag_detail.html"

    def get_posts(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_posts().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        shows(self.request, tags=[self.tag.pk])
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorDetailView(PublishedPostMixin, generic.ListView):
    template_name = "blog/author_detail.html"

    def get_posts(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_posts().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        shows(self.request, authors=[self.author.pk])
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveMixin(PublishedPostMixin):
    """Year and month archives, paginated like every other list (a busy month holds hundreds of essays)."""

    date_field = "publish_at"

    def get_queryset(self):
        # Date views also fetch single posts to find the next and previous year or month: only their dates.
        return self.get_essays().only("publish_at")

    def get_dated_items(self):
        # Date views compute next/previous years and months, which overflow past year 9999.
        if not 1 <= int(self.get_year()) < 9999:
            raise Http404("No archive for this year.")
        return super().get_dated_items()

    def get_dated_queryset(self, **lookup):
        # An empty period is a 404 from the paginator's first page: skip Django's own EXISTS query.
        return self.get_queryset().filter(**lookup)

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(with_card_data(queryset), page_size)


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
    """Substring search (see blog.search); a blank query shows the form, long ones are cut with a notice."""
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
