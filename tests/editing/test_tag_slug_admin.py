"""Issue 25: an editor gives a tag its slug in each language on the tag's admin page, beside its name there."""

import pytest
from django.urls import reverse

from blog.models import TagName
from harness.web import submitted_form
from tests.factories import make_post, make_tag, url_in

pytestmark = pytest.mark.django_db

SLUG_TAKEN = {
    "ja": "このスラッグは別のタグが（そのタグ自身のスラッグ、またはいずれかの言語のスラッグとして）"
    "すでに使っています。",
    "zh-hans": "另一个标签已在使用此别名（作为它自己的别名，或它在某种语言中的别名）。",
    "en": "Another tag already has this slug, as its own or in one of its languages.",
}


def tag_form(client, tag, names, language="en"):
    """The tag's change form as submitted with `names` ({language: (name, slug)}) in its inline."""
    change = reverse("admin:blog_tag_change", args=[tag.pk])
    client.cookies["django_language"] = language
    data = submitted_form(client.get(change), form_id="tag_form")
    data["names-TOTAL_FORMS"] = str(len(names))
    for index, (code, (name, slug)) in enumerate(names.items()):
        data |= {f"names-{index}-language": code, f"names-{index}-name": name, f"names-{index}-slug": slug}
    return client.post(change, data)


def test_a_blank_slug_is_made_from_the_name_and_a_typed_one_is_kept(editor_client, client):
    tag = make_tag("求职")
    make_post(language="en", slug="essay", tags=[tag])
    names = {"en": ("Job hunting", ""), "ja": ("就職活動", ""), "zh-hans": ("找工作", "qiuzhi")}
    assert tag_form(editor_client, tag, names).status_code == 302
    slugs = dict(tag.names.values_list("language", "slug"))
    assert slugs == {"en": "job-hunting", "ja": "就職活動", "zh-hans": "qiuzhi"}
    english_page = url_in("en", "blog:tag-detail", slug="job-hunting")
    assert f'<a href="{english_page}" rel="tag">Job hunting</a>' in client.get("/en/posts/essay/").content.decode()


@pytest.mark.parametrize("interface", ["ja", "zh-hans", "en"])
def test_a_slug_that_leads_to_another_tag_is_refused_in_the_editors_language(editor_client, interface):
    make_tag("machine learning", slug="ml")
    tag = make_tag("キャリア")
    response = tag_form(editor_client, tag, {"en": ("career", "ml")}, language=interface)
    assert response.status_code == 200
    assert SLUG_TAKEN[interface] in response.content.decode()
    assert not tag.names.exists()


@pytest.mark.parametrize("interface", ["ja", "zh-hans", "en"])
def test_a_tags_own_slug_may_not_be_another_tags_slug_in_a_language(editor_client, interface):
    other = make_tag("实验室生活")
    TagName.objects.create(tag=other, language="en", name="lab life")
    tag = make_tag("キャリア")
    change = reverse("admin:blog_tag_change", args=[tag.pk])
    editor_client.cookies["django_language"] = interface
    data = submitted_form(editor_client.get(change), form_id="tag_form") | {"slug": "lab-life"}
    response = editor_client.post(change, data)
    assert response.status_code == 200
    assert SLUG_TAKEN[interface] in response.content.decode()


def test_a_changed_slug_leaves_a_redirect_at_the_old_address(editor_client, client):
    tag = make_tag("キャリア")
    make_post(language="en", tags=[tag])
    assert tag_form(editor_client, tag, {"en": ("career", "career")}).status_code == 302
    assert tag_form(editor_client, tag, {"en": ("careers", "careers")}).status_code == 302
    response = client.get(url_in("en", "blog:tag-detail", slug="career"))
    assert (response.status_code, response["Location"]) == (301, url_in("en", "blog:tag-detail", slug="careers"))
