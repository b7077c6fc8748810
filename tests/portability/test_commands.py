"""Management commands as an operator runs them: import_markdown, export_markdown and load_demo."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.redirects.models import Redirect
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory
from django.urls import reverse

from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag
from harness.web import submitted_form
from tests.paths import DATA

pytestmark = pytest.mark.django_db


def run(*args, **options):
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def content_counts():
    models = (Post, Author, Tag, PostAuthor, RelatedPost, RelatedLink, Redirect, get_user_model())
    return {model.__name__: model.objects.count() for model in models}


# -- import_markdown / export_markdown -------------------------------------------------------------


def test_import_markdown_prints_counts_and_lists_files_when_verbose():
    out, err = run("import_markdown", str(DATA / "jekyll-site"), verbosity=2)
    assert "4 created, 0 updated, 0 skipped, 0 failed; 1 media file(s) copied." in out
    assert "created: " in out and "2021-03-01-first-steps.md (/en/posts/first-steps/)" in out
    assert err == ""

    out, _ = run("import_markdown", str(DATA / "jekyll-site"))
    assert "0 created, 0 updated, 4 skipped, 0 failed" in out
    assert "first-steps.md" not in out  # one summary line at the default verbosity


def test_import_markdown_reports_broken_files_and_exits_non_zero():
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(CommandError, match="6 file"):
        call_command("import_markdown", str(DATA / "broken"), stdout=stdout, stderr=stderr)
    assert "1 created, 0 updated, 0 skipped, 6 failed" in stdout.getvalue()
    assert re.search(r"failed: \S*broken/latin1\.md \(not UTF-8 text", stderr.getvalue())
    assert re.search(r"failed: \S*broken/no-title\.md \(no title in the front matter\)", stderr.getvalue())
    assert Post.objects.count() == 1


def test_import_markdown_dry_run_writes_nothing():
    out, _ = run("import_markdown", str(DATA / "jekyll-site"), "--dry-run")
    assert out.startswith("Dry run, nothing written. Would have: 4 created")
    assert content_counts() == {name: 0 for name in content_counts()}


def test_import_markdown_options_fill_in_missing_language_and_author(tmp_path):
    (tmp_path / "note.md").write_text("---\ntitle: A note\n---\n\nShort and English.\n", encoding="utf-8")
    run("import_markdown", str(tmp_path), "--lang", "japanese", "--author", "Rin Aoki")
    post = Post.objects.get()
    assert post.language == "ja"
    assert [author.name for author in post.authors.all()] == ["Rin Aoki"]


def test_import_credits_a_post_without_an_author_to_the_sites_default_author_which_the_admin_can_save(
    tmp_path, settings, client, editor_user
):
    settings.BUNKO_DEFAULT_AUTHOR = "Bunko Editors"
    (tmp_path / "note.md").write_text("---\ntitle: A note\nlang: en\n---\n\nNobody signed this.\n", encoding="utf-8")

    _out, err = run("import_markdown", str(tmp_path))

    post = Post.objects.get()
    assert [author.name for author in post.authors.all()] == ["Bunko Editors"]
    assert "no author in the front matter" in err and "default author 'Bunko Editors'" in err
    client.force_login(editor_user)
    change = reverse("admin:blog_post_change", args=[post.pk])
    data = submitted_form(client.get(change))
    assert client.post(change, {**data, "title": "A signed note"}).status_code == 302
    assert Post.objects.get().title == "A signed note"


def test_import_markdown_unknown_language_is_a_command_error():
    with pytest.raises(CommandError, match="Unknown language 'klingon'"):
        call_command("import_markdown", str(DATA / "jekyll-site"), "--lang", "klingon", stdout=StringIO())
    assert not Post.objects.exists()


def test_import_markdown_missing_path_is_reported(tmp_path):
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_markdown", str(tmp_path / "nowhere"), stdout=StringIO(), stderr=stderr)
    assert f"failed: {tmp_path / 'nowhere'} (no such file or folder)" in stderr.getvalue()


def test_export_markdown_writes_posts_authors_and_tags(tmp_path):
    run("import_markdown", str(DATA / "jekyll-site"))
    out, _ = run("export_markdown", str(tmp_path / "out"))
    assert out.strip() == (f"Exported 4 post(s), 2 author(s), 4 tag(s) and 1 media file(s) to {tmp_path / 'out'}.")
    assert len(list((tmp_path / "out").rglob("*.md"))) == 4
    assert (tmp_path / "out" / "authors.yaml").is_file() and (tmp_path / "out" / "tags.yaml").is_file()


# -- load_demo ---------------------------------------------------------------------------------------


def test_load_demo_is_idempotent_and_creates_the_admin_once(media_root):
    first, _ = run("load_demo")
    counts = content_counts()
    login = re.search(r"Admin login: http://127\.0\.0\.1:8000/admin/ user admin password (\S+)", first)
    assert login, first
    # A login comes with its request: django-axes counts failures per address.
    assert authenticate(RequestFactory().post("/admin/login/"), username="admin", password=login.group(1)).is_superuser
    files = sorted(path for path in media_root.rglob("*") if path.is_file())

    second, _ = run("load_demo")

    assert content_counts() == counts
    assert counts["User"] == 1
    assert "0 created, 0 updated, 11 skipped, 0 failed; 0 media file(s) copied." in second
    assert "An admin user already exists" in second and "password" not in second
    assert sorted(path for path in media_root.rglob("*") if path.is_file()) == files


def test_load_demo_again_keeps_what_an_editor_changed():
    run("load_demo")
    post = Post.objects.get(language="en", slug="leaving-the-lab")
    post.title = "Leaving the Lab (edited in the admin)"
    post.save()
    author = Author.objects.get(slug="sam-okafor")
    author.bio = "Rewritten by Sam."
    author.save()

    out, _ = run("load_demo", verbosity=2)

    assert "already in the database; left as it is" in out
    assert Post.objects.get(pk=post.pk).title == "Leaving the Lab (edited in the admin)"
    assert Author.objects.get(slug="sam-okafor").bio == "Rewritten by Sam."


def test_load_demo_leaves_an_existing_superuser_alone():
    get_user_model().objects.create_superuser("owner", password="pw-owner")
    out, _ = run("load_demo")
    assert "An admin user already exists" in out
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["owner"]


def test_demo_content_shows_every_feature(media_root):
    run("load_demo")
    posts = Post.objects.all()

    assert posts.count() >= 6
    assert set(posts.values_list("language", flat=True)) == {"ja", "zh-hans", "en"}
    multilingual = posts.values("translation_key").annotate(n=Count("pk")).filter(n__gte=2)
    assert multilingual.count() >= 2
    assert Author.objects.exclude(bio="").exclude(website="").count() >= 2
    tag_names = set(Tag.objects.values_list("name", flat=True))
    assert len(tag_names) >= 6 and {"キャリア", "求职"} <= tag_names
    assert all(tag.description for tag in Tag.objects.all())
    # Every tag is named in the two languages besides its own, with a description in each.
    assert all(
        len({local.language for local in tag.names.all() if local.description}) == 2 for tag in Tag.objects.all()
    )
    assert Tag.objects.get(name="キャリア").names.get(language="en").name == "career"
    # Each name has its slug, where the tag's page in that language is: Latin letters in English, else the name's.
    slugs = {tag.name: dict(tag.names.values_list("language", "slug")) for tag in Tag.objects.all()}
    assert slugs["キャリア"] == {"en": "career", "zh-hans": "职业"}
    assert slugs["machine learning"] == {"ja": "機械学習", "zh-hans": "机器学习"}
    assert all(slug for names in slugs.values() for slug in names.values())
    assert RelatedPost.objects.exists() and RelatedLink.objects.exists()
    attributed = posts.exclude(original_url="").get()
    assert attributed.original_title and attributed.original_author and attributed.original_published_on
    assert posts.filter(status=Post.Status.DRAFT).count() == 1
    assert sum(post.is_scheduled for post in posts) == 1
    # A co-written essay keeps its byline order.
    assert posts.filter(bylines__position=1, bylines__role=PostAuthor.Role.AUTHOR).exists()
    translated = posts.filter(bylines__role=PostAuthor.Role.TRANSLATOR)
    assert set(translated.values_list("language", flat=True)) == {"en", "zh-hans"}
    assert all(post.translated_from_id for post in translated)  # credited on translations only

    bodies = "\n".join(posts.values_list("body", flat=True))
    for feature in (
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/',  # pasted YouTube iframe
        "https://www.youtube.com/watch?v=",  # bare YouTube link
        '<blockquote class="twitter-tweet">',
        '<script async src="https://platform.twitter.com/widgets.js"',
        "https://arxiv.org/abs/",
        "\n| --- |",  # a table
        "\n```python\n",  # fenced code
        "\n$$\n",  # display math
        "[^1]:",  # footnotes
    ):
        assert feature in bodies, feature
    assert re.search(r"!\[[^\]]+\]\(/media/imported/images/\S+\.(png|jpg) \"[^\"]+\"\)", bodies)  # captioned image
    assert re.search(r"\$\$[^$\n]+\$\$", bodies)  # inline math
    assert any(len(re.findall(r"^## ", post.body, re.MULTILINE)) >= 3 for post in posts)  # enough for a TOC
    for name in ("lab-whiteboard.png", "job-search-funnel.png", "breakfast.jpg", "cover-leaving-the-lab.jpg"):
        assert (media_root / "imported" / "images" / name).is_file()
    assert posts.exclude(cover_image="").exists()
    assert "<table" in posts.get(language="en", slug="reproducible-experiments").body_html


def test_load_demo_for_a_new_database_only_leaves_a_used_one_as_it_is():
    """`make run` reloaded the demo on every start, so an essay the owner deleted came back."""
    run("load_demo", new_database_only=True)
    demo = Post.objects.get(language="en", slug="leaving-the-lab")
    demo.delete()

    out, _ = run("load_demo", new_database_only=True)

    assert "the demo essays were not loaded" in out
    assert not Post.objects.filter(language="en", slug="leaving-the-lab").exists()
    run("load_demo")  # `make demo`: on purpose
    assert Post.objects.filter(language="en", slug="leaving-the-lab").exists()
