"""A real Varnish (deploy/varnish/bunko.vcl, started on loopback by deploy.edge) in front of the live server.

What a reader gets through the edge: pages cached once and served from it (X-Cache: HIT), a save purging
exactly the pages that show what changed, nothing private ever kept, a failed purge retried, and a
scheduled post appearing on time.
"""

import secrets
import threading
import time
from concurrent.futures import Future
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.caching import ANY_CHANGE, MAX_KEYS_PER_PURGE, settle
from blog.caching.edge import outbox  # its SENDER, made inline
from blog.editing.preview import preview_url
from blog.models import PendingPurge, Post
from harness.servers import free_port, varnish
from harness.web import request
from tests.factories import make_post, make_tag, url_in
from tests.serving.edge_pages import cached, eventually, warm

OUTAGE_PAGE = "<h1>Back in a moment</h1>"
PURGE_SECRET = secrets.token_urlsafe(24)
TLS_TERMINATOR = "127.0.0.3"


@pytest.fixture(scope="session")
def edge_server(django_db_setup, live_server):
    """Varnish in front of the live server; stopped before the test database is dropped (hence django_db_setup)."""
    backend = urlsplit(live_server.url)
    port = free_port()
    # Probed at a page that reads no database: the live server shares the test's SQLite connection between threads.
    backends = [(backend.hostname, backend.port)]
    with varnish(
        port,
        backends,
        purge_secret=PURGE_SECRET,
        tls_terminators=[TLS_TERMINATOR],
        outage_html=OUTAGE_PAGE,
        probe="/robots.txt",
    ) as edge:
        yield edge.url
    # Varnish's kept-alive connections ended with it: the live server's threads for them close their database
    # connections on the way out, before the test database is dropped.
    deadline = time.monotonic() + 5
    while any("process_request_thread" in thread.name for thread in threading.enumerate()):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)


class InlineSender:
    """Purges sent in the saving thread: the test database (SQLite in memory, shared between threads) fails a
    write at once, rather than waiting, while another thread writes. tests/serving/test_edge_instances.py runs
    the background thread as production does, on a database file and on PostgreSQL."""

    def submit(self, work):
        done = Future()
        done.set_result(work())
        return done


@pytest.fixture
def edge(edge_server, settings, monkeypatch):
    """The edge, emptied of earlier tests' pages, with this process purging it."""
    settings.BUNKO_EDGE_PURGE_URLS = [edge_server + "/"]
    settings.BUNKO_EDGE_PURGE_SECRET = PURGE_SECRET
    settings.BUNKO_EDGE_PURGE_REPEAT = 0  # tests that count hits expect one purge per write
    monkeypatch.setattr(outbox, "SENDER", InlineSender())
    everything = {"xkey": f"everything {ANY_CHANGE}", "Purge-Secret": PURGE_SECRET, "Purge-Mode": "hard"}
    assert request(edge_server, "/", method="PURGE", headers=everything)[0] == 200
    return edge_server


def test_a_save_purges_exactly_the_pages_that_show_what_changed(edge):
    now = timezone.now()
    beside = make_tag("bystanders")
    first = make_post(title="First bystander", tags=[beside], publish_at=now - timezone.timedelta(hours=3))
    make_post(title="Second bystander", tags=[beside], publish_at=now - timezone.timedelta(hours=2))
    edited = make_post(title="Before the edit", tags=[make_tag("edited")], publish_at=now - timezone.timedelta(hours=1))
    showing_it = [
        edited.get_absolute_url(),
        url_in("en", "blog:post-list"),
        url_in("en", "blog:tag-detail", slug="edited"),
        url_in("en", "blog:feed-atom"),
    ]
    not_showing_it = [first.get_absolute_url(), url_in("en", "blog:tag-detail", slug="bystanders")]
    warm(edge, *showing_it, *not_showing_it)

    edited.title = "After the edit"
    edited.save()
    settle()

    for path in showing_it:
        hit, body = cached(edge, path)
        assert not hit and "After the edit" in body and "Before the edit" not in body, path
    for path in not_showing_it:
        assert cached(edge, path)[0], f"{path} shows nothing that changed, yet was purged"
    assert not PendingPurge.objects.exists()


