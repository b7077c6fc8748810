"""Production settings plus the benchmark's baseline URL; only bench/run.py's servers use this module."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# For the rows measured "without any cache": neither whole pages nor the data blog.caching keeps.
if os.environ.get("BENCH_NO_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    BUNKO_PAGE_CACHE_SECONDS = 0
