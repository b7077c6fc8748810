"""A reader subscribes and confirms in a real browser, with no script needed; the pages pass axe and the W3C checker."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from blog.mail import tokens
from blog.models import Subscriber
from tests.browser.checks import accessibility_violations, checker_errors
from tests.factories import make_author, make_post, make_tag, url_in


@pytest.mark.browser
def test_a_reader_subscribes_and_confirms_without_script(browser, live_server, transactional_db, watch, page):
    make_author("山田 花子")
    make_tag("研究")
    page.goto(url_in("ja", "mail:subscribe"))
    assert accessibility_violations(page) == []

    page.get_by_label("メールアドレス").fill("reader@example.org")
    page.get_by_label("第二言語（任意）").select_option("en")
    page.get_by_label("チェックした著者またはタグのエッセイだけ").check()
    page.get_by_label("研究").check()
    page.get_by_role("button", name="購読する").click()
    expect(page.get_by_role("heading", name="受信箱を確認してください")).to_be_visible()
    assert accessibility_violations(page) == []

    [confirmation] = mail.outbox
    page.goto(urlsplit(re.search(r"https?://\S+", confirmation.body).group()).path)
    assert Subscriber.objects.get().state == Subscriber.State.PENDING  # opening the link confirms nothing
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", name="購読を開始しました")).to_be_visible()
    assert accessibility_violations(page) == []

    reader = Subscriber.objects.get()
    assert (reader.state, reader.languages, reader.follows_everything) == ("confirmed", ["ja", "en"], False)
    assert [tag.name for tag in reader.tags.all()] == ["研究"]


@pytest.mark.browser
def test_the_short_form_under_an_essay_subscribes_in_the_pages_language(live_server, transactional_db, page):
    essay = make_post(title="An essay", language="en")
    page.goto(essay.get_absolute_url())
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert Subscriber.objects.get().languages == ["en"]


def test_the_subscription_pages_pass_the_w3c_html_checker(client, db, tmp_path):
    make_author("山田 花子")
    make_tag("研究")
    reader = Subscriber.objects.create(email="reader@example.org", languages=["ja"], interface_language="ja")
    pages = {
        "subscribe": url_in("ja", "mail:subscribe"),
        "confirm": url_in("ja", "mail:confirm", token=tokens.confirm_token(reader)),
        "manage": url_in("ja", "mail:manage", token=tokens.manage_token(reader)),
        "unsubscribe": url_in("ja", "mail:unsubscribe", token=tokens.manage_token(reader)),
        "post-with-short-form": make_post(title="An essay", language="en").get_absolute_url(),
    }
    for name, address in pages.items():
        response = client.get(address)
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    invalid = client.post(url_in("ja", "mail:subscribe"), {"email": "nonsense", "first_language": "ja"})
    (tmp_path / "subscribe-errors.html").write_bytes(invalid.content)

    errors = checker_errors(sorted(tmp_path.glob("*.html")))

    assert errors == [], "\n".join(errors)
