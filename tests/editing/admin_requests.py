"""What an editor sends the admin, as its own pages would send it: the add page filled in, the writing room's
autosave, and the admin's URLs for a post."""

import uuid

from django.urls import reverse

from blog.editing.forms import edit_stamp

AUTOSAVE = reverse("admin:blog_post_autosave")


def admin_url(name, post=None):
    return reverse(f"admin:blog_post_{name}", args=[post.pk] if post else None)


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_post_data(*, author, tags=(), **fields):
    """What an editor fills in on the add page: one byline, one related link, no related posts."""
    return {
        "title": "Leaving academia",
        "slug": "",
        "language": "en",
        "body": "## Why I left\n\nBecause the **questions** changed.",
        "summary": "Notes on a career change.",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "tags": [tag.pk for tag in tags],
        "cover_alt": "",
        "translation_key": str(uuid.uuid4()),
        "original_title": "",
        "original_author": "",
        "original_url": "",
        "original_published_on": "",
        "extra_front_matter": "{}",
        **management_form("bylines", 1),
        "bylines-0-author": str(author.pk),
        "bylines-0-role": "author",
        "bylines-0-position": "0",
        **management_form("related_entries", 0),
        **management_form("related_links", 1),
        "related_links-0-title": "On leaving",
        "related_links-0-url": "https://example.org/leaving",
        "related_links-0-summary": "A similar story.",
        "related_links-0-position": "0",
        **fields,
    }


def change_url(post):
    return admin_url("change", post)


def text(**fields):
    return {"title": "Leaving the lab", "summary": "", "body": "First paragraph.", "language": "en", **fields}


def edit_of(post, **fields):
    return text(post=str(post.pk), loaded_stamp=edit_stamp(post), **fields)
