"""A reader subscribes, confirms, and gets each new essay once, in their language, with unsubscribe headers."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from blog.models import Delivery, Subscriber
from tests.factories import make_post, make_subscriber, make_translation, url_in

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+")


def link_in(message):
    return urlsplit(LINK.search(message.get_body(("plain",)).get_content()).group()).path


def subscribe(client, language, email, **fields):
    data = {"email": email, "first_language": language, "follow": "everything", **fields}
    return client.post(url_in(language, "mail:subscribe"), data)


def test_subscribe_confirm_publish_delivers_exactly_one_email_in_the_readers_language(client, smtp_server):
    response = subscribe(client, "ja", "Hanako@Example.org", second_language="en")
    assert response.status_code == 200
    assert "hanako@example.org" not in response.content.decode().lower()
    [confirmation] = smtp_server.messages()
    assert confirmation["To"] == "hanako@example.org"
    assert confirmation["Subject"] == "Bunko の購読を確認してください"

    # Opening the link (as a mail scanner does) confirms nothing; the button on that page does.
    confirm_page = link_in(confirmation)
    assert "確認" in client.get(confirm_page).content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.PENDING
    assert client.post(confirm_page).status_code == 200
    assert Subscriber.objects.get().state == Subscriber.State.CONFIRMED

    # Published after the reader confirmed: an essay from before then is not theirs to receive.
    original = make_post(title="The lab at night", language="en", body="Notes from the lab.", publish_at=timezone.now())
    make_translation(original, language="ja", title="夜の研究室", body="研究室の記録。", publish_at=timezone.now())
    call_command("send_newsletters", stdout=io.StringIO())
    call_command("send_newsletters", stdout=io.StringIO())

    [essay] = smtp_server.messages(to="hanako@example.org")[1:]
    assert essay["Subject"] == "夜の研究室"
    assert "研究室の記録。" in essay.get_body(("html",)).get_content()
    assert "研究室の記録。" in essay.get_body(("plain",)).get_content()
    assert essay["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(r"<(https://[^>]+)>", essay["List-Unsubscribe"].strip()).group(1)
    assert unsubscribe_url.startswith("https://bunko.test/ja/subscribe/unsubscribe/")  # smtp_server sets it
    # The greeting and footer speak the reader's interface language.
    assert "Bunko に新しいエッセイが公開されました" in essay.get_body(("html",)).get_content()
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_one_click_unsubscribe_needs_no_cookie_and_stops_the_mail(settings, smtp_server):
    settings.BUNKO_MAIL_UNSUBSCRIBE_ADDRESS = "unsubscribe@bunko.test"
    make_subscriber("reader@example.org", ["en"])
    make_post(title="First essay")
    call_command("send_newsletters", stdout=io.StringIO())
    [essay] = smtp_server.messages()
    https_link, mailto_link = re.findall(r"<([^>]+)>", essay["List-Unsubscribe"])
    assert mailto_link.startswith("mailto:unsubscribe@bunko.test?subject=")

    # What Gmail does (RFC 8058): a POST with this body and no cookie, CSRF token or session of ours.
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(
        urlsplit(https_link).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()

    make_post(title="Second essay")
    call_command("send_newsletters", stdout=io.StringIO())
    assert len(smtp_server.messages()) == 1
    # A second POST of the same link (a retry) is answered, not refused.
    assert mail_provider.post(urlsplit(https_link).path).status_code == 200


def test_the_manage_link_changes_languages_and_scope(client, smtp_server):
    reader = make_subscriber("reader@example.org", ["en"])
    make_post(title="An essay")
    call_command("send_newsletters", stdout=io.StringIO())
    manage_path = re.search(
        r"https://bunko\.test(/en/subscribe/manage/[^\"/]+/)",
        smtp_server.messages()[0].get_body(("html",)).get_content(),
    ).group(1)

    page = client.get(manage_path)
    assert page.status_code == 200
    assert "reader@example.org" not in page.content.decode()
    response = client.post(manage_path, {"first_language": "zh-hans", "second_language": "ja", "follow": "everything"})
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.languages == ["zh-hans", "ja"]


def test_readers_following_a_tag_get_only_its_essays(smtp_server):
    from tests.factories import make_tag

    science = make_tag("science")
    follower = make_subscriber("follower@example.org", ["en"], follows_everything=False)
    follower.tags.set([science])
    make_post(title="On cooking")
    make_post(title="On proteins", tags=[science])
    call_command("send_newsletters", stdout=io.StringIO())
    assert [message["Subject"] for message in smtp_server.messages()] == ["On proteins"]
