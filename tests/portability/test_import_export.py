"""Markdown import (a real Jekyll blog, Hugo, broken files) and export, read back as a reader or editor would."""

import datetime
import functools
import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.contrib.redirects.models import Redirect
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from reversion.models import Revision, Version

from blog.content import translation_drift
from blog.editing.forms import edit_stamp
from blog.models import Author, PendingDraft, Post, RelatedPost, Tag, TagName
from blog.portability.exporter import export_all
from blog.portability.importer import import_paths
from tests.factories import (
    delete_all_content,
    make_author,
    make_essay_in_three_languages,
    make_post,
    make_tag,
    revise_second_paragraph,
)
from tests.paths import DATA, ROOT, SHARED

CORPUS = SHARED / "corpus" / "jekyll-blog"
CORPUS_FILES = sorted((CORPUS / "_posts").glob("*.md"))
DEMO = ROOT / "blog" / "demo"

pytestmark = pytest.mark.django_db


def corpus_front_matter(path):
    """The file's own front matter, read with plain PyYAML rather than the importer's reader."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def corpus_date(path):
    """The post's date as Jekyll sees it: front matter when present, else the file name."""
    written = corpus_front_matter(path).get("date")
    if written:
        return parse_datetime(str(written))
    # _config.yml says `timezone: JPN`, which is no IANA zone, so a bare file-name date is midnight
    # in the server's zone, as Jekyll itself would do with an unknown TZ.
    day = datetime.date.fromisoformat(path.name[:10])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone())


def visible_text(html):
    """Rendered HTML without code, where braces are the author's own."""
    return re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.DOTALL)


def import_the_corpus():
    report = import_paths(paths=[CORPUS])
    assert report.failed == 0, report.failures()
    return report


