"""`make bench` machinery: the seeded database it measures, and a tiny end-to-end run so it cannot rot."""

import io
import json
import shutil
import socket
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from blog import rendering
from blog.content.plain_text import excerpt
from blog.models import Post
from blog.rendering import traditional
from tests.paths import ROOT


@pytest.mark.django_db
def test_seed_posts_writes_rendered_essays_in_three_languages():
    call_command("seed_posts", size=40, stdout=io.StringIO())

    posts = list(Post.objects.prefetch_related("bylines", "tags"))
    assert len(posts) == 40
    assert {post.language for post in posts} == {"ja", "zh-hans", "en"}
    versions = defaultdict(set)
    for post in posts:
        versions[post.translation_key].add(post.language)
    assert {"ja", "zh-hans", "en"} in versions.values()
    # bulk_create skipped Post.save(): the stored HTML must still be exactly what the renderer makes.
    bodies = {(post.body, post.language) for post in posts}
    expected = {(body, language): rendering.render(body, language=language) for body, language in bodies}
    for post in posts:
        rendered = expected[post.body, post.language]
        assert post.body_html and (post.body_html, post.feed_html) == (rendered.html, rendered.feed_html)
        assert post.excerpt == excerpt(post)
        assert post.renderer_release == rendering.RENDERER_RELEASE
        assert post.bylines.all() and post.tags.all()
        # The Traditional Chinese version (blog.rendering.traditional), as Post.render() stores it.
        if post.language == "zh-hans":
            assert post.traditional_body_html == traditional.html(rendered.html)
            assert post.traditional_title == traditional.text(post.title)
    published = Post.objects.published()
    assert published.count() < 40, "some essays are drafts, so visibility is exercised"
    assert published.filter(language="ja", body__contains="博士").exists()
    assert published.filter(language="ja", body__contains="転職").exists()
    assert published.filter(language="zh-hans", body__contains="博士").exists()


@pytest.mark.django_db
def test_seed_posts_refuses_a_database_that_has_posts():
    call_command("seed_posts", size=3, stdout=io.StringIO())
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_posts", size=3)
    assert Post.objects.count() == 3


def test_bench_runs_end_to_end_on_a_tiny_database(tmp_path):
    """Migrate, seed, collectstatic, probe, gunicorn and wrk, on 20 posts and five pages for a second each."""
    if not shutil.which("wrk"):
        pytest.fail("wrk is not installed: `make test` installs Debian's wrk (or: apt-get install wrk).")
    command = [
        sys.executable, "bench/run.py", "--size", "20", "--duration", "1",
        "--pages", "baseline,post,post-304,feed-rss,post-cached", "--output-dir", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]

    results = json.loads((tmp_path / "latest.json").read_text())
    [run] = results["runs"]
    rows = {row["page"]: row for row in run["pages"]}
    assert list(rows) == ["baseline", "post", "post-cached", "post-304", "feed-rss"]
    assert rows["baseline"]["req_per_s"] > 0 and rows["baseline"]["sql"] == 0
    for page in ("post", "post-cached", "feed-rss"):
        assert rows[page]["status"] == 200, rows[page]["note"]
        assert rows[page]["req_per_s"] > 0 and rows[page]["bytes"] > 0 and rows[page]["ratio"] > 0
    assert rows["post"]["sql"] > 0 and rows["feed-rss"]["sql"] > 0
    # Revalidation with the server's own ETag answers 304, without a body.
    assert rows["post-304"]["status"] == 304 and rows["post-304"]["req_per_s"] > 0 and rows["post-304"]["bytes"] == 0
    # The page cache spares the queries that rendering needs: the uncached row is measured with it off.
    assert rows["post-cached"]["sql"] < rows["post"]["sql"]
    assert run["worker_rss_mb"] and all(mb > 0 for mb in run["worker_rss_mb"])
    assert "baseline" in result.stdout and "ratio" in result.stdout
    assert len(list(tmp_path.glob("*.json"))) == 2  # <timestamp>.json and latest.json
    # gunicorn is gone once the run ends: its master process exited and its port no longer answers.
    assert run["servers"]
    for server in run["servers"]:
        assert not Path(f"/proc/{server['pid']}").exists()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server["port"]), timeout=2).close()


def test_bench_edge_rows_run_end_to_end_through_varnish(tmp_path):
    """The edge rows on 20 posts: pages served by Varnish, the origin's share, and saves reaching the edge."""
    command = [
        sys.executable, "bench/run.py", "--size", "20", "--duration", "1",
        "--pages", "baseline,post-edge", "--edge-saves", "3", "--output-dir", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]

    [run] = json.loads((tmp_path / "latest.json").read_text())["runs"]
    rows = {row["page"]: row for row in run["pages"]}
    assert rows["post-edge"]["status"] == 200 and rows["post-edge"]["req_per_s"] > 0
    assert rows["post-edge"]["bytes"] == rows["post"]["bytes"] and rows["post-edge"]["sql"] == 0
    edge = run["edge"]
    assert edge["origin_per_1000"]["reader_requests"] > 0 and edge["origin_per_1000"]["per_1000"] is not None
    assert edge["saves"] == 3 and 0 < edge["save_p50_ms"] <= edge["save_p99_ms"] <= edge["submit_p99_ms"]
    assert "reader requests reached an instance" in result.stdout
