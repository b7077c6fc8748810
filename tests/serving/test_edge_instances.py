"""Two app instances (gunicorn, production settings) on one database and one Redis, behind a real Varnish.

An edit saved through instance A is what instance B and the edge serve next: nothing a worker keeps in its
own memory outlives it. Then the faults: one instance killed under reads costs readers nothing; with every
instance down, cached pages are still served (stale, within grace) and others get the clean 503 page; once
the instances are back, readers get fresh pages with no manual step.

The database is a file (SQLite) or, when the suite runs on PostgreSQL, a throwaway PostgreSQL database.
"""

import contextlib
import json
import secrets
import socket

import pytest

from deploy.vcl import outage_page_html
from harness.servers import HOST, free_port, start_gunicorn, varnish
from harness.web import Browser, request, submitted_form
from tests.processes import manage, production_env, shared_database
from tests.serving.edge_pages import cached, eventually

PASSWORD = secrets.token_urlsafe(12)
SEED = """
import json
from django.contrib.auth.models import Group, User
from django.urls import reverse
from tests.factories import make_post, make_tag
editor = User.objects.create_user("editor", password=%r, is_staff=True)
editor.groups.add(Group.objects.get(name="Editor"))
essay = make_post(title="Title as first saved", tags=[make_tag("fieldwork")])
others = [make_post(title=f"Other essay {number}") for number in range(3)]
retracted = make_post(title="Soon retracted")
print(json.dumps({
    "change": reverse("admin:blog_post_change", args=[essay.pk]),
    "login": reverse("admin:login"),
    "essay": essay.get_absolute_url(),
    "key": f"essay:{essay.translation_key}",
    "others": [post.get_absolute_url() for post in others],
    "retracted": retracted.get_absolute_url(),
    "retracted_change": reverse("admin:blog_post_change", args=[retracted.pk]),
}))
"""