@pytest.fixture(scope="class")
def imported_corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """The corpus imported once for the tests of TestTheImportedCorpus, which only read it, and removed after them:
    (the import's report, the media folder its images were copied to)."""
    media = tmp_path_factory.mktemp("corpus-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        report = import_the_corpus()
        try:
            yield report, media
        finally:
            delete_all_content(Redirect, Revision)


def export_then_import(tmp_path, name, *, created, also_delete=()):
    """Export to `name`, then import that into an empty database: `created` posts, no failure, no warning."""
    export_all(directory=tmp_path / name)
    Post.objects.all().delete()
    for model in also_delete:
        model.objects.all().delete()
    report = import_paths(paths=[tmp_path / name])
    assert (report.created, report.failed, report.warnings) == (created, 0, [])


@pytest.mark.usefixtures("imported_corpus")
class TestTheImportedCorpus:
    """A real Jekyll blog imported once, read as a reader and an editor would; the tests never write."""

    def test_corpus_import_creates_one_post_per_file(self, imported_corpus):
        assert len(CORPUS_FILES) == 34
        assert imported_corpus[0].created == len(CORPUS_FILES)
        assert Post.objects.count() == len(CORPUS_FILES)
        assert set(Post.objects.values_list("source_path", flat=True)) == {f"_posts/{p.name}" for p in CORPUS_FILES}

    def test_corpus_titles_dates_and_languages(self):
        for path in CORPUS_FILES:
            front = corpus_front_matter(path)
            post = Post.objects.get(source_path=f"_posts/{path.name}")
            assert post.title == front["title"]
            assert post.publish_at == corpus_date(path), path.name
            # `lang: english` posts are English; the rest are Japanese, even those with English titles.
            assert post.language == ("en" if front.get("lang") == "english" else "ja"), path.name
            assert post.status == Post.Status.PUBLISHED
            assert [author.name for author in post.authors.all()] == ["Kento Nozawa"]  # _config.yml's author

    def test_corpus_keeps_unknown_front_matter_and_abstracts(self):
        post = Post.objects.get(source_path="_posts/2016-09-03-EnrichingWordVectorswithSubwordInformation.md")
        assert post.summary == "分散表現の論文紹介"
        assert post.extra_front_matter == {"layout": "post", "comments": True}

    def test_corpus_rendered_html_has_no_liquid_or_kramdown(self):
        for post in Post.objects.all():
            text = visible_text(post.body_html)
            for leftover in ("{%", "{{", "{:"):
                assert leftover not in text, f"{post.source_path} shows {leftover!r}"

    def test_corpus_images_are_copied_and_linked(self, imported_corpus):
        for name in ("acc.png", "loss.png", "topic_model.svg"):
            copied = imported_corpus[1] / "imported" / "assets" / "img" / name
            assert copied.read_bytes() == (CORPUS / "assets" / "img" / name).read_bytes()
        kronecker = Post.objects.get(source_path="_posts/2018-05-10-kronecker-dense.md")
        assert 'src="/media/imported/assets/img/acc.png"' in kronecker.body_html
        remote = Post.objects.get(source_path="_posts/2017-09-30-td_intern.md")
        assert "https://www.dropbox.com/s/i75mh1gcua9bela/IMG_0450.jpg?raw=1" in remote.body  # remote stays remote

    def test_corpus_old_urls_redirect_permanently(self, client):
        """`permalink: /:year/:month/:title`: /2019/10/ucl-life and friends keep working."""
        for path in CORPUS_FILES:
            moment = corpus_date(path)
            old_url = f"/{moment:%Y}/{moment:%m}/{path.stem[11:]}"
            post = Post.objects.get(source_path=f"_posts/{path.name}")
            response = client.get(old_url)
            assert response.status_code == 301, old_url
            assert response["Location"] == post.get_absolute_url()
        assert client.get("/2019/10/ucl-life")["Location"] == "/ja/posts/ucl-life/"

    def test_corpus_reused_slugs_get_the_year(self):
        """Five posts are called `nawadays`: the first keeps the slug, later ones add their year."""
        slugs = set(Post.objects.filter(source_path__contains="nawadays").values_list("slug", flat=True))
        assert slugs == {
            "nawadays",
            "nawadays-2021",
            "nawadays-2022",
            "nawadays-2023",
            "nawadays-2024",
            "nawadays-2025",
        }


def test_importing_twice_changes_nothing(media_root):
    import_the_corpus()
    counts = [model.objects.count() for model in (Post, Author, Tag, Redirect, Version)]
    updated_at = dict(Post.objects.values_list("pk", "updated_at"))
    files = sorted(path for path in media_root.rglob("*") if path.is_file())

    again = import_paths(paths=[CORPUS])

    assert (again.created, again.updated, again.skipped, again.failed) == (0, 0, len(CORPUS_FILES), 0)
    assert {result.detail for result in again.results} == {"unchanged"}
    assert [model.objects.count() for model in (Post, Author, Tag, Redirect, Version)] == counts
    assert dict(Post.objects.values_list("pk", "updated_at")) == updated_at
    assert sorted(path for path in media_root.rglob("*") if path.is_file()) == files


def test_reimport_updates_the_changed_file_in_place(tmp_path):
    site = shutil.copytree(DATA / "jekyll-site", tmp_path / "site")
    import_paths(paths=[site])
    original = Post.objects.get(source_path="_posts/2021-03-01-first-steps.md")
    path = site / "_posts" / "2021-03-01-first-steps.md"
    path.write_text(path.read_text().replace('title: "First steps"', 'title: "First steps, revised"'))

    report = import_paths(paths=[site])

    assert (report.created, report.updated, report.failed) == (0, 1, 0)
    revised = Post.objects.get(source_path="_posts/2021-03-01-first-steps.md")
    assert (revised.pk, revised.title) == (original.pk, "First steps, revised")
    assert Post.objects.count() == 4


def test_dry_run_reports_and_writes_nothing(media_root):
    report = import_paths(paths=[CORPUS], dry_run=True)

    assert report.dry_run and report.created == len(CORPUS_FILES)
    assert report.files_copied == 3  # what it would copy
    assert Post.objects.count() == Author.objects.count() == Redirect.objects.count() == 0
    assert not media_root.exists()


def test_broken_files_are_reported_and_the_rest_imported():
    report = import_paths(paths=[DATA / "broken"])

    reasons = {Path(result.path).name: result.detail for result in report.failures()}
    assert reasons.keys() == {
        "binary.md", "invalid-yaml.md", "latin1.md", "no-title.md", "unclosed.md", "x-translation-clash.md",
    }  # fmt: skip
    assert "binary" in reasons["binary.md"]
    assert "invalid YAML" in reasons["invalid-yaml.md"] and "line 2" in reasons["invalid-yaml.md"]
    assert "not UTF-8" in reasons["latin1.md"]
    assert "no title" in reasons["no-title.md"]
    assert "never closed" in reasons["unclosed.md"]
    assert "already has a version in en (valid-essay.md)" in reasons["x-translation-clash.md"]
    assert (report.created, report.failed) == (1, 6)
    assert list(Post.objects.values_list("title", flat=True)) == ["The one good file"]
    # The clashing file had created its author and tag before the database refused it: both rolled back.
    assert not Author.objects.filter(name="Ghost Writer").exists()
    assert not Tag.objects.filter(name__in=["only-in-broken-file", "orphan-tag"]).exists()


def test_jekyll_front_matter_keys(client, media_root):
    report = import_paths(paths=[DATA / "jekyll-site"])
    assert (report.created, report.failed) == (4, 0)

    english = Post.objects.get(language="en", slug="second-thoughts")
    assert english.title == "Second thoughts"
    assert english.publish_at == parse_datetime("2022-05-10T09:30:00+00:00")
    assert english.summary == "A year later."
    assert [author.name for author in english.authors.all()] == ["Aiko Sato", "Ben Lee"]
    assert sorted(english.tags.values_list("name", flat=True)) == ["Essays", "research"]
    assert english.cover_image.name == "imported/assets/img/diagram.png"
    assert english.cover_alt == "The diagram again"
    assert (english.original_title, english.original_author, english.original_url, english.original_published_on) == (
        "二度目の考え（初出）", "Aiko Sato", "https://aiko.example.org/original/second-thoughts",
        datetime.date(2022, 4, 1),
    )  # fmt: skip
    assert [entry.to_post.slug for entry in english.related_entries.all()] == ["first-steps"]
    assert list(english.related_links.values_list("title", "url", "summary")) == [
        ("An outside view", "https://example.com/outside-view", "Someone else's take.")
    ]
    assert english.extra_front_matter == {"layout": "post", "custom_key": {"nested": [1, 2]}}

    japanese = Post.objects.get(language="ja", slug="second-thoughts")
    assert japanese.translation_key == english.translation_key  # linked by `translations: {ja: ...}`

    first = Post.objects.get(slug="first-steps")
    assert [tag.name for tag in first.tags.order_by("pk")] == ["research", "life", "Notes"]
    assert first.summary == "Where it began."
    assert first.body.count("/media/imported/assets/img/diagram.png") == 2  # relative_url filter and site url
    assert "https://images.example.com/remote.png" in first.body
    assert "![Left alone inside code](/assets/img/diagram.png)" in first.body
    assert (media_root / "imported/assets/img/diagram.png").read_bytes() == (
        DATA / "jekyll-site/assets/img/diagram.png"
    ).read_bytes()

    # `permalink: pretty` puts categories in the old URL, in the site's time zone.
    for old_url in ("/notes/2021/03/01/first-steps/", "/old/first-steps/"):
        response = client.get(old_url)
        assert (response.status_code, response["Location"]) == (301, first.get_absolute_url())

    draft = Post.objects.get(source_path="_drafts/unfinished-idea.md")
    assert (draft.status, draft.publish_at) == (Post.Status.DRAFT, None)
    assert [author.name for author in draft.authors.all()] == ["Aiko Sato"]  # _config.yml's author
    assert not Redirect.objects.filter(new_path=draft.get_absolute_url()).exists()


def test_liquid_link_to_a_file_imported_later_resolves():
    """first-steps links with `{% link %}` to a post whose file comes after it; the second pass renders it again."""
    import_paths(paths=[DATA / "jekyll-site"])
    first = Post.objects.get(slug="first-steps")
    later = Post.objects.get(language="en", slug="second-thoughts")
    assert f'href="{later.get_absolute_url()}"' in first.body_html


def test_hugo_site_with_toml_front_matter(client, media_root):
    report = import_paths(paths=[DATA / "hugo-site"])
    assert (report.created, report.failed) == (2, 0)  # content/_index.md is a section page, not a post

    hello = Post.objects.get(source_path="content/posts/hello-hugo.md")
    assert (hello.title, hello.slug, hello.language) == ("Hello from Hugo", "hello-hugo", "en")
    assert hello.publish_at == parse_datetime("2023-05-01T08:00:00+00:00")
    assert hello.summary == "TOML front matter, read with tomllib."
    assert sorted(hello.tags.values_list("name", flat=True)) == ["hugo", "notes", "static sites"]
    assert [author.name for author in hello.authors.all()] == ["Hanna Berg"]
    assert hello.extra_front_matter == {"toc": True}
    for old_url in ("/posts/hello-hugo/", "/old/hello/"):
        assert client.get(old_url)["Location"] == hello.get_absolute_url()

    bundle = Post.objects.get(source_path="content/posts/photo-walk/index.md")
    assert bundle.slug == "photo-walk"
    assert bundle.publish_at == parse_datetime("2023-06-09T22:00:00+00:00")  # midnight in Europe/Berlin
    assert "/media/imported/content/posts/photo-walk/street.png" in bundle.body
    assert (media_root / "imported/content/posts/photo-walk/street.png").is_file()


def write_post(folder, name, front, body="Body."):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return folder / name


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ja", "ja"), ("japanese", "ja"), ("jp", "ja"),
        ("zh", "zh-hans"), ("zh-CN", "zh-hans"), ("zh_Hans", "zh-hans"), ("chinese", "zh-hans"),
        ("en", "en"), ("english", "en"), ("en-US", "en"),
    ],
)  # fmt: skip
def test_language_aliases(tmp_path, written, expected):
    write_post(tmp_path, "essay.md", f"title: Essay\nlang: {written}")
    import_paths(paths=[tmp_path])
    assert Post.objects.get().language == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Path to a job", "転職の話です。", "ja"),  # an English title does not make a Japanese essay English
        ("研究室", "研究室的一天。", "zh-hans"),
        ("Plain", "Just English here.", "en"),
    ],
)
def test_language_detected_from_the_text(tmp_path, title, body, expected):
    write_post(tmp_path, "essay.md", f"title: {title}", body)
    import_paths(paths=[tmp_path])
    assert Post.objects.get().language == expected


