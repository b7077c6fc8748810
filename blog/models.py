"""Bunko's content: authors, tags, posts (one row per language version) and their relations."""

import json
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from blog import rendering, text
from blog.pagination import months_holding
from blog.prepared import Prepared
from blog.translations import one_per_essay


def unique_slug(model, text, *, scope=None, exclude_pk=None, max_length=200):
    """Slugify `text` (keeping CJK letters) and add -2, -3... until no row in `scope` has it."""
    base = slugify(text, allow_unicode=True)[: max_length - 10].strip("-") or "post"
    queryset = model._default_manager.filter(**(scope or {}))
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    candidate, counter = base, 2
    while queryset.filter(slug=candidate).exists():
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate


class ContentGenerationManager(models.Manager):
    def current(self):
        """The row, by a prepared query (blog.prepared): every public request reads it, a 304 little else."""
        found = CURRENT_GENERATION.objects(using=self.db)
        if not found:
            # Migration 0004 creates the row; a flushed test database (TransactionTestCase) may not have it.
            content_changed()
            found = CURRENT_GENERATION.objects(using=self.db)
        return found[0]


class ContentGeneration(models.Model):
    """One row counting the changes a reader could see, so validators and cache keys cost one indexed read.

    Pages print more than their own row (authors, tags, translations, neighbours), so "has anything this page
    shows changed?" would otherwise be an aggregate over every post. Every write to content moves this row
    instead (see content_changed); it lives in the database so all workers share it and it survives a cache loss.
    A scheduled post appears with no write at all, so the row also holds the next scheduled publication time:
    the first reader after it moves the generation (see blog.conditional).
    """

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)
    next_publish_at = models.DateTimeField(null=True)
    # {language: ["YYYY-MM", ...] newest first}: the months that hold an essay in that language's lists, for
    # the archive links beside every list; found when the lists change, not on every page.
    months = models.JSONField(default=dict)

    objects = ContentGenerationManager()

    @cached_property
    def months_by_language(self):
        """`months`, parsed only on the pages that print them: current() reads the column as text."""
        return json.loads(self.months_text)

    def schedule_has_come(self, now):
        return self.next_publish_at is not None and self.next_publish_at <= now


CURRENT_GENERATION = Prepared(
    lambda: ContentGeneration.objects.filter(pk=1)
    .defer("months")
    .annotate(months_text=Cast("months", models.TextField()))
)


# What a cached page may depend on (blog.conditional): every page depends on EVERYTHING, which bulk writes move.
EVERYTHING = "everything"
# Which posts are visible, in which order, language, tags and bylines: lists, neighbours, month lists, feeds.
LISTS = "lists"


def essay_key(translation_key):
    """Every version of one essay: a page showing any version shows the others' titles and slugs (switcher, feeds)."""
    return f"essay:{translation_key}"


def essay_page_key(translation_key):
    """What only an essay's own pages print: its related links and the editor's related picks."""
    return f"essay-page:{translation_key}"


def tag_key(pk):
    return f"tag:{pk}"


def author_key(pk):
    return f"author:{pk}"


class ContentVersion(models.Model):
    """A token per thing a cached page may show (an essay, a tag, an author, the lists), new whenever it changes.

    A cached page keeps the tokens of what it showed; it is served again only while they are all current, so an
    edit expires exactly the pages that show what was edited (blog.conditional). Tokens, not counters, so
    moving many keys is one upsert.
    """

    key = models.CharField(max_length=80, primary_key=True)
    token = models.UUIDField(default=uuid.uuid4)