def redis_url():
    """The local Redis when one answers (one cache for both instances), else none: each caches in its own memory."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=1):
        return "redis://127.0.0.1:6379/0"
    return None


class Cluster:
    """Instances A and B and the edge in front of them; instances can be killed and started again."""

    def __init__(self, env, ports):
        self.env, self.ports, self.servers = env, ports, {}

    def start(self, name):
        self.servers[name] = start_gunicorn(self.env, self.ports[name])

    def kill(self, name):
        self.servers[name].kill()

    def stop_all(self):
        for server in self.servers.values():
            server.stop()

    def url(self, name):
        return f"http://{HOST}:{self.ports[name]}"


@pytest.fixture(scope="module")
def cluster(static_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("instances")
    edge_port = free_port()
    with shared_database(folder) as database:
        env = production_env(
            PLAIN_HTTP="1", ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(static_root), MEDIA_ROOT=str(folder / "media"),
            DATABASE_URL=database, EDGE_PURGE_URLS=f"http://{HOST}:{edge_port}/", RELEASE=secrets.token_hex(8),
            EDGE_PURGE_SECRET=secrets.token_urlsafe(24),
        )  # fmt: skip
        if redis_url():
            env["REDIS_URL"] = redis_url()
        assert manage(env, "migrate", "--no-input", "-v", "0").returncode == 0
        seeded = manage(env, "shell", "--no-imports", "-c", SEED % PASSWORD)
        assert seeded.returncode == 0, seeded.stderr
        cluster = Cluster(env, {"A": free_port(), "B": free_port()})
        cluster.paths = json.loads(seeded.stdout)
        try:
            cluster.start("A")
            cluster.start("B")
            backends = [(HOST, port) for port in cluster.ports.values()]
            with varnish(edge_port, backends, purge_secret=env["EDGE_PURGE_SECRET"], outage_html=outage_page_html()):
                cluster.edge = f"http://{HOST}:{edge_port}"
                yield cluster
        finally:
            cluster.stop_all()


def title_of(base, path):
    status, _headers, body = request(base, path)
    assert status == 200, (base, path, status)
    return body.split("<h1", 1)[1].split(">", 1)[1].split("<", 1)[0]


def save_title(base, paths, title, change="change", field="title"):
    """An editor logs in to instance `base` and saves the essay (at paths[`change`]) with a new title, as a browser
    does."""
    editor = Browser(base)
    assert editor.log_in(paths["login"], "editor", PASSWORD)
    data = submitted_form(editor.request(paths[change]))
    data[field] = title
    assert editor.request(paths[change], data).status_code == 302


def test_an_edit_through_one_instance_is_what_the_other_and_the_edge_serve(cluster):
    paths, edge = cluster.paths, cluster.edge
    for base in (cluster.url("A"), cluster.url("B"), edge, edge):  # every cache holds the first title
        assert title_of(base, paths["essay"]) == "Title as first saved"
    assert cached(edge, paths["essay"])[0]

    save_title(cluster.url("A"), paths, "Title as edited through A")

    assert title_of(cluster.url("B"), paths["essay"]) == "Title as edited through A"
    assert eventually(lambda: title_of(edge, paths["essay"]) == "Title as edited through A")
    assert cached(edge, paths["essay"])[0]
    for path in paths["others"][1:]:  # pages not showing the essay stay cached through the edit
        request(edge, path)
    save_title(cluster.url("B"), paths, "Title as edited through B")
    assert title_of(cluster.url("A"), paths["essay"]) == "Title as edited through B"
    assert eventually(lambda: title_of(edge, paths["essay"]) == "Title as edited through B")


def test_instances_failing_cost_readers_nothing_the_edge_can_serve(cluster):
    paths, edge = cluster.paths, cluster.edge
    cached_pages = [paths["essay"], *paths["others"]]
    for path in cached_pages:
        request(edge, path)
        assert cached(edge, path)[0]

    cluster.kill("A")
    # Uncached searches reach an instance every time: the edge retries the dead one's share on the live one.
    answers = [request(edge, f"/en/search/?q=essay{number}")[0] for number in range(20)]
    assert answers == [200] * 20

    cluster.kill("B")
    # A purged page stays for grace: once the edge sees no instance up, it serves it rather than an error.
    purge = {"xkey": paths["key"], "Purge-Secret": cluster.env["EDGE_PURGE_SECRET"]}
    assert request(edge, "/", method="PURGE", headers=purge)[0] == 200
    assert eventually(lambda: request(edge, paths["essay"])[0] == 200, seconds=10)
    for path in cached_pages:
        status, _headers, body = request(edge, path)
        assert status == 200 and "<h1" in body, path
    status, headers, body = request(edge, "/en/search/?q=never-cached")
    assert status == 503 and headers["Retry-After"] == "30" and "Back in a moment" in body
    assert "no-store" in headers["Cache-Control"]

    cluster.start("A")
    cluster.start("B")
    save_title(cluster.url("B"), paths, "Title after the outage")
    assert eventually(lambda: title_of(edge, paths["essay"]) == "Title after the outage", seconds=10)
    assert request(edge, "/en/search/?q=never-cached")[0] == 200


def test_a_retracted_essay_never_comes_back_from_the_edge_in_an_outage(cluster):
    """Unpublishing purges hard: with every instance down, the essay's URL is not served from grace (a soft purge
    was)."""
    paths, edge, home = cluster.paths, cluster.edge, "/en/"
    for path in (paths["retracted"], home):
        assert eventually(lambda path=path: request(edge, path)[0] == 200, seconds=10)  # the instances are up
        assert cached(edge, path)[0]

    save_title(cluster.url("A"), paths, "draft", change="retracted_change", field="status")
    # The list showed the essay: once the edge serves it afresh without it, the purge has landed.
    assert eventually(lambda: "Soon retracted" not in request(edge, home)[2])
    try:
        cluster.kill("A")
        cluster.kill("B")
        # Every page made stale (a soft purge, as an edit sends): the list is served again once the edge sees
        # no instance up, from grace; the retracted essay is not.
        purge = {"xkey": "everything", "Purge-Secret": cluster.env["EDGE_PURGE_SECRET"]}
        assert request(edge, "/", method="PURGE", headers=purge)[0] == 200
        assert eventually(lambda: request(edge, home)[0] == 200, seconds=10)
        status, _headers, body = request(edge, paths["retracted"])
        assert status == 503 and "Soon retracted" not in body
    finally:
        cluster.start("A")
        cluster.start("B")


def test_uploads_go_to_the_storage_the_environment_names(tmp_path):
    """Instances share uploads through object storage (MEDIA_STORAGE, MEDIA_STORAGE_OPTIONS) or one mounted
    MEDIA_ROOT."""
    options = {"location": str(tmp_path / "bucket"), "base_url": "https://media.example.org/bunko/"}
    env = production_env(
        MEDIA_STORAGE="django.core.files.storage.FileSystemStorage", MEDIA_STORAGE_OPTIONS=json.dumps(options)
    )
    code = (
        "from django.core.files.base import ContentFile; from django.core.files.storage import default_storage; "
        "name = default_storage.save('uploads/figure.txt', ContentFile(b'shared')); print(default_storage.url(name))"
    )
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.strip() == "https://media.example.org/bunko/uploads/figure.txt", result.stderr
    assert (tmp_path / "bucket" / "uploads" / "figure.txt").read_bytes() == b"shared"