def test_a_save_purges_the_traditional_pages_of_its_essay(edge):
    """/zh-hant/ pages are their Simplified essay's: its save purges them, converted anew (blog.reading.traditional)."""
    now = timezone.now()
    # The first bystander's page names its neighbour, the second, as its next essay; neither names the edited one.
    first = make_post(language="zh-hans", title="旁观者", slug="first", publish_at=now - timezone.timedelta(hours=3))
    make_post(language="zh-hans", title="另一位旁观者", slug="second", publish_at=now - timezone.timedelta(hours=2))
    edited = make_post(language="zh-hans", title="编辑之前", slug="edited", body="翻开日历。")
    showing_it = [reverse("traditional:post-detail", kwargs={"slug": edited.slug}), reverse("traditional:feed-atom")]
    not_showing_it = [reverse("traditional:post-detail", kwargs={"slug": first.slug})]
    warm(edge, *showing_it, *not_showing_it)

    edited.title = "编辑之后"
    edited.body = "我发现了头发。"
    edited.save()
    settle()

    for path in showing_it:
        hit, body = cached(edge, path)
        assert not hit and "編輯之後" in body and "發現了頭髮" in body and "日曆" not in body, path
    for path in not_showing_it:
        assert cached(edge, path)[0], f"{path} shows nothing that changed, yet was purged"


def test_a_purge_is_sent_again_for_pages_rendered_from_before_the_write(edge, settings):
    essay = make_post(title="Draft one")
    warm(edge, essay.get_absolute_url())
    settings.BUNKO_EDGE_PURGE_REPEAT = 0.5

    essay.title = "Draft two"
    essay.save()
    hit, body = cached(edge, essay.get_absolute_url())
    assert not hit and "Draft two" in body
    assert cached(edge, essay.get_absolute_url())[0]
    # A page an instance had begun before the save could have been stored just now: the repeat drops it.
    assert eventually(lambda: not cached(edge, essay.get_absolute_url())[0])


def test_bulk_writes_and_deletes_reach_the_edge(edge):
    kept, gone = make_post(title="Kept essay"), make_post(title="Deleted essay")
    home = url_in("en", "blog:post-list")
    warm(edge, kept.get_absolute_url(), gone.get_absolute_url(), home)

    Post.objects.filter(pk=kept.pk).update(title="Renamed by a bulk action")  # admin actions, the importer
    hit, body = cached(edge, kept.get_absolute_url())
    assert not hit and "Renamed by a bulk action" in body

    gone.delete()
    assert request(edge, gone.get_absolute_url())[0] == 404
    hit, body = cached(edge, home)
    assert not hit and "Deleted essay" not in body and "Renamed by a bulk action" in body


def test_nothing_private_is_ever_kept_at_the_edge(edge, client, admin_user):
    essay = make_post(title="Shared essay")
    draft = make_post(title="Secret draft", status=Post.Status.DRAFT)
    client.force_login(admin_user)
    session = f"sessionid={client.cookies['sessionid'].value}"
    for _ in range(2):
        status, headers, _body = request(edge, "/", headers={"Accept-Language": "ja"})
        assert status == 302 and headers["Location"] == "/ja/" and headers["X-Cache"] == "MISS"
        status, headers, _body = request(edge, "/", headers={"Accept-Language": "zh-Hans"})
        assert headers["Location"] == "/zh-hans/" and headers["X-Cache"] == "MISS"
        for path in (preview_url(draft), reverse("admin:login")):
            status, headers, body = request(edge, path)
            assert status == 200 and headers["X-Cache"] == "MISS" and "private" in headers["Cache-Control"], path
        status, headers, body = request(edge, essay.get_absolute_url(), headers={"Cookie": session})
        assert status == 200 and headers["X-Cache"] == "MISS" and "private" in headers["Cache-Control"]
        status, headers, body = request(edge, reverse("admin:blog_post_changelist"), headers={"Cookie": session})
        assert status == 200 and "Secret draft" in body and headers["X-Cache"] == "MISS"
    # What readers get was never the editor's copy: the edge fetched its own, and keeps that one.
    hit, body = cached(edge, essay.get_absolute_url())
    assert not hit and "Shared essay" in body
    assert cached(edge, essay.get_absolute_url())[0]
    status, _headers, body = request(edge, reverse("admin:blog_post_changelist"))
    assert status == 302 and "Secret draft" not in body