def test_lang_option_fills_in_a_missing_language(tmp_path):
    write_post(tmp_path, "a.md", "title: No language given", "Plain English.")
    write_post(tmp_path, "b.md", "title: Says so itself\nlang: en", "Plain English.")
    import_paths(paths=[tmp_path], language="zh-hans", author="Mei Chen")
    assert dict(Post.objects.values_list("title", "language")) == {
        "No language given": "zh-hans",
        "Says so itself": "en",
    }
    assert set(Author.objects.values_list("name", flat=True)) == {"Mei Chen"}


def test_unsupported_language_is_a_clear_failure(tmp_path):
    write_post(tmp_path, "french.md", "title: Bonjour\nlang: fr")
    report = import_paths(paths=[tmp_path])
    assert report.failed == 1 and "unsupported language 'fr'" in report.failures()[0].detail
    assert not Post.objects.exists()


def test_published_false_and_remote_cover(tmp_path):
    write_post(tmp_path, "hidden.md", "title: Hidden\npublished: false\nimage: https://cdn.example.com/c.jpg")
    import_paths(paths=[tmp_path])
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert (post.cover_image.name, post.extra_front_matter) == ("", {"cover": "https://cdn.example.com/c.jpg"})


def test_links_outside_the_site_are_never_copied(tmp_path, media_root):
    (tmp_path / "secret.png").write_bytes(b"not for the site")
    write_post(tmp_path / "site", "essay.md", "title: Sneaky", "![x](../secret.png) ![y](/../secret.png)")
    import_paths(paths=[tmp_path / "site"])
    assert "../secret.png" in Post.objects.get().body
    assert not media_root.exists()


