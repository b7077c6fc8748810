"""Caching public pages: the one place the rest of Bunko imports cache machinery from.

- keys: what a page shows (Shown, which views declare) and its cache keys, which cached pages keep tokens of
  and edges label pages with;
- generation: the content generation and per-key tokens in the database, and the receivers that move them on
  every write a reader could see (connected by BlogConfig.ready() through connect()); changes_together()
  moves them once for a transaction of many writes (an admin save, an import);
- pages: conditional GET and the page cache (public_page, reading a view's Shown through ShowsContent), and
  data kept with the content generation (content_cached);
- store: the cache itself, failing soft when Redis does;
- edge: response headers for a shared cache, purger backends, and the outbox of purges owed.

Like Wagtail's contrib/frontend_cache, the backends are classes chosen by a setting (EDGE_PURGER) and this
module is the API.
"""

from blog.caching.edge.outbox import MAX_KEYS_PER_PURGE, send_pending, settle
from blog.caching.generation import (
    ContentState,
    changes_together,
    connect,
    content_changed,
    content_state,
    current_state,
)
from blog.caching.keys import ANY_CHANGE, EVERYTHING, Shown, essay_key
from blog.caching.pages import ShowsContent, content_cached, months_kept, public_page
from blog.caching.store import CacheOutage, cache_get, cache_set

__all__ = [
    "ANY_CHANGE",
    "EVERYTHING",
    "MAX_KEYS_PER_PURGE",
    "CacheOutage",
    "ContentState",
    "Shown",
    "ShowsContent",
    "cache_get",
    "cache_set",
    "changes_together",
    "connect",
    "content_cached",
    "content_changed",
    "content_state",
    "current_state",
    "essay_key",
    "months_kept",
    "public_page",
    "send_pending",
    "settle",
]
