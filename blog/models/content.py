"""Bunko's content: authors, tags, posts (one row per language version) and their relations.

This module holds the product's nouns and their invariants only. What a write means for cached pages is the
reading side's business (blog.caching.generation): single writes reach it through Django's model signals, bulk
writes through `content_written` below, so nothing here imports the reading side.
"""

import logging
import re
import uuid

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from blog import rendering
from blog.content import plain_text, translation_drift
from blog.content.control_characters import refused_in_summary, refused_in_title
from blog.content.identifiers import validate_doi, validate_orcid
from blog.content.languages import language_info
from blog.content.translation_drift import DriftState
from blog.rendering import social_card, traditional

logger = logging.getLogger(__name__)


def slug_base(text, *, allow_unicode=True, max_length=200, fallback="post"):
    """`text` slugified, CJK letters kept if `allow_unicode`; ASCII text may fall back to them when it has no other."""
    base = slugify(text, allow_unicode=allow_unicode) or slugify(text, allow_unicode=True)
    return base[: max_length - 10].strip("-") or fallback


def free_slug(base, taken):
    """`base`, else `base-2`, `base-3`...: the first that `taken(candidate)` says is free."""
    candidate, counter = base, 2
    while taken(candidate):
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate


def unique_slug(model, text, *, scope=None, exclude_pk=None, max_length=200, allow_unicode=True):
    """Slugify `text` (keeping CJK letters unless told not to) and add -2, -3... until no row in `scope` has it."""
    base = slug_base(text, allow_unicode=allow_unicode, max_length=max_length)
    queryset = model._default_manager.filter(**(scope or {}))
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return free_slug(base, lambda candidate: queryset.filter(slug=candidate).exists())


# A Japanese or Chinese version's slug keeps its title's own script (readers of that language can read it, and a
# romanisation would be guesswork); every other language's slug is ASCII.
OWN_SCRIPT_SLUG_LANGUAGES = {code for code, _name in settings.LANGUAGES if language_info(code)["slug_in_own_script"]}


def post_slug(text, language, exclude_pk=None):
    """A free slug for a post in `language`, made from `text` (its title, or a slug an editor typed)."""
    return unique_slug(
        Post,
        text,
        scope={"language": language},
        exclude_pk=exclude_pk,
        allow_unicode=language in OWN_SCRIPT_SLUG_LANGUAGES,
    )


def made_from_title(slug, title, language):
    """Whether `slug` is what post_slug() gives for `title` (with or without its -2, -3... suffix)."""
    base = slug_base(title, allow_unicode=language in OWN_SCRIPT_SLUG_LANGUAGES)
    return re.fullmatch(rf"{re.escape(base)}(-\d+)?", slug) is not None


def redirect_old_address(old_url, new_url):
    """Send readers of a moved page's old address, and of every address that already led there, to the new one.

    Both URLs as reverse() gives them, percent-encoded, which is how RedirectFallbackMiddleware looks them up.
    """
    site = Site.objects.get_current()
    Redirect.objects.filter(site=site, old_path=new_url).delete()  # moved back: the page answers there again
    Redirect.objects.filter(site=site, new_path=old_url).update(new_path=new_url)
    Redirect.objects.update_or_create(site=site, old_path=old_url, defaults={"new_path": new_url})


# Sent after a bulk write (QuerySet.update(), bulk_create()), which skips save() and its signals: admin actions,
# the importer and seed_posts write this way, and readers must still see the change. delete() needs no such
# signal: it sends post_delete per row.
content_written = Signal()


