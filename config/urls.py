"""Top-level routes: admin and editor endpoints, language-neutral files, and the prefixed public site."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView, TemplateView

from blog.editing.admin.endpoints import EditorImageUploadView, MarkdownPreviewView
from blog.reading import sitemaps, traditional
from blog.reading.urls import traditional_urlpatterns
from blog.reading.views import home_redirect
from blog.serving import health

urlpatterns = [
    path(settings.ADMIN_URL_PATH, admin.site.urls),
    # markdownx's preview and upload answer logged-in staff only; others are sent to the login page.
    path("markdownx/markdownify/", staff_member_required(MarkdownPreviewView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(EditorImageUploadView.as_view()), name="markdownx_upload"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("healthz", health.healthz, name="healthz"),
    # Browsers (and the admin, whose pages name no icon of their own) ask for /favicon.ico unprompted.
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("img/favicon.ico")), name="favicon"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots-txt"),
    path("", home_redirect, name="home-redirect"),
    # Simplified Chinese essays in Traditional characters: a reader-only variant, not a language of the site.
    path("zh-hant/", include(traditional_urlpatterns)),
]

urlpatterns += traditional.site_patterns(
    path("subscribe/", include("blog.mail.urls")),
    path("preview/", include("blog.editing.urls")),
    path("", include("blog.reading.urls")),
)

handler400 = "blog.serving.errors.bad_request"
handler500 = "blog.serving.health.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
