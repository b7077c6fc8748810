"""markdownx's endpoints, hardened; config/urls.py serves them to logged-in staff only."""

from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from markdownx.views import ImageUploadView, MarkdownifyView

from blog import rendering
from blog.editing.forms import EditorImageForm


class MarkdownPreviewView(MarkdownifyView):
    """The editor's live preview, through the same renderer readers get (MARKDOWNX_MARKDOWNIFY_FUNCTION)."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponseBadRequest(gettext("Nothing to preview: the request has no content."))
        try:
            rendering.validate_markdown(request.POST["content"])
        except ValidationError as error:
            # markdownx puts the answer into the preview pane, so answer with a readable note.
            return HttpResponseBadRequest(format_html('<p class="errornote">{}</p>', " ".join(error.messages)))
        return super().post(request, *args, **kwargs)


class EditorImageUploadView(ImageUploadView):
    """markdownx's upload view with Bunko's checks; answers JSON either way, as markdownx's script expects."""

    form_class = EditorImageForm
    http_method_names = ["post"]

    def form_valid(self, form):
        return JsonResponse({"image_code": f"![]({form.save()})"})

    def form_invalid(self, form):
        return JsonResponse(
            {"error": " ".join(message for errors in form.errors.values() for message in errors)}, status=400
        )
