"""Cache keys: the names of what a page may show, which cached pages keep tokens of and edges label pages with.

A write moves the keys of what it changed (blog.caching.generation); a page is current while none of its keys moved.
"""

from dataclasses import dataclass

# Every page depends on EVERYTHING, which bulk writes move.
EVERYTHING = "everything"
# Which posts are visible, in which order, language, tags and bylines: lists, neighbours, month lists, feeds.
LISTS = "lists"
# Pages that name nothing are current only until the next visible write anywhere, as in the page cache: at the
# edge they carry this key, and every purge includes it.
ANY_CHANGE = "any-change"


def essay_key(translation_key):
    """Every language version of one essay: a page showing one shows the others' titles and slugs (switcher, feeds)."""
    return f"essay:{translation_key}"


def essay_page_key(translation_key):
    """What only an essay's own pages print: its related links and the editor's related picks."""
    return f"essay-page:{translation_key}"


def tag_key(pk):
    return f"tag:{pk}"


def author_key(pk):
    return f"author:{pk}"


@dataclass(frozen=True)
class Shown:
    """What a page prints, named by what edits it: essays (by translation key), an essay's own page extras, tags
    and authors (by pk).

    A view declares it (blog.caching.ShowsContent, or `response.shown` from a function view); the page cache keeps
    the tokens of its keys and the edge labels the page with them, so a cached copy outlives edits to anything
    else. A page that declares nothing is kept only until the next visible edit anywhere.
    """

    essays: frozenset = frozenset()
    essay_pages: frozenset = frozenset()
    tags: frozenset = frozenset()
    authors: frozenset = frozenset()

    def __post_init__(self):
        # Neighbours that do not exist come as None; any iterable is accepted and kept as a set.
        object.__setattr__(self, "essays", frozenset(key for key in self.essays if key))
        for name in ("essay_pages", "tags", "authors"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    @classmethod
    def cards(cls, posts):
        """Post cards: each post with its tags and authors (as blog.reading.views.with_cards fetches them)."""
        return cls(
            essays=[post.translation_key for post in posts],
            tags=[tag.pk for post in posts for tag in post.card_tags],
            authors=[author.pk for post in posts for author in post.card_authors],
        )

    def __or__(self, other):
        return Shown(
            self.essays | other.essays,
            self.essay_pages | other.essay_pages,
            self.tags | other.tags,
            self.authors | other.authors,
        )

    def keys(self):
        """The cache keys of everything shown. Every page that names anything also depends on the lists (which
        posts are visible, in which order, with which tags and bylines): neighbours, related posts and month lists
        come from them."""
        return {
            EVERYTHING,
            LISTS,
            *(essay_key(translation_key) for translation_key in self.essays),
            *(essay_page_key(translation_key) for translation_key in self.essay_pages),
            *(tag_key(pk) for pk in self.tags),
            *(author_key(pk) for pk in self.authors),
        }
