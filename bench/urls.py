"""The site's URLs plus the baseline every page is compared with, served by the same gunicorn."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

BASELINE_PATH = "__bench__/baseline/"
BASELINE_BODY = b"<p>" + b"x" * (10 * 1024 - 8) + b"</p>\n"


def baseline(request):
    """A minimal Django view returning 10 KB: the middleware stack and nothing else (no query, no template)."""
    return HttpResponse(BASELINE_BODY)


urlpatterns = [path(BASELINE_PATH, baseline, name="bench-baseline"), *site_urlpatterns]
