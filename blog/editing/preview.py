"""Signed, expiring links that show a draft or scheduled post to whoever the editor gives them to.

The token names the post and its essay (pk and translation key) and is signed with SECRET_KEY, so it
cannot be guessed or pointed at another post; it stops working after BUNKO_PREVIEW_MAX_AGE. A preview
is never cached, indexed or listed anywhere: feeds, sitemaps and lists all start from published().
The page is the reading side's (blog.reading.views.post_page_context), marked as a preview; only the route and
the token are the editors'.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from blog.models import Post
from blog.reading import queries
from blog.reading.views import post_page_context

SALT = "blog.editing.preview"


def preview_url(post):
    """A fresh preview link for `post`, in its own language; valid for BUNKO_PREVIEW_MAX_AGE."""
    token = signing.TimestampSigner(salt=SALT).sign_object({"post": post.pk, "key": str(post.translation_key)})
    with translation.override(post.language):
        return reverse("preview:post", kwargs={"token": token})


def post_for_token(token):
    """The post a valid, unexpired token names, as the post page reads it; 404 for anything else (forged, edited,
    expired, deleted)."""
    try:
        claims = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.BUNKO_PREVIEW_MAX_AGE)
    except signing.BadSignature as error:
        raise Http404("No post for this preview link.") from error
    post = queries.unpublished_essay(claims["post"], claims["key"])
    if post is None:
        raise Http404("No post for this preview link.")
    return post


def post_preview(request, token):
    """The post page as readers will see it, marked as a preview and not citable yet (its citation files are a
    404 until readers can open it); a post already public goes to its page."""
    post = post_for_token(token)
    if Post.objects.published().filter(pk=post.pk).exists():
        return redirect(post)
    context = {"post": post, "object": post, **post_page_context(request, post, citable=False)}
    response = render(request, "blog/post_preview.html", context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: links followed from the preview must not carry it to other sites.
    response["Referrer-Policy"] = "no-referrer"
    return response
