"""Purger backends: how one kind of edge is told to forget every page labelled with some keys.

Like Wagtail's frontend_cache backends, one class per kind of edge, chosen by a setting (EDGE_PURGER, a dotted
path to a class taking urls and timeout); VarnishPurger is the one deploy/varnish/bunko.vcl answers.
"""

import http.client
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string


class Purger:
    """What an edge must do: forget every object labelled with any of `keys`, or raise.

    Soft: it may still serve them while the origin is down. `hard`: it never serves them again.
    """

    def purge(self, keys, hard=False):
        raise NotImplementedError


class VarnishPurger(Purger):
    """`PURGE /` with `xkey: <keys>` and the shared secret to each EDGE_PURGE_URLS entry (deploy/varnish/bunko.vcl)."""

    def __init__(self, urls, timeout):
        self.urls = urls
        self.timeout = timeout

    def purge(self, keys, hard=False):
        headers = {"xkey": " ".join(sorted(keys)), "Purge-Secret": settings.BUNKO_EDGE_PURGE_SECRET}
        if hard:
            headers["Purge-Mode"] = "hard"
        for url in self.urls:
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=self.timeout)
            try:
                connection.request("PURGE", parts.path or "/", headers=headers)
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            if response.status != 200:
                raise OSError(f"{url} answered the purge with HTTP {response.status}")


def configured_purger():
    """The configured Purger (EDGE_PURGER: a dotted path taking urls and timeout), or None without an edge."""
    if not settings.BUNKO_EDGE_PURGE_URLS:
        return None
    return import_string(settings.BUNKO_EDGE_PURGER)(settings.BUNKO_EDGE_PURGE_URLS, settings.BUNKO_EDGE_PURGE_TIMEOUT)