# -- export ----------------------------------------------------------------------------------------


def database_state():
    """Every post, author and tag field and relation, keyed so two databases can be compared."""
    post_fields = [
        field.name for field in Post._meta.concrete_fields if field.name not in ("id", "updated_at", "cover_image")
    ]
    posts = {}
    for post in Post.objects.all():
        posts[(post.language, post.slug)] = {
            **{name: getattr(post, name) for name in post_fields},
            "cover_image": post.cover_image.name,
            "authors": [byline.author.slug for byline in post.bylines.all()],
            "tags": sorted(post.tags.values_list("name", flat=True)),
            "related": [(entry.to_post.language, entry.to_post.slug) for entry in post.related_entries.all()],
            "translated_from": post.translated_from and (post.translated_from.language, post.translated_from.slug),
            "links": list(post.related_links.values_list("title", "url", "summary")),
            "redirects": sorted(
                Redirect.objects.filter(new_path=post.get_absolute_url()).values_list("old_path", flat=True)
            ),
        }
    authors = {
        author.slug: {field.name: str(getattr(author, field.name)) for field in Author._meta.concrete_fields
                      if field.name not in ("id", "updated_at", "user")}
        for author in Author.objects.all()
    }  # fmt: skip
    tags = {tag.slug: (tag.name, tag.description) for tag in Tag.objects.all()}
    media = {
        name: default_storage.open(name).read()
        for name in {*(post["cover_image"] for post in posts.values()), *(a["avatar"] for a in authors.values())}
        | {name for post in posts.values() for name in re.findall(r"/media/([^\s)\"]+)", post["body"])}
        if name
    }
    return {"posts": posts, "authors": authors, "tags": tags, "media": media}


