"""Public routes; config/urls.py mounts them under a language prefix."""

from django.urls import path, register_converter

from blog.caching import public_page
from blog.reading import feeds, traditional, views
from blog.reading.citation import views as citation


class UnicodeSlugConverter:
    """Slugs may be Japanese or Chinese (`キャリア`, `求职`); Django's `slug` is ASCII-only."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CitationFormatConverter(UnicodeSlugConverter):
    """The extension of a citation download (blog.reading.citation.formats.WRITERS)."""

    regex = r"bib|ris|json"


register_converter(UnicodeSlugConverter, "uslug")
register_converter(CitationFormatConverter, "citeformat")

# The query parameters lists read (blog.reading.views): the page, and the language the reader narrowed it to.
LIST_PARAMETERS = ("page", "lang")

app_name = "blog"
urlpatterns = [
    path("", public_page(views.PostListView.as_view(), reads=LIST_PARAMETERS), name="post-list"),
    path("posts/<uslug:slug>/", public_page(views.PostDetailView.as_view()), name="post-detail"),
    path(
        "posts/<uslug:slug>/cite.<citeformat:extension>",
        public_page(citation.citation_file),
        name="post-citation",
    ),
    path("tags/<uslug:slug>/", public_page(views.TagDetailView.as_view(), reads=LIST_PARAMETERS), name="tag-detail"),
    path(
        "authors/<uslug:slug>/",
        public_page(views.AuthorDetailView.as_view(), reads=LIST_PARAMETERS),
        name="author-detail",
    ),
    path(
        "archive/<int:year>/",
        public_page(views.PostYearArchiveView.as_view(), reads=LIST_PARAMETERS),
        name="archive-year",
    ),
    path(
        "archive/<int:year>/<int:month>/",
        public_page(views.PostMonthArchiveView.as_view(), reads=LIST_PARAMETERS),
        name="archive-month",
    ),
    path("search/", public_page(views.search, reads=(*LIST_PARAMETERS, "q")), name="search"),
    path("feeds/all.rss", feeds.LatestPostsFeed(), name="feed-rss"),
    path("feeds/all.atom", feeds.LatestPostsAtomFeed(), name="feed-atom"),
    path("feeds/posts.rss", feeds.LanguageFeed(), name="language-feed-rss"),
    path("feeds/posts.atom", feeds.LanguageAtomFeed(), name="language-feed-atom"),
    path("tags/<uslug:slug>/feed.rss", feeds.TagFeed(), name="tag-feed-rss"),
    path("tags/<uslug:slug>/feed.atom", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("authors/<uslug:slug>/feed.rss", feeds.AuthorFeed(), name="author-feed-rss"),
    path("authors/<uslug:slug>/feed.atom", feeds.AuthorAtomFeed(), name="author-feed-atom"),
]

# Mounted at /zh-hant/ outside the language prefixes (config/urls.py): Simplified Chinese essays in Traditional.
traditional_urlpatterns = (
    [
        path("posts/<uslug:slug>/", public_page(traditional.TraditionalPostDetailView.as_view()), name="post-detail"),
        path("feeds/posts.rss", traditional.TraditionalFeed(), name="feed-rss"),
        path("feeds/posts.atom", traditional.TraditionalAtomFeed(), name="feed-atom"),
    ],
    "traditional",
)
