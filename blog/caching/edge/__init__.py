"""The shared cache at the edge (Varnish, a CDN): what a response may be kept for, and purging exactly what moved.

The page cache already knows which keys each page shows (blog.caching.keys) and which keys a write moves
(blog.caching.generation.content_changed). Those keys go out as the `Surrogate-Key` header (and `xkey`, the name
Varnish's xkey module reads: headers), and a write purges the keys it moved at every edge in EDGE_PURGE_URLS
(purgers), through a durable outbox (outbox).
"""