def test_only_allowed_addresses_with_the_secret_purge_and_only_by_key(edge):
    essay = make_post(title="Kept")
    warm(edge, essay.get_absolute_url())
    key = {"xkey": f"essay:{essay.translation_key}"}
    purge = {**key, "Purge-Secret": PURGE_SECRET}
    status, _headers, _body = request(edge, "/", method="PURGE", headers=purge, source="127.0.0.2")
    assert status == 403
    # From an allowed address (a TLS terminator on this host makes every reader's address one) but no secret.
    for wrong_secret in (None, "", "guess", PURGE_SECRET[:-1]):
        headers = key if wrong_secret is None else {**key, "Purge-Secret": wrong_secret}
        assert request(edge, "/", method="PURGE", headers=headers)[0] == 403, wrong_secret
        assert cached(edge, essay.get_absolute_url())[0]
    status, _headers, body = request(edge, "/", method="PURGE", headers={"Purge-Secret": PURGE_SECRET})
    assert status == 400 and "xkey" in body
    assert request(edge, "/", method="PURGE", headers=purge)[0] == 200
    assert not cached(edge, essay.get_absolute_url())[0]


def test_a_purge_the_edge_did_not_answer_is_kept_and_sent_by_publish_due(edge, settings):
    essay = make_post(title="Version one")
    warm(edge, essay.get_absolute_url())
    settings.BUNKO_EDGE_PURGE_URLS = [edge + "/", f"http://127.0.0.1:{free_port()}/"]  # the second edge is down

    essay.title = "Version two"
    essay.save()
    settle()

    assert Post.objects.get(pk=essay.pk).title == "Version two"  # the editor's save stands
    # The save's purge is kept after its failed attempt; so is the new social card's, when it was drawn by then.
    key = f"essay:{essay.translation_key}"
    kept = [purge for purge in PendingPurge.objects.all() if key in purge.keys.split()]
    assert kept and all(purge.attempts >= 1 for purge in kept)
    settings.BUNKO_EDGE_PURGE_URLS = [edge + "/"]  # the edge is back
    call_command("publish_due")
    assert not PendingPurge.objects.exists()
    assert "Version two" in cached(edge, essay.get_absolute_url())[1]


def test_purges_that_piled_up_while_the_edge_was_away_drop_every_page_in_one_request(edge):
    essay = make_post(title="Shown everywhere")
    warm(edge, essay.get_absolute_url(), url_in("en", "blog:post-list"), reverse("sitemap-index"))
    PendingPurge.objects.bulk_create(PendingPurge(keys=f"essay:{number}") for number in range(MAX_KEYS_PER_PURGE + 1))

    call_command("publish_due")

    assert not PendingPurge.objects.exists()
    for path in (essay.get_absolute_url(), url_in("en", "blog:post-list"), reverse("sitemap-index")):
        assert not cached(edge, path)[0], path


