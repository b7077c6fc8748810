"""A form body in a charset Django refuses answers 400 with a page, wherever it is sent."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

CSRF_TOKEN = "a" * 32


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
@pytest.mark.parametrize("url", [reverse("blog:post-list"), reverse("admin:login")], ids=["public", "admin"])
def test_a_urlencoded_post_in_another_charset_than_utf8_answers_400(url, charset):
    # A browser's CSRF cookie and token are present, so the CSRF check reads the body (where the 500 came from).
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_TOKEN

    response = client.post(
        url,
        data=f"csrfmiddlewaretoken={CSRF_TOKEN}&username=a",  # the test client encodes it in `charset`
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