def test_export_then_import_into_an_empty_database_loses_nothing(tmp_path, settings):
    import_paths(paths=[CORPUS])
    import_paths(paths=[DATA / "jekyll-site"])
    import_paths(paths=[DEMO])
    # An editor's post made in the admin: CRLF line ends, a multi-line summary, microseconds, an avatar.
    image = (DATA / "jekyll-site/assets/img/diagram.png").read_bytes()
    default_storage.save("covers/hand-made.png", ContentFile(image))
    default_storage.save("avatars/editor.png", ContentFile(b"\x89PNG fake avatar bytes"))
    editor = make_author(
        "Editor Example", bio="Edits **things**.", orcid="0000-0002-1825-0097", avatar="avatars/editor.png",
        romanized_name="Editor Example",
    )  # fmt: skip
    hand_made = make_post(
        title="Made in the admin",
        body="Line one\r\n\r\nLine two with ![figure](/media/covers/hand-made.png)",
        summary="First line\nsecond line",
        cover_image="covers/hand-made.png",
        publish_at=timezone.now().replace(microsecond=123456),
        authors=[editor, Author.objects.get(slug="sam-okafor")],
        tags=[make_tag("hand-made", description="Made by hand.")],
        related=[Post.objects.get(language="en", slug="leaving-the-lab"), Post.objects.get(slug="ucl-life")],
        links=[{"title": "Elsewhere", "url": "https://example.com/elsewhere", "summary": ""}],
        original_title="Somewhere else", original_url="https://example.com/original",
        doi="10.5281/zenodo.1234567", revised_on=datetime.date(2024, 5, 2),
    )  # fmt: skip
    before = database_state()
    assert len(before["posts"]) == 34 + 4 + 11 + 1

    report = export_all(directory=tmp_path / "export")
    assert report.posts == len(before["posts"])
    Post.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    Redirect.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"

    again = import_paths(paths=[tmp_path / "export"])

    assert (again.created, again.failed) == (len(before["posts"]), 0), again.failures()
    after = database_state()
    # The hand-made post had no import source; now it has one: the exported file it came back from.
    key = ("en", hand_made.slug)
    assert before["posts"][key].pop("source_path") == ""
    exported_as = f"en/{timezone.localdate(hand_made.publish_at):%Y-%m-%d}-{hand_made.slug}.md"
    assert after["posts"][key].pop("source_path") == exported_as
    assert after["authors"] == before["authors"]
    assert after["tags"] == before["tags"]
    assert after["media"] == before["media"]
    for key, post in before["posts"].items():
        assert after["posts"][key] == post, key
    assert after == before