class ContentQuerySet(models.QuerySet):
    """Announce bulk writes, which skip save() and its signals, as `content_written` (bulk_update() goes through
    update())."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            content_written.send(sender=self.model)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            content_written.send(sender=self.model)
        return created


class NamedBySlug(models.Model):
    """An author or a tag: listed by name, and found at a slug made once from the name (CJK letters kept)."""

    detail_route = None

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            max_length = self._meta.get_field("slug").max_length
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk, max_length=max_length)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(self.detail_route, kwargs={"slug": self.slug})


class Author(NamedBySlug):
    name = models.CharField(_("display name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True, blank=True)
    bio = MarkdownxField(_("biography"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(editable=False, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    website = models.URLField(_("website"), blank=True)
    github = models.CharField(_("GitHub username"), max_length=100, blank=True)
    x_handle = models.CharField(_("X (Twitter) handle"), max_length=100, blank=True)
    scholar_url = models.URLField(_("Google Scholar profile"), blank=True)
    orcid = models.CharField(
        _("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid], help_text=_("Like 0000-0002-1825-0097.")
    )
    romanized_name = models.CharField(
        _("romanised name"),
        max_length=200,
        blank=True,
        help_text=_(
            "In Latin letters, for English-language references: Hanako Sato (given name first) or Sato, Hanako."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The login that may write and edit posts as this author."),
    )
    usual_language = models.CharField(
        _("usual language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language a new post by this author starts in."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()
    detail_route = "blog:author-detail"

    class Meta(NamedBySlug.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def save(self, *args, **kwargs):
        self.bio_html = rendering.render(self.bio).html if self.bio else ""
        super().save(*args, **kwargs)


# A tag's page in a language is at its slug in that language (TagName.slug), else at the tag's own slug; the
# others answer 301 there. So that a slug in any URL leads to one tag, no tag may have a slug, its own or in any
# language, that another tag has (the same tag may repeat one: `ai` in English and its own).
TAG_SLUG_TAKEN = _("Another tag already has this slug, as its own or in one of its languages.")


def tag_slug_taken(slug, tag_pk=None):
    """Whether `slug` leads to a tag other than `tag_pk`'s (None: to any tag), as its own slug or a language's."""
    others = Tag.objects.exclude(pk=tag_pk) if tag_pk is not None else Tag.objects.all()
    return others.filter(Q(slug=slug) | Q(names__slug=slug)).exists()


def tag_slug(text, language=None, tag_pk=None):
    """A free slug for tag `tag_pk` made from `text`, in `language` (None: the tag's own, CJK letters kept)."""
    allow_unicode = language is None or language in OWN_SCRIPT_SLUG_LANGUAGES
    base = slug_base(text, allow_unicode=allow_unicode, max_length=100, fallback="tag")
    return free_slug(base, lambda candidate: tag_slug_taken(candidate, tag_pk))


class Tag(NamedBySlug):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()
    detail_route = "blog:tag-detail"

    class Meta(NamedBySlug.Meta):
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def clean(self):
        if self.slug and TagName.objects.filter(slug=self.slug).exclude(tag_id=self.pk).exists():
            raise ValidationError({"slug": TAG_SLUG_TAKEN})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = tag_slug(self.name, tag_pk=self.pk)
        super().save(*args, **kwargs)


class TagName(models.Model):
    """A tag's name, slug and description in one language: readers of that language see these instead of the
    tag's own."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The tag's address in this language. Left empty, it is made from the name: Latin letters in English, "
            "the name's own script in Japanese and Chinese. Changed, the old address redirects to the new one."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["language"]
        verbose_name = _("name in a language")
        verbose_name_plural = _("names in other languages")
        constraints = [
            models.UniqueConstraint(fields=["tag", "language"], name="tagname_one_per_language"),
            # Slug first: a URL's slug is looked up in every language (a slug of another language redirects).
            models.UniqueConstraint(fields=["slug", "language"], name="tagname_unique_slug_per_language"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.slug and tag_slug_taken(self.slug, self.tag_id):
            raise ValidationError({"slug": TAG_SLUG_TAKEN})

    def save(self, *args, **kwargs):
        """The slug is made once from the name, like a post's: a renamed tag keeps its address. A slug the editor
        changes leaves a redirect at the old address, which readers and feeds may have kept."""
        stored = TagName.objects.filter(pk=self.pk).values("slug", "language").first() if self.pk else None
        if not self.slug:
            self.slug = tag_slug(self.name, self.language, self.tag_id)
        super().save(*args, **kwargs)
        if stored and stored["slug"]:
            old_url = TagName(slug=stored["slug"], language=stored["language"]).get_absolute_url()
            if old_url != self.get_absolute_url():
                redirect_old_address(old_url, self.get_absolute_url())

    def get_absolute_url(self):
        """The tag's page in this name's language."""
        with translation.override(self.language):
            return reverse(Tag.detail_route, kwargs={"slug": self.slug})


class PostQuerySet(ContentQuerySet):
    def published(self, now=None):
        """The one definition of what a reader may see: published, and its time has come.

        `now` may be a blog.compiled_sql.Param, so a prepared query binds the time when it runs.
        """
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=timezone.now() if now is None else now)

    def in_language(self, language):
        return self.filter(language=language)

    def one_per_essay(self, language):
        """Keep one version per translation key: the one in `language`, else the original.

        The original is the earliest-created version among these rows, so a list filtered by tag, author or
        search terms falls back within what it matched. Done in SQL with one EXISTS subquery (is there a sibling
        the reader would rather see?), so pagination sees the same rows and nothing loops over posts in Python.
        A post is never preferred over itself, so the subquery needs no "other than this one" condition.
        `language` may be a Param of a prepared query, or None to keep every essay's original.
        """
        preferred = self.filter(
            Q(language=language)
            | Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
            translation_key=OuterRef("translation_key"),
        )
        return self.filter(Q(language=language) | ~Exists(preferred))

    def reader_versions(self, language, written_in=None):
        """What a list shows a reader of `language`: the posts written in `written_in` when they narrowed it so,
        else one version per essay, preferring `language`."""
        if written_in:
            return self.filter(language=written_in)
        return self.one_per_essay(language)

    def outdated(self):
        """Translations behind their source: the one rule, in SQL (Post.drift_against is the same rule per post)."""
        return self.filter(
            Q(translated_from__isnull=False) & ~Q(source_fingerprint=F("translated_from__content_fingerprint"))
        )

    def up_to_date(self):
        """Translations matching their source's current text."""
        return self.filter(translated_from__isnull=False, source_fingerprint=F("translated_from__content_fingerprint"))

    def stale(self):
        """Posts whose stored HTML came from an older renderer."""
        return self.exclude(renderer_release=rendering.RENDERER_RELEASE)

    def update(self, **kwargs):
        """A bulk rename (admin actions, the importer) stores each language's `title_html` with it, as save() does."""
        title = kwargs.get("title")
        if isinstance(title, str) and "title_html" not in kwargs:
            kwargs["title_html"] = Case(
                *(
                    When(language=code, then=Value(rendering.phrases.title_html(title, code)))
                    for code, _ in settings.LANGUAGES
                ),
                default=Value(rendering.phrases.title_html(title, None)),
            )
        if isinstance(title, str) and "traditional_title" not in kwargs:
            converted = traditional.text(title)
            converted_html = rendering.phrases.title_html(converted, traditional.LANGUAGE)
            in_simplified = Q(language=CONVERTED_LANGUAGE)
            kwargs["traditional_title"] = Case(When(in_simplified, then=Value(converted)), default=Value(""))
            kwargs["traditional_title_html"] = Case(When(in_simplified, then=Value(converted_html)), default=Value(""))
        return super().update(**kwargs)


# Essays in this language are also served in Traditional characters (blog.rendering.traditional), at /zh-hant/.
CONVERTED_LANGUAGE = language_info(traditional.LANGUAGE)["converted_from"]
# What Post.store_traditional() stores: the reader-facing fields, converted.
TRADITIONAL_FIELDS = [
    "traditional_title", "traditional_title_html", "traditional_body_html", "traditional_toc_html",
    "traditional_feed_html", "traditional_excerpt",
]  # fmt: skip
# What Post.render() stores; a save limited to other fields (update_fields) writes these too.
RENDERED_FIELDS = [
    "body_html", "toc_html", "feed_html", "excerpt", "reading_minutes", "renderer_release", "search_text",
    "title_html", *TRADITIONAL_FIELDS,
]  # fmt: skip
# What Post.save() notes about its own text for its translations (blog.content.translation_drift).
DRIFT_FIELDS = ["content_fingerprint", "content_changed_at"]
# Fields a save may write alone without rendering again: no text, slug or date depends on them.
UNRENDERED_FIELDS = {"social_card"}


# A summary is one paragraph for lists, feeds and meta descriptions; an essay's text belongs in its body.
SUMMARY_MAX_LENGTH = 2000


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300, validators=[refused_in_title])
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
    authors = models.ManyToManyField(Author, through="PostAuthor", related_name="posts", verbose_name=_("authors"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name=_("tags"))
    summary = models.TextField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        validators=[refused_in_summary],
        help_text=_("One paragraph for lists, feeds and search engines."),
    )
    body = MarkdownxField(_("body"), help_text=_("Markdown."))
    cover_image = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    cover_alt = models.CharField(_("cover image description"), max_length=300, blank=True)
    # The link-preview card of a published or scheduled version (refresh_social_card); a cover image wins over it.
    social_card = models.ImageField(_("social card"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A published post stays invisible until this time."),
    )
    # An editor's word to the author when sending a post back from review; shown on its change page.
    review_note = models.TextField(_("editor's note"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    original_title = models.CharField(_("original title"), max_length=300, blank=True)
    original_author = models.CharField(_("original author"), max_length=200, blank=True)
    original_url = models.URLField(_("original URL"), max_length=500, blank=True)
    original_published_on = models.DateField(_("original publish date"), null=True, blank=True)

    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[validate_doi],
        help_text=_("A DOI minted for this essay (e.g. through Zenodo), like 10.5281/zenodo.1234567."),
    )
    revised_on = models.DateField(
        _("version date"),
        null=True,
        blank=True,
        help_text=_(
            "The date of the last substantial revision; references cite it as the version. Saving a published "
            "essay's changed text sets it to today, unless the change is marked minor."
        ),
    )

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
    renderer_release = models.CharField(editable=False, max_length=20, blank=True)
    # The body as search reads and quotes it: the prose, alt texts, embed titles, formulas' TeX
    # (blog.content.plain_text).
    search_text = models.TextField(editable=False, blank=True)
    # The title as cards and its page show it: escaped, with phrase breaks in Japanese and Chinese.
    title_html = models.TextField(editable=False, blank=True)
    # A Simplified Chinese essay as /zh-hant/ serves it: the fields above in Traditional characters (blank in
    # other languages).
    traditional_title = models.CharField(editable=False, max_length=300, blank=True)
    traditional_title_html = models.TextField(editable=False, blank=True)
    traditional_body_html = models.TextField(editable=False, blank=True)
    traditional_toc_html = models.TextField(editable=False, blank=True)
    traditional_feed_html = models.TextField(editable=False, blank=True)
    traditional_excerpt = models.TextField(editable=False, blank=True)

    # Where an imported post came from, so importing again updates it instead of duplicating it.
    source_path = models.CharField(_("import source"), max_length=500, blank=True, editable=False)
    extra_front_matter = models.JSONField(
        _("other front matter"),
        default=dict,
        blank=True,
        help_text=_("Keys the importer did not map, kept for export."),
    )

    # Translation drift (blog.content.translation_drift): what this version was translated from and the state of that
    # source it last matched; and the fingerprint of this version's own text, which its translations compare with.
    translated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="translations_made",
        verbose_name=_("translated from"),
    )
    source_fingerprint = models.CharField(_("source fingerprint"), max_length=64, blank=True, editable=False)
    source_base = models.JSONField(_("source text translated"), default=dict, blank=True, editable=False)
    source_synced_at = models.DateTimeField(_("matched source at"), null=True, blank=True, editable=False)
    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    content_changed_at = models.DateTimeField(_("text changed"), null=True, blank=True, editable=False)

    # Set by an editor's form for one save: a typo fix that leaves this post's translations up to date.
    minor_change = False

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
                condition=~Q(status="published") | Q(publish_at__isnull=False),
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
        if kwargs.get("update_fields") is not None and set(kwargs["update_fields"]) <= UNRENDERED_FIELDS:
            super().save(*args, **kwargs)
            return
        stored = None
        if self.pk:
            stored = Post.objects.filter(pk=self.pk).values("title", "slug", "language", "status").first()
        if not self.slug or self.slug_follows_title(stored):
            self.slug = post_slug(self.title, self.language, exclude_pk=self.pk)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        self.render()
        previous_fingerprint = translation_drift.note_own_text(self)
        if previous_fingerprint and not self.minor_change and self.is_public():
            self.date_substantial_revision()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *RENDERED_FIELDS, *DRIFT_FIELDS, "revised_on"}
        super().save(*args, **kwargs)
        if previous_fingerprint and self.minor_change:
            translation_drift.carry_translations(self, previous_fingerprint)
        if stored and stored["status"] == self.status == self.Status.PUBLISHED:
            old_url = Post(slug=stored["slug"], language=stored["language"]).get_absolute_url()
            if old_url != self.get_absolute_url():
                redirect_old_address(old_url, self.get_absolute_url())

    def slug_follows_title(self, stored):
        """A draft never published whose slug was made from its old title gets one from its new title.

        Not once published: its address may be linked and cited by then. Nor when the editor typed a slug, nor
        for an imported post, whose file names its slug (and would name it again on the next import).
        """
        return (
            stored is not None
            and not self.source_path
            and stored["status"] == self.Status.DRAFT
            and stored["title"] != self.title
            and stored["slug"] == self.slug
            and made_from_title(self.slug, stored["title"], stored["language"])
        )

    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    def date_substantial_revision(self):
        """A change to a public essay's text that is not marked minor makes a new version that references cite.

        The editor may still set the date by hand (say, to an earlier revision's); a later one is never undone.
        """
        today = timezone.localdate()
        if self.revised_on is None or self.revised_on < today:
            self.revised_on = today

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
        self.excerpt = plain_text.excerpt(self)
        self.reading_minutes = rendered.reading_minutes
        self.renderer_release = rendering.RENDERER_RELEASE
        self.search_text = rendered.search_text
        self.title_html = rendering.phrases.title_html(self.title, self.language)
        self.store_traditional()

    def store_traditional(self):
        """Convert what readers of a Simplified Chinese essay get into Traditional characters; blank otherwise."""
        if self.language != CONVERTED_LANGUAGE:
            for field in TRADITIONAL_FIELDS:
                setattr(self, field, "")
            return
        self.traditional_title = traditional.text(self.title)
        self.traditional_title_html = rendering.phrases.title_html(self.traditional_title, traditional.LANGUAGE)
        self.traditional_body_html = traditional.html(self.body_html)
        self.traditional_toc_html = traditional.html(self.toc_html)
        self.traditional_feed_html = traditional.html(self.feed_html)
        self.traditional_excerpt = traditional.text(self.excerpt)

    def get_traditional_url(self):
        """The address of this essay in Traditional characters, or None when it is not converted."""
        if self.language != CONVERTED_LANGUAGE:
            return None
        return reverse("traditional:post-detail", kwargs={"slug": self.slug})

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("blog:post-detail", kwargs={"slug": self.slug})

    def refresh_social_card(self):
        """Draw this version's card when its title, byline or site name changed; drop it when not live.

        The stored name is a keyed hash of what the card shows: a new title is a new URL (no cache keeps the old
        card), and a scheduled version's card cannot be guessed before it is published. Run after the commit that
        set title and byline (schedule_social_card), so a post is drawn once, not once per saved byline.
        """
        wanted = ""
        if self.is_live:
            authors = [author.name for author in self.authors.order_by("bylines__position", "bylines__pk")]
            with translation.override(self.language):
                site_name = translation.gettext("Bunko")
            shown = [social_card.DESIGN_RELEASE, str(self.pk), self.language, self.title, site_name, *authors]
            digest = salted_hmac("blog.social_card", "\n".join(shown), algorithm="sha256").hexdigest()
            wanted = f"social/{digest[:32]}.png"
        if wanted and wanted != self.social_card.name and not self.social_card.storage.exists(wanted):
            try:
                png = social_card.draw(self.title, authors, site_name, self.language)
            except social_card.FontMissing as missing:
                logger.warning("No social card for post %s: %s", self.pk, missing)
                wanted = ""
            else:
                wanted = self.social_card.storage.save(wanted, ContentFile(png))
        previous = self.social_card.name
        if wanted == previous:
            return
        self.social_card.name = wanted
        self.save(update_fields=["social_card"])  # through save(), so cached pages learn the new image
        if previous:
            self.social_card.storage.delete(previous)

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def is_live(self):
        """Published or scheduled: readers have (or will have) its text, so only an editor changes it."""
        return self.status == self.Status.PUBLISHED

    def get_translations(self):
        """The other language versions of this essay, whatever their status."""
        return Post.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk)

    def drift_against(self, source_fingerprint):
        """Original, up to date or outdated, given its source's current fingerprint (None when it has none).

        The rule PostQuerySet.outdated() applies in SQL: a translation is behind when the fingerprint it matched
        is not its source's.
        """
        if self.translated_from_id is None:
            return DriftState.ORIGINAL
        return DriftState.UP_TO_DATE if self.source_fingerprint == source_fingerprint else DriftState.OUTDATED

    def source_among(self, versions):
        """The version this one was translated from, found among `versions` (its essay's, already read), or None."""
        return next((version for version in versions if version.pk == self.translated_from_id), None)

    def outdated_source_among(self, versions):
        """The source among `versions` this translation has fallen behind (by drift_against), else None.

        No query: the post page reads every published version of the essay, with the fingerprints, already; a
        source that is not published is not among them, and a reader could not be sent to it anyway.
        """
        source = self.source_among(versions)
        if source is None or self.drift_against(source.content_fingerprint) != DriftState.OUTDATED:
            return None
        return source

    @transaction.atomic
    def copy_for_translation(self, language, title=None, translator=None):
        """A new draft in `language` sharing this essay's translation key, its text, tags, writers and links, and
        recording that it matches this version's text (after Wagtail's TranslatableMixin.copy_for_translation).

        The slug is the translation's own, from its title: this version's would put, say, a Japanese address on
        the English version. The bylines are this version's writers, not its own translators: the copy is
        translated by `translator` (an Author), if given.
        """
        title = title or self.title
        translation = Post.objects.create(
            title=title,
            slug=post_slug(title, language),
            language=language,
            translation_key=self.translation_key,
            summary=self.summary,
            body=self.body,
            cover_image=self.cover_image.name,
            cover_alt=self.cover_alt,
            original_title=self.original_title,
            original_author=self.original_author,
            original_url=self.original_url,
            original_published_on=self.original_published_on,
            status=Post.Status.DRAFT,
            **translation_drift.base_fields(self),
        )
        translation.tags.set(self.tags.all())
        writers = [byline.author_id for byline in self.bylines.filter(role=PostAuthor.Role.AUTHOR)]
        bylines = [
            PostAuthor(post=translation, author_id=author, position=position) for position, author in enumerate(writers)
        ]
        if translator is not None and translator.pk not in writers:
            bylines.append(
                PostAuthor(post=translation, author=translator, role=PostAuthor.Role.TRANSLATOR, position=len(writers))
            )
        PostAuthor.objects.bulk_create(bylines)
        RelatedLink.objects.bulk_create(
            RelatedLink(post=translation, title=link.title, url=link.url, summary=link.summary, position=link.position)
            for link in self.related_links.all()
        )
        return translation


