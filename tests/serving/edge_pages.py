"""Pages read through a test's Varnish: whether the edge answered from its cache, pages put there first, and
waiting for what a purge sent after the save's response does."""

import time

from harness.web import request


def cached(base, path, **headers):
    """Whether the edge answered `path` from its cache, and the page's body."""
    status, answer, body = request(base, path, headers=headers)
    assert status == 200, (path, status)
    return answer["X-Cache"] == "HIT", body


def warm(base, *paths):
    for path in paths:
        request(base, path)
        assert cached(base, path)[0], f"{path} was not kept by the edge"


def eventually(check, seconds=5):
    """`check()`'s first true answer, polled until `seconds` have passed (then its last answer)."""
    deadline = time.monotonic() + seconds
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer
