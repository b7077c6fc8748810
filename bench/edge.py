"""`make bench`'s edge rows: the site through Varnish (deploy/varnish/bunko.vcl) in the same run as the bare view.

Two gunicorn instances with production settings (page cache on, EDGE_PURGE_URLS naming the edge) behind
varnishd on loopback. Measured:

- `<page>-edge`: post, home, tag and feed pages served from the edge, as throughput beside the bare view's;
- origin requests the edge let through per 1,000 reader requests, over the public pages at steady state;
- under that load, the time from an editor submitting a new title to the edge serving it (p50, p99).
"""

import json
import math
import secrets
import sys
import threading
import time
from contextlib import ExitStack

from bench.environment import BenchError, log, run_checked
from bench.wrk import load_page, wrk
from harness.servers import HOST, free_port, gunicorn, varnish
from harness.web import Browser, request, submitted_form

PAGES = ("post", "home", "tag", "feed-rss")
EDITOR_PASSWORD = "bench-edge-editor"
SITE = """
import json
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from blog.models import Post, Tag, Author
editor = User.objects.create_user("edge-editor", password=%r, is_staff=True)
editor.groups.add(Group.objects.get(name="Editor"))
published = Post.objects.published().order_by("-publish_at")
edited = published.filter(language="en").first()
paths = [iri_to_uri(post.get_absolute_url()) for post in published[:150]]
paths += [iri_to_uri(reverse(name)) for name in ("sitemap-index",)]
for language in ("en", "ja", "zh-hans"):
    paths += ["/%%s/" %% language, "/%%s/feeds/all.rss" %% language, "/%%s/feeds/all.atom" %% language]
paths += [iri_to_uri(tag.get_absolute_url()) for tag in Tag.objects.all()[:20]]
paths += [iri_to_uri(author.get_absolute_url()) for author in Author.objects.all()[:20]]
print(json.dumps({"login": reverse("admin:login"), "change": reverse("admin:blog_post_change", args=[edited.pk]),
                  "post": iri_to_uri(edited.get_absolute_url()), "paths": paths}))
"""


def wanted(args):
    return args.pages is None or any(page.endswith("-edge") for page in args.pages)


def measure(args, size, production, workdir, probed_pages):
    """{"loads": {<page>-edge: load}, "pages": probe rows for them, "summary": origin share and save latency}."""
    edge_port = free_port()
    purge_secret = secrets.token_urlsafe(24)
    env = {**production, "EDGE_PURGE_URLS": f"http://{HOST}:{edge_port}/", "EDGE_PURGE_SECRET": purge_secret}
    site = json.loads(
        run_checked(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", SITE % EDITOR_PASSWORD], env, "edge site"
        )
    )
    pages = [page for page in probed_pages if page["name"] in PAGES and page["status"] == 200]
    with ExitStack() as stack:
        instances = [
            stack.enter_context(gunicorn(env, workers=args.workers, log=workdir / f"gunicorn-edge-{n}.log"))
            for n in (1, 2)
        ]
        edge = stack.enter_context(
            varnish(
                edge_port,
                [(HOST, instance.port) for instance in instances],
                purge_secret=purge_secret,
                outage_html="unavailable",
                memory="256m",
            )
        )
        base_url = edge.url
        loads = {}
        for page in pages:
            for _ in range(2):
                request(base_url, page["path"])
            log(f"{size} posts: loading {page['name']}-edge for {args.duration} s")
            loads[f"{page['name']}-edge"] = load_page(
                base_url, page, duration=args.duration, connections=args.connections, workers=args.workers
            )
        paths_file = workdir / "edge-paths.txt"
        paths_file.write_text("\n".join(site["paths"]) + "\n")
        log(f"{size} posts: warming the edge over {len(site['paths'])} public pages")
        wrk(
            base_url + "/",
            duration=max(2, args.duration),
            connections=args.connections,
            script="soak.lua",
            script_args=[str(paths_file)],
        )
        summary = {"origin_per_1000": origin_share(edge, base_url, paths_file, args)}
        log(f"{size} posts: {args.edge_saves} saves while the edge is under load")
        summary.update(save_to_edge(instances[0].url, site, base_url, paths_file, args))
    named = [{**page, "name": f"{page['name']}-edge", "queries": 0} for page in pages]
    return {"loads": loads, "pages": named, "summary": summary}


