"""The citation downloads beside each essay: cite.bib, cite.ris and cite.json under the essay's own URL.

Like the essay page they show only what Post.objects.published() lets a reader see (a draft or a scheduled
post is a 404), and they are served through the page cache and ETags (blog.caching).
"""

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header

from blog.caching import Shown
from blog.reading import queries
from blog.reading.citation.csl import reference_of
from blog.reading.citation.formats import MEDIA_TYPES, WRITERS
from blog.reading.links import permalink


def citation_file(request, slug, extension):
    post = queries.cited_post_or_404(translation.get_language(), slug)
    authors = queries.authors_of(post)
    reference = reference_of(post, authors, request.build_absolute_uri(permalink(post)))
    response = HttpResponse(WRITERS[extension](reference), content_type=f"{MEDIA_TYPES[extension]}; charset=utf-8")
    # A download named after the essay's citation key, e.g. bunko42.bib, rather than "cite.bib" every time.
    response.headers["Content-Disposition"] = content_disposition_header(True, f"{reference.key}.{extension}")
    response.shown = Shown(essays=[post.translation_key], authors=[author.pk for author in authors])
    return response