def test_export_never_copies_files_from_outside_media(tmp_path):
    post = make_post(title="Sneaky", body="![x](/media/../../secret.txt) ![y](/media/../tests/data/broken/binary.md)")
    report = export_all(directory=tmp_path / "out")
    assert (report.posts, report.media_files) == (1, 0)
    assert {path.name for path in tmp_path.rglob("*") if path.is_file()} == {
        "authors.yaml", "tags.yaml", f"{timezone.localdate(post.publish_at):%Y-%m-%d}-sneaky.md",
    }  # fmt: skip


def test_export_layout(tmp_path):
    import_paths(paths=[DATA / "jekyll-site"])
    export_all(directory=tmp_path)

    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.md")) == [
        "en/2021-02-28-first-steps.md",  # 08:00 in Tokyo is still the 28th in UTC, the server's zone
        "en/2022-05-10-second-thoughts.md",
        "en/" + f"{timezone.localdate(Post.objects.get(status='draft').created_at):%Y-%m-%d}-unfinished-idea.md",
        "ja/2022-05-11-second-thoughts.md",
    ]
    front = yaml.safe_load((tmp_path / "en/2022-05-10-second-thoughts.md").read_text().split("---\n")[1])
    assert front["authors"] == ["aiko-sato", "ben-lee"]
    assert front["related"] == [{"slug": "first-steps", "lang": "en"}]
    assert front["original"]["url"] == "https://aiko.example.org/original/second-thoughts"
    assert front["draft"] is False and front["custom_key"] == {"nested": [1, 2]}
    assert (tmp_path / "media/imported/assets/img/diagram.png").is_file()
    assert {author["slug"] for author in yaml.safe_load((tmp_path / "authors.yaml").read_text())} == {
        "aiko-sato", "ben-lee",
    }  # fmt: skip
    assert RelatedPost.objects.count() == 1


# Translation drift.


def exported_files(directory):
    return {path.relative_to(directory).as_posix(): path.read_bytes() for path in directory.rglob("*.md")}


def test_export_import_export_keeps_what_each_translation_was_made_from_byte_for_byte(tmp_path, settings):
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    translation_drift.mark_up_to_date(Post.objects.get(pk=chinese.pk))  # the Chinese translator caught up
    changed_at = Post.objects.get(pk=original.pk).content_changed_at

    round_trip = functools.partial(export_then_import, tmp_path, created=3)

    round_trip("first")
    first = yaml.safe_load(next((tmp_path / "first/en").glob("*.md")).read_text().split("---\n")[1])
    assert (first["translation_of"], first["source_revision"]) == ("ja", english.source_fingerprint)
    # Posts written in the admin gain their export file as import source (source_path) the first time round.
    round_trip("second")
    export_all(directory=tmp_path / "third")

    assert exported_files(tmp_path / "third") == exported_files(tmp_path / "second")
    original, english, chinese = (Post.objects.get(slug=slug) for slug in ("kenkyushitsu", "leaving-the-lab", "likai"))
    assert english.translated_from == original and chinese.translated_from == original
    assert list(Post.objects.outdated()) == [english]
    assert original.content_changed_at == changed_at  # the date readers of the outdated translation are told
    assert chinese.source_base["body"] == original.body  # its base is the source as it is, so the diff has it


def test_export_import_export_keeps_who_wrote_and_who_translated_byte_for_byte(tmp_path, settings):
    mori, wei, okafor = make_author("Haruka Mori"), make_author("Lin Wei"), make_author("Sam Okafor")
    source = make_post(title="研究室を出た日", slug="kenkyushitsu", language="ja", authors=[mori, wei])
    make_post(
        title="Leaving the lab", slug="leaving-the-lab", language="en", translation_key=source.translation_key,
        authors=[mori, wei], translators=[okafor],
    )  # fmt: skip

    round_trip = functools.partial(export_then_import, tmp_path, created=2)

    round_trip("first")
    first = yaml.safe_load(next((tmp_path / "first/en").glob("*.md")).read_text().split("---\n")[1])
    assert (first["authors"], first["translators"]) == ([mori.slug, wei.slug], [okafor.slug])
    round_trip("second")
    export_all(directory=tmp_path / "third")

    assert exported_files(tmp_path / "third") == exported_files(tmp_path / "second")
    bylines = Post.objects.get(language="en").bylines.values_list("author__name", "role")
    assert list(bylines) == [("Haruka Mori", "author"), ("Lin Wei", "author"), ("Sam Okafor", "translator")]
    assert list(Post.objects.get(language="ja").bylines.values_list("role", flat=True)) == ["author", "author"]


