"""Deterministic builders for test content: no randomness, every field readable at the call site."""

import itertools

from django.urls import reverse
from django.utils import timezone, translation

from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag

_sequence = itertools.count(1)


def make_author(name=None, **fields):
    return Author.objects.create(name=name or f"Author {next(_sequence)}", **fields)


def make_tag(name=None, **fields):
    return Tag.objects.create(name=name or f"tag-{next(_sequence)}", **fields)


def make_post(*, authors=None, tags=(), related=(), links=(), **fields):
    """A published post (publish time one hour ago) unless `status`/`publish_at` say otherwise."""
    n = next(_sequence)
    fields.setdefault("title", f"Essay {n}")
    fields.setdefault("language", "en")
    fields.setdefault("body", f"Body of essay {n}.")
    fields.setdefault("status", Post.Status.PUBLISHED)
    if fields["status"] == Post.Status.PUBLISHED:
        fields.setdefault("publish_at", timezone.now() - timezone.timedelta(hours=1))
    post = Post.objects.create(**fields)
    for position, author in enumerate(authors if authors is not None else [make_author()]):
        PostAuthor.objects.create(post=post, author=author, position=position)
    post.tags.set(tags)
    for position, other in enumerate(related):
        RelatedPost.objects.create(from_post=post, to_post=other, position=position)
    for position, link in enumerate(links):
        RelatedLink.objects.create(post=post, position=position, **link)
    return post


def url_in(language, name, **kwargs):
    """The public URL `name` under `language`'s prefix, e.g. url_in("ja", "blog:post-list") == "/ja/"."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)