def origin_share(edge, base_url, paths_file, args):
    """Requests that reached an instance per 1,000 that readers sent, over every public page, at steady state."""
    before = edge.counters()
    wrk(
        base_url + "/",
        duration=args.duration,
        connections=args.connections,
        script="soak.lua",
        script_args=[str(paths_file)],
    )
    after = edge.counters()
    readers = after["MAIN.client_req"] - before["MAIN.client_req"]
    origin = after["MAIN.backend_req"] - before["MAIN.backend_req"]
    return {
        "reader_requests": readers,
        "origin_requests": origin,
        "per_1000": round(1000 * origin / readers, 2) if readers else None,
    }


def editor_at(origin, site):
    """The editor of SITE, logged in to the admin of the instance at `origin`."""
    editor = Browser(origin)
    if not editor.log_in(site["login"], "edge-editor", EDITOR_PASSWORD):
        raise BenchError("the edge editor could not log in to the admin")
    return editor


def save_to_edge(origin, site, base_url, paths_file, args):
    """An editor saves a new title --edge-saves times through an instance while wrk reads through the edge.

    Timed twice: from the admin's answer that the save is done (the target), and from submitting the form.
    """
    editor = editor_at(origin, site)
    duration = max(3, 3 * args.duration)  # long enough for the saves on a busy machine
    load = threading.Thread(
        target=wrk,
        args=(base_url + "/",),
        kwargs={
            "duration": duration,
            "connections": args.connections,
            "script": "soak.lua",
            "script_args": [str(paths_file)],
        },
    )
    load.start()
    after_saved, after_submitted = [], []
    try:
        for number in range(args.edge_saves):
            data = submitted_form(editor.request(site["change"]))
            data["title"] = title = f"Edge save {number} {time.time_ns()}"
            submitted = time.monotonic()
            if editor.request(site["change"], data).status_code != 302:
                raise BenchError(f"the editor's save {number} was refused")
            saved = time.monotonic()
            while title not in request(base_url, site["post"])[2]:
                if time.monotonic() - saved > 30:
                    raise BenchError(f"save {number} did not reach the edge within 30 s")
                time.sleep(0.005)
            seen = time.monotonic()
            after_saved.append(seen - saved)
            after_submitted.append(seen - submitted)
    finally:
        load.join()
    return {"saves": len(after_saved), **percentiles("save", after_saved), **percentiles("submit", after_submitted)}


def percentiles(name, seconds):
    seconds = sorted(seconds)
    return {
        f"{name}_p50_ms": round(1000 * seconds[len(seconds) // 2], 1),
        f"{name}_p99_ms": round(1000 * seconds[math.ceil(0.99 * len(seconds)) - 1], 1),
    }


def print_summary(summary):
    share = summary["origin_per_1000"]
    print(
        f"Edge: {share['origin_requests']} of {share['reader_requests']} reader requests reached an instance: "
        f"{share['per_1000']} per 1,000 (target <= 5): "
        f"{'pass' if share['per_1000'] is not None and share['per_1000'] <= 5 else 'FAIL'}"
    )
    print(
        f"Edge: from the editor's saved answer to the new title at the edge, under load, over {summary['saves']} "
        f"saves: p50 {summary['save_p50_ms']} ms, p99 {summary['save_p99_ms']} ms (target p99 <= 1000 ms): "
        f"{'pass' if summary['save_p99_ms'] <= 1000 else 'FAIL'}; from submitting the form: "
        f"p50 {summary['submit_p50_ms']} ms, p99 {summary['submit_p99_ms']} ms"
    )
