"""Every model of the blog app, where Django looks for them; `from blog.models import X` reaches each.

- content: authors, tags, posts (one row per language version) and their relations;
- pending: a published post's autosaved changes, kept apart from what readers see;
- subscriptions: readers who get essays by email, and each email owed to them;
- freshness: the content generation and per-key tokens that tell a cached page it is still current;
- purges: the edge's outbox of purges owed by committed writes.
"""

from blog.models.content import (
    CONVERTED_LANGUAGE,
    RENDERED_FIELDS,
    SUMMARY_MAX_LENGTH,
    Author,
    Post,
    PostAuthor,
    RelatedLink,
    RelatedPost,
    Tag,
    TagName,
    content_written,
    post_slug,
    unique_slug,
)
from blog.models.freshness import ContentGeneration, ContentToken
from blog.models.pending import PendingDraft
from blog.models.purges import PendingPurge
from blog.models.subscriptions import Delivery, Newsletter, Subscriber

__all__ = [
    "CONVERTED_LANGUAGE",
    "RENDERED_FIELDS",
    "SUMMARY_MAX_LENGTH",
    "Author",
    "ContentGeneration",
    "ContentToken",
    "Delivery",
    "Newsletter",
    "PendingDraft",
    "PendingPurge",
    "Post",
    "PostAuthor",
    "RelatedLink",
    "RelatedPost",
    "Subscriber",
    "Tag",
    "TagName",
    "content_written",
    "post_slug",
    "unique_slug",
]