def test_export_import_export_keeps_each_tags_names_and_slugs_in_other_languages_byte_for_byte(tmp_path):
    career = make_tag("キャリア", description="キャリアの分かれ道。")
    # Slugs an editor typed, which the names would not give: the import must keep them, not make new ones.
    TagName.objects.create(
        tag=career, language="en", name="career", slug="careers", description="The fork in the road."
    )
    TagName.objects.create(tag=career, language="zh-hans", name="职业", slug="zhiye")
    make_post(title="研究室を出た日", language="ja", tags=[career])

    round_trip = functools.partial(export_then_import, tmp_path, created=1, also_delete=[Tag])

    round_trip("first")
    exported = yaml.safe_load((tmp_path / "first/tags.yaml").read_text())
    assert exported[0]["languages"] == {
        "en": {"name": "career", "slug": "careers", "description": "The fork in the road."},
        "zh-hans": {"name": "职业", "slug": "zhiye"},
    }
    round_trip("second")
    export_all(directory=tmp_path / "third")
    assert (tmp_path / "third/tags.yaml").read_bytes() == (tmp_path / "second/tags.yaml").read_bytes()
    assert exported_files(tmp_path / "third") == exported_files(tmp_path / "second")
    names = TagName.objects.filter(tag__name="キャリア").values_list("language", "name", "slug", "description")
    assert list(names) == [("en", "career", "careers", "The fork in the road."), ("zh-hans", "职业", "zhiye", "")]


def test_imported_tag_names_without_slugs_get_them_and_a_slug_of_another_tag_is_not_taken(tmp_path):
    make_tag("machine learning", slug="ml")
    (tmp_path / "tags.yaml").write_text(
        "- name: キャリア\n  languages:\n    en: career\n    zh-hans: {name: 职业, slug: ml}\n", encoding="utf-8"
    )
    report = import_paths(paths=[tmp_path])
    assert report.failed == 0, report.failures()
    names = TagName.objects.filter(tag__name="キャリア").values_list("language", "slug")
    assert list(names) == [("en", "career"), ("zh-hans", "ml-2")]


def test_a_tag_named_in_an_unknown_language_is_a_clear_failure_and_the_posts_still_import(tmp_path):
    (tmp_path / "tags.yaml").write_text("- name: キャリア\n  languages: {fr: carrière}\n", encoding="utf-8")
    (tmp_path / "essay.ja.md").write_text("---\ntitle: 原文\ntags: [キャリア]\n---\n本文。\n", encoding="utf-8")
    report = import_paths(paths=[tmp_path])
    assert report.created == 1 and report.failed == 1
    assert any("unknown language: 'fr'" in result.detail for result in report.failures())
    assert not TagName.objects.exists()


def test_hand_written_translation_of_is_read_and_bad_values_are_warnings(tmp_path):
    key = "3b241101-e2bb-4255-8caf-4136c566a962"
    (tmp_path / "essay.ja.md").write_text(f"---\ntitle: 原文\ntranslation_key: {key}\n---\n本文。\n", encoding="utf-8")
    (tmp_path / "essay.en.md").write_text(
        f"---\ntitle: Translation\ntranslation_key: {key}\ntranslation_of: japanese\n---\nText.\n", encoding="utf-8"
    )
    (tmp_path / "essay.zh-hans.md").write_text(
        f"---\ntitle: 译文\ntranslation_key: {key}\ntranslation_of: klingon\nsource_revision: nope\n---\n正文。\n",
        encoding="utf-8",
    )

    report = import_paths(paths=[tmp_path])

    assert (report.created, report.failed) == (3, 0)
    english, chinese = Post.objects.get(language="en"), Post.objects.get(language="zh-hans")
    assert english.translated_from == Post.objects.get(language="ja")
    assert not Post.objects.outdated().exists()  # no revision: taken as matching
    assert chinese.translated_from is None
    assert any("translation_of 'klingon' is not a language" in warning for warning in report.warnings)
    assert import_paths(paths=[tmp_path]).updated == 0  # importing again changes nothing


