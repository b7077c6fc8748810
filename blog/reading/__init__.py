"""The reading side: everything a reader's request touches, and what keeps it fast.

Views and URLs, the queries they run (prepared once per process), links, pagination, search, feeds, sitemaps
and the public templates' Jinja2 environment; its pages are served through blog.caching.
It imports the content model and the renderer; nothing there imports it.
"""
