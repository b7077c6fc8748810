"""Model invariants: what the database and managers guarantee whatever the caller does."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from blog.models import Post, PostAuthor, RelatedPost
from tests.factories import make_author, make_post, make_tag

pytestmark = pytest.mark.django_db


def test_slug_is_unique_per_language_but_may_repeat_across_languages():
    make_post(title="Leaving academia", slug="leaving", language="en")
    make_post(title="アカデミアを去る", slug="leaving", language="ja")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(title="Leaving again", slug="leaving", language="en")


def test_slug_filled_from_title_keeps_cjk_and_avoids_collisions():
    first = make_post(title="博士課程の話", language="ja")
    second = make_post(title="博士課程の話", language="ja")
    assert first.slug == "博士課程の話"
    assert second.slug == "博士課程の話-2"


def test_tag_slug_keeps_japanese_and_chinese():
    assert make_tag("キャリア").slug == "キャリア"
    assert make_tag("求职").slug == "求职"


def test_one_version_per_language_for_a_translation_key():
    original = make_post(language="ja")
    make_post(language="en", translation_key=original.translation_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(language="en", translation_key=original.translation_key)


def test_translations_are_the_siblings_sharing_the_key():
    ja = make_post(language="ja")
    en = make_post(language="en", translation_key=ja.translation_key)
    zh = make_post(language="zh-hans", translation_key=ja.translation_key, status=Post.Status.DRAFT)
    make_post(language="en")
    assert set(ja.get_translations()) == {en, zh}


def test_published_hides_drafts_and_scheduled_posts_until_their_time(time_machine):
    now = timezone.now()
    visible = make_post(publish_at=now - timezone.timedelta(minutes=1))
    scheduled = make_post(publish_at=now + timezone.timedelta(days=1))
    make_post(status=Post.Status.DRAFT)
    assert list(Post.objects.published()) == [visible]
    assert scheduled.is_scheduled

    time_machine.move_to(now + timezone.timedelta(days=2))
    assert set(Post.objects.published()) == {visible, scheduled}


def test_a_post_in_review_is_never_public_even_with_a_past_publish_time():
    in_review = make_post(status=Post.Status.IN_REVIEW, publish_at=timezone.now() - timezone.timedelta(days=1))
    make_post(status=Post.Status.IN_REVIEW)  # submitted without a publish time: the editor chooses one

    assert not Post.objects.published().exists()
    assert not in_review.is_public()
    assert Client().get(in_review.get_absolute_url()).status_code == 404


def test_publishing_without_a_time_publishes_now():
    post = make_post(status=Post.Status.DRAFT)
    post.status = Post.Status.PUBLISHED
    post.save()
    assert post.publish_at is not None
    assert post in Post.objects.published()


def test_database_refuses_a_published_row_without_publish_time():
    post = make_post(status=Post.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)


def test_authors_keep_their_byline_order():
    alice, bob, chen = make_author("Alice"), make_author("Bob"), make_author("Chen")
    post = make_post(authors=[chen, alice, bob])
    assert [byline.author for byline in post.bylines.all()] == [chen, alice, bob]


def test_related_posts_and_links_keep_the_editors_order():
    first, second, third = make_post(), make_post(), make_post()
    post = make_post(
        related=[third, first, second],
        links=[
            {"title": "Z paper", "url": "https://arxiv.org/abs/1"},
            {"title": "A talk", "url": "https://example.org/"},
        ],
    )
    assert [entry.to_post for entry in post.related_entries.all()] == [third, first, second]
    assert [link.title for link in post.related_links.all()] == ["Z paper", "A talk"]


def test_a_post_cannot_be_related_to_itself():
    post = make_post()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedPost.objects.create(from_post=post, to_post=post)


def test_saving_stores_rendered_html():
    post = make_post(body="# Title\n\nSome *emphasis*.")
    post.refresh_from_db()
    assert "<em>emphasis</em>" in post.body_html
    assert post.renderer_release


def test_roles_exist_with_publish_permission_only_for_editors(editor_user, author_user):
    assert editor_user.has_perm("blog.publish_post")
    assert not author_user.has_perm("blog.publish_post")
    assert author_user.has_perm("blog.change_post")


def test_one_per_essay_prefers_the_readers_language_else_the_original():
    ja = make_post(language="ja", title="京都")
    en = make_post(language="en", title="Kyoto", translation_key=ja.translation_key)
    only_ja = make_post(language="ja", title="大阪")
    assert set(Post.objects.one_per_essay("en")) == {en, only_ja}
    assert set(Post.objects.one_per_essay("zh-hans")) == {ja, only_ja}
    assert set(Post.objects.one_per_essay(None)) == {ja, only_ja}  # no language preferred: the originals
    assert set(Post.objects.reader_versions("en", written_in="ja")) == {ja, only_ja}


def test_copy_for_translation_makes_a_draft_of_the_essay_with_its_writers_tags_and_links():
    writer, translator, other_translator = make_author("佐藤"), make_author("Jane"), make_author("李")
    tag = make_tag("キャリア")
    source = make_post(
        language="ja", title="京都", authors=[writer], translators=[other_translator], tags=[tag],
        links=[{"title": "Notes", "url": "https://example.org/notes"}],
    )  # fmt: skip
    translation = source.copy_for_translation("en", title="Kyoto", translator=translator)
    assert (translation.language, translation.title, translation.slug) == ("en", "Kyoto", "kyoto")
    assert translation.status == Post.Status.DRAFT and translation.translation_key == source.translation_key
    assert translation.body == source.body and list(translation.tags.all()) == [tag]
    bylines = [(byline.author, byline.role) for byline in translation.bylines.all()]
    assert bylines == [(writer, PostAuthor.Role.AUTHOR), (translator, PostAuthor.Role.TRANSLATOR)]
    assert [link.url for link in translation.related_links.all()] == ["https://example.org/notes"]
    assert translation.translated_from == source and not Post.objects.outdated().filter(pk=translation.pk).exists()
