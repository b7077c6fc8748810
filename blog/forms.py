"""Editor-side forms: the post and author admin forms, creating a translation, Markdown-editor uploads."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog import rendering, uploads
from blog.models import Author, Post, PostAuthor, RelatedLink, unique_slug


def https_url_fields(db_field, **kwargs):
    """Read a URL typed without a scheme as https: Django 6's default, which 5.2 warns about until asked."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def _reencoded_if_new(image):
    """Re-encode a fresh upload; leave an already stored file (or a cleared field) alone."""
    return uploads.reencoded_image(image) if isinstance(image, UploadedFile) else image


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = "__all__"
        formfield_callback = https_url_fields

    def clean_body(self):
        body = self.cleaned_data["body"]
        rendering.validate_markdown(body)
        return body

    def clean_cover_image(self):
        return _reencoded_if_new(self.cleaned_data.get("cover_image"))

    def clean_extra_front_matter(self):
        # The exporter writes these keys back into front matter, which must be a mapping.
        front_matter = self.cleaned_data.get("extra_front_matter")
        if front_matter in (None, ""):
            return {}
        if not isinstance(front_matter, dict):
            raise forms.ValidationError(_('Use a JSON object, like {"layout": "post"}.'), code="not_a_mapping")
        return front_matter

    def clean(self):
        cleaned_data = super().clean()
        # Post.save() fills a missing publish time too, but the "published has a publish time"
        # constraint is validated before save() and would otherwise reject the form.
        if cleaned_data.get("status") == Post.Status.PUBLISHED and not cleaned_data.get("publish_at"):
            cleaned_data["publish_at"] = timezone.now()
        return cleaned_data


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = "__all__"
        formfield_callback = https_url_fields

    def clean_bio(self):
        bio = self.cleaned_data["bio"]
        rendering.validate_markdown(bio)
        return bio

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        return uploads.resized_avatar(avatar) if isinstance(avatar, UploadedFile) else avatar


class CreateTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the translation"))

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        taken = {source.language, *source.get_translations().values_list("language", flat=True)}
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES if code not in taken]

    @transaction.atomic
    def save(self):
        """Copy the source into a new draft in the chosen language that shares its translation key."""
        source, language = self.source, self.cleaned_data["language"]
        translation = Post.objects.create(
            title=source.title,
            slug=unique_slug(Post, source.slug, scope={"language": language}),
            language=language,
            translation_key=source.translation_key,
            summary=source.summary,
            body=source.body,
            cover_image=source.cover_image.name,
            cover_alt=source.cover_alt,
            original_title=source.original_title,
            original_author=source.original_author,
            original_url=source.original_url,
            original_published_on=source.original_published_on,
            status=Post.Status.DRAFT,
        )
        translation.tags.set(source.tags.all())
        PostAuthor.objects.bulk_create(
            PostAuthor(post=translation, author_id=byline.author_id, position=byline.position)
            for byline in source.bylines.all()
        )
        RelatedLink.objects.bulk_create(
            RelatedLink(post=translation, title=link.title, url=link.url, summary=link.summary, position=link.position)
            for link in source.related_links.all()
        )
        return translation


class EditorImageForm(forms.Form):
    """Replaces markdownx's ImageForm, which trusts the browser's Content-Type and the file's name."""

    image = forms.FileField(label=_("Image"))

    def clean_image(self):
        return uploads.reencoded_image(self.cleaned_data["image"])

    def save(self, commit=True):
        """Store the image and return its URL, as markdownx's upload view expects."""
        return uploads.store_editor_image(self.cleaned_data["image"])
