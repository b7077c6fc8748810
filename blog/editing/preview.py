"""Signed, expiring links that show a draft or scheduled post to whoever the editor gives them to.

The token names the post and its essay (pk and translation key) and is signed with SECRET_KEY, so it
cannot be guessed or pointed at another post; it stops working after BUNKO_PREVIEW_MAX_AGE. A preview
is never cached, indexed or listed anywhere: feeds, sitemaps and lists all start from published().
"""

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from blog.models import Post, RelatedPost
from blog.reading.views import PostDetailView

SALT = "blog.editing.preview"


def preview_url(post):
    """A fresh preview link for `post`, in its own language; valid for BUNKO_PREVIEW_MAX_AGE."""
    token = signing.TimestampSigner(salt=SALT).sign_object({"post": post.pk, "key": str(post.translation_key)})
    with translation.override(post.language):
        return reverse("blog:post-preview", kwargs={"token": token})


def post_for_token(token):
    """The post a valid, unexpired token names; 404 for anything else (forged, edited, expired, deleted)."""
    try:
        claims = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.BUNKO_PREVIEW_MAX_AGE)
        return Post.objects.annotate(has_picks=Exists(RelatedPost.objects.filter(from_post=OuterRef("pk")))).get(
            pk=claims["post"], translation_key=claims["key"]
        )
    except (signing.BadSignature, Post.DoesNotExist) as error:
        raise Http404("No post for this preview link.") from error


class PostPreviewView(PostDetailView):
    """The post page as readers will see it, marked as a preview; a post already public goes to its page."""

    template_name = "blog/post_preview.html"

    def get(self, request, *args, **kwargs):
        post = post_for_token(kwargs["token"])
        if Post.objects.published().filter(pk=post.pk).exists():
            return redirect(post)
        self.object = self.with_page_data(post)
        response = self.render_to_response(self.get_context_data(object=post))
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The token is in the address: links followed from the preview must not carry it to other sites.
        response["Referrer-Policy"] = "no-referrer"
        return response

    def citation(self, post, authors):
        """None: an essay is citable once readers can open it (its citation files are a 404 until then)."""
        return None

    @staticmethod
    def with_page_data(post):
        """What PostDetailView.get_object annotates: the published versions besides this one, no neighbours."""
        published = Post.objects.published().filter(translation_key=post.translation_key).exclude(pk=post.pk)
        post.versions = sorted([post, *published], key=lambda version: (version.created_at, version.pk))
        post.previous_title = post.previous_slug = post.previous_key = None
        post.next_title = post.next_slug = post.next_key = None
        return post
