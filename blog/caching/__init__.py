"""Caching public pages: the one place the rest of Bunko imports cache machinery from.

- keys: the names of what a page shows, which cached pages keep tokens of and edges label pages with;
- state: the content generation and per-key tokens in the database, and the receivers that move them on
  every write a reader could see (connected by BlogConfig.ready() through connect());
- pages: conditional GET and the page cache (public_page), and data kept with the content generation;
- store: the cache itself, failing soft when Redis does;
- edge: response headers for a shared cache, purger backends, and the outbox of purges owed.

Like Wagtail's contrib/frontend_cache, the backends are classes chosen by a setting (EDGE_PURGER) and this
module is the API.
"""

from blog.caching.edge.outbox import MAX_KEYS_PER_PURGE, send_pending, settle
from blog.caching.keys import ANY_CHANGE, EVERYTHING, essay_key
from blog.caching.pages import content_cached, months_kept, public_page, shows, shows_cards
from blog.caching.state import ContentState, connect, content_changed, content_state, current_state
from blog.caching.store import CacheOutage, cache_get, cache_set

__all__ = [
    "ANY_CHANGE",
    "EVERYTHING",
    "MAX_KEYS_PER_PURGE",
    "CacheOutage",
    "ContentState",
    "cache_get",
    "cache_set",
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
    "shows",
    "shows_cards",
]
