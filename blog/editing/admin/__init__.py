"""The editors' product: posts with bylines, links, translations, revisions and roles; authors; tags.

Roles: whoever may publish (the Editor group, superusers) edits every post. Everyone else (the
Author group) sees and edits only posts whose byline includes their own Author profile, and never
changes a post's status. VersionAdmin records a revision on every admin save and registers the
inline models with django-reversion, so restoring a revision brings back bylines and links too.

Importing this package registers the admins (blog.apps loads it); each module holds one part.
"""

from blog.editing.admin import authors_and_tags, posts  # noqa: F401
