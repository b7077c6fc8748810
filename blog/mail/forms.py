"""What a reader tells us: an address, languages in order of preference, and what to follow."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from blog.models import Author, Tag

EVERYTHING, CHOSEN = "everything", "chosen"
LANGUAGE_FIELDS = ["first_language", "second_language", "third_language"]


class PreferencesForm(forms.Form):
    """Languages and scope, as the manage page changes them; SubscribeForm adds the address."""

    first_language = forms.ChoiceField(label=_("First language"), choices=settings.LANGUAGES)
    second_language = forms.ChoiceField(
        label=_("Second language (optional)"), choices=[("", _("None")), *settings.LANGUAGES], required=False
    )
    third_language = forms.ChoiceField(
        label=_("Third language (optional)"), choices=[("", _("None")), *settings.LANGUAGES], required=False
    )
    follow = forms.ChoiceField(
        label=_("Send me"),
        choices=[(EVERYTHING, _("Every new essay")), (CHOSEN, _("Only essays by the authors or with the tags I tick"))],
        initial=EVERYTHING,
        widget=forms.RadioSelect,
    )
    authors = forms.ModelMultipleChoiceField(
        label=_("Authors"), queryset=Author.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(field) for field in LANGUAGE_FIELDS]
        # Each language once, in the order given: "ja, ja, en" means "ja, en".
        cleaned["languages"] = list(dict.fromkeys(code for code in chosen if code))
        if cleaned.get("follow") == CHOSEN and not (cleaned.get("authors") or cleaned.get("tags")):
            raise forms.ValidationError(_("Tick at least one author or tag, or choose every new essay."))
        return cleaned

    @classmethod
    def initial_for(cls, subscriber):
        languages = [*subscriber.languages, "", ""]
        return {
            **dict(zip(LANGUAGE_FIELDS, languages, strict=False)),
            "follow": EVERYTHING if subscriber.follows_everything else CHOSEN,
            "authors": list(subscriber.authors.all()),
            "tags": list(subscriber.tags.all()),
        }

    def apply_to(self, subscriber):
        """Write the choices onto `subscriber` (saved) and its followed authors and tags."""
        follows_everything = self.cleaned_data["follow"] == EVERYTHING
        subscriber.languages = self.cleaned_data["languages"]
        subscriber.follows_everything = follows_everything
        subscriber.save()
        subscriber.authors.set([] if follows_everything else self.cleaned_data["authors"])
        subscriber.tags.set([] if follows_everything else self.cleaned_data["tags"])


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)

    field_order = ["email"]

    def clean_email(self):
        # One row per mailbox however it was typed: mail providers ignore case.
        return self.cleaned_data["email"].strip().lower()