def test_a_scheduled_post_appears_at_the_edge_on_time(edge, time_machine):
    make_post(title="Already out")
    due = timezone.now() + timezone.timedelta(hours=2)
    make_post(title="Due in two hours", publish_at=due)
    home = url_in("en", "blog:post-list")
    warm(edge, home)
    assert "Due in two hours" not in cached(edge, home)[1]

    time_machine.move_to(due + timezone.timedelta(seconds=1))
    call_command("publish_due")  # what cron runs every minute

    hit, body = cached(edge, home)
    assert "Due in two hours" in body and not hit


def test_query_parameters_a_page_does_not_read_do_not_split_the_edge_cache(edge):
    essay = make_post(title="Moss and lichen")
    feed, home, search = url_in("en", "blog:feed-rss"), url_in("en", "blog:post-list"), url_in("en", "blog:search")
    warm(edge, feed, f"{home}?lang=ja", f"{search}?q=moss")
    for number in range(20):
        junk = f"utm_source=n{number}&fbclid=IwAR{number}&gclid={number}&x{number}="
        assert cached(edge, f"{feed}?{junk}")[0], junk
        assert cached(edge, f"{home}?{junk}&lang=ja")[0], junk
        assert cached(edge, f"{search}?{junk}&q=moss")[0], junk
    # What a page reads still makes its own page: the list narrowed to English, or another search.
    assert not cached(edge, f"{home}?lang=en&utm_source=x")[0]
    hit, body = cached(edge, f"{search}?utm_medium=y&q=lichen")
    assert not hit and essay.get_absolute_url() in body


def test_only_the_tls_terminator_says_a_request_came_over_https(edge, settings):
    """A client's X-Forwarded-Proto once reached the origin, which cached a page of https:// links for everyone."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # TRUST_X_FORWARDED_PROTO=1
    essay = make_post(title="Over which scheme")
    path = essay.get_absolute_url()
    claimed = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    _status, _headers, body = request(edge, path, headers=claimed, source="127.0.0.2")
    assert 'rel="canonical" href="http://' in body and "https://127.0.0.1" not in body
    hit, body = cached(edge, path)
    assert hit and "https://127.0.0.1" not in body

    status, headers, body = request(edge, path, headers={"X-Forwarded-Proto": "https"}, source=TLS_TERMINATOR)
    assert status == 200 and headers["X-Cache"] == "MISS"  # kept apart from the http:// page
    assert 'rel="canonical" href="https://' in body


def unpublish(post):
    post.status = Post.Status.DRAFT
    post.save()


def postpone(post):
    post.publish_at = timezone.now() + timezone.timedelta(days=2)
    post.save()


def retitle(post):
    post.title = "Retitled"
    post.save()


@pytest.mark.parametrize(
    "retract",
    [
        unpublish,
        postpone,  # published, then moved into the future: gone from every page until then
        lambda post: post.delete(),
        lambda post: Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT),  # a bulk write
    ],
    ids=["unpublish", "postpone", "delete", "bulk"],
)
def test_retractions_are_purged_hard_and_edits_soft(db, settings, retract):
    """A soft purge leaves the page in grace, served again while every instance is down: never for a retraction."""
    settings.BUNKO_EDGE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]  # no edge answers: the purges stay recorded
    essay = make_post(title="Out there")
    PendingPurge.objects.all().delete()
    retitle(essay)
    assert PendingPurge.objects.exists() and not hard_purged(essay)
    retract(essay)
    assert hard_purged(essay)


def hard_purged(essay):
    """Whether a hard purge is recorded for the essay's pages (or for everything, as a bulk write purges)."""
    keys = {f"essay:{essay.translation_key}", "everything"}
    return any(keys & set(purge.keys.split()) for purge in PendingPurge.objects.filter(hard=True))


def test_a_scheduled_post_back_to_draft_is_purged_hard(db, settings):
    settings.BUNKO_EDGE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]
    scheduled = make_post(title="Embargoed", publish_at=timezone.now() + timezone.timedelta(hours=3))
    PendingPurge.objects.all().delete()
    unpublish(scheduled)
    assert hard_purged(scheduled)
