"""Cache keys: the names of what a page may show, which cached pages keep tokens of and edges label pages with.

A write moves the keys of what it changed (blog.caching.state); a page is current while none of its keys moved.
"""

# Every page depends on EVERYTHING, which bulk writes move.
EVERYTHING = "everything"
# Which posts are visible, in which order, language, tags and bylines: lists, neighbours, month lists, feeds.
LISTS = "lists"
# Pages that name nothing are current only until the next visible write anywhere, as in the page cache: at the
# edge they carry this key, and every purge includes it.
ANY_CHANGE = "any-change"


def essay_key(translation_key):
    """Every version of one essay: a page showing any version shows the others' titles and slugs (switcher, feeds)."""
    return f"essay:{translation_key}"


def essay_page_key(translation_key):
    """What only an essay's own pages print: its related links and the editor's related picks."""
    return f"essay-page:{translation_key}"


def tag_key(pk):
    return f"tag:{pk}"


def author_key(pk):
    return f"author:{pk}"
