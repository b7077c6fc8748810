"""Editor-side forms: the post and author admin forms, creating and editing translations, Markdown-editor uploads."""

import copy

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from blog import rendering
from blog.content import paragraph_diff, translation_drift
from blog.editing import uploads
from blog.models import Author, Post


def https_url_fields(db_field, **kwargs):
    """Read a URL typed without a scheme as https: Django 6's default, which 5.2 warns about until asked."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def _reencoded_if_new(image):
    """Re-encode a fresh upload; leave an already stored file (or a cleared field) alone."""
    return uploads.reencoded_image(image) if isinstance(image, UploadedFile) else image


def edit_stamp(post):
    """The edit stamp of the saved state an editor opened: the post's last save time, to the microsecond."""
    return post.updated_at.isoformat() if post.updated_at else ""


class PostAdminForm(forms.ModelForm):
    # Carries edit_stamp(post) from the page the editor opened to their save; see check_not_changed_since_opened().
    loaded_stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    # Shown beside the post's translations (admin/blog/post/translation_panel.html), read by save().
    minor_change = forms.BooleanField(
        label=_("Minor change: translations stay up to date"),
        required=False,
        help_text=_("For a typo fix: a change to the title, summary or text does not mark translations outdated."),
    )

    class Meta:
        model = Post
        fields = "__all__"
        formfield_callback = https_url_fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("loaded_stamp", edit_stamp(self.instance))

    def check_not_changed_since_opened(self):
        """Refuse a save made from a copy of the post older than the one stored: it would undo someone's edit.

        The row stays locked (SELECT ... FOR UPDATE; on SQLite the write transaction BEGINs IMMEDIATE) until
        the admin's transaction commits the save, so of two editors saving at once the second is refused.
        """
        if not self.instance.pk:
            return
        with transaction.atomic():
            current = Post.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None or edit_stamp(current) == self.cleaned_data.get("loaded_stamp"):
            return
        # Saving again is then a choice made knowingly: the form comes back with the editor's text and the
        # current stamp, and the other editor's text stays in the history either way.
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_stamp")] = edit_stamp(current)
        last = Version.objects.get_for_object(current).select_related("revision__user").first()
        who = last.revision.user if last and last.revision.user else None
        raise forms.ValidationError(
            _(
                "%(user)s changed this post at %(time)s, after you opened it, so your changes were not saved. "
                "They are still in the form: compare with the post's history, then save again to replace "
                "that version with yours (it stays in the history)."
            ),
            code="changed_since_opened",
            params={
                "user": who.get_username() if who else gettext("Someone else"),
                "time": formats.date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT"),
            },
        )

    def clean_body(self):
        body = self.cleaned_data["body"]
        rendering.validate_markdown(body)
        return body

    def save(self, commit=True):
        self.instance.minor_change = self.cleaned_data.get("minor_change", False)
        return super().save(commit)

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
        self.check_not_changed_since_opened()
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
    title = forms.CharField(
        label=_("Title of the translation"),
        max_length=Post._meta.get_field("title").max_length,
        required=False,
        help_text=_("The translation's address is made from it, in its own language, until it is first published."),
    )
    translator = forms.ModelChoiceField(
        Author.objects.all(),
        required=False,
        label=_("Translator"),
        help_text=_("Credited as “Translated by” after the source's authors. Leave empty if an author translates."),
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["title"].initial = source.title
        taken = {source.language, *source.get_translations().values_list("language", flat=True)}
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES if code not in taken]

    def save(self):
        """The new draft translation (Post.copy_for_translation), with the title and translator chosen here."""
        return self.source.copy_for_translation(
            self.cleaned_data["language"],
            title=self.cleaned_data["title"],
            translator=self.cleaned_data.get("translator"),
        )


class EditorImageForm(forms.Form):
    """Replaces markdownx's ImageForm, which trusts the browser's Content-Type and the file's name."""

    image = forms.FileField(label=_("Image"))

    def clean_image(self):
        return uploads.reencoded_image(self.cleaned_data["image"])

    def save(self, commit=True):
        """Store the image and return its URL, as markdownx's upload view expects."""
        return uploads.store_editor_image(self.cleaned_data["image"])


