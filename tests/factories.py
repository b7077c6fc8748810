"""Deterministic builders for test content: no randomness, every field readable at the call site."""

import importlib
import io
import itertools

from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from blog.caching import changes_together
from blog.content import translation_drift
from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Subscriber, Tag

_sequence = itertools.count(1)


def make_author(name=None, **fields):
    return Author.objects.create(name=name or f"Author {next(_sequence)}", **fields)


def make_tag(name=None, **fields):
    return Tag.objects.create(name=name or f"tag-{next(_sequence)}", **fields)


def make_post(**fields):
    """A published post (publish time one hour ago) unless `status`/`publish_at` say otherwise; `translators`
    are credited after the `authors`. Its rows are one change for the caches, as the admin's save makes them."""
    with changes_together():
        return make_post_rows(**fields)


def make_post_rows(*, authors=None, translators=(), tags=(), related=(), links=(), **fields):
    n = next(_sequence)
    fields.setdefault("title", f"Essay {n}")
    fields.setdefault("language", "en")
    fields.setdefault("body", f"Body of essay {n}.")
    fields.setdefault("status", Post.Status.PUBLISHED)
    if fields["status"] == Post.Status.PUBLISHED:
        fields.setdefault("publish_at", timezone.now() - timezone.timedelta(hours=1))
    post = Post.objects.create(**fields)
    authors = authors if authors is not None else [make_author()]
    for position, author in enumerate(authors):
        PostAuthor.objects.create(post=post, author=author, position=position)
    for position, translator in enumerate(translators, start=len(authors)):
        PostAuthor.objects.create(post=post, author=translator, role=PostAuthor.Role.TRANSLATOR, position=position)
    post.tags.set(tags)
    for position, other in enumerate(related):
        RelatedPost.objects.create(from_post=post, to_post=other, position=position)
    for position, link in enumerate(links):
        RelatedLink.objects.create(post=post, position=position, **link)
    return post


def delete_all_content(*also):
    """Remove every post, author and tag (and the rows of `also`'s models) that a class's shared site committed,
    as one change for the caches."""
    with changes_together():
        for model in (Post, Author, Tag, *also):
            model.objects.all().delete()


def make_translation(source, *, language, **fields):
    """A published version of `source`'s essay in `language`, translated from `source` as it is now."""
    fields.setdefault("authors", [byline.author for byline in source.bylines.filter(role=PostAuthor.Role.AUTHOR)])
    return make_post(
        language=language, translation_key=source.translation_key, **translation_drift.base_fields(source), **fields
    )


def url_in(language, name, **kwargs):
    """The public URL `name` under `language`'s prefix, e.g. url_in("ja", "blog:post-list") == "/ja/"."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


# An essay written in Japanese and translated into English and Chinese, for the translation drift tests.
KYOTO_JA = """\
## 研究室を出た日

三月の終わり、六年間通った研究室の鍵を返しました。机の上には何も残っていませんでした。

最後に実験ノートを読み返すと、失敗の記録ばかりが目につきました。それでも、その失敗が今の私を作っています。

## これから

次の仕事では、研究で身につけた問いの立て方を生かしたいと思っています。
"""
KYOTO_EN = """\
## The day I left the lab

At the end of March I returned the key to the lab I had gone to for six years. Nothing was left on my desk.

Reading my lab notebooks one last time, I mostly saw records of failure. Still, those failures made me who I am.

## What comes next

In my next job I want to use the way of asking questions that research taught me.
"""
KYOTO_ZH = """\
## 离开研究室的那一天

三月底，我归还了走了六年的研究室的钥匙。桌上什么也没有留下。

最后一次翻阅实验笔记，看到的几乎都是失败的记录。但正是这些失败造就了今天的我。

## 今后

在下一份工作中，我想运用在研究中学会的提问方式。
"""
# The second paragraph of KYOTO_JA, revised by its author.
KYOTO_JA_REVISED_PARAGRAPH = (
    "最後に実験ノートを読み返すと、失敗の記録ばかりが目につきました。それでも、その失敗こそが今の私を支えています。"
)


def make_essay_in_three_languages(**fields):
    """(ja original, en translation, zh-hans translation) of one published essay, each translation up to date."""
    original = make_post(
        title="研究室を出た日",
        slug="kenkyushitsu",
        language="ja",
        summary="六年間の研究室生活の終わり。",
        body=KYOTO_JA.strip(),
        **fields,
    )
    english = make_translation(
        original,
        language="en",
        title="The day I left the lab",
        slug="leaving-the-lab",
        summary="The end of six years in a lab.",
        body=KYOTO_EN.strip(),
    )
    chinese = make_translation(
        original,
        language="zh-hans",
        title="离开研究室的那一天",
        slug="likai",
        summary="六年研究室生活的结束。",
        body=KYOTO_ZH.strip(),
    )
    return original, english, chinese


def revise_second_paragraph(original, *, minor=False):
    """The author rewrites one paragraph of the Japanese original and saves it (as a minor change if `minor`)."""
    before = KYOTO_JA.split("\n\n")[2].strip()
    original.body = original.body.replace(before, KYOTO_JA_REVISED_PARAGRAPH)
    original.minor_change = minor
    original.save()
    original.minor_change = False
    return original


def role(name):
    """The Author or Editor group with the permissions its migrations give it (0002_roles, 0021_tag_names).

    Migrations make the groups, so a transactional test's flush (browser tests) removes them: made again here.
    """
    group, created = Group.objects.get_or_create(name=name)
    if created:
        roles = importlib.import_module("blog.migrations.0002_roles")
        codenames = {"Author": roles.AUTHOR_PERMISSIONS, "Editor": roles.EDITOR_PERMISSIONS}[name]
        if name == "Editor":
            codenames = [*codenames, *(f"blog.{action}_tagname" for action in ("add", "change", "delete", "view"))]
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def make_subscriber(email, languages=("en",), interface_language=None, **fields):
    """A confirmed subscriber (confirmed a day ago, before any essay the test publishes)."""
    fields.setdefault("state", Subscriber.State.CONFIRMED)
    if fields["state"] == Subscriber.State.CONFIRMED:
        fields.setdefault("confirmed_at", timezone.now() - timezone.timedelta(days=1))
    return Subscriber.objects.create(
        email=email, languages=list(languages), interface_language=interface_language or languages[0], **fields
    )


def image_bytes(image_format="PNG", size=(40, 30), color="teal", **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()