class InEditorsOrder(models.Model):
    """A row of one of a post's ordered lists (bylines, related posts, related links), kept in the editor's order."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class PostAuthor(InEditorsOrder):
    """An author's place in a post's byline: as one who wrote it, or one who translated it into its language."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        TRANSLATOR = "translator", _("Translator")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines", verbose_name=_("author"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AUTHOR)

    class Meta(InEditorsOrder.Meta):
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [models.UniqueConstraint(fields=["post", "author"], name="postauthor_unique_author_per_post")]

    def __str__(self):
        return str(self.author)


class RelatedPost(InEditorsOrder):
    """A post an editor recommends after another, in the editor's order."""

    from_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_entries")
    to_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("related post"))

    class Meta(InEditorsOrder.Meta):
        verbose_name = _("related post")
        verbose_name_plural = _("related posts")
        constraints = [
            models.UniqueConstraint(fields=["from_post", "to_post"], name="relatedpost_unique_pair"),
            models.CheckConstraint(condition=~Q(from_post=models.F("to_post")), name="relatedpost_not_self"),
        ]

    def __str__(self):
        return str(self.to_post)


class RelatedLink(InEditorsOrder):
    """An external article worth reading next, with a short summary of why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)

    class Meta(InEditorsOrder.Meta):
        verbose_name = _("related link")
        verbose_name_plural = _("related links")

    def __str__(self):
        return self.title


def schedule_social_card(post_id):
    """Refresh a post's card once the write commits, when its title and whole byline are saved.

    Robust: a card that cannot be drawn or stored is logged, and the editor's committed save still succeeds.
    """

    def refresh():
        post = Post.objects.filter(pk=post_id).first()
        if post is not None:
            post.refresh_social_card()

    transaction.on_commit(refresh, robust=True)


def _post_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or "social_card" not in update_fields:
        schedule_social_card(instance.pk)


def _byline_changed(sender, instance, **kwargs):
    schedule_social_card(instance.post_id)


def _author_saved(sender, instance, **kwargs):
    for post_id in instance.bylines.values_list("post_id", flat=True):
        schedule_social_card(post_id)


def _post_deleted(sender, instance, **kwargs):
    if instance.social_card:
        name, storage = instance.social_card.name, instance.social_card.storage
        transaction.on_commit(lambda: storage.delete(name))


# Receivers rather than a save() override: bylines are saved after their post (admin inlines, the importer), and
# an author's new name changes the cards of their posts too.
post_save.connect(_post_saved, sender=Post, dispatch_uid="social-card-post-saved")
post_delete.connect(_post_deleted, sender=Post, dispatch_uid="social-card-post-deleted")
post_save.connect(_byline_changed, sender=PostAuthor, dispatch_uid="social-card-byline-saved")
post_delete.connect(_byline_changed, sender=PostAuthor, dispatch_uid="social-card-byline-deleted")
post_save.connect(_author_saved, sender=Author, dispatch_uid="social-card-author-saved")
