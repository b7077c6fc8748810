"""Social cards: the 1200×630 PNG a link preview shows for a published essay version without a cover."""

import io
import json
import logging
import re
import urllib.request
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from blog.models import Post, PostAuthor
from blog.rendering import social_card
from tests.factories import make_author, make_post

pytestmark = pytest.mark.django_db

TITLES = {
    "ja": "研究室を出た日、六年間通った机の上には何も残っていなかった",
    "zh-hans": "离开实验室的那一天，六年来每天坐的桌子上什么也没有留下",
    "en": "The day I left the lab, nothing was left on the desk I had sat at for six years",
}
AUTHORS = {"ja": "佐藤花子", "zh-hans": "王小明", "en": "Hana Sato"}


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """make_post as the admin's save does it: the card is drawn when the transaction commits."""

    def publish(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            post = make_post(**fields)
        post.refresh_from_db()
        return post

    return publish


def save_committed(django_capture_on_commit_callbacks, post):
    with django_capture_on_commit_callbacks(execute=True):
        post.save()
    post.refresh_from_db()


class HeadMeta(HTMLParser):
    """The page's <meta> properties and names, as a link preview reads them."""

    def __init__(self, html):
        super().__init__()
        self.meta = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("property") or attrs.get("name")] = attrs["content"]


def json_ld_image(html):
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    return json.loads(script).get("image")


def ink_pixels(image):
    """How many pixels are drawn darker than the paper: the text."""
    return sum(image.convert("L").histogram()[:128])


@pytest.mark.parametrize("language", ["ja", "zh-hans", "en"])
def test_publishing_draws_a_1200_by_630_card_with_the_title_and_byline(publish, language):
    post = publish(title=TITLES[language], language=language, authors=[make_author(AUTHORS[language])])
    assert post.social_card.name.startswith("social/")
    with default_storage.open(post.social_card.name) as stored:
        card = Image.open(io.BytesIO(stored.read()))
    assert card.format == "PNG"
    assert card.size == (1200, 630)
    assert ink_pixels(card) > 5000, "the title is written on the card"


def test_a_title_and_name_holding_line_breaks_still_get_a_card(publish):
    """An imported title or author name may hold a line break, which the text layout refuses; the card is drawn."""
    post = publish(title="Two lines\r\nof a title", authors=[make_author("Haruka\nMori")])
    assert post.social_card.name.startswith("social/")
    with default_storage.open(post.social_card.name) as stored:
        assert ink_pixels(Image.open(io.BytesIO(stored.read()))) > 5000


@pytest.mark.parametrize("language", ["ja", "zh-hans"])
def test_a_cjk_title_is_broken_only_between_phrases(language):
    _, lines = social_card.fit_title(TITLES[language], language, 1040)
    assert len(lines) > 1
    assert "".join(lines) == TITLES[language]
    phrases = social_card.phrases(TITLES[language], language)
    boundaries = {len("".join(phrases[:count])) for count in range(len(phrases) + 1)}
    breaks = {len("".join(lines[:count])) for count in range(1, len(lines))}
    assert breaks <= boundaries


def test_a_title_too_long_for_four_lines_ends_in_an_ellipsis():
    _, lines = social_card.fit_title("長い題名" * 60, "ja", 1040)
    assert len(lines) == social_card.MAX_TITLE_LINES
    assert lines[-1].endswith("…")


def test_the_page_serves_the_card_as_og_twitter_and_json_ld_image(live_server, transactional_db):
    post = make_post(title=TITLES["ja"], language="ja", authors=[make_author(AUTHORS["ja"])])
    post.refresh_from_db()
    card_url = live_server.url + post.social_card.url

    with urllib.request.urlopen(live_server.url + post.get_absolute_url()) as response:
        html = response.read().decode()
    meta = HeadMeta(html).meta
    assert meta["og:image"] == card_url
    assert meta["twitter:image"] == meta["og:image"]
    assert meta["twitter:card"] == "summary_large_image"
    assert json_ld_image(html) == meta["og:image"]

    with urllib.request.urlopen(card_url) as card:
        assert card.status == 200
        assert card.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(card.read())).size == (1200, 630)


def test_a_cover_image_wins_over_the_card(publish, client):
    cover = io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(cover, "PNG")
    post = publish(title="With a cover", cover_image=ContentFile(cover.getvalue(), name="cover.png"))
    assert post.social_card
    response = client.get(post.get_absolute_url())
    meta = HeadMeta(response.content.decode()).meta
    assert meta["og:image"] == f"http://testserver{post.cover_image.url}"
    assert meta["twitter:image"] == meta["og:image"]
    assert json_ld_image(response.content.decode()) == meta["og:image"]


def test_a_new_title_makes_a_new_card_and_the_old_one_goes(publish, client, django_capture_on_commit_callbacks):
    post = publish(title="First title")
    first = post.social_card.name
    post.title = "Second title"
    save_committed(django_capture_on_commit_callbacks, post)
    assert post.social_card.name != first
    assert default_storage.exists(post.social_card.name)
    assert not default_storage.exists(first)
    meta = HeadMeta(client.get(post.get_absolute_url()).content.decode()).meta
    assert meta["og:image"] == f"http://testserver{post.social_card.url}"


def test_a_new_byline_makes_a_new_card(publish, django_capture_on_commit_callbacks):
    post = publish(title="Shared essay", authors=[make_author("Hana Sato")])
    first = post.social_card.name
    with django_capture_on_commit_callbacks(execute=True):
        PostAuthor.objects.create(post=post, author=make_author("Kenji Ito"), position=1)
    post.refresh_from_db()
    assert post.social_card.name != first
    assert not default_storage.exists(first)


def test_a_draft_has_no_card_and_unpublishing_removes_it(publish, client, django_capture_on_commit_callbacks):
    draft = publish(title="Secret draft", status=Post.Status.DRAFT)
    assert not draft.social_card
    assert not default_storage.exists("social") or default_storage.listdir("social")[1] == []

    post = publish(title="Published, then withdrawn")
    card = post.social_card.name
    post.status = Post.Status.DRAFT
    save_committed(django_capture_on_commit_callbacks, post)
    assert not post.social_card
    assert not default_storage.exists(card)
    assert client.get(post.get_absolute_url()).status_code == 404


def test_without_the_fonts_there_is_no_card_and_the_log_says_why(publish, client, settings, tmp_path, caplog):
    settings.SOCIAL_CARD_FONT_DIR = tmp_path / "no-fonts"
    with caplog.at_level(logging.WARNING, logger="blog.models"):
        post = publish(title="No fonts here")
    assert not post.social_card
    assert "fonts-noto-cjk" in caplog.text
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert 'name="twitter:card" content="summary"' in response.content.decode()
    assert "og:image" not in response.content.decode()


def test_publish_due_draws_the_cards_missing(settings, tmp_path, publish):
    fonts = settings.SOCIAL_CARD_FONT_DIR
    settings.SOCIAL_CARD_FONT_DIR = tmp_path / "no-fonts"  # as if the fonts were installed after publishing
    post = publish(title="Published before the fonts")
    assert not post.social_card
    settings.SOCIAL_CARD_FONT_DIR = fonts
    call_command("publish_due", stdout=io.StringIO())
    post.refresh_from_db()
    assert default_storage.exists(post.social_card.name)
