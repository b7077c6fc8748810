"""The owner's admin: subscribers by language and state, CSV export, deletion on request, each essay's sends."""

import csv
import io

import pytest
from django.urls import reverse

from blog.mail.sender import send_newsletters
from blog.models import Delivery, Subscriber
from tests.factories import make_post, make_subscriber

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:blog_subscriber_changelist"


def listed(admin_client, **params):
    response = admin_client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {subscriber.email for subscriber in response.context["cl"].result_list}


def test_subscribers_filter_by_the_languages_they_read_and_their_state(admin_client):
    make_subscriber("ja-first@example.org", ["ja", "en"])
    make_subscriber("ja-second@example.org", ["zh-hans", "ja"])
    make_subscriber("en-only@example.org", ["en"], state=Subscriber.State.PENDING)
    assert listed(admin_client, reads="ja") == {"ja-first@example.org", "ja-second@example.org"}
    assert listed(admin_client, state="pending") == {"en-only@example.org"}


def test_subscribers_export_as_csv_with_their_choices_and_nothing_else(admin_client):
    reader = make_subscriber("reader@example.org", ["ja", "en"])
    response = admin_client.post(reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [reader.pk]})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert [(row["email"], row["languages"], row["follows"], row["state"]) for row in rows] == [
        ("reader@example.org", "ja en", "everything", "confirmed")
    ]
    assert set(rows[0]) == {"email", "state", "languages", "interface_language", "follows", "created_at",
                            "confirmed_at"}  # fmt: skip


def test_a_subscriber_is_deleted_on_request_with_their_deliveries(admin_client, smtp_server):
    reader = make_subscriber("reader@example.org")
    make_post(title="An essay")
    send_newsletters()
    response = admin_client.post(reverse("admin:blog_subscriber_delete", args=[reader.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_each_essay_shows_its_sends(admin_client, smtp_server):
    make_subscriber("reader@example.org")
    make_subscriber("bounce@example.org")
    make_subscriber("busy@example.org")
    make_post(title="An essay")
    send_newsletters()
    response = admin_client.get(reverse("admin:blog_newsletter_changelist"))
    [newsletter] = response.context["cl"].result_list
    assert (newsletter.queued_count, newsletter.sent_count, newsletter.failed_count) == (1, 1, 1)
    assert "An essay" in response.content.decode()
