"""The reading side: everything a reader's request touches, and what keeps it fast.

Views and URLs, the queries they run (prepared once per process), conditional responses and the page cache
with its state, links, pagination, search, feeds, sitemaps and the public templates' Jinja2 environment.
It imports the content model and the renderer; nothing there imports it.
"""