# Pending drafts: autosaved changes to a published post, kept beside it (blog.models.pending).


def test_export_keeps_pending_drafts_beside_their_post_and_import_brings_them_back(tmp_path, editor_user):
    current = make_post(title="Live essay", slug="live", body="The published text.")
    PendingDraft.objects.create(
        post=current,
        title="Live essay, revised",
        summary="A new summary.",
        body="The revised text.\n\n## 新しい節\n\n書きかけの段落。",
        based_on=edit_stamp(current),
        saved_by=editor_user,
    )
    older = make_post(title="Saved since", slug="saved-since", body="Saved after the draft began.")
    PendingDraft.objects.create(post=older, title="Saved since", body="A draft of an older save.", based_on="stale")
    saved_at = dict(PendingDraft.objects.values_list("post__slug", "saved_at"))

    round_trip = functools.partial(export_then_import, tmp_path, created=2)

    round_trip("first")
    # Named by its publication day: an hour ago, which is yesterday in the first hour of a day.
    exported = tmp_path / "first/en" / f"{timezone.localdate(current.publish_at):%Y-%m-%d}-live.md"
    front = yaml.safe_load(exported.read_text().split("---\n")[1])
    assert front["pending_draft"]["body"] == "The revised text.\n\n## 新しい節\n\n書きかけの段落。"
    round_trip("second")
    export_all(directory=tmp_path / "third")

    assert exported_files(tmp_path / "third") == exported_files(tmp_path / "second")
    current, older = Post.objects.get(slug="live"), Post.objects.get(slug="saved-since")
    assert current.body == "The published text."  # readers still get the published text
    draft = PendingDraft.objects.get(post=current)
    assert (draft.title, draft.summary, draft.body) == (
        "Live essay, revised", "A new summary.", "The revised text.\n\n## 新しい節\n\n書きかけの段落。",
    )  # fmt: skip
    assert (draft.saved_by, draft.saved_at) == (editor_user, saved_at["live"])
    assert draft.based_on == edit_stamp(current)  # a draft of the post as it is: it can be published
    assert PendingDraft.objects.get(post=older).based_on != edit_stamp(older)  # still a draft of an older save


@pytest.mark.parametrize("file_saved_at", ["as exported", "unreadable"])
def test_importing_again_keeps_a_pending_draft_saved_after_the_export(tmp_path, file_saved_at):
    post = make_post(title="Live essay", slug="live")
    draft = PendingDraft.objects.create(post=post, title="Live", body="Exported draft.", based_on=edit_stamp(post))
    export_all(directory=tmp_path)
    draft.body = "Written after the backup."
    draft.save()
    if file_saved_at == "unreadable":
        (exported,) = tmp_path.rglob("*-live.md")
        text = exported.read_text(encoding="utf-8")
        exported.write_text(re.sub(r"(?m)^  saved_at: .*$", "  saved_at: yesterday", text), encoding="utf-8")

    report = import_paths(paths=[tmp_path])

    assert PendingDraft.objects.get(post=post).body == "Written after the backup."
    assert any("kept the newer pending draft" in warning for warning in report.warnings)


def test_ruby_survives_export_and_import_byte_for_byte(tmp_path):
    body = "|漢字《かんじ》と東京《とうきょう》、{漢字|かん|じ}と{東京|とうきょう}。\n\n`{code|stays}` ｜文庫《ぶんこ》"
    make_post(title="振り仮名", slug="furigana", language="ja", body=body)
    export_all(directory=tmp_path / "first")
    Post.objects.all().delete()
    assert import_paths(paths=[tmp_path / "first"]).created == 1
    export_all(directory=tmp_path / "second")

    post = Post.objects.get()
    assert post.body == body
    assert post.body_html.count("<ruby>") == 5
    for name in ("first", "second"):  # the writer's syntax, not the HTML it renders to, byte for byte
        assert next((tmp_path / name).rglob("*.md")).read_bytes().split(b"---\n", 2)[2] == b"\n" + body.encode() + b"\n"