class SideBySideForm(forms.Form):
    """A translation's title, summary and text beside its source's, the text cut into parts that line up.

    The n-th heading of a translation translates the n-th heading of its source, so cutting both before each
    heading (blog.content.paragraph_diff.sections) lines them up; a source without headings is cut at its paragraphs
    (blog.content.paragraph_diff.blocks) instead, so that it is not one giant part. A part the translation lacks
    comes as an empty box. The form carries the stamp of the source it was built from: against a changed source
    the parts no longer line up (a lost heading would drop the last part), so such a save is refused and the
    translator's parts come back.
    """

    loaded_stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    source_stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=Post._meta.get_field("title").max_length)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, translation, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.translation, self.source = translation, source
        self.source_seen = source  # the source's row as clean() locked it, once it has
        self.changed_in_source = translation_drift.changed_in_source(translation)
        self.initial.setdefault("loaded_stamp", edit_stamp(translation))
        self.initial.setdefault("source_stamp", source_stamp(source))
        self.initial.setdefault("title", translation.title)
        self.initial.setdefault("summary", translation.summary)
        for name in ("title", "summary"):
            self.fields[name].widget.attrs["lang"] = translation.language
        self.by_paragraph = len(paragraph_diff.sections(source.body)) < 2
        cut = paragraph_diff.blocks if self.by_paragraph else paragraph_diff.sections
        source_parts, own_parts = cut(source.body), cut(translation.body)
        # Every part the translator sent gets its box back, even if the source now has fewer.
        count = max(len(source_parts), len(own_parts), self.parts_sent())
        self.rows = []
        for index in range(1, count + 1):
            source_part, own_part = part(source_parts, index), part(own_parts, index)
            name = f"part_{index}"
            self.fields[name] = forms.CharField(
                label=_("Translation, part %(number)d") % {"number": index},
                required=False,
                strip=False,
                initial=own_part,
                widget=forms.Textarea(attrs={"lang": translation.language, "rows": text_rows(source_part, own_part)}),
            )
            self.rows.append((source_part, name))

    def parts_sent(self):
        """How many parts the submitted form holds: part_1, part_2, ... up to the first one missing."""
        count = 0
        while self.add_prefix(f"part_{count + 1}") in self.data:
            count += 1
        return count

    @property
    def parts(self):
        """(the source's part, the bound field for the translation's part, whether the source's part changed since
        the translation's base), in order, for the template."""
        return [
            (source_part, self[name], not self.changed_in_source.isdisjoint(paragraph_diff.blocks(source_part)))
            for source_part, name in self.rows
        ]

    @property
    def fields_beside_source(self):
        """(the source's title or summary, the bound field for the translation's, whether it changed since the
        translation's base), for the template."""
        base = self.translation.source_base or {}
        outdated = self.translation.source_fingerprint != self.source.content_fingerprint
        changed = {name for name in ("title", "summary") if base and base.get(name, "") != getattr(self.source, name)}
        return [(getattr(self.source, name), self[name], outdated and name in changed) for name in ("title", "summary")]

    def clean(self):
        cleaned_data = super().clean()
        body = paragraph_diff.joined(cleaned_data.get(name, "") for _source, name in self.rows)
        rendering.validate_markdown(body)
        current = Post.objects.select_for_update().filter(pk=self.translation.pk).first()
        if current is None or edit_stamp(current) != cleaned_data.get("loaded_stamp"):
            raise forms.ValidationError(
                _("Someone changed this translation after you opened it. Open it again to continue."),
                code="changed_since_opened",
            )
        self.check_source_not_changed(cleaned_data.get("source_stamp"))
        cleaned_data["body"] = body
        return cleaned_data

    def check_source_not_changed(self, seen):
        """Refuse a save made beside an older state of the source; the source's row stays locked till the save.

        The form comes back with the translator's parts beside the source as it is now, and that text's stamp,
        so saving again is a choice made knowingly.
        """
        current = Post.objects.select_for_update().filter(pk=self.source.pk).first()
        if current is not None and source_stamp(current) == seen:
            self.source_seen = current
            return
        if current is not None:
            self.data = self.data.copy()
            self.data[self.add_prefix("source_stamp")] = source_stamp(current)
        raise forms.ValidationError(
            _(
                "The source changed after you opened this page, so the translation was not saved: its parts may "
                "no longer line up. Your text is still in the form, beside the source as it is now; check each "
                "part, then save again."
            ),
            code="source_changed_since_opened",
        )

    def with_text(self, translation):
        """`translation` holding the form's title, summary and text."""
        translation.title = self.cleaned_data["title"]
        translation.summary = self.cleaned_data["summary"]
        translation.body = self.cleaned_data["body"]
        return translation

    def preview_html(self):
        """The form's text as readers would get it, rendered as a save renders it, on a copy that is never saved."""
        preview = self.with_text(copy.copy(self.translation))
        preview.render()
        return preview.body_html

    def save(self, mark_up_to_date=False):
        """Save the text; with `mark_up_to_date`, also record the source the translator saw as the one it matches."""
        translation = self.with_text(self.translation)
        if mark_up_to_date:
            translation_drift.match_source(translation, self.source_seen)
        translation.save()
        return translation


def source_stamp(source):
    """The stamp of the source text a side-by-side form shows: the fingerprint of its title, summary and body."""
    return translation_drift.fingerprint(translation_drift.text_of(source))


def part(parts, number):
    """The `number`-th (from 1) of `parts`, or "" when there are fewer."""
    return parts[number - 1] if number <= len(parts) else ""


def text_rows(*texts):
    """Enough rows for the longer of `texts` to show without scrolling, within reason."""
    return min(40, max(4, *((text or "").count("\n") + 2 for text in texts)))
