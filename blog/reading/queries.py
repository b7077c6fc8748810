"""The reads every public request makes, written once as querysets and run prepared (blog.compiled_sql).

Each starts from Post.objects.published() and the translation rules of PostQuerySet; only the time,
the language, a slug or some ids change between requests, so Django compiles each shape once per process.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from blog.compiled_sql import Param, Prepared, list_values, param_list
from blog.models import CONVERTED_LANGUAGE, Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag, TagName

RELATED_BY_TAGS_LIMIT = 4
# The columns a post card prints (the excerpt is stored on save: the summary, else the start of the text).
CARD_FIELDS = ("title", "title_html", "slug", "language", "translation_key", "excerpt", "publish_at")
# What the post page does not print: the Markdown source, the feed's copy of the HTML, import bookkeeping, the
# copy of the source text a translation was made from.
PAGE_DEFERRED = (
    "body", "summary", "feed_html", "extra_front_matter", "source_path", "renderer_release", "source_base",
    "search_text", "traditional_feed_html",
)  # fmt: skip
# Where a list's posts may be narrowed to a subject: the Post relation and the subject's model.
SUBJECTS = {"tags": Tag, "authors": Author}


def now_param():
    return Param("now", Post._meta.get_field("publish_at"))


def language_param():
    return Param("language", Post._meta.get_field("language"))


def post_param():
    return Param("post", Post._meta.pk)


def tag_in_language(field, tag_path=None, language=None):
    """The tag's `field` (name, slug or description) in the reader's language (or `language`), else the tag's own;
    `tag_path` leads from the queried model to the tag (None: the queried model is Tag)."""
    local = TagName.objects.filter(tag=OuterRef(tag_path or "pk"), language=language or language_param())
    local = local.exclude(**{field: ""})
    return Coalesce(Subquery(local.values(field)[:1]), F(f"{tag_path}__{field}" if tag_path else field))


def slug_column(language):
    return f"slug_{language.replace('-', '_')}"


def with_slugs_in_languages(tags):
    """`tags` each with its slug in every language (`slug_ja`, `slug_zh_hans`...): where its page is in each."""
    return tags.annotate(
        **{slug_column(code): tag_in_language("slug", language=code) for code, _name in settings.LANGUAGES}
    )


def slugs_in_languages(tag):
    """{language: the slug of `tag`'s page in it}, of a tag read through with_slugs_in_languages()."""
    return {code: getattr(tag, slug_column(code)) for code, _name in settings.LANGUAGES}


def published():
    return Post.objects.published(now_param())


# ---- lists and feeds


def reader_essays(relation, written_in_only):
    """Posts a list shows: of the subject linked through `relation` if any; one version per essay, preferring the
    reader's language, or with `written_in_only` just the posts written in it (the `language` Param either way)."""
    posts = published()
    if relation:
        posts = posts.filter(**{relation: Param("subject", SUBJECTS[relation]._meta.pk)})
    language = language_param()
    return posts.reader_versions(language, written_in=language if written_in_only else None)


LIST_PAGE = Prepared(
    lambda relation, written_in_only, start, stop: reader_essays(relation, written_in_only).only(*CARD_FIELDS)[
        start:stop
    ]
)


def card_links(count):
    """Bylines (kind 0, in byline order) then tags (kind 1, by name) of `count` posts: one query, one round trip.

    Every column is an annotation, made in the same order on both sides, so the two SELECTs line up.
    """
    posts = param_list("post", Post._meta.pk, count)
    bylines = PostAuthor.objects.filter(post__pk__in=posts).annotate(
        kind=Value(0), of_post=F("post"), subject=F("author"), name=F("author__name"), slug=F("author__slug"),
        rank=F("position"), tiebreak=F("pk"),
    )  # fmt: skip
    tags = Post.tags.through.objects.filter(post__pk__in=posts).annotate(
        kind=Value(1), of_post=F("post"), subject=F("tag"), name=tag_in_language("name", "tag"),
        slug=tag_in_language("slug", "tag"),
        rank=Value(0), tiebreak=Value(0),
    )  # fmt: skip
    columns = ("kind", "of_post", "subject", "name", "slug", "rank", "tiebreak")
    return (
        bylines.order_by()
        .values_list(*columns, named=True)
        .union(tags.order_by().values_list(*columns), all=True)
        .order_by("kind", "rank", "tiebreak", "name")
    )


CARD_LINKS = Prepared(card_links)


def subject_by_slug(model):
    """The author at a slug, or the tag with a slug, its own or in any language (blog.models.content.tag_slug_taken
    keeps it one tag), with `local_name`, `local_description` in the reader's language and its slug in each."""
    slug = Param("slug", model._meta.get_field("slug"))
    if model is not Tag:
        return model.objects.filter(slug=slug)
    named_so = TagName.objects.filter(slug=slug).values("tag")
    found = Tag.objects.filter(Q(slug=slug) | Q(pk__in=named_so))
    found = found.annotate(local_name=tag_in_language("name"), local_description=tag_in_language("description"))
    return with_slugs_in_languages(found)


SUBJECT_BY_SLUG = {
    relation: Prepared(lambda model=model: subject_by_slug(model)) for relation, model in SUBJECTS.items()
}


class EssayList:
    """A list page's posts as ListView and its paginator take them: each slice is one prepared query.

    Card data (authors, tags) is added to the page shown by with_cards(), not to every slice.
    """

    model = Post  # for ListView's default template and context names
    ordered = True

    def __init__(self, language, written_in=None, relation=None, subject=None):
        self.shape = (relation, bool(written_in))
        self.values = {"language": written_in or language, "subject": subject and subject.pk}

    def __getitem__(self, bounds):
        return LIST_PAGE.objects(*self.shape, bounds.start or 0, bounds.stop, now=timezone.now(), **self.values)


def bylines_and_tags(posts, language):
    """({post pk: its bylines in order}, {post pk: its tags by name}), as rows with the author's or tag's pk as
    `subject`, its `name` (a tag's in `language`) and `slug`."""
    bylines, tags = defaultdict(list), defaultdict(list)
    for link in CARD_LINKS.rows(len(posts), language=language, **list_values("post", [post.pk for post in posts])):
        (tags if link.kind else bylines)[link.of_post].append(link)
    return bylines, tags


# Only what a feed entry prints: the Markdown source and the page HTML would triple what each query reads.
ENTRY_FIELDS = (
    "pk", "title", "slug", "language", "translation_key", "excerpt", "feed_html", "publish_at", "updated_at"
)  # fmt: skip
FEED_ENTRIES = Prepared(
    lambda relation, written_in_only, count: reader_essays(relation, written_in_only).values_list(
        *ENTRY_FIELDS, named=True
    )[:count]
)
# The Traditional feed (blog.reading.traditional): Simplified Chinese essays with their converted text.
TRADITIONAL_ENTRIES = Prepared(
    lambda count: reader_essays(None, True).values_list(
        *ENTRY_FIELDS, "traditional_title", "traditional_excerpt", "traditional_feed_html", named=True
    )[:count]
)
# Unordered: ordered by publish time, SQLite would walk every published post instead of the keys' index.
VERSIONS = Prepared(
    lambda count: (
        published()
        .filter(translation_key__in=param_list("essay", Post._meta.get_field("translation_key"), count))
        .order_by()
        .values_list("translation_key", "language", "slug", named=True)
    )
)


def feed_entries(relation, written_in_only, count, language, subject=None):
    """The newest `count` posts a feed lists (as reader_essays chooses them), as rows of ENTRY_FIELDS."""
    return FEED_ENTRIES.rows(
        relation, written_in_only, count, now=timezone.now(), language=language, subject=subject and subject.pk
    )


def traditional_feed_entries(count):
    """The newest `count` Simplified Chinese essays, as rows of ENTRY_FIELDS and their Traditional text."""
    return TRADITIONAL_ENTRIES.rows(count, now=timezone.now(), language=CONVERTED_LANGUAGE)


def published_versions(posts):
    """The published versions of the essays `posts` belong to, as rows of (translation_key, language, slug), by
    translation key, in one query."""
    keys = list({post.translation_key for post in posts})
    versions = {}
    for version in VERSIONS.rows(len(keys), now=timezone.now(), **list_values("essay", keys)):
        versions.setdefault(version.translation_key, []).append(version)
    return versions


def subject_or_404(relation, slug, language):
    """The tag or author (by `relation`, as in SUBJECTS) whose page or feed the URL names; a tag with its
    `local_name`, `local_description` and `local_slug` (where its page in `language` is) and `slug_in_languages`."""
    found = SUBJECT_BY_SLUG[relation].objects(slug=slug, language=language)
    if not found:
        raise Http404(f"No {SUBJECTS[relation]._meta.verbose_name} with this slug.")
    subject = found[0]
    if relation == "tags":
        subject.slug_in_languages = slugs_in_languages(subject)
        subject.local_slug = subject.slug_in_languages[language]
    return subject


# ---- the post page


def essay_versions_query():
    """Every published version of the essay whose version in `language` has `slug`, oldest first.

    Each comes with whether an editor picked related posts for it and its previous and next essay in its own
    language: one query for the switcher, hreflang links, attribution and the page's neighbours.
    """
    key = published().filter(language=language_param(), slug=Param("slug", Post._meta.get_field("slug")))
    same_language = published().filter(language=OuterRef("language"))
    # A range on publish_at (ties broken by pk within it) lets the database walk the (language, status,
    # publish_at) index.
    older = same_language.filter(
        Q(publish_at__lt=OuterRef("publish_at")) | Q(pk__lt=OuterRef("pk")), publish_at__lte=OuterRef("publish_at")
    ).order_by("-publish_at", "-pk")
    newer = same_language.filter(
        Q(publish_at__gt=OuterRef("publish_at")) | Q(pk__gt=OuterRef("pk")), publish_at__gte=OuterRef("publish_at")
    ).order_by("publish_at", "pk")
    return (
        published()
        .filter(translation_key=Subquery(key.values("translation_key")[:1]))
        .defer(*PAGE_DEFERRED)
        .annotate(
            has_picks=Exists(RelatedPost.objects.filter(from_post=OuterRef("pk"))),
            previous_title=Subquery(older.values("title")[:1]),
            previous_slug=Subquery(older.values("slug")[:1]),
            previous_key=Subquery(older.values("translation_key")[:1]),
            next_title=Subquery(newer.values("title")[:1]),
            next_slug=Subquery(newer.values("slug")[:1]),
            next_key=Subquery(newer.values("translation_key")[:1]),
        )
        .order_by("created_at", "pk")
    )


ESSAY_VERSIONS = Prepared(essay_versions_query)
BYLINES = Prepared(
    lambda: (
        PostAuthor.objects.filter(post=post_param())
        .select_related("author")
        .only(
            "post", "role", "author__name", "author__slug", "author__avatar", "author__orcid", "author__romanized_name"
        )
    )
)
TAGS = Prepared(
    lambda: (
        Tag.objects.filter(posts=post_param())
        .only("name", "slug")
        .annotate(local_name=tag_in_language("name"), local_slug=tag_in_language("slug"))
    )
)
RELATED_LINKS = Prepared(lambda: RelatedLink.objects.filter(post=post_param()).only("title", "url", "summary"))


# What a citation of an essay prints (blog.reading.citation), and what places it under its URL.
CITED_FIELDS = (
    "title", "slug", "language", "translation_key", "excerpt", "publish_at", "doi", "revised_on",
    "original_title", "original_author", "original_url", "original_published_on",
)  # fmt: skip
CITED_POST = Prepared(
    lambda: (
        published()
        .filter(language=language_param(), slug=Param("slug", Post._meta.get_field("slug")))
        .only(*CITED_FIELDS)
    )
)


def cited_post_or_404(language, slug):
    """The published post in `language` with `slug`, with what its citation prints."""
    found = CITED_POST.objects(now=timezone.now(), language=language, slug=slug)
    if not found:
        raise Http404("No published post with this slug in this language.")
    return found[0]


def essay_versions(language, slug):
    return ESSAY_VERSIONS.objects(now=timezone.now(), language=language, slug=slug)


def unpublished_essay(pk, translation_key):
    """The post `pk` of essay `translation_key`, whatever its status, as the post page reads a published one: with
    `has_picks` and `versions` (the essay's published versions and itself, oldest first), None if there is none.

    An editor's preview reads it, so it is not prepared; it has no neighbours, being in no list yet.
    """
    post = (
        Post.objects.annotate(has_picks=Exists(RelatedPost.objects.filter(from_post=OuterRef("pk"))))
        .filter(pk=pk, translation_key=translation_key)
        .first()
    )
    if post is not None:
        others = Post.objects.published().filter(translation_key=translation_key).exclude(pk=pk)
        post.versions = sorted([post, *others], key=lambda version: (version.created_at, version.pk))
    return post


def versions_at_slug(slug):
    """The published versions of the essays published at `slug` in some language, for a URL in a language they
    lack. A 404 page's query, so not prepared."""
    keys = Post.objects.published().filter(slug=slug).values("translation_key")
    return Post.objects.published().filter(translation_key__in=keys).only("title", "slug", "language")


def authors_of(post):
    """The post's bylines in order, as authors, each with its byline's `role` (PostAuthor.Role)."""
    authors = []
    for byline in BYLINES.objects(post=post.pk):
        byline.author.role = byline.role
        authors.append(byline.author)
    return authors


def tags_of(post):
    """The post's tags, each with its `local_name` and `local_slug` in the post's language."""
    return TAGS.objects(post=post.pk, language=post.language)


def related_links_of(post):
    return RELATED_LINKS.objects(post=post.pk)


def related_posts_query(picked, tag_count):
    """The editor's picks in their order, else the posts sharing most of `tag_count` tags; one version of each,
    preferring `language`. Only the columns the links print are read."""
    others = (
        published()
        .exclude(translation_key=Param("essay", Post._meta.get_field("translation_key")))
        .only("title", "slug", "language", "translation_key")
    )
    language = language_param()
    if picked:
        picks = RelatedPost.objects.filter(from_post=post_param())
        position = picks.filter(to_post__translation_key=OuterRef("translation_key")).order_by("position")
        candidates = others.filter(translation_key__in=picks.values("to_post__translation_key"))
        return (
            candidates.one_per_essay(language)
            .annotate(pick_position=Subquery(position.values("position")[:1]))
            .order_by("pick_position", "-publish_at")
        )
    # Candidates found from the tags' side (an IN list), so the database reads the posts carrying these tags
    # rather than checking every published post for them.
    tagged = Post.tags.through.objects.filter(tag__pk__in=param_list("tag", Tag._meta.pk, tag_count))
    shared = tagged.filter(post=OuterRef("pk")).order_by().values("post").annotate(count=Count("pk")).values("count")
    candidates = others.filter(pk__in=tagged.values("post"))
    return (
        candidates.one_per_essay(language)
        .annotate(shared_tags=Subquery(shared))
        .order_by("-shared_tags", "-publish_at", "-pk")[:RELATED_BY_TAGS_LIMIT]
    )


RELATED_POSTS = Prepared(related_posts_query)


def related_posts(post, tags, language):
    """Essays to read next after `post` (which carries `has_picks`), each in `language` when it exists."""
    picked = bool(post.has_picks)
    shape = (picked, 0 if picked else len(tags))
    tag_ids = list_values("tag", [tag.pk for tag in tags])
    return RELATED_POSTS.objects(
        *shape, now=timezone.now(), language=language, post=post.pk, essay=post.translation_key, **tag_ids
    )
