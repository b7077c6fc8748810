"""Sustained load while editors save: zero 5xx, no lost or corrupted post, no half-saved page.

gunicorn serves a throwaway database seeded by `seed_posts` with production settings (bench/run.py's
machinery: DEBUG off, 2 sync workers, a free loopback port, plain HTTP). For --duration seconds:

- wrk loads public pages (lists, posts, tags, authors, feeds, search, sitemap) through loadtest.lua,
  which counts 5xx answers as well as wrk's "non-2xx or 3xx";
- editors log in to the admin and save the same few posts over and over with real form posts (CSRF
  included), each save writing a fresh marker into the title and into the body, with the marker of the
  save it was based on; a save refused as "changed since you opened it" is counted, not forced;
- readers fetch those posts' pages and check that the title and the body come from the same save.

Afterwards, through the ORM on the same database: each edited post's revision history holds exactly the
accepted saves in one unbroken chain (none lost, none written over a save it had not seen) and ends
with what the row holds; every post's stored HTML is its body's rendering; posts nobody edited are
unchanged. Prints a summary; exits 1 on any failure.

    python -m bench.loadtest                 # make loadtest: 20 s on SQLite
    python -m bench.loadtest --duration 60 --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.environment import BenchError, bench_environment, prepare, throwaway_database
from bench.wrk import BENCH_DIR
from harness.servers import ServerFailed, gunicorn
from harness.web import Browser, submitted_form

EDITOR_PASSWORD = secrets.token_urlsafe(16)
TITLE_MARKER = re.compile(r"Load test ([\w-]+)")
BODY_MARKER = re.compile(r"Saved as ([\w-]+), based on ([\w-]+)\.")
HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
# The admin's answer to a save from an outdated copy (blog.editing.forms.PostAdminForm); editors use the English admin.
CONFLICT = "after you opened it, so your changes were not saved"
SEED = "seed"  # what a post that no editor has saved yet is "based on"
BODY_TEXT = "## A heading\n\nA paragraph with **bold** text, a [link](https://example.com/) and `code`.\n"


def log(message):
    print(f"[loadtest] {message}", file=sys.stderr, flush=True)


# ---- what the editors, readers and wrk saw


@dataclass
class Tally:
    saved: list = field(default_factory=list)  # (post pk, marker) of every accepted save
    refused: int = 0
    pages_read: int = 0
    server_errors: int = 0
    failures: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message, status=None):
        with self.lock:
            self.server_errors += status is not None and status >= 500
            if len(self.failures) < 50:
                self.failures.append(message)


def guarded(work, tally):
    """Run `work` in a thread whose crash (a refused connection, a parse error) is a failure, not silence."""

    def run(*args):
        try:
            work(*args)
        except Exception as error:
            tally.fail(f"{work.__name__}: {type(error).__name__}: {error}")

    return run


def edit(browser, username, change_paths, stop, tally):
    """Open a post's change form, change title and body, save; round and round until told to stop."""
    for number in itertools.count(1):
        if stop.is_set():
            return
        pk, path = change_paths[number % len(change_paths)]
        page = browser.request(path)
        if page.status_code != 200:
            tally.fail(f"{username} opening post {pk}: HTTP {page.status_code}", page.status_code)
            continue
        data = submitted_form(page)
        opened = TITLE_MARKER.search(data["title"])
        based_on, marker = opened.group(1) if opened else SEED, f"{username}-{number}"
        data["title"] = f"Load test {marker}"
        data["body"] = f"Saved as {marker}, based on {based_on}.\n\n{BODY_TEXT}"
        answer = browser.request(path, data)
        if answer.status_code == 302:
            with tally.lock:
                tally.saved.append((pk, marker))
        elif answer.status_code == 200 and CONFLICT in answer.content.decode():
            with tally.lock:
                tally.refused += 1
        else:
            tally.fail(f"{username} saving post {pk}: HTTP {answer.status_code}", answer.status_code)


def read(browser, paths, stop, tally):
    """Read the edited posts' pages; the title's marker and the body's must name the same save."""
    for path in itertools.cycle(paths):
        if stop.is_set():
            return
        page = browser.request(path)
        with tally.lock:
            tally.pages_read += 1
        if page.status_code != 200:
            tally.fail(f"reading {path}: HTTP {page.status_code}", page.status_code)
            continue
        html = page.content.decode()
        heading = HEADING.search(html)
        title = heading and TITLE_MARKER.search(heading.group(1))
        body = BODY_MARKER.search(html)
        title_from, body_from = (title.group(1) if title else SEED), (body.group(1) if body else SEED)
        if title_from != body_from:
            tally.fail(f"half-saved page {path}: title from {title_from}, body from {body_from}")