def content_changed(changed_at=None, *, moved=(EVERYTHING,), posts_dated=False, scheduled=None):
    """Move the content generation and the `moved` keys: ETags built before this write, and cached pages showing them, are stale.

    `posts_dated`: a post appeared, went or changed its time, language or essay, so the months that hold
    essays are found again (as they are for EVERYTHING); tags, bylines and edits leave them be. With
    `scheduled` (the next_publish_at a reader found passed), only the first of several concurrent readers
    moves the generation, so a post appearing moves it once and the others do no work.
    """
    now = timezone.now()
    row = ContentGeneration.objects.filter(pk=1)
    if scheduled is not None:
        row = row.filter(next_publish_at=scheduled)
    # One transaction: a page rendered meanwhile sees all of it or none (blog.conditional checks the generation last).
    with transaction.atomic():
        if not row.update(value=F("value") + 1, changed_at=changed_at or now):
            if scheduled is not None:
                return
            # Migration 0004 creates the row; a flushed test database may not have it.
            ContentGeneration.objects.bulk_create([ContentGeneration(pk=1, value=1)], ignore_conflicts=True)
            posts_dated = True
        ContentVersion.objects.bulk_create(
            [ContentVersion(key=key) for key in set(moved)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["token"],
        )
        upcoming = Post.objects.filter(status=Post.Status.PUBLISHED, publish_at__gt=now).aggregate(first=Min("publish_at"))
        derived = {"next_publish_at": upcoming["first"]}
        if posts_dated or EVERYTHING in moved:
            derived["months"] = months_by_language()
        ContentGeneration.objects.filter(pk=1).update(**derived)


def months_by_language():
    """ContentGeneration.months as the published posts are now, in the site's time zone."""
    with timezone.override(settings.TIME_ZONE):
        return {
            language: [f"{month:%Y-%m}" for month in months_holding(one_per_essay(Post.objects.published(), language))]
            for language, _name in settings.LANGUAGES
        }


class ContentQuerySet(models.QuerySet):
    """Bulk writes skip save() and its signals (admin actions, the importer, seed_posts): they move the generation here.

    bulk_update() goes through update(); delete() sends post_delete per row, which the receivers below handle.
    """

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            content_changed()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            content_changed()
        return created


class Author(models.Model):
    name = models.CharField(_("display name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True, blank=True)
    bio = MarkdownxField(_("biography"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(editable=False, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    website = models.URLField(_("website"), blank=True)
    github = models.CharField(_("GitHub username"), max_length=100, blank=True)
    x_handle = models.CharField(_("X (Twitter) handle"), max_length=100, blank=True)
    scholar_url = models.URLField(_("Google Scholar profile"), blank=True)
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, help_text=_("Like 0000-0002-1825-0097."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The login that may write and edit posts as this author."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, exclude_pk=self.pk)
        self.bio_html = rendering.render(self.bio).html if self.bio else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:author-detail", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk, max_length=100)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:tag-detail", kwargs={"slug": self.slug})


class PostQuerySet(ContentQuerySet):
    def published(self, now=None):
        """The one definition of what a reader may see: published, and its time has come.

        `now` may be a blog.prepared.Param, so a prepared query binds the time when it runs.
        """
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=timezone.now() if now is None else now)

    def in_language(self, language):
        return self.filter(language=language)

    def stale(self):
        """Posts whose stored HTML came from an older renderer."""
        return self.exclude(renderer_version=rendering.RENDERER_VERSION)


# What Post.render() stores; a save limited to other fields (update_fields) writes these too.
RENDERED_FIELDS = ["body_html", "toc_html", "feed_html", "excerpt", "reading_minutes", "renderer_version"]
# Fields that decide where a post appears in lists, feeds, archives and neighbours.
LIST_FIELDS = ("status", "publish_at", "language", "slug", "translation_key")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        blank=True,
        help_text=_("Part of the URL; filled from the title when empty. Unique within a language."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    translation_key = models.UUIDField(
        _("translation key"),
        default=uuid.uuid4,
        help_text=_("Every language version of one essay shares this key."),
    )
    authors = models.ManyToManyField(
        Author, through="PostAuthor", related_name="posts", verbose_name=_("authors")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name=_("tags"))
    summary = models.TextField(_("summary"), blank=True, help_text=_("One paragraph for lists, feeds and search engines."))
    body = MarkdownxField(_("body"), help_text=_("Markdown."))
    cover_image = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    cover_alt = models.CharField(_("cover image description"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A published post stays invisible until this time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    original_title = models.CharField(_("original title"), max_length=300, blank=True)
    original_author = models.CharField(_("original author"), max_length=200, blank=True)
    original_url = models.URLField(_("original URL"), max_length=500, blank=True)
    original_published_on = models.DateField(_("original publish date"), null=True, blank=True)

    related_posts = models.ManyToManyField(
        "self",
        through="RelatedPost",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("related posts"),
    )

    # Derived from `body` (and `summary`) on save by blog.rendering; never edited by hand.
    body_html = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    feed_html = models.TextField(editable=False, blank=True)
    excerpt = models.TextField(editable=False, blank=True)
    reading_minutes = models.PositiveIntegerField(editable=False, default=0)
    renderer_version = models.CharField(editable=False, max_length=20, blank=True)

    # Where an imported post came from, so importing again updates it instead of duplicating it.
    source_path = models.CharField(_("import source"), max_length=500, blank=True, editable=False)
    extra_front_matter = models.JSONField(
        _("other front matter"), default=dict, blank=True, help_text=_("Keys the importer did not map, kept for export.")
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        get_latest_by = "publish_at"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        permissions = [("publish_post", _("Can publish posts"))]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="post_unique_slug_per_language"),
            models.UniqueConstraint(fields=["translation_key", "language"], name="post_one_version_per_language"),
            models.UniqueConstraint(
                fields=["source_path"], condition=~Q(source_path=""), name="post_unique_source_path"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="post_published_has_publish_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="post_status_publish_idx"),
            models.Index(fields=["language", "status", "publish_at"], name="post_lang_status_publish_idx"),
            # Siblings of one essay (lists show one version per translation key): without it SQLite,
            # lacking statistics, scanned the status index for every row and a 1,000-post home page took 1 s.
            models.Index(fields=["translation_key", "status", "publish_at"], name="post_key_status_publish_idx"),
            # The sitemap's latest change: the newest edit is read from this index's end, not found by a scan.
            models.Index(fields=["status", "updated_at"], name="post_status_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Post, self.title, scope={"language": self.language}, exclude_pk=self.pk)
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        self._moved = self.keys_moved_by_save()
        self.render()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *RENDERED_FIELDS}
        super().save(*args, **kwargs)

    def keys_moved_by_save(self):
        """What a reader may see change when this row is saved as it is now (see ContentVersion).

        Editing a draft that was never public changes nothing a reader sees: caches and ETags stay valid.
        Changing what places a post in lists (status, time, language, slug, essay) moves every list too.
        """
        before = Post.objects.filter(pk=self.pk).values(*LIST_FIELDS).first() if self.pk is not None else None
        if self.status != self.Status.PUBLISHED and (before is None or before["status"] != self.Status.PUBLISHED):
            return set()
        moved = {essay_key(self.translation_key)}
        if before is None or any(before[field] != getattr(self, field) for field in LIST_FIELDS):
            moved.add(LISTS)
        if before is not None and before["translation_key"] != self.translation_key:
            moved.add(essay_key(before["translation_key"]))
        return moved

    def render(self):
        """Store the HTML readers get, so no request ever renders Markdown."""

        def resolve_link(source_path):
            # Only published posts: a link to a draft renders as its text instead of leaking the draft's URL.
            target = Post.objects.published().filter(source_path=source_path).first()
            return target.get_absolute_url() if target else None

        rendered = rendering.render(self.body, resolve_link=resolve_link, language=self.language)
        self.body_html = rendered.html
        self.toc_html = rendered.toc
        self.feed_html = rendered.feed_html
        # Feeds print one per entry: parsed from the HTML on every request, they cost more than the rest of the feed.
        self.excerpt = text.excerpt(self)
        self.reading_minutes = rendered.reading_minutes
        self.renderer_version = rendering.RENDERER_VERSION

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("blog:post-detail", kwargs={"slug": self.slug})

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    def get_translations(self):
        """The other language versions of this essay, whatever their status."""
        return Post.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk)


class PostAuthor(models.Model):
    """An author's place in a post's byline."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines", verbose_name=_("author"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [models.UniqueConstraint(fields=["post", "author"], name="postauthor_unique_author_per_post")]

    def __str__(self):
        return str(self.author)


class RelatedPost(models.Model):
    """A post an editor recommends after another, in the editor's order."""

    from_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_entries")
    to_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("related post"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("related post")
        verbose_name_plural = _("related posts")
        constraints = [
            models.UniqueConstraint(fields=["from_post", "to_post"], name="relatedpost_unique_pair"),
            models.CheckConstraint(condition=~Q(from_post=models.F("to_post")), name="relatedpost_not_self"),
        ]

    def __str__(self):
        return str(self.to_post)


class RelatedLink(models.Model):
    """An external article worth reading next, with a short summary of why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("related link")
        verbose_name_plural = _("related links")

    def __str__(self):
        return self.title


CONTENT_MODELS = (Author, Tag, Post, PostAuthor, RelatedPost, RelatedLink, Post.tags.through)


def essay_of(post_id, key=essay_key):
    translation_key = Post.objects.filter(pk=post_id).values_list("translation_key", flat=True).first()
    return key(translation_key) if translation_key else EVERYTHING


def keys_moved(instance, *, deleted=False):
    """The ContentVersion keys that saving or deleting `instance` moves: what pages showing it print."""
    if isinstance(instance, Post):
        if deleted:
            return {essay_key(instance.translation_key), LISTS}
        return getattr(instance, "_moved", {EVERYTHING})  # a raw save (loaddata) skips Post.save()
    if isinstance(instance, Tag):
        return {tag_key(instance.pk), LISTS} if deleted else {tag_key(instance.pk)}
    if isinstance(instance, Author):
        return {author_key(instance.pk), LISTS} if deleted else {author_key(instance.pk)}
    if isinstance(instance, (PostAuthor, Post.tags.through)):
        # Bylines and tags also decide which author and tag pages list the post.
        return {essay_of(instance.post_id), LISTS}
    if isinstance(instance, RelatedPost):
        return {essay_of(instance.from_post_id, essay_page_key)}
    if isinstance(instance, RelatedLink):
        return {essay_of(instance.post_id, essay_page_key)}
    return {EVERYTHING}


def _content_saved(sender, instance, **kwargs):
    moved = keys_moved(instance)
    if moved:
        # The row's own edit time, so Last-Modified names the edit itself.
        content_changed(getattr(instance, "updated_at", None), moved=moved, posts_dated=_dates_a_post(instance, moved))


def _content_deleted(sender, instance, **kwargs):
    moved = keys_moved(instance, deleted=True)
    content_changed(moved=moved, posts_dated=_dates_a_post(instance, moved))


def _dates_a_post(instance, moved):
    # For a post, the lists move exactly when its status, time, language, slug or essay did (or it came or went).
    return isinstance(instance, Post) and LISTS in moved


def _tags_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        # From a post's side, that essay and the lists; from a tag's side, whichever posts it was (clear does not say).
        content_changed(moved={essay_key(instance.translation_key), LISTS} if not reverse else {EVERYTHING})


# Receivers rather than save()/delete() overrides: cascades, QuerySet.delete() and m2m add/remove/clear never
# call a model method, and these signals are the one hook that sees every one of those writes.
for _model in CONTENT_MODELS:
    post_save.connect(_content_saved, sender=_model, dispatch_uid=f"content-saved-{_model._meta.label}")
    post_delete.connect(_content_deleted, sender=_model, dispatch_uid=f"content-deleted-{_model._meta.label}")
m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid="content-tags-changed")
