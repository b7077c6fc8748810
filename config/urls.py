"""Top-level routes: admin and editor endpoints, language-neutral files, and the prefixed public site."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from markdownx.views import ImageUploadView, MarkdownifyView

urlpatterns = [
    path(settings.ADMIN_URL_PATH, admin.site.urls),
    # markdownx's preview and upload answer logged-in staff only; others are sent to the login page.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(ImageUploadView.as_view()), name="markdownx_upload"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(path("", include("blog.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