def run_wrk(base_url, paths_file, duration, connections):
    """wrk over the public paths; returns report.lua's numbers plus loadtest.lua's 5xx count."""
    command = [
        "wrk", "--threads", str(min(2, connections)), "--connections", str(connections),
        "--duration", f"{duration:g}s", "--timeout", "10s", "--script", str(BENCH_DIR / "loadtest.lua"),
        base_url + "/", "--", str(paths_file),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    stats = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("BENCH_", "LOADTEST_")))
    if "BENCH_JSON" not in stats:
        raise BenchError(f"wrk printed no report ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return {**json.loads(stats["BENCH_JSON"]), "server_errors": int(stats["LOADTEST_5XX"])}


# ---- the run


def prepare_site(args):
    """Editors' accounts, the posts they edit, the public paths wrk loads and every post as it is now."""
    from django.contrib.auth.models import Group, User
    from django.urls import reverse
    from django.utils.encoding import iri_to_uri

    from bench.probe import url
    from blog.models import Author, Post, Tag

    published = Post.objects.published().order_by("pk")
    edited = list(published.filter(language="en")[: args.posts])
    if len(edited) < args.posts:
        raise BenchError(f"only {len(edited)} published English posts to edit: seed more with --size")
    editors = []
    for number in range(args.editors):
        user = User.objects.create_user(f"editor{number + 1}", password=EDITOR_PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name="Editor"))
        editors.append(user.username)
    others = list(published.exclude(pk__in=[post.pk for post in edited])[:20])
    tag, author = Tag.objects.filter(posts__in=others).first(), Author.objects.filter(posts__in=others).first()
    public = [iri_to_uri(post.get_absolute_url()) for post in edited + others] + [
        url("blog:post-list", "en"), url("blog:post-list", "ja"), url("blog:post-list", "zh-hans"),
        url("blog:tag-detail", "en", slug=tag.slug), url("blog:author-detail", "en", slug=author.slug),
        url("blog:feed-rss", "en"), url("blog:feed-atom", "ja"), url("blog:search", "en", query={"q": "phd"}),
        url("blog:archive-year", "en", year=edited[0].publish_at.year), iri_to_uri(reverse("sitemap-index")),
    ]  # fmt: skip
    return {
        "editors": editors,
        "login": reverse("admin:login"),
        "change": [(post.pk, reverse("admin:blog_post_change", args=[post.pk])) for post in edited],
        "read": [iri_to_uri(post.get_absolute_url()) for post in edited],
        "public": public,
        "before": {post.pk: snapshot(post) for post in Post.objects.all()},
    }


def snapshot(post):
    return {"title": post.title, "body": post.body, "body_html": post.body_html, "updated_at": post.updated_at}


def load(base_url, site, args, workdir):
    """wrk on public pages for --duration seconds while editors save and readers read; returns what they saw."""
    tally, stop = Tally(), threading.Event()
    browsers = []
    for username in site["editors"]:
        browser = Browser(base_url)
        if not browser.log_in(site["login"], username, EDITOR_PASSWORD):
            raise BenchError(f"{username} could not log in to the admin")
        browsers.append((browser, username))
    workers = [
        threading.Thread(target=guarded(edit, tally), args=(browser, username, site["change"], stop, tally))
        for browser, username in browsers
    ]
    workers += [
        threading.Thread(target=guarded(read, tally), args=(Browser(base_url), site["read"], stop, tally))
        for _ in range(args.readers)
    ]
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(site["public"]) + "\n")
    for worker in workers:
        worker.start()
    try:
        stats = run_wrk(base_url, paths_file, args.duration, args.connections)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    return stats, tally


