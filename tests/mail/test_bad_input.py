"""Bad input on the subscription pages gets a clear answer in the reader's language and a 4xx status, never a
500; floods are limited per client and per address; addresses never appear in a page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from blog.mail import tokens
from blog.models import Subscriber
from harness.servers import free_port
from tests.factories import make_subscriber, url_in

pytestmark = pytest.mark.django_db


def subscribe(client, email, language="ja", **fields):
    data = {"email": email, "first_language": language, "follow": "everything", **fields}
    return client.post(url_in(language, "mail:subscribe"), data)


def path_in(language, name, token):
    with translation.override(language):
        return reverse(name, kwargs={"token": token})


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "有効なメールアドレスを入力してください。"),
        ("a" * 250 + "@example.org", "この値は 254 文字以下でなければなりません"),
        ("", "このフィールドは必須です。"),
    ],
)
def test_an_invalid_or_overlong_address_is_refused_with_the_reason(client, smtp_server, email, message):
    response = subscribe(client, email)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert smtp_server.messages() == []


def test_an_unknown_language_is_refused(client, smtp_server):
    response = subscribe(client, "reader@example.org", language="en", first_language="klingon")
    assert response.status_code == 400
    assert "Select a valid choice. klingon is not one of the available choices." in response.content.decode()
    assert not Subscriber.objects.exists()


def test_choosing_to_follow_nothing_is_refused(client, smtp_server):
    response = subscribe(client, "reader@example.org", language="zh-hans", follow="chosen")
    assert response.status_code == 400
    assert "请至少勾选一位作者或一个标签" in response.content.decode()


@pytest.mark.parametrize("name", ["mail:confirm", "mail:manage", "mail:unsubscribe"])
def test_a_tampered_link_is_refused_in_the_readers_language(client, name):
    reader = make_subscriber("reader@example.org", state=Subscriber.State.PENDING)
    token = tokens.confirm_token(reader) if name == "mail:confirm" else tokens.manage_token(reader)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for method in (client.get, client.post):
        response = method(path_in("zh-hans", name, tampered))
        assert response.status_code == 400
        assert "此链接无效" in response.content.decode()
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.PENDING


def test_a_manage_link_is_no_confirmation_link(client):
    reader = make_subscriber("reader@example.org", state=Subscriber.State.PENDING)
    response = client.post(path_in("en", "mail:confirm", tokens.manage_token(reader)))
    assert response.status_code == 400
    assert Subscriber.objects.get().state == Subscriber.State.PENDING


def test_a_confirmation_link_expires_after_seven_days(client, time_machine):
    time_machine.move_to(timezone.now())
    reader = make_subscriber("reader@example.org", state=Subscriber.State.PENDING)
    link = path_in("ja", "mail:confirm", tokens.confirm_token(reader))
    time_machine.shift(timezone.timedelta(days=7, minutes=1))
    response = client.post(link)
    assert response.status_code == 400
    assert "このリンクは使えません" in response.content.decode()


def test_a_replayed_confirmation_changes_nothing(client):
    reader = make_subscriber("reader@example.org", state=Subscriber.State.PENDING)
    link = path_in("en", "mail:confirm", tokens.confirm_token(reader))
    assert client.post(link).status_code == 200
    confirmed_at = Subscriber.objects.get().confirmed_at
    response = client.post(link)
    assert response.status_code == 200
    assert "You are subscribed" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at == confirmed_at


def test_a_link_for_a_forgotten_address_says_so(client):
    key = "0" * 32
    response = client.post(path_in("en", "mail:confirm", signing.dumps(key, salt=tokens.CONFIRM_SALT)))
    assert response.status_code == 404
    assert "Unconfirmed subscriptions are forgotten after seven days" in response.content.decode()


def test_a_confirmation_goes_to_one_address_at_most_once_an_hour(client, smtp_server, time_machine):
    time_machine.move_to(timezone.now())
    for _ in range(3):
        assert subscribe(client, "reader@example.org").status_code == 200
    assert len(smtp_server.messages()) == 1
    time_machine.shift(timezone.timedelta(hours=1, minutes=1))
    subscribe(client, "reader@example.org")
    assert len(smtp_server.messages()) == 2


def test_subscribing_a_confirmed_address_changes_nothing_and_mails_its_manage_link(client, smtp_server):
    reader = make_subscriber("reader@example.org", ["en"])
    assert subscribe(client, "reader@example.org", language="ja").status_code == 200
    reader.refresh_from_db()
    assert reader.languages == ["en"]
    [message] = smtp_server.messages()
    assert "/en/subscribe/manage/" in message.get_body(("plain",)).get_content()


def test_a_flood_from_one_client_is_limited(client, settings, smtp_server):
    settings.BUNKO_SUBSCRIBE_PER_IP_HOUR = 3
    statuses = [subscribe(client, f"reader{number}@example.org").status_code for number in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = subscribe(client, "another@example.org")
    assert "この一時間に受け付けた購読の申し込みが多すぎます" in response.content.decode()
    assert Subscriber.objects.count() == 3


def test_a_flood_for_one_address_is_limited_whatever_the_client(client, settings, smtp_server):
    settings.BUNKO_SUBSCRIBE_PER_ADDRESS_HOUR = 2
    statuses = [
        subscribe(client, "target@example.org", REMOTE_ADDR=f"192.0.2.{number}").status_code for number in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_a_mail_server_that_does_not_answer_gets_a_503_page_and_the_reader_may_retry(client, settings, smtp_server):
    settings.EMAIL_PORT = free_port()
    response = subscribe(client, "reader@example.org", language="en")
    assert response.status_code == 503
    assert "Our mail server did not answer" in response.content.decode()
    settings.EMAIL_PORT = smtp_server.port
    assert subscribe(client, "reader@example.org", language="en").status_code == 200
    assert len(smtp_server.messages()) == 1


def test_no_page_of_the_flow_shows_the_address(client, smtp_server):
    address = "private.reader@example.org"
    pages = [subscribe(client, address, language="en")]
    reader = Subscriber.objects.get()
    confirm = urlsplit(re.search(r"https?://\S+", smtp_server.messages()[0].get_body(("plain",)).get_content()).group())
    pages += [client.get(confirm.path), client.post(confirm.path)]
    manage = path_in("en", "mail:manage", tokens.manage_token(reader))
    pages += [client.get(manage), client.get(path_in("en", "mail:unsubscribe", tokens.manage_token(reader)))]
    for page in pages:
        assert page.status_code == 200
        assert "private.reader" not in page.content.decode()