def verify(site, tally):
    """Problems found in the database after the run: lost, forked or corrupted saves; changed bystanders."""
    from reversion.models import Version

    from blog.models import Post

    problems = []
    for pk, _path in site["change"]:
        post = Post.objects.get(pk=pk)
        chain = []
        for version in Version.objects.get_for_object(post).order_by("pk"):
            saved = BODY_MARKER.search(version.field_dict["body"])
            chain.append(saved.groups() if saved else ("?", "?"))
        accepted = sorted(marker for post_pk, marker in tally.saved if post_pk == pk)
        if sorted(marker for marker, _ in chain) != accepted:
            problems.append(f"post {pk}: its history holds {len(chain)} saves, the editors made {len(accepted)}")
        for (marker, based_on), latest in zip(chain, [SEED, *(marker for marker, _ in chain)][:-1], strict=True):
            if based_on != latest:
                problems.append(f"post {pk}: {marker} was saved over {based_on} while {latest} was the latest: lost")
        if chain:
            latest = Version.objects.get_for_object(post).first().field_dict
            if (post.title, post.body) != (latest["title"], latest["body"]):
                problems.append(f"post {pk}: the row differs from its latest revision")
    edited = {pk for pk, _path in site["change"]}
    for post in Post.objects.all():
        stored = (post.body_html, post.toc_html)
        post.render()
        if (post.body_html, post.toc_html) != stored:
            problems.append(f"post {post.pk}: its stored HTML is not its body's rendering")
        if post.pk not in edited and snapshot(post) != site["before"][post.pk]:
            problems.append(f"post {post.pk} changed though nobody edited it")
    return problems


def report(args, database, stats, tally, problems):
    seconds = stats["duration_us"] / 1e6 or 1
    other_errors = {name: count for name, count in stats["errors"].items() if count}
    print(
        f"\nBunko load test: {args.duration:g} s on {database}, gunicorn {args.workers} sync workers; "
        f"wrk {args.connections} connections, {args.editors} editors, {args.readers} readers"
    )
    print(
        f"  public pages: {stats['requests']} requests ({stats['requests'] / seconds:.0f}/s, "
        f"p99 {stats['p99_us'] / 1000:.0f} ms); 5xx: {stats['server_errors']}; "
        f"non-2xx/3xx and socket errors: {other_errors or 0}"
    )
    print(f"  editors: {len(tally.saved)} saves accepted, {tally.refused} refused as concurrent edits")
    print(f"  readers: {tally.pages_read} edited posts read; 5xx seen by editors and readers: {tally.server_errors}")
    for problem in tally.failures + problems:
        print(f"  FAIL {problem}")
    passed = not (tally.failures or problems or other_errors or stats["server_errors"] or tally.server_errors)
    if not tally.saved:
        print("  FAIL no save was accepted: nothing was tested")
        passed = False
    print("PASS" if passed else "FAIL")
    return passed


def load_test_arguments(description, *, duration, connections):
    """The options the load tests share (this one, and the edge's in bench/edge_faults.py)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=duration, help=f"seconds of load (default {duration:g})")
    parser.add_argument("--size", type=int, default=200, help="posts to seed (default 200)")
    parser.add_argument("--connections", type=int, default=connections, help=f"wrk connections (default {connections})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make the throwaway database on (default SQLite)")
    return parser


def main(argv=None):
    parser = load_test_arguments(__doc__, duration=20.0, connections=4)
    parser.add_argument("--posts", type=int, default=2, help="posts the editors all edit (default 2)")
    parser.add_argument("--editors", type=int, default=2, help="editors saving at the same time (default 2)")
    parser.add_argument("--readers", type=int, default=2, help="readers checking the edited posts (default 2)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("loadtest: wrk is not installed: `apt-get install wrk` (Debian's), or run `make loadtest`.")
    try:
        with tempfile.TemporaryDirectory(prefix="bunko-loadtest-") as tmp:
            workdir = Path(tmp)
            with throwaway_database(args.database_url, args.size, workdir) as database_url:
                env = bench_environment(workdir, database_url)
                env["PLAIN_HTTP"] = "1"  # production settings, served on plain http://127.0.0.1
                log(f"migrating and seeding {args.size} posts")
                prepare(env, args.size)
                os.environ.update(env)
                import django

                django.setup()
                from django.db import connection, connections

                site = prepare_site(args)
                log(f"loading for {args.duration:g} s")
                with gunicorn(env, workers=args.workers, log=workdir / "gunicorn.log") as server:
                    started = time.monotonic()
                    stats, tally = load(server.url, site, args, workdir)
                log(f"checking the database after {time.monotonic() - started:.0f} s")
                problems = verify(site, tally)
                passed = report(args, connection.vendor, stats, tally, problems)
                if not passed:
                    print((workdir / "gunicorn.log").read_text()[-4000:], file=sys.stderr)
                connections.close_all()  # before the throwaway database is dropped
    except (BenchError, ServerFailed) as error:
        raise SystemExit(f"loadtest: {error}") from error
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
